package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bkgen/bkgen/blueprints"
	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/blueprint"
)

const blueprintsAbout = `
Tools for platform teams who curate a blueprint overlay (docs/blueprints.md).

Sub-commands:
  list [--dir DIR] [--all]  the overlays a generated repository uses, and the
                            files each one gives it (--all: every file's source)
  lint DIR                  render services with the overlay in DIR for every
                            stack, database, deploy target and CI; report its
                            template errors (exit 3 when there is one)
  export DIR [--only GLOB]  write bkgen's built-in templates (those matching
                            GLOB) and a skeleton blueprint.yaml into the empty
                            folder DIR, to start an overlay from
  docs                      the reference of the data and functions templates
                            can use, generated from bkgen's Go types

Run 'bkgen blueprints <sub-command> --help' for its flags.
`

const blueprintsLintAbout = `
Checks the overlay in DIR before it is published: reads its blueprint.yaml and
files, then renders services from small specs built into bkgen, with and
without a resource and an API key, for every stack and database (none,
postgres, mysql, sqlite), every deploy target and the GitHub and GitLab CIs.
Templates run with missingkey=error over typed data, so a misspelt field is
an error naming the overlay's file and line. Seven of the services (every
stack on PostgreSQL, every database on go-chi) are then written to a
temporary folder, built and vetted (go build, go vet: the go command and
module access are needed; --no-build skips it). Exits 3 when there is an
error, 0 otherwise.
`

const blueprintsExportAbout = `
Writes bkgen's built-in templates into DIR, which must be empty or absent,
with their folder layout, and a skeleton blueprint.yaml named after DIR. With
--only, writes only the templates whose path matches GLOB (the glob syntax of
blueprint.yaml: "*" within a path element, "**" across them), such as
'ci/**' or 'service/README.md.tmpl'. Delete the files you do not change:
a file of the overlay replaces bkgen's at the same path.
`

// blueprintsSubs are the sub-commands of bkgen blueprints, with the
// constructors of their flags, for completion.
var blueprintsSubs = []struct {
	name  string
	run   func(ctx context.Context, a *app, args []string) int
	flags func() *flagSet
}{
	{"list", runBlueprintsList, func() *flagSet { f, _ := blueprintsListFlags(); return f }},
	{"lint", runBlueprintsLint, func() *flagSet { f, _ := blueprintsLintFlags(); return f }},
	{"export", runBlueprintsExport, func() *flagSet { f, _ := blueprintsExportFlags(); return f }},
	{"docs", runBlueprintsDocs, blueprintsDocsFlags},
}

// blueprintsExamples are shown by bkgen blueprints --help.
var blueprintsExamples = []string{
	"bkgen blueprints export acme-blueprints --only 'ci/**'   # start an overlay with the CI templates",
	"bkgen blueprints lint acme-blueprints                    # before publishing it",
	"bkgen blueprints list --dir pets --all                   # where each file of a service comes from",
	"bkgen blueprints docs > template-reference.md",
}

func runBlueprints(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		printBlueprintsUsage(a.stdout)
		return ExitOK
	}
	if len(args) == 0 {
		fmt.Fprintln(a.stderr, "bkgen blueprints: want a sub-command: list, lint, export or docs")
		printBlueprintsUsage(a.stderr)
		return ExitUsage
	}
	for _, s := range blueprintsSubs {
		if s.name == args[0] {
			return s.run(ctx, a, args[1:])
		}
	}
	return a.usageError("blueprints", "unknown sub-command %q (want list, lint, export or docs)", args[0])
}

func printBlueprintsUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  bkgen blueprints <list|lint|export|docs> [DIR] [flags]\n\n%s\n", strings.TrimSpace(blueprintsAbout))
	fmt.Fprintf(w, "\nExamples:\n")
	for _, e := range blueprintsExamples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// blueprintsLintFlags returns the flags of `bkgen blueprints lint`, bound
// to the options it returns.
func blueprintsLintFlags() (*flagSet, *generator.LintOptions) {
	opts := &generator.LintOptions{}
	f := newFlagSet("blueprints lint", "bkgen blueprints lint DIR [--no-build]", blueprintsLintAbout)
	fs := f.group("Flags")
	boolFlag(fs, &opts.NoBuild, "no-build", "render only: do not build and vet the generated services")
	f.examples = []string{
		"bkgen blueprints lint ./acme-blueprints              # render, build and vet with the overlay",
		"bkgen blueprints lint ./acme-blueprints --no-build   # templates only: quicker, no go command needed",
	}
	return f, opts
}

