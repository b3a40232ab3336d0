package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/write"
)

const regenAbout = `
Brings a generated repository up to date with its spec (api/openapi.yaml, or
--from a new version, which replaces it), its bkgen.yaml and this bkgen.
Before writing anything it lists the API changes, those that break existing
clients first (--fail-on-breaking stops there, exit 7). Then each file is
handled by its owner: generated files are rewritten (a hand edit is saved
under .bkgen/rescued/), scaffold files are merged with your edits (conflicts
get markers and exit 6), your files are kept, and a changed data model adds
the next migration (destructive steps commented out unless
--allow-destructive). Every file changed is listed; the self-check runs last.

--dry-run prints the unified diff on stdout and writes nothing.
--json prints only the result as JSON on stdout.
`

const diffAbout = `
Exits 4 when the repository is stale: when bkgen regen would change a file,
because the spec, bkgen.yaml, the blueprint overlays or bkgen itself changed
since the last run. Exits 0 when it is up to date. Writes nothing; lists the
files a regen would change. For CI.
`

// regenOpts are the flags of `bkgen regen`.
type regenOpts struct {
	generator.RegenOptions
	jsonOut, noColor bool
}

// regenFlags returns the flags of `bkgen regen`, bound to the regenOpts it
// returns.
func regenFlags() (*flagSet, *regenOpts) {
	o := &regenOpts{RegenOptions: generator.RegenOptions{Dir: "."}}
	f := newFlagSet("regen", "bkgen regen [--dir DIR] [--from FILE] [--dry-run] [--no-check] [--fail-on-breaking] [--allow-destructive]", regenAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.Dir, "dir", "dir", "the generated repository")
	textFlag(fs, &o.SpecPath, "from", "file", "a new version of the spec, copied over the repository's")
	boolFlag(fs, &o.DryRun, "dry-run", "print the unified diff of what would change; write nothing")
	boolFlag(fs, &o.NoCheck, "no-check", "skip the self-check")
	boolFlag(fs, &o.Strict, "strict", "fail (exit 5) when the self-check could not run every step")
	boolFlag(fs, &o.FailOnBreaking, "fail-on-breaking", "exit 7, writing nothing, when the spec breaks existing clients")
	boolFlag(fs, &o.AllowDestructive, "allow-destructive", "write migration steps that lose data (drop a column or table) active")
	boolFlag(fs, &o.jsonOut, "json", "print only the result, as JSON, on stdout")
	boolFlag(fs, &o.noColor, "no-color", "no colours (also NO_COLOR)")
	f.examples = []string{
		"bkgen regen                                        # after editing api/openapi.yaml or bkgen.yaml",
		"bkgen regen --from ../api/openapi.yaml --dry-run   # review the API changes and the diff first",
		"bkgen regen --dir pets --from pets-v2.yaml --fail-on-breaking   # exit 7 if clients would break",
		"bkgen regen --allow-destructive --no-check         # apply a migration that drops a column",
	}
	return f, o
}

func runRegen(ctx context.Context, a *app, args []string) int {
	f, o := regenFlags()
	opts := &o.RegenOptions
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("regen", "unexpected argument %q (give the folder with --dir)", rest[0])
	}

	p := a.newProgress(o.noColor, opts.Dir)
	opts.Progress = p
	res, err := a.regen(ctx, *opts)
	p.done()
	human := a.stdout
	if o.jsonOut || opts.DryRun {
		human = a.stderr
	}
	if res != nil {
		if len(res.Diagnostics) > 0 && err == nil && !p.printedWarnings() {
			a.printDiags(res.Diagnostics)
		}
		printChanges(human, res)
	}
	if err != nil {
		return a.fail(err)
	}
	if o.jsonOut {
		if err := writeJSON(a.stdout, res); err != nil {
			return a.fail(err)
		}
	} else if opts.DryRun {
		fmt.Fprint(a.stdout, res.Files.Diff)
	}
	printRegenSummary(human, res, *opts)
	if len(res.Files.Conflicts) > 0 {
		return ExitConflict
	}
	return checkExit(res.Check, opts.Strict)
}

