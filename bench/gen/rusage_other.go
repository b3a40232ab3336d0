//go:build !unix

package main

import "os"

// usage is a finished process's CPU time; peak memory is not known here.
func usage(ps *os.ProcessState) (cpu float64, rssKiB int64) {
	return (ps.UserTime() + ps.SystemTime()).Seconds(), 0
}
