package cli

import (
	"context"

	"github.com/bkgen/bkgen/generator"
)

const checkAbout = `
Re-runs the self-check of a generated repository: its Taskfile's steps (deps,
fmt:check, vet, build, test:unit, test:integration, test:contract, coverage),
against a fresh database, and writes .bkgen/check.json. The repository's files
are left as they were.

--json prints only the report as JSON on stdout; everything else goes to stderr.
`

func runCheck(ctx context.Context, a *app, args []string) int {
	var (
		dir                      string
		strict, jsonOut, noColor bool
	)
	f := newFlagSet("check", "bkgen check [--dir DIR] [--strict] [--json]", checkAbout)
	fs := f.group("Flags")
	dir = "."
	textFlag(fs, &dir, "dir", "dir", "the generated repository")
	boolFlag(fs, &strict, "strict", "fail (exit 5) when the self-check could not run every step")
	boolFlag(fs, &jsonOut, "json", "print only the report, as JSON, on stdout")
	boolFlag(fs, &noColor, "no-color", "no colours (also NO_COLOR)")
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("check", "unexpected argument %q (give the folder with --dir)", rest[0])
	}

	p := a.newProgress(noColor, dir)
	c, err := a.check(ctx, generator.CheckOptions{Dir: dir, Strict: strict, Progress: p})
	p.done()
	if err != nil {
		return a.fail(err)
	}
	human := a.stdout
	if jsonOut {
		human = a.stderr
		if err := writeJSON(a.stdout, c); err != nil {
			return a.fail(err)
		}
	}
	printCheck(human, c, strict)
	return checkExit(c, strict)
}
