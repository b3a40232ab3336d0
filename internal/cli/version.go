package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

func runVersion(_ context.Context, a *app, args []string) int {
	f := newFlagSet("version", "bkgen version", "Prints the version of bkgen and of the Go toolchain that built it.")
	f.group("Flags")
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("version", "unexpected argument %q", rest[0])
	}
	fmt.Fprintln(a.stdout, versionLine())
	return ExitOK
}

// versionLine is "bkgen VERSION GOVERSION OS/ARCH". VERSION is the main
// module's version, "(devel)" for a build from a work tree (go build, go run),
// with the VCS revision when the build recorded one.
func versionLine() string {
	version, rev, dirty := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if version == "(devel)" && rev != "" {
		version += " " + rev[:min(len(rev), 12)]
		if dirty {
			version += "+dirty"
		}
	}
	return fmt.Sprintf("bkgen %s %s %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
