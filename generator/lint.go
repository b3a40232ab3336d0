package generator

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/blueprints"
	"github.com/bkgen/bkgen/generator/blueprint"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/write"
)

// lintSpecs are the small specs a blueprint overlay is rendered against:
// one with a CRUD resource, one with an apiKey-secured operation that is
// not a resource's. They are embedded: a released bkgen has no testdata.
//
//go:embed lintspecs/*.yaml
var lintSpecs embed.FS

// lintDatabases are the databases an overlay is rendered with.
var lintDatabases = []string{"none", "postgres", "mysql", "sqlite"}

// LintOptions configure LintBlueprint.
type LintOptions struct {
	// NoBuild skips building and vetting the generated services (which
	// needs the go command and the module proxy or cache).
	NoBuild bool
	// Version is the bkgen version the overlay's constraint is checked
	// against; "" is this bkgen's (Version).
	Version string
}

// LintResult is what LintBlueprint found.
type LintResult struct {
	// Overlay is the overlay read; nil when it could not be loaded.
	Overlay *blueprint.Overlay
	// Renders is the number of services rendered with the overlay.
	Renders int
	// Builds is the number of them built and vetted.
	Builds int
	// Diagnostics are the overlay's problems, each once (by file, line and
	// message), in the order found.
	Diagnostics diag.List
}

// lintCase is one configuration an overlay is rendered with.
type lintCase struct {
	spec string
	cfg  config.Config
	// build: the rendered service is written out, built and vetted.
	build bool
}

// String names the case for a hint: "crud.yaml, go-chi, postgres, ci github".
func (c lintCase) String() string {
	return fmt.Sprintf("spec %s, stack %s, database %s, ci %s", c.spec, c.cfg.Stack, c.cfg.Database, c.cfg.CI)
}

// LintBlueprint checks the overlay in dir the way a platform team needs
// before publishing it: it loads it, then runs the pipeline short of
// writing (load, IR, plan) with it for every embedded lint spec, stack and
// database, every deploy target and both CIs, so that a template error, a
// field that does not exist included (templates run with missingkey=error
// over typed data), is found whatever configuration reaches it. The
// services of one spec are then written out, built and vetted (go build,
// go vet), one per stack on PostgreSQL and one per other database, unless
// opts.NoBuild. Problems of the overlay are diagnostics;
// the error is for failures of bkgen or of the machine.
func LintBlueprint(ctx context.Context, dir string, opts LintOptions) (*LintResult, error) {
	res := &LintResult{}
	version := opts.Version
	if version == "" {
		version = Version
	}
	o, d := blueprint.Load(dir, version)
	res.Diagnostics = append(res.Diagnostics, d...)
	if o == nil || d.HasErrors() {
		return res, nil
	}
	res.Overlay = o
	unrendered, err := unrenderedFiles(o)
	if err != nil {
		return res, err
	}
	res.Diagnostics = append(res.Diagnostics, unrendered...)
	specDir, err := os.MkdirTemp("", "bkgen-lint-")
	if err != nil {
		return res, fmt.Errorf("lint blueprint: %w", err)
	}
	defer func() { _ = os.RemoveAll(specDir) }()
	if err := os.CopyFS(specDir, lintSpecs); err != nil {
		return res, fmt.Errorf("lint blueprint: write the lint specs: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range lintCases() {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("lint blueprint: %w", err)
		}
		c.build = c.build && !opts.NoBuild
		d, err := lintRender(ctx, filepath.Join(specDir, "lintspecs", c.spec), c, o)
		if err != nil {
			return res, err
		}
		res.Renders++
		if c.build {
			res.Builds++
		}
		for _, x := range d {
			key := x.Pos.String() + "\x00" + x.Summary
			if seen[key] {
				continue
			}
			seen[key] = true
			if x.Hint == "" {
				x.Hint = "found rendering " + c.String()
			}
			res.Diagnostics = append(res.Diagnostics, x)
		}
	}
	return res, nil
}

// lintCases are the configurations LintBlueprint renders: every lint spec,
// stack and database with every deploy target and GitHub's CI, then GitLab's
// once.
func lintCases() []lintCase {
	var cases []lintCase
	specs, _ := lintSpecs.ReadDir("lintspecs") // embedded: cannot fail
	for _, s := range specs {
		for _, stack := range GeneratedStacks() {
			for _, db := range lintDatabases {
				cfg := config.Default()
				cfg.Stack, cfg.Database, cfg.CI = stack, db, "github"
				cfg.Deploy = slices.Clone(config.DeployTargets)
				// Built: every stack on postgres, every database on go-chi.
				build := s.Name() == "crud.yaml" && (db == "postgres" || stack == "go-chi")
				cases = append(cases, lintCase{spec: s.Name(), cfg: cfg, build: build})
			}
		}
	}
	cfg := config.Default()
	cfg.Deploy = slices.Clone(config.DeployTargets)
	cfg.CI = "gitlab"
	return append(cases, lintCase{spec: specs[0].Name(), cfg: cfg})
}

