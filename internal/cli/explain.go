package cli

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/write"
)

const explainAbout = `
Says what 'bkgen new' would build from an OpenAPI document, and why, without
building anything: the resources bkgen infers, their tables and columns (with
the rule or x-bkgen-* extension that decided each), the operations that get
a working CRUD default and those left at 501 (with the reason), who may call
each operation, and the files by owner. The config is read as by 'new'.

It is the quickest way to check the inference after editing the spec, and to
learn the x-bkgen-* extensions (docs/extensions.md): add one, run explain.

--json prints the whole explanation as JSON on stdout.
`

// explainOpts are the flags of `bkgen explain` other than the generation flags.
type explainOpts struct {
	from, config     string
	jsonOut, files   bool
	noColor, verbose bool
}

// explainFlags defines the flags of `bkgen explain` into o and g.
func explainFlags(o *explainOpts, g *genFlags) (*flagSet, *pflag.FlagSet) {
	f := newFlagSet("explain", "bkgen explain [--from FILE] [--config FILE] [--json] [flags]", explainAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.from, "from", "file", "the OpenAPI document to explain")
	textFlag(fs, &o.config, "config", "file", "the bkgen.yaml to read (default: ./bkgen.yaml when present)")
	boolFlag(fs, &o.files, "files", "list every file with its owner, not only the counts")
	boolFlag(fs, &o.verbose, "why", "say why for every column and operation, not only the ones bkgen decided against the defaults")
	boolFlag(fs, &o.jsonOut, "json", "print the explanation as JSON on stdout")
	boolFlag(fs, &o.noColor, "no-color", "no colours (also NO_COLOR)")
	gfs := f.group("Generation flags (override bkgen.yaml; list flags take a,b or repeat)")
	g.define(gfs)
	f.examples = []string{
		"bkgen explain --from api.yaml                  # resources, tables, defaults, auth",
		"bkgen explain --from api.yaml --database mysql # as new --database mysql would build it",
		"bkgen explain --from api.yaml --why --files    # every rule and every file",
		"bkgen explain --from api.yaml --json | jq '.operations[] | select(.default == \"501\")'",
	}
	return f, gfs
}

func runExplain(ctx context.Context, a *app, args []string) int {
	var o explainOpts
	var g genFlags
	f, gfs := explainFlags(&o, &g)
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("explain", "unexpected argument %q (give the spec with --from)", rest[0])
	}
	a.noColor = a.noColor || o.noColor
	cfg, file, explicit, l := resolveConfig(o.config, gfs, &g)
	if l.HasErrors() {
		a.printDiags(l)
		return ExitInvalid
	}
	if len(l) > 0 {
		a.printDiags(l)
	}
	spec := o.from
	if spec == "" {
		spec = specFrom(cfg, file)
	}
	if spec == "" {
		return a.usageError("explain", "missing --from (and no bkgen.yaml names a spec)")
	}
	e, err := generator.Explain(ctx, generator.ExplainOptions{SpecPath: spec, Config: *cfg, Explicit: explicit})
	if err != nil {
		return a.fail(err)
	}
	if len(e.Diagnostics) > 0 {
		a.printDiags(e.Diagnostics)
	}
	if o.jsonOut {
		if err := writeJSON(a.stdout, e); err != nil {
			return a.fail(err)
		}
		return ExitOK
	}
	color := useColor(isTerminal(a.stdout), a.noColor, a.getenv)
	printExplanation(a.stdout, e, explainStyle{color: color, files: o.files, why: o.verbose})
	return ExitOK
}

// explainStyle is how printExplanation writes.
type explainStyle struct {
	color, files, why bool
}

func (s explainStyle) paint(style, text string) string {
	if !s.color {
		return text
	}
	return style + text + reset
}

const bold = "\x1b[1m"

// printExplanation writes e for people: a header, the resources with their
// columns, the operations, the security schemes and the files.
func printExplanation(w io.Writer, e *generator.Explanation, s explainStyle) {
	base := e.BasePath
	if base == "" {
		base = "/"
	}
	fmt.Fprintf(w, "%s  %s\n", s.paint(bold, e.Service), e.Title)
	fmt.Fprintf(w, "  module %s · stack %s · database %s · mounted at %s\n", e.Module, e.Stack, e.Database, base)
	if len(e.BlueprintDefaults) > 0 {
		fmt.Fprintf(w, "  from the blueprint overlays: %s\n", strings.Join(e.BlueprintDefaults, ", "))
	}

	fmt.Fprintf(w, "\n%s\n", s.paint(bold, fmt.Sprintf("Resources (%d)", len(e.Resources))))
	if len(e.Resources) == 0 {
		fmt.Fprintln(w, "  none: no collection path with an item path returning one schema (docs/extensions.md)")
	}
	for _, r := range e.Resources {
		printResource(w, r, s)
	}

	printOperations(w, e, s)

	if len(e.Schemes) > 0 {
		fmt.Fprintf(w, "\n%s\n", s.paint(bold, "Security schemes"))
		var rows [][]string
		for _, sc := range e.Schemes {
			rows = append(rows, []string{sc.Name, sc.Type, "→ " + sc.Method})
		}
		writeTable(w, "  ", rows)
	}

	fmt.Fprintf(w, "\n%s\n", s.paint(bold, fmt.Sprintf("Files (%d)", len(e.Files))))
	owners := []write.Owner{write.Generated, write.Scaffold, write.Marked, write.User, write.Migration, write.Managed}
	meaning := map[write.Owner]string{
		write.Generated: "rewritten on every regen; edits are rescued",
		write.Scaffold:  "yours; regen three-way merges its changes into them",
		write.Marked:    "yours, with fragments at // +bkgen: markers",
		write.User:      "yours; written once, never touched again",
		write.Migration: "written once; later changes come as new migrations",
		write.Managed:   "regen updates them while you leave them alone",
	}
	var rows [][]string
	for _, o := range owners {
		if n := e.Owners[o]; n > 0 {
			rows = append(rows, []string{string(o), strconv.Itoa(n), meaning[o]})
		}
	}
	writeTable(w, "  ", rows)
	if s.files {
		rows = rows[:0]
		for _, f := range e.Files {
			rows = append(rows, []string{f.Path, string(f.Owner)})
		}
		fmt.Fprintln(w)
		writeTable(w, "  ", rows)
	} else {
		fmt.Fprintln(w, "  (--files lists them)")
	}
}

