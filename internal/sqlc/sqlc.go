// Package sqlc runs sqlc (github.com/sqlc-dev/sqlc) on files held in memory
// and returns the files it generates.
//
// sqlc's only public entry point, pkg/cli.Run, cannot be called safely inside
// bkgen's own process: it writes to os.Stdout and os.Stderr, keeps its
// commands in package variables, reads SQLCDEBUG once at start-up, and, worst
// of all, calls os.Exit(1) as soon as a query or a schema has an error, which
// would end bkgen instead of reporting a diagnostic. So [Generate] runs it in
// a child process of the current executable instead: this package's init
// turns any process started with [childEnv] set into sqlc (the "re-exec"
// pattern), so every binary that links this package carries its own sqlc and
// needs nothing installed. The child's output goes to pipes, its environment
// is built explicitly, and it can neither exit, print into nor change the
// state of the parent.
package sqlc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sqlc-dev/sqlc/pkg/cli"
)

// ConfigFile is the name of the sqlc configuration that [Generate] requires
// at the root of its input files.
const ConfigFile = "sqlc.yaml"

// childEnv is the environment variable that makes a process that links this
// package run sqlc with its arguments and exit, before its own main starts.
// Its value is [childToken], so that an unrelated value set by hand does not
// turn bkgen into sqlc.
const (
	childEnv   = "BKGEN_INTERNAL_SQLC_CHILD"
	childToken = "sqlc-v1"
)

// waitDelay bounds how long a cancelled child may take to exit and close its
// output before Generate gives up on it.
const waitDelay = 5 * time.Second

func init() {
	if os.Getenv(childEnv) != childToken {
		return
	}
	os.Exit(cli.Run(os.Args[1:]))
}

// Generate runs `sqlc generate` on files: relative slash paths mapped to
// their contents, which must include [ConfigFile] (version "2") and the schema
// and query files it names (goose migrations are read as schema: sqlc keeps
// what precedes `-- +goose Down`). The files are laid out in a fresh temporary
// folder, removed afterwards, and Generate returns every file sqlc wrote or
// changed there, keyed by relative slash path.
//
// sqlc runs in a child process (see the package comment), so calls may run
// concurrently and nothing reaches the process's own stdout or stderr. When
// sqlc reports problems in the inputs, the error is an [*Error] holding its
// output, whose `file:line:col: message` lines are parsed into
// [Error.Problems]. Other failures (the context ends, sqlc crashes, the
// folder cannot be written) are plain errors.
func Generate(ctx context.Context, files map[string][]byte) (map[string][]byte, error) {
	if _, ok := files[ConfigFile]; !ok {
		return nil, fmt.Errorf("run sqlc: no %s among the input files", ConfigFile)
	}
	for name := range files {
		if !validPath(name) {
			return nil, fmt.Errorf("run sqlc: input path %q is not a relative slash path inside the folder", name)
		}
	}

	tmp, err := os.MkdirTemp("", "bkgen-sqlc-")
	if err != nil {
		return nil, fmt.Errorf("run sqlc: %w", err)
	}
	defer os.RemoveAll(tmp) //nolint:errcheck // best effort: a leftover temp folder is harmless
	src := filepath.Join(tmp, "src")
	cache := filepath.Join(tmp, "cache")
	if err := writeTree(src, files); err != nil {
		return nil, fmt.Errorf("run sqlc: %w", err)
	}

	if err := run(ctx, src, cache); err != nil {
		return nil, err
	}

	out, err := readOutput(src, files)
	if err != nil {
		return nil, fmt.Errorf("run sqlc: read output: %w", err)
	}
	return out, nil
}

// run starts sqlc in a child process on the configuration in dir.
func run(ctx context.Context, dir, cache string) error {
	exe, err := executable()
	if err != nil {
		return fmt.Errorf("run sqlc: find the executable: %w", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, "generate", "-f", filepath.Join(dir, ConfigFile)) //nolint:gosec // this very program
	cmd.Args[0] = "sqlc"
	cmd.Dir = dir
	cmd.Env = childEnviron(os.Environ(), cache)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	if err == nil {
		return nil
	}
	// Some messages name files by absolute path ("no queries contained in
	// paths /tmp/…/queries.sql"): make them relative like the others.
	output := strings.ReplaceAll(stderr.String()+stdout.String(), dir+string(filepath.Separator), "")
	if ctx.Err() != nil {
		return fmt.Errorf("run sqlc: %w", context.Cause(ctx))
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		// sqlc's own verdict on its inputs: it exits 1 on every problem it reports.
		return &Error{Output: output, Problems: parseProblems(output)}
	}
	if output = strings.TrimSpace(output); output != "" {
		return fmt.Errorf("run sqlc: %w\n%s", err, output)
	}
	return fmt.Errorf("run sqlc: %w", err)
}

// executable returns a path that starts the running program again. On Linux
// /proc/self/exe still works after the binary has been replaced on disk (an
// upgrade during a run).
func executable() (string, error) {
	if runtime.GOOS == "linux" {
		if _, err := os.Stat("/proc/self/exe"); err == nil {
			return "/proc/self/exe", nil
		}
	}
	return os.Executable() //nolint:wrapcheck // wrapped by the caller
}

// childEnviron returns the child's environment: the parent's, without the
// variables through which sqlc reads settings (SQLCDEBUG can dump the AST or
// write a trace file into the working folder, SQLCEXPERIMENT changes how
// queries are analysed, SQLCCACHE and SQLC_AUTH_TOKEN point at the user's own
// cache and account), with the cache in the run's temporary folder and the
// variable that makes the child run sqlc.
func childEnviron(parent []string, cache string) []string {
	env := make([]string, 0, len(parent)+2)
	for _, kv := range parent {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SQLC") || name == childEnv {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "SQLCCACHE="+cache, childEnv+"="+childToken)
}

// validPath reports whether name is a clean, relative slash path that stays
// inside the folder.
func validPath(name string) bool {
	return name != "" && name == path.Clean(name) && !strings.Contains(name, `\`) &&
		filepath.IsLocal(filepath.FromSlash(name))
}

// writeTree writes files under root.
func writeTree(root string, files map[string][]byte) error {
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return err //nolint:wrapcheck // wrapped by the caller
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err //nolint:wrapcheck // wrapped by the caller
		}
	}
	return nil
}

// readOutput returns the regular files under root that are not among inputs
// with the same contents: what sqlc wrote.
func readOutput(root string, inputs map[string][]byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err //nolint:wrapcheck // wrapped by the caller
		}
		name := filepath.ToSlash(rel)
		data, err := os.ReadFile(p) //nolint:gosec // a file found in our own temp folder
		if err != nil {
			return err //nolint:wrapcheck // wrapped by the caller
		}
		if in, ok := inputs[name]; ok && bytes.Equal(in, data) {
			return nil
		}
		out[name] = data
		return nil
	})
	return out, err //nolint:wrapcheck // wrapped by the caller
}
