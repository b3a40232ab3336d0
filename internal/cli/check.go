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

// checkOpts are the flags of `bkgen check`.
type checkOpts struct {
	dir                      string
	strict, jsonOut, noColor bool
}

// checkFlags returns the flags of `bkgen check`, bound to the checkOpts it
// returns.
func checkFlags() (*flagSet, *checkOpts) {
	o := &checkOpts{dir: "."}
	f := newFlagSet("check", "bkgen check [--dir DIR] [--strict] [--json]", checkAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.dir, "dir", "dir", "the generated repository")
	boolFlag(fs, &o.strict, "strict", "fail (exit 5) when the self-check could not run every step")
	boolFlag(fs, &o.jsonOut, "json", "print only the report, as JSON, on stdout")
	boolFlag(fs, &o.noColor, "no-color", "no colours (also NO_COLOR)")
	f.examples = []string{
		"bkgen check                       # the repository in the current folder",
		"bkgen check --dir pets --strict   # exit 5 when the integration tests could not run",
		"BKGEN_POSTGRES_URL=postgres://me:secret@db:5432/postgres bkgen check --json > check.json",
	}
	return f, o
}

func runCheck(ctx context.Context, a *app, args []string) int {
	f, o := checkFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("check", "unexpected argument %q (give the folder with --dir)", rest[0])
	}

	p := a.newProgress(o.noColor, o.dir)
	c, err := a.check(ctx, generator.CheckOptions{Dir: o.dir, Strict: o.strict, Progress: p})
	p.done()
	if err != nil {
		return a.fail(err)
	}
	human := a.stdout
	if o.jsonOut {
		human = a.stderr
		if err := writeJSON(a.stdout, c); err != nil {
			return a.fail(err)
		}
	}
	printCheck(human, c, o.strict)
	return checkExit(c, o.strict)
}