func runBlueprintsLint(ctx context.Context, a *app, args []string) int {
	f, opts := blueprintsLintFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) != 1 {
		return a.usageError("blueprints lint", "want one folder, the overlay's")
	}
	start := time.Now()
	res, err := generator.LintBlueprint(ctx, rest[0], *opts)
	if res != nil && len(res.Diagnostics) > 0 {
		a.printDiags(res.Diagnostics)
	}
	if err != nil {
		return a.fail(err)
	}
	if res.Diagnostics.HasErrors() {
		fmt.Fprintf(a.stderr, "bkgen: blueprint in %s: %d error(s) in %d renders\n", rest[0], len(res.Diagnostics.Errors()), res.Renders)
		return ExitInvalid
	}
	problems := "no problem"
	switch n := len(res.Diagnostics); n {
	case 0:
	case 1:
		problems = "1 warning"
	default:
		problems = fmt.Sprintf("%d warnings", n)
	}
	fmt.Fprintf(a.stdout, "blueprint %s %s: %d renders, %d builds, %s (%s)\n",
		res.Overlay.Name, res.Overlay.Version, res.Renders, res.Builds, problems, time.Since(start).Round(100*time.Millisecond))
	return ExitOK
}

// blueprintsExportFlags returns the flags of `bkgen blueprints export`,
// bound to the glob it returns.
func blueprintsExportFlags() (f *flagSet, only *string) {
	only = new(string)
	f = newFlagSet("blueprints export", "bkgen blueprints export DIR [--only GLOB]", blueprintsExportAbout)
	fs := f.group("Flags")
	textFlag(fs, only, "only", "glob", "write only the templates whose path matches this glob")
	f.examples = []string{
		"bkgen blueprints export acme-blueprints                      # every built-in template",
		"bkgen blueprints export acme-blueprints --only 'deploy/**'   # only those you mean to change",
		"bkgen blueprints export readme --only service/README.md.tmpl",
	}
	return f, only
}

func runBlueprintsExport(_ context.Context, a *app, args []string) int {
	f, onlyp := blueprintsExportFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) != 1 {
		return a.usageError("blueprints export", "want one folder to write into")
	}
	dir, only := rest[0], *onlyp
	if only != "" {
		if _, err := blueprint.Match(only, "x"); err != nil {
			return a.usageError("blueprints export", "--only %q: %v", only, err)
		}
	}
	if err := checkEmptyDir(dir); err != nil {
		return a.usageError("blueprints export", "%v", err)
	}
	n, err := exportBlueprints(dir, only)
	if err != nil {
		fmt.Fprintf(a.stderr, "bkgen: %v\n", err)
		return ExitInternal
	}
	if n == 0 {
		fmt.Fprintf(a.stderr, "bkgen: no built-in template matches --only %q (paths look like service/README.md.tmpl)\n", only)
	}
	fmt.Fprintf(a.stdout, "wrote %s and %d templates into %s\n", blueprint.ManifestName, n, dir)
	return ExitOK
}

// checkEmptyDir refuses a folder that exists and holds something.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: export writes into an empty or new folder", dir)
	}
	return nil
}

