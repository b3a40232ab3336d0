package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
	"github.com/bkgen/bkgen/generator/write"
)

// sentinelExits maps the sentinel errors of the generator's packages to exit
// codes; exitCode matches them with errors.Is, so they may come wrapped.
var sentinelExits = []struct {
	err  error
	code int
}{
	{write.ErrNotEmpty, ExitUsage},      // a non-empty --out without --force
	{write.ErrEscape, ExitUsage},        // an --out that escapes through a symlink
	{write.ErrNewerLock, ExitInvalid},   // a lock from a newer bkgen: upgrade bkgen
	{write.ErrInvalidLock, ExitInvalid}, // .bkgen/lock.json is not a lock
	{write.ErrConflictsPending, ExitConflict},
	{generator.ErrBreaking, ExitBreaking}, // --fail-on-breaking
	{generator.ErrNotRepo, ExitUsage},     // regen, diff or check outside a generated repository
}

// exitCode maps an error returned by the generator package to bkgen's exit
// code (DESIGN.md, "Commands and exit codes"): invalid inputs (an error that
// carries diagnostics) are 3, the sentinels of sentinelExits their code, and
// anything else an internal error, 1.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if _, ok := diag.AsList(err); ok {
		return ExitInvalid
	}
	for _, s := range sentinelExits {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	return ExitInternal
}

// fail reports err, returned by the generator, and returns its exit code.
func (a *app) fail(err error) int {
	if l, ok := diag.AsList(err); ok {
		a.printDiags(l)
		return ExitInvalid
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.stderr, "bkgen: interrupted")
		return ExitInternal
	}
	fmt.Fprintf(a.stderr, "bkgen: %v\n", err)
	return exitCode(err)
}

// checkExit is the exit code of a finished self-check.
func checkExit(c *report.Check, strict bool) int {
	switch {
	case c == nil || c.Status == report.Passed:
		return ExitOK
	case c.Status == report.Incomplete && !strict:
		return ExitOK
	default:
		return ExitCheckFailed
	}
}

// printDiags prints l compiler-style with snippets of the files it names.
func (a *app) printDiags(l diag.List) {
	diag.PrintStyled(a.stderr, l, sourceReader(), useColor(isTerminal(a.stderr), a.noColor, a.getenv))
}

// sourceReader returns a function giving the text of a file named by a
// diagnostic, or nil when it cannot be read (a flag, say).
func sourceReader() func(string) []byte {
	cache := map[string][]byte{}
	return func(file string) []byte {
		if data, ok := cache[file]; ok {
			return data
		}
		data, err := os.ReadFile(file)
		if err != nil {
			data = nil
		}
		cache[file] = data
		return data
	}
}
