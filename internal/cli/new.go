package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/report"
)

const newAbout = `
Writes a new service repository generated from an OpenAPI document, then
self-checks it by running the repository's own checks (build, tests,
coverage). The generation choices come from --config FILE, else ./bkgen.yaml
when present, else the defaults; generation flags override them. --from may
be left out when the config names spec: (relative to the config file).

--json prints only the self-check report as JSON on stdout (with --no-check:
{"dir": ..., "files": N}); everything else goes to stderr.
`

// newOpts are the flags of `bkgen new`.
type newOpts struct {
	from, out, config                      string
	force, noCheck, strict, noGit, jsonOut bool
	noColor                                bool
	// gen are the generation flags, defined in the group genSet.
	gen    genFlags
	genSet *pflag.FlagSet
}

// newFlags returns the flags of `bkgen new`, bound to the newOpts it
// returns; completion builds them too, without running the command.
func newFlags() (*flagSet, *newOpts) {
	o := &newOpts{}
	f := newFlagSet("new", "bkgen new [--from FILE] [--out DIR] [--config FILE] [flags]", newAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.from, "from", "file", "the OpenAPI document to generate from")
	textFlag(fs, &o.out, "out", "dir", "the folder to write (default: the slug of info.title)")
	textFlag(fs, &o.config, "config", "file", "the bkgen.yaml to read (default: ./bkgen.yaml when present)")
	boolFlag(fs, &o.force, "force", "write into a non-empty --out")
	boolFlag(fs, &o.noCheck, "no-check", "skip the self-check")
	boolFlag(fs, &o.strict, "strict", "fail (exit 5) when the self-check could not run every step")
	boolFlag(fs, &o.noGit, "no-git", "skip git init and the first commit")
	boolFlag(fs, &o.jsonOut, "json", "print only the report, as JSON, on stdout")
	boolFlag(fs, &o.noColor, "no-color", "no colours (also NO_COLOR)")
	o.genSet = f.group("Generation flags (override bkgen.yaml; list flags take a,b or repeat)")
	o.gen.define(o.genSet)
	f.examples = []string{
		"bkgen new --from openapi.yaml                  # writes ./<slug of info.title>, then self-checks it",
		"bkgen new --from pets.yaml --out pets --database sqlite --stack go-gin",
		"bkgen new --config svc/bkgen.yaml --no-check   # the spec and choices the file names; no self-check",
		"bkgen new --from pets.yaml --strict --json > check.json   # CI: exit 5 unless every step ran and passed",
	}
	return f, o
}

func runNew(ctx context.Context, a *app, args []string) int {
	f, o := newFlags()

	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("new", "unexpected argument %q (give the spec with --from)", rest[0])
	}

	cfg, file, explicit, l := resolveConfig(o.config, o.genSet, &o.gen)
	if l.HasErrors() {
		a.printDiags(l)
		return ExitInvalid
	}
	if len(l) > 0 {
		a.printDiags(l) // warnings
	}
	spec := o.from
	if spec == "" {
		spec = specFrom(cfg, file)
	}
	if spec == "" {
		return a.usageError("new", "missing --from (and no bkgen.yaml names a spec)")
	}

	p := a.newProgress(o.noColor, o.out)
	res, err := a.generate(ctx, generator.Options{
		SpecPath: spec,
		OutDir:   o.out,
		Config:   *cfg,
		Explicit: explicit,
		Force:    o.force,
		NoCheck:  o.noCheck,
		Strict:   o.strict,
		NoGit:    o.noGit,
		Progress: p,
	})
	p.done()
	if err != nil {
		return a.fail(err)
	}
	if len(res.Diagnostics) > 0 && !p.printedWarnings() {
		a.printDiags(res.Diagnostics)
	}

	human := a.stdout
	if o.jsonOut {
		human = a.stderr
		var v any = res.Check
		if res.Check == nil {
			v = struct {
				Dir   string `json:"dir"`
				Files int    `json:"files"`
			}{res.Dir, len(res.Files)}
		}
		if err := writeJSON(a.stdout, v); err != nil {
			return a.fail(err)
		}
	}
	printNewSummary(human, res, o.strict)
	return checkExit(res.Check, o.strict)
}

// printNewSummary tells what new did and what to do next.
func printNewSummary(w io.Writer, res *generator.Result, strict bool) {
	dir := displayDir(res.Dir)
	fmt.Fprintf(w, "\nWrote %s to %s.\n", plural(len(res.Files), "file"), dir)
	if res.Check == nil {
		fmt.Fprintln(w, "Self-check skipped (--no-check).")
	} else {
		printCheck(w, res.Check, strict)
	}
	next := [][2]string{
		{"cd " + dir + " && task run", "start the service (README.md says how to configure it)"},
		{"bkgen regen --dir " + dir, "after editing " + dir + "/api/, keeping your changes"},
	}
	if c := res.Check; c != nil && (c.Status == report.Failed || (strict && c.Status == report.Incomplete)) {
		next = [][2]string{
			{"bkgen check --dir " + dir, "run the self-check again once it is fixed"},
			{"cat " + dir + "/README.md", "how to run and test it by hand"},
		}
	} else if c == nil {
		next = append(next, [2]string{"bkgen check --dir " + dir, "run the self-check"})
	}
	width := 0
	for _, n := range next {
		width = max(width, len(n[0]))
	}
	fmt.Fprintln(w, "\nNext:")
	for _, n := range next {
		fmt.Fprintf(w, "  %-*s  # %s\n", width, n[0], n[1])
	}
}