func printResource(w io.Writer, r generator.ExplainedResource, s explainStyle) {
	paths := r.Collection
	if r.Item != "" {
		paths += ", " + r.Item
	}
	fmt.Fprintf(w, "  %s  %s → table %s\n", s.paint(bold, r.Name), paths, r.Table)
	fmt.Fprintf(w, "    entity %s: %s\n", r.Entity, r.EntityFrom)
	fmt.Fprintf(w, "    table name: %s\n", r.TableFrom)
	if r.Parent != "" {
		fmt.Fprintf(w, "    nested under table %s\n", r.Parent)
	}
	var ops []string
	for _, crud := range []ir.CRUD{ir.List, ir.Create, ir.Get, ir.Replace, ir.Update, ir.Delete} {
		if p, ok := r.Operations[crud]; ok {
			ops = append(ops, string(crud)+" "+p)
		}
	}
	fmt.Fprintf(w, "    crud: %s\n", strings.Join(ops, " · "))
	if r.Pagination != "" {
		fmt.Fprintf(w, "    pages: %s\n", r.Pagination)
	}
	if r.Sort != "" {
		fmt.Fprintf(w, "    sort: %s\n", r.Sort)
	}
	if len(r.Filters) > 0 {
		fmt.Fprintf(w, "    filters: %s\n", strings.Join(r.Filters, ", "))
	}
	fmt.Fprintln(w, "    columns:")
	var rows [][]string
	for _, c := range r.Columns {
		null := ""
		if c.NotNull {
			null = "NOT NULL"
		}
		why := c.Why
		if !s.why {
			why = notable(why)
		}
		rows = append(rows, []string{c.Name, c.Type, null, s.paint(dim, strings.Join(why, "; "))})
	}
	writeTable(w, "      ", rows)
	for _, ix := range r.Uniques {
		fmt.Fprintf(w, "    unique %s\n", ix)
	}
	for _, ix := range r.Indexes {
		fmt.Fprintf(w, "    index %s\n", ix)
	}
}

// notable drops the reasons that restate the default mapping of a property
// ("string → text", "NOT NULL: required"), which --why shows.
func notable(why []string) []string {
	return slices.DeleteFunc(slices.Clone(why), func(r string) bool {
		return strings.Contains(r, " → ") || r == "NOT NULL: required" || r == "nullable"
	})
}

func printOperations(w io.Writer, e *generator.Explanation, s explainStyle) {
	st := e.Stats
	fmt.Fprintf(w, "\n%s\n", s.paint(bold, fmt.Sprintf("Operations (%d: %d crud, %d left at 501)", st.Operations, st.CRUD, st.Unimplemented)))
	var rows [][]string
	for _, op := range e.Operations {
		def := op.Default
		switch op.Default {
		case "crud":
			def = s.paint(green, string(op.CRUD)+" "+op.Resource)
		case "501":
			def = s.paint(yellow, "501")
		}
		rows = append(rows, []string{op.Method, op.Path, op.ID, def, "auth: " + strings.Join(op.Auth, " or ")})
	}
	writeTable(w, "  ", rows)
	var left []generator.ExplainedOperation
	for _, op := range e.Operations {
		if op.Default == "501" || (s.why && op.Default != "crud") {
			left = append(left, op)
		}
	}
	if len(left) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s\n", s.paint(dim, "left at 501 (write them in internal/service; docs/extensions.md says how to change the inference):"))
	for _, op := range left {
		fmt.Fprintf(w, "    %s: %s\n", op.ID, op.Why)
	}
}

// ansi matches the colour escapes paint adds.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// writeTable writes rows as aligned columns two spaces apart, each line
// after indent and without trailing blanks. Widths count what shows on a
// terminal: runes, colour escapes left out.
func writeTable(w io.Writer, indent string, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(ansi.ReplaceAllString(cell, "")))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(ansi.ReplaceAllString(cell, ""))+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
