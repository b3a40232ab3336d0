// Package cli is bkgen's command line: it parses flags, resolves bkgen.yaml,
// calls the generator package, renders its progress and reports, and maps
// errors to the exit codes of DESIGN.md ("Commands and exit codes").
//
// Nothing below this package prints; everything the user sees is written
// here, to the writers Main is given.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/report"
)

// Exit codes of bkgen (DESIGN.md, "Commands and exit codes").
const (
	// ExitOK: success, also a self-check that could not run every step
	// (incomplete), unless --strict.
	ExitOK = 0
	// ExitInternal: a bug or an environment failure bkgen cannot attribute to
	// its inputs.
	ExitInternal = 1
	// ExitUsage: unknown command or flag, missing --from, a non-empty --out, an
	// --out that escapes through a symlink.
	ExitUsage = 2
	// ExitInvalid: an input (spec, config, blueprint, flag value, lock) is
	// unreadable or invalid.
	ExitInvalid = 3
	// ExitStale: `diff` found that `regen` would change something.
	ExitStale = 4
	// ExitCheckFailed: the self-check failed (or was incomplete with --strict).
	ExitCheckFailed = 5
	// ExitConflict: a scaffold file has merge conflicts.
	ExitConflict = 6
	// ExitBreaking: breaking API changes with --fail-on-breaking.
	ExitBreaking = 7
)

// Main runs bkgen with args (without the program name) and returns its exit
// code. SIGINT and SIGTERM cancel the running command.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{
		stdin: stdin, stdout: stdout, stderr: stderr,
		getenv:   os.Getenv,
		generate: generator.New,
		check:    generator.Check,
		regen:    generator.Regen,
	}
	return a.run(ctx, args)
}

// app holds what every command writes to and reads from.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// getenv reads the environment; an empty value counts as unset.
	getenv func(string) string
	// noColor is --no-color of the running command.
	noColor bool
	// generate and check are generator.New and generator.Check, replaced
	// in tests.
	generate func(context.Context, generator.Options) (*generator.Result, error)
	check    func(context.Context, generator.CheckOptions) (*report.Check, error)
	regen    func(context.Context, generator.RegenOptions) (*generator.RegenResult, error)
}

// command is one sub-command of bkgen.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) int
}

// commands lists the sub-commands in the order help shows them.
var commands = []command{
	{"init", "write a bkgen.yaml with choices derived from an OpenAPI document", runInit},
	{"new", "write a new service repository from an OpenAPI document, then self-check it", runNew},
	{"explain", "say what new would build from an OpenAPI document, and why, without building it", runExplain},
	{"regen", "bring a generated repository up to date with its spec, keeping your changes", runRegen},
	{"diff", "exit 4 when regen would change the repository (for CI)", runDiff},
	{"check", "re-run the self-check of a generated repository", runCheck},
	{"blueprints", "lint a blueprint overlay, or export the built-in templates to start one", runBlueprints},
	{"doctor", "check that this machine has what a generated service and its self-check need", runDoctor},
	{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
	{"version", "print the version of bkgen", runVersion},
	{"help", "show help for bkgen or one of its commands", nil}, // run by app.run: it looks commands up
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		printUsage(a.stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		printUsage(a.stdout)
		return ExitOK
	case "--version":
		return runVersion(ctx, a, args[1:])
	case "help":
		return runHelp(ctx, a, args[1:])
	case completeCommand: // hidden: the completion scripts call it
		return runComplete(ctx, a, args[1:])
	}
	if strings.HasPrefix(name, "-") {
		return a.usageError("", "unknown flag: %s (flags go after the command)", name)
	}
	cmd := lookup(name)
	if cmd == nil {
		return a.usageError("", "unknown command %q", name)
	}
	return cmd.run(ctx, a, args[1:])
}

// usageError prints a usage problem of command cmd ("" for bkgen itself)
// and a one-line hint, and returns ExitUsage.
func (a *app) usageError(cmd, format string, args ...any) int {
	prog, help := "bkgen", "bkgen help"
	if cmd != "" {
		prog, help = "bkgen "+cmd, "bkgen "+cmd+" --help"
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", prog, fmt.Sprintf(format, args...))
	fmt.Fprintf(a.stderr, "Run '%s' for usage.\n", help)
	return ExitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `bkgen turns an OpenAPI document into a Go service repository and proves
that it works by running the repository's own checks.

Usage:
  bkgen <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'bkgen help <command>' or 'bkgen <command> --help' for its flags.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 stale,
5 self-check failed, 6 merge conflict, 7 breaking API changes.
`)
}

func runHelp(ctx context.Context, a *app, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printUsage(a.stdout)
		return ExitOK
	}
	if len(args) > 1 {
		return a.usageError("help", "too many arguments: want at most one command name")
	}
	cmd := lookup(args[0])
	if cmd == nil {
		return a.usageError("", "unknown command %q", args[0])
	}
	if cmd.run == nil { // help itself
		printUsage(a.stdout)
		return ExitOK
	}
	return cmd.run(ctx, a, []string{"--help"})
}
