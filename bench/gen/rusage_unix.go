//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// usage is a finished process's CPU time (user + system, seconds) and peak
// resident memory (KiB), from the rusage wait4 returned: on Linux that of
// the process and of the children it waited for, whose peak is the largest
// of theirs, not their sum.
func usage(ps *os.ProcessState) (cpu float64, rssKiB int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return (ps.UserTime() + ps.SystemTime()).Seconds(), 0
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" {
		rss /= 1024 // bytes there, KiB on Linux
	}
	return (time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())).Seconds(), rss
}
