package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// tool is one row of the table: a binary, its arguments for a spec and an
// output folder, and its environment.
type tool struct {
	name, slug, version string
	bin                 string
	args                func(spec, out string) []string
	env                 []string
	// mkdir makes the output folder before the run (oapi-codegen writes
	// one file into it); bkgen and ogen make their own.
	mkdir bool
	// prime, when set, runs once per spec before the measured runs.
	prime func(ctx context.Context, s specInfo, out string, timeout time.Duration) error
}

// describe is the tool's command line as the report shows it.
func (t *tool) describe() string {
	var parts []string
	for _, kv := range t.env {
		if k, v, _ := strings.Cut(kv, "="); k == "BKGEN_CACHE" && v != "off" {
			kv = k + "=<a primed cache>"
		}
		parts = append(parts, kv)
	}
	parts = append(parts, filepath.Base(t.bin))
	parts = append(parts, t.args("SPEC", "OUT")...)
	return strings.Join(parts, " ")
}

// prepareTools builds bkgen and installs the peers (neither is timed), and
// returns the rows -tools-only selects.
func prepareTools(ctx context.Context, o *options, root, work string, log io.Writer) ([]*tool, error) {
	want := func(slug string) bool { return len(o.only) == 0 || slices.Contains(o.only, slug) }
	var tools []*tool
	if want("bkgen") || want("warm") || want("nodb") {
		bin := filepath.Join(work, "bin", "bkgen")
		fmt.Fprintln(log, "building bkgen (go build -o "+bin+" ./cmd/bkgen)")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/bkgen") //nolint:gosec // into the run's temporary folder
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/bkgen: %w\n%s", err, out)
		}
		version := gitVersion(ctx, root)
		newArgs := func(extra ...string) func(spec, out string) []string {
			return func(spec, out string) []string {
				return append([]string{"new", "--from", spec, "--out", out, "--no-check", "--no-git"}, extra...)
			}
		}
		if want("bkgen") {
			tools = append(tools, &tool{
				name: rowBkgen, slug: "bkgen", version: version, bin: bin,
				args: newArgs(), env: []string{"BKGEN_CACHE=off"},
			})
		}
		if want("warm") {
			cache := filepath.Join(work, "fmtcache")
			t := &tool{
				name: rowBkgenWarm, slug: "warm", version: version, bin: bin,
				args: newArgs(), env: []string{"BKGEN_CACHE=" + cache},
			}
			t.prime = func(ctx context.Context, s specInfo, out string, timeout time.Duration) error {
				m := measureOnce(ctx, t, s, out, timeout)
				_ = os.RemoveAll(out) //nolint:gosec // a folder in the run's temporary folder
				return m.err
			}
			tools = append(tools, t)
		}
		if want("nodb") {
			tools = append(tools, &tool{
				name: rowBkgenNoDB, slug: "nodb", version: version, bin: bin,
				args: newArgs("--database", "none"), env: []string{"BKGEN_CACHE=off"},
			})
		}
	}
	dir := o.toolsDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no folder for the peers (give -tools): %w", err)
		}
		dir = filepath.Join(base, "bkgen", "bench-tools")
	}
	if want("oapi-codegen") {
		bin, err := installPeer(ctx, dir, oapiCodegenModule, oapiCodegenVersion, log)
		if err != nil {
			return nil, err
		}
		tools = append(tools, &tool{
			name: rowOapiCodgen, slug: "oapi-codegen", version: oapiCodegenVersion, bin: bin, mkdir: true,
			args: func(spec, out string) []string {
				return []string{"-generate", "chi-server,strict-server,models", "-package", "api", "-o", filepath.Join(out, "api.gen.go"), spec}
			},
		})
	}
	if want("ogen") {
		bin, err := installPeer(ctx, dir, ogenModule, ogenVersion, log)
		if err != nil {
			return nil, err
		}
		tools = append(tools, &tool{
			name: rowOgen, slug: "ogen", version: ogenVersion, bin: bin,
			args: func(spec, out string) []string { return []string{"--target", out, "--clean", spec} },
		})
	}
	return tools, nil
}

// installPeer installs module@version with `go install` into a folder of
// its own under dir, unless an earlier run did, and returns the binary.
func installPeer(ctx context.Context, dir, module, version string, log io.Writer) (string, error) {
	binDir := filepath.Join(dir, filepath.Base(module)+"@"+version)
	bin := filepath.Join(binDir, filepath.Base(module))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(binDir, 0o750); err != nil {
		return "", fmt.Errorf("install %s: %w", module, err)
	}
	fmt.Fprintf(log, "installing %s@%s (GOBIN=%s go install)\n", module, version, binDir)
	cmd := exec.CommandContext(ctx, "go", "install", module+"@"+version) //nolint:gosec // the pinned peers above
	// Outside any module: go install module@version ignores go.mod anyway.
	cmd.Dir = binDir
	cmd.Env = append(os.Environ(), "GOBIN="+binDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %w\n%s", module, version, err, out)
	}
	return bin, nil
}

// gitVersion names the commit of bkgen measured: the short hash, "+dirty"
// when the work tree has changes; "(devel)" without git.
func gitVersion(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output() //nolint:gosec // bkgen's own module folder
	if err != nil {
		return "(devel)"
	}
	v := strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output() //nolint:gosec // the same
	if err == nil && len(st) > 0 {
		v += "+dirty"
	}
	return v
}

// machine describes where the figures were taken.
type machine struct {
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model,omitempty"`
	CgoEnabled string `json:"cgo_enabled"`
}

func describeMachine(ctx context.Context, root string) machine {
	m := machine{OS: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU()}
	goEnv := func(name string) string {
		cmd := exec.CommandContext(ctx, "go", "env", name) //nolint:gosec // names of go env variables, from this file
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(string(out))
	}
	m.GoVersion = goEnv("GOVERSION")
	m.CgoEnabled = goEnv("CGO_ENABLED")
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load average, as uptime prints it:
// from /proc/loadavg, else from uptime itself; "" when neither answers.
func loadAverage(ctx context.Context) string {
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			return strings.Join(f[:3], " ")
		}
	}
	out, err := exec.CommandContext(ctx, "uptime").Output()
	if err != nil {
		return ""
	}
	if _, after, ok := strings.Cut(string(out), "load average"); ok {
		return strings.TrimSpace(strings.Trim(strings.TrimSpace(after), ":s"))
	}
	return ""
}