// exportBlueprints writes the built-in templates matching only ("" for all)
// into dir with a skeleton blueprint.yaml, and returns how many it wrote.
func exportBlueprints(dir, only string) (int, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("export blueprints: %w", err)
	}
	n := 0
	err := fs.WalkDir(blueprints.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if only != "" {
			if ok, _ := blueprint.Match(only, p); !ok { // checked by the caller
				return nil
			}
		}
		data, err := fs.ReadFile(blueprints.FS, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		out := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(out), err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil { //nolint:gosec // templates a team shares, not secrets
			return fmt.Errorf("write %s: %w", out, err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export blueprints: %w", err)
	}
	manifest := filepath.Join(dir, blueprint.ManifestName)
	if err := os.WriteFile(manifest, skeletonManifest(overlayName(dir)), 0o644); err != nil { //nolint:gosec // shared, not secret
		return n, fmt.Errorf("export blueprints: %w", err)
	}
	return n, nil
}

// nameCharsRE matches the runs of characters a blueprint name may not hold.
var nameCharsRE = regexp.MustCompile(`[^a-z0-9._-]+`)

// overlayName is the blueprint name for the folder dir: its base name,
// lower-cased, with what a name may not hold replaced by "-".
func overlayName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	name := nameCharsRE.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-")
	name = strings.TrimLeft(name, "._-")
	if name == "" {
		return "blueprint"
	}
	return name
}

// releaseRE matches a release version of bkgen, not "(devel)".
var releaseRE = regexp.MustCompile(`^v?\d+\.\d+\.\d+`)

// skeletonManifest is the blueprint.yaml export writes: every key, each
// with what it does.
func skeletonManifest(name string) []byte {
	constraint := `# bkgen: ">=1.0.0"`
	if v := generator.Version; releaseRE.MatchString(v) {
		constraint = fmt.Sprintf("bkgen: %q", ">="+strings.TrimPrefix(v, "v"))
	}
	return fmt.Appendf(nil, `# A blueprint overlay: its files replace bkgen's built-in templates at the
# same path, add new ones, or (under hooks/) redefine their named blocks.
# Delete the files you do not change, then check the rest with
# 'bkgen blueprints lint DIR'. See docs/blueprints.md.

# name: lower-case letters, digits, '.', '-' or '_'; recorded in each
# service's lock.
name: %s
# version: a semantic version; raise it whenever the content changes.
version: 0.1.0
# bkgen: the versions of bkgen this overlay is made for (a semver constraint).
%s
# description: one line saying what the overlay is for.
description: ""
# owners: output path glob -> owner (generated, user, scaffold, managed or
# marked), for example CODEOWNERS: scaffold.
owners: {}
# remove: output path globs not to write, for example deploy/helm/**.
remove: []
`, name, constraint)
}

const blueprintsListAbout = `
Lists the blueprint overlays the generated repository in --dir uses (from its
bkgen.yaml), in order, with their version, folder, removals and hook files,
and the files each overlay gives the repository. --all lists every file with
the template it comes from ("bkgen:<template>" for a built-in one).
`

// blueprintsListOpts are the flags of `bkgen blueprints list`.
type blueprintsListOpts struct {
	dir string
	all bool
}

// blueprintsListFlags returns the flags of `bkgen blueprints list`, bound to
// the options it returns.
func blueprintsListFlags() (*flagSet, *blueprintsListOpts) {
	o := &blueprintsListOpts{dir: "."}
	f := newFlagSet("blueprints list", "bkgen blueprints list [--dir DIR] [--all]", blueprintsListAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.dir, "dir", "dir", "the generated repository")
	boolFlag(fs, &o.all, "all", "list every file with its source")
	f.examples = []string{
		"bkgen blueprints list                         # the overlays of the repository here",
		"bkgen blueprints list --dir pets --all        # every file with the template it comes from",
		"bkgen blueprints list --all | grep -v bkgen:  # the files an overlay gives",
	}
	return f, o
}

func runBlueprintsList(ctx context.Context, a *app, args []string) int {
	f, o := blueprintsListFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("blueprints list", "unexpected argument %q (give the folder with --dir)", rest[0])
	}
	dir, all := o.dir, o.all
	src, err := generator.BlueprintSources(ctx, dir)
	if err != nil {
		return a.fail(err)
	}
	w := a.stdout
	if len(src.Overlays) == 0 {
		fmt.Fprintln(w, "No overlay: every file comes from bkgen's built-in blueprints.")
	}
	for _, o := range src.Overlays {
		fmt.Fprintf(w, "%s %s  %s  %s\n", o.Name, o.Version, o.Dir, o.Hash)
		if len(o.Remove) > 0 {
			fmt.Fprintf(w, "  removes: %s\n", strings.Join(o.Remove, ", "))
		}
		if len(o.Hooks) > 0 {
			fmt.Fprintf(w, "  redefines blocks in: %s\n", strings.Join(o.Hooks, ", "))
		}
	}
	paths := slices.Sorted(maps.Keys(src.Files))
	builtin := 0
	for _, p := range paths {
		s := src.Files[p]
		if strings.HasPrefix(s, "bkgen:") {
			builtin++
			if !all {
				continue
			}
		}
		fmt.Fprintf(w, "  %-44s %s\n", p, s)
	}
	if !all {
		fmt.Fprintf(w, "%s from bkgen's built-in blueprints (--all lists them).\n", plural(builtin, "other file"))
	}
	return ExitOK
}

const blueprintsDocsAbout = `
Prints, as Markdown, every field and method of the data templates receive
(render.FileData and the generator/ir model) and every function they can
call, computed from bkgen's Go types, so it matches this build exactly.
docs/template-reference.md in bkgen's source holds the same.
`

// blueprintsDocsFlags returns the flags of `bkgen blueprints docs`.
func blueprintsDocsFlags() *flagSet {
	f := newFlagSet("blueprints docs", "bkgen blueprints docs", blueprintsDocsAbout)
	f.group("Flags")
	f.examples = []string{
		"bkgen blueprints docs > template-reference.md",
		"bkgen blueprints docs | grep -A3 '^### ir.Operation'",
	}
	return f
}

func runBlueprintsDocs(_ context.Context, a *app, args []string) int {
	f := blueprintsDocsFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("blueprints docs", "unexpected argument %q", rest[0])
	}
	fmt.Fprint(a.stdout, generator.TemplateReference())
	return ExitOK
}
