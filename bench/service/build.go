package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// binaries are what build made.
type binaries struct {
	load string
	// server is the binary of each implementation kind.
	server map[string]string
	// bkgenBase is the path the generated service mounts the API at
	// (servers[0] of the spec).
	bkgenBase string
}

// build builds the load generator and the implementations that o.impls
// names, in o.work.
func build(ctx context.Context, o options, log io.Writer) (binaries, error) {
	bin := filepath.Join(o.work, "bin")
	b := binaries{load: filepath.Join(bin, "load"), server: map[string]string{}}
	var tags []string
	if o.profile != "" {
		tags = []string{"-tags", "pprof"}
	}
	if err := goBuild(ctx, log, filepath.Join(o.repo, "bench", "load"), b.load, nil, "."); err != nil {
		return b, err
	}
	for _, im := range o.impls {
		if _, done := b.server[im.kind]; done {
			continue
		}
		out := filepath.Join(bin, im.kind)
		switch im.kind {
		case "baseline", "oapicodegen":
			if err := goBuild(ctx, log, filepath.Join(o.repo, "bench", im.kind), out, tags, "."); err != nil {
				return b, err
			}
		case "bkgen":
			base, err := buildBkgen(ctx, o, log, out, tags)
			if err != nil {
				return b, err
			}
			b.bkgenBase = base
		}
		b.server[im.kind] = out
	}
	return b, nil
}

// buildBkgen builds bkgen, generates the service with the default
// configuration and builds the service's binary. It returns the service's
// base path.
func buildBkgen(ctx context.Context, o options, log io.Writer, out string, tags []string) (string, error) {
	svc := o.bkgenSvc
	if svc == "" {
		svc = filepath.Join(o.work, "bkgen-service")
		if err := generate(ctx, o, log, svc); err != nil {
			return "", err
		}
	}
	cmds, err := filepath.Glob(filepath.Join(svc, "cmd", "*", "main.go"))
	if err != nil || len(cmds) != 1 {
		return "", fmt.Errorf("the generated service has %d commands under cmd/, want one", len(cmds))
	}
	cmdDir := filepath.Dir(cmds[0])
	if len(tags) > 0 {
		// The same pprof listener as the baseline's, in the generated
		// service's main package (this copy only: blueprints are untouched).
		src, err := os.ReadFile(filepath.Join(o.repo, "bench", "baseline", "pprof.go"))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(cmdDir, "bench_pprof.go"), src, 0o600); err != nil {
			return "", err
		}
	}
	if err := goBuild(ctx, log, svc, out, tags, "./cmd/"+filepath.Base(cmdDir)); err != nil {
		return "", err
	}
	return basePath(filepath.Join(svc, "internal", "api", "handlers_gen.go"))
}

// generate builds bkgen and runs bkgen new with the default configuration
// into svc.
func generate(ctx context.Context, o options, log io.Writer, svc string) error {
	bkgen := filepath.Join(o.work, "bin", "bkgen-cli")
	if err := goBuild(ctx, log, o.repo, bkgen, nil, "./cmd/bkgen"); err != nil {
		return err
	}
	if err := os.RemoveAll(svc); err != nil {
		return err
	}
	fmt.Fprintf(log, "bkgen new --from %s --out %s --no-check\n", o.spec, svc)
	if err := runCmd(ctx, log, o.repo, nil, bkgen, "new", "--from", o.spec, "--out", svc, "--no-check"); err != nil {
		return fmt.Errorf("bkgen new: %w", err)
	}
	return nil
}

var basePathConst = regexp.MustCompile(`(?m)^const BasePath = "([^"]*)"$`)

// basePath reads the generated API's BasePath constant.
func basePath(path string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("find the service's base path: %w", err)
	}
	m := basePathConst.FindSubmatch(src)
	if m == nil {
		return "", fmt.Errorf("find the service's base path: no BasePath constant in %s", path)
	}
	return string(m[1]), nil
}

func goBuild(ctx context.Context, log io.Writer, dir, out string, tags []string, pkg string) error {
	args := append([]string{"build", "-o", out}, tags...)
	args = append(args, pkg)
	fmt.Fprintf(log, "(cd %s && go %s)\n", dir, strings.Join(args, " "))
	start := time.Now()
	if err := runCmd(ctx, log, dir, nil, "go", args...); err != nil {
		return fmt.Errorf("go build in %s: %w", dir, err)
	}
	fmt.Fprintf(log, "  %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// runCmd runs a command to completion; its output goes to log only when it fails.
func runCmd(ctx context.Context, log io.Writer, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		_, _ = log.Write(out)
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