// lintRender runs load, IR and plan for one case with the overlay o, and
// returns what it says about the overlay. The lint specs' own diagnostics
// (warnings such as "no resource") are not the overlay's and are dropped;
// a spec bkgen refuses is a bug of bkgen, returned as an error.
func lintRender(ctx context.Context, specPath string, c lintCase, o *blueprint.Overlay) (diag.List, error) {
	m, d, err := buildModel(specPath, c.cfg)
	if err != nil {
		return nil, fmt.Errorf("lint blueprint: %s: %w (%v)", c, err, d.Errors())
	}
	m.overlays = []*blueprint.Overlay{o}
	var diags diag.List
	p, err := m.plan(ctx, &diags)
	if l, ok := diag.AsList(err); ok {
		return append(diags, l...), nil
	}
	if err == nil && c.build {
		return lintBuild(ctx, p, c, o)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("lint blueprint: %w", err)
		}
		// Not attributed to a file of the overlay, but the built-in
		// blueprints render these cases: the overlay broke something.
		diags.Errorf(diag.Pos{File: o.Dir}, "", "blueprint %s: %v", o.Name, err)
	}
	return diags, nil
}

// unrenderedFiles warns about the overlay's files that no configuration
// renders: those outside the folders plan reads (a stack, database, deploy
// target or CI bkgen does not have: a typo, often).
func unrenderedFiles(o *blueprint.Overlay) (diag.List, error) {
	composed, err := blueprint.Compose(blueprints.FS, []*blueprint.Overlay{o})
	if err != nil {
		return nil, fmt.Errorf("lint blueprint: %w", err)
	}
	dirs := []string{"service", "ops", "hooks", "db/sql", "deploy/docker"}
	for _, db := range config.Databases {
		dirs = append(dirs, "db/"+db)
	}
	for _, s := range generatedStacks {
		dirs = append(dirs, s.Hooks)
	}
	for _, t := range config.DeployTargets {
		dirs = append(dirs, "deploy/"+t)
	}
	for _, c := range config.CIs {
		dirs = append(dirs, "ci/"+c)
	}
	var l diag.List
	for _, name := range sortedKeys(composed.From) {
		from := composed.From[name]
		if from.Overlay == nil || slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(name, d+"/") }) {
			continue
		}
		l.Add(diag.Diagnostic{
			Severity: diag.Warning, Pos: diag.Pos{File: from.Source()},
			Summary: fmt.Sprintf("blueprint %s: %s is never rendered: no configuration of bkgen reads %s/", o.Name, from.Path, path.Dir(from.Path)),
			Hint:    "the folders are service/, ops/, hooks/, db/<engine>/, stack/<stack>/, deploy/<target>/ and ci/<name>/ (docs/blueprints.md)",
		})
	}
	return l, nil
}

// lintBuild writes a rendered service into a temporary folder and builds
// and vets it. A compile error is reported at the overlay's template when
// the file came from the overlay, else at the overlay's folder (a hook, or
// a file of the overlay that the generated code depends on, broke it), with
// the generated file's place in the message.
func lintBuild(ctx context.Context, p *write.Plan, c lintCase, o *blueprint.Overlay) (diag.List, error) {
	tmp, err := os.MkdirTemp("", "bkgen-lint-build-")
	if err != nil {
		return nil, fmt.Errorf("lint blueprint: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	dir := filepath.Join(tmp, "svc")
	if _, err := write.Apply(ctx, p, dir, write.Options{Mode: write.New}); err != nil {
		return nil, fmt.Errorf("lint blueprint: write %s: %w", c, err)
	}
	sources := map[string]string{}
	for _, f := range p.Files {
		sources[f.Path] = f.Source
	}
	var diags diag.List
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.CommandContext(ctx, "go", args...) //nolint:gosec // the go command with fixed arguments
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("lint blueprint: %w", ctx.Err())
		}
		if _, ok := errors.AsType[*exec.ExitError](err); !ok {
			return nil, fmt.Errorf("lint blueprint: go %s: %w", args[0], err)
		}
		for _, d := range compileDiags(string(out), args[0], sources, o) {
			d.Hint += " (found building " + c.String() + ")"
			diags = append(diags, d)
		}
		break // vet repeats the compile errors
	}
	return diags, nil
}

// compileLineRE is a compiler's or vet's "file.go:line:col: message".
var compileLineRE = regexp.MustCompile(`^(?:vet: )?\.?/?([^\s:]+\.go):(\d+):(\d+): (.*)$`)

// compileDiags turns the go command's output into diagnostics of overlay o.
func compileDiags(out, step string, sources map[string]string, o *blueprint.Overlay) diag.List {
	var l diag.List
	prefix := o.Name + "@" + o.Version + ":"
	for line := range strings.SplitSeq(out, "\n") {
		m := compileLineRE.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		file := filepath.ToSlash(m[1])
		pos := diag.Pos{File: o.Dir}
		hint := "the file comes from bkgen's " + strings.TrimPrefix(sources[file], "bkgen:") + "; a hook or another file of the overlay changed what it compiles with"
		if src, ok := strings.CutPrefix(sources[file], prefix); ok {
			pos = diag.Pos{File: filepath.Join(o.Dir, filepath.FromSlash(src))}
			hint = "the file is rendered from this template"
		}
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: pos,
			Summary: fmt.Sprintf("blueprint %s: go %s: %s:%s:%s: %s", o.Name, step, file, m[2], m[3], m[4]),
			Hint:    hint,
		})
	}
	if len(l) == 0 && strings.TrimSpace(out) != "" {
		l.Errorf(diag.Pos{File: o.Dir}, "", "blueprint %s: go %s failed: %s", o.Name, step, strings.TrimSpace(out))
	}
	return l
}