// diffFlags returns the flags of `bkgen diff`, bound to the folder it
// returns.
func diffFlags() (f *flagSet, dir *string) {
	dir = new(string)
	*dir = "."
	f = newFlagSet("diff", "bkgen diff [--dir DIR]", diffAbout)
	fs := f.group("Flags")
	textFlag(fs, dir, "dir", "dir", "the generated repository")
	f.examples = []string{
		"bkgen diff                   # exit 4 when bkgen regen would change something",
		"bkgen diff --dir services/pets || echo 'stale: run bkgen regen' >&2",
	}
	return f, dir
}

func runDiff(ctx context.Context, a *app, args []string) int {
	f, dirp := diffFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("diff", "unexpected argument %q (give the folder with --dir)", rest[0])
	}
	dir := *dirp
	res, err := a.regen(ctx, generator.RegenOptions{Dir: dir, DryRun: true, NoCheck: true})
	if err != nil {
		return a.fail(err)
	}
	if !res.Stale() {
		fmt.Fprintf(a.stdout, "%s is up to date.\n", displayDir(dir))
		return ExitOK
	}
	printFiles(a.stdout, res.Files)
	fmt.Fprintf(a.stdout, "%s is stale: run bkgen regen.\n", displayDir(dir))
	return ExitStale
}

// printChanges lists the API changes, breaking first.
func printChanges(w io.Writer, res *generator.RegenResult) {
	if len(res.Changes) == 0 {
		return
	}
	fmt.Fprintf(w, "API changes (%s, %d breaking):\n", plural(len(res.Changes), "change"), len(res.Breaking()))
	for _, c := range res.Changes {
		tag := "         "
		if c.Breaking {
			tag = "BREAKING "
		}
		fmt.Fprintf(w, "  %s%s: %s\n", tag, c.Where, c.Summary)
	}
}

// printFiles lists what happened to each file that changed or needs care.
func printFiles(w io.Writer, r *write.Report) {
	rows := []struct {
		label string
		paths []string
		note  string
	}{
		{"created", r.Created, ""},
		{"updated", r.Updated, ""},
		{"deleted", r.Deleted, ""},
		{"rescued", r.Rescued, "your edit of a generated file, saved under .bkgen/rescued/"},
		{"conflict", r.Conflicts, "both sides kept between <<<<<<< and >>>>>>> markers"},
		{"orphaned", r.Orphaned, "left the plan but holds your work: kept, no longer tracked"},
	}
	if r.LockChanged {
		rows[1].paths = append(slices.Clone(rows[1].paths), ".bkgen/lock.json")
	}
	for _, row := range rows {
		for _, p := range row.paths {
			line := fmt.Sprintf("  %-9s %s", row.label, p)
			if row.note != "" {
				line += "  (" + row.note + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
}

// printRegenSummary tells what regen did and what to do next.
func printRegenSummary(w io.Writer, res *generator.RegenResult, opts generator.RegenOptions) {
	if m := res.Migration; m != nil {
		fmt.Fprintf(w, "Migration %s:\n", m.Path)
		for _, s := range m.Steps {
			fmt.Fprintf(w, "  %s\n", s)
		}
		for _, s := range m.Destructive {
			fmt.Fprintf(w, "  commented out (destructive): %s\n", s)
		}
	}
	r := res.Files
	if r.Changed() && !opts.DryRun {
		fmt.Fprintln(w, "Files:")
		printFiles(w, r)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	verb := "Regenerated"
	if opts.DryRun {
		verb = "Would regenerate"
	}
	if !r.Changed() {
		fmt.Fprintf(w, "%s is up to date: nothing changed.\n", displayDir(res.Dir))
	} else {
		fmt.Fprintf(w, "%s %s: %d created, %d updated, %d deleted, %d unchanged.\n", verb, displayDir(res.Dir),
			len(r.Created), len(r.Updated), len(r.Deleted), len(r.Unchanged)+len(r.Skipped))
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(w, "Merge conflicts in %s: resolve the markers, then run bkgen regen again (it refuses while they remain).\n",
			strings.Join(r.Conflicts, ", "))
		return
	}
	switch {
	case res.Check != nil:
		printCheck(w, res.Check, opts.Strict)
	case !opts.DryRun && r.Changed():
		fmt.Fprintln(w, "Self-check skipped (--no-check).")
	}
}
