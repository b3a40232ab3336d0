package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

const versionAbout = `
Prints the version of bkgen and of the Go toolchain that built it.

--json prints the build information as JSON instead: bkgen's version, the
revision, time and state of the work tree it was built from (when the build
recorded them), the Go version, OS and architecture, and the versions of the
libraries bkgen embeds that shape what it generates.
`

// embeddedLibraries are the modules, built into bkgen, whose version
// changes what it reads or writes: version --json reports them by name.
var embeddedLibraries = []struct{ name, module string }{
	{"kin-openapi", "github.com/getkin/kin-openapi"},
	{"sqlc", "github.com/sqlc-dev/sqlc"},
	{"go-task", "github.com/go-task/task/v3"},
	{"sprig", "github.com/Masterminds/sprig/v3"},
}

// versionFlags returns the flags of `bkgen version`, bound to the --json
// switch it returns.
func versionFlags() (f *flagSet, jsonOut *bool) {
	jsonOut = new(bool)
	f = newFlagSet("version", "bkgen version [--json]", versionAbout)
	fs := f.group("Flags")
	boolFlag(fs, jsonOut, "json", "print the build information as JSON")
	f.examples = []string{
		"bkgen version",
		"bkgen version --json | jq -r '.libraries[] | .name + \" \" + .version'",
		"bkgen --version",
	}
	return f, jsonOut
}

func runVersion(_ context.Context, a *app, args []string) int {
	f, jsonOut := versionFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("version", "unexpected argument %q", rest[0])
	}
	if *jsonOut {
		if err := writeJSON(a.stdout, buildVersion()); err != nil {
			return a.fail(err)
		}
		return ExitOK
	}
	fmt.Fprintln(a.stdout, versionLine())
	return ExitOK
}

// versionInfo is the output of version --json.
type versionInfo struct {
	// Version is the main module's version, "(devel)" for a build from a
	// work tree.
	Version string `json:"version"`
	// VCS is null when the build recorded no VCS information (go build
	// -buildvcs=false, go run, a build from the module cache).
	VCS       *vcsInfo  `json:"vcs"`
	Go        string    `json:"go"`
	OS        string    `json:"os"`
	Arch      string    `json:"arch"`
	Libraries []library `json:"libraries"`
}

type vcsInfo struct {
	System   string `json:"system"`
	Revision string `json:"revision"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
}

// library is one of embeddedLibraries with the version built in; "" when
// the build information does not list it.
type library struct {
	Name    string `json:"name"`
	Module  string `json:"module"`
	Version string `json:"version"`
}

// buildVersion reads the build information of the running binary.
func buildVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	deps := map[string]string{}
	if ok {
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			deps[d.Path] = d.Version
		}
		var vcs vcsInfo
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs":
				vcs.System = s.Value
			case "vcs.revision":
				vcs.Revision = s.Value
			case "vcs.time":
				vcs.Time = s.Value
			case "vcs.modified":
				vcs.Modified = s.Value == "true"
			}
		}
		if vcs.Revision != "" {
			v.VCS = &vcs
		}
	}
	for _, l := range embeddedLibraries {
		v.Libraries = append(v.Libraries, library{Name: l.name, Module: l.module, Version: deps[l.module]})
	}
	return v
}

// versionLine is "bkgen VERSION GOVERSION OS/ARCH". VERSION is the main
// module's version, "(devel)" for a build from a work tree (go build, go run),
// with the VCS revision when the build recorded one.
func versionLine() string {
	v := buildVersion()
	version := v.Version
	if version == "(devel)" && v.VCS != nil {
		version += " " + v.VCS.Revision[:min(len(v.VCS.Revision), 12)]
		if v.VCS.Modified {
			version += "+dirty"
		}
	}
	return fmt.Sprintf("bkgen %s %s %s/%s", version, v.Go, v.OS, v.Arch)
}
