package generator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/report"
	"github.com/bkgen/bkgen/generator/write"
	"github.com/bkgen/bkgen/internal/selfcheck"
	"github.com/bkgen/bkgen/internal/spec"
	"github.com/bkgen/bkgen/stacks"
	"github.com/bkgen/bkgen/stacks/gochi"
)

// stackByName returns the stack a config names.
func stackByName(name string) (stacks.Stack, bool) {
	switch name {
	case "", gochi.Stack.Name:
		return gochi.Stack, true
	}
	return stacks.Stack{}, false
}

// Generate runs load, IR and plan: the whole pipeline short of writing. It is
// what New writes, and what tests and benchmarks measure.
func Generate(specPath string, cfg config.Config) (*write.Plan, *ir.Service, diag.List, error) {
	var diags diag.List
	if d := cfg.Validate(); d.HasErrors() {
		return nil, nil, d, d.Err()
	}
	if cfg.Database != "none" {
		diags.Add(diag.Diagnostic{Severity: diag.Warning, Pos: diag.Pos{File: "bkgen.yaml"},
			Summary: fmt.Sprintf("database %q is not implemented yet; generating without a database layer", cfg.Database)})
	}
	stack, ok := stackByName(cfg.Stack)
	if !ok {
		diags.Errorf(diag.Pos{File: "bkgen.yaml"}, "", "stack %q is not implemented yet (implemented: go-chi)", cfg.Stack)
		return nil, nil, diags, diags.Err()
	}
	doc, d := spec.Load(specPath)
	diags = append(diags, d...)
	if doc == nil || d.HasErrors() {
		return nil, nil, diags, diags.Err()
	}
	specFile := "openapi.yaml"
	embedded := "openapi_gen.yaml"
	contentType := "application/yaml"
	if doc.Format == "json" {
		specFile, embedded, contentType = "openapi.json", "openapi_gen.json", "application/json"
	}
	svc, d := buildService(doc.OpenAPI, &cfg, specFile, doc.Pos)
	diags = append(diags, d...)
	if d.HasErrors() {
		return nil, nil, diags, diags.Err()
	}
	svc.EmbeddedSpec, svc.SpecRoute, svc.SpecContentType = embedded, "/"+specFile, contentType
	// The repo's bkgen.yaml names its own copy of the spec and the module, so
	// that regen needs no flags.
	cfg.Spec = "api/" + specFile
	cfg.Module = svc.Module
	p, err := plan(svc, &cfg, stack, doc.Bundled)
	if err != nil {
		return nil, nil, diags, err
	}
	return p, svc, diags, nil
}

// New generates a service repository and, unless opts.NoCheck, self-checks it.
// Input problems come back as an error holding a diag.List (see diag.AsList);
// nothing is written then.
func New(ctx context.Context, opts Options) (*Result, error) {
	emit(opts.Progress, Event{Kind: StepStarted, Step: "generate"})
	start := time.Now()
	p, svc, diags, err := Generate(opts.SpecPath, opts.Config)
	if err != nil {
		return &Result{Diagnostics: diags}, err
	}
	dir := opts.OutDir
	if dir == "" {
		dir = svc.Name
	}
	rep, err := write.Apply(ctx, p, dir, write.Options{Mode: write.New, Force: opts.Force})
	if err != nil {
		return &Result{Diagnostics: diags}, err
	}
	emit(opts.Progress, Event{Kind: StepFinished, Step: "generate", Status: report.Passed, Duration: time.Since(start),
		Detail: fmt.Sprintf("%d files, %d operations, %d types", len(p.Files), len(svc.Operations), len(svc.Types))})
	res := &Result{Dir: dir, Diagnostics: diags}
	for _, f := range p.Files {
		res.Files = append(res.Files, f.Path)
	}
	_ = rep
	if !opts.NoGit {
		gitInit(ctx, dir)
	}
	if opts.NoCheck {
		return res, nil
	}
	check, err := Check(ctx, CheckOptions{Dir: dir, Strict: opts.Strict, Progress: opts.Progress})
	res.Check = check
	return res, err
}

// gitInit makes the new repository a git repository with a first commit, when
// git is on PATH. It is a convenience: failures are not errors.
func gitInit(ctx context.Context, dir string) {
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return
	}
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=bkgen", "GIT_AUTHOR_EMAIL=bkgen@localhost",
			"GIT_COMMITTER_NAME=bkgen", "GIT_COMMITTER_EMAIL=bkgen@localhost")
		return cmd.Run()
	}
	if run("init", "-q") != nil {
		return
	}
	if run("add", "-A") == nil {
		_ = run("commit", "-q", "-m", "Generate service with bkgen")
	}
}

// Check re-runs the self-check of the generated repository in opts.Dir.
func Check(ctx context.Context, opts CheckOptions) (*report.Check, error) {
	data, err := os.ReadFile(filepath.Join(opts.Dir, "bkgen.yaml"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a bkgen repository (no bkgen.yaml): %w", opts.Dir, err)
		}
		return nil, err
	}
	cfg, d := config.Parse(filepath.Join(opts.Dir, "bkgen.yaml"), data)
	if d.HasErrors() {
		return nil, d.Err()
	}
	engine := "none" // this build generates no database layer yet
	_ = cfg.Database
	return selfcheck.Run(ctx, selfcheck.Options{
		Dir:            opts.Dir,
		Engine:         engine,
		CoverageTarget: float64(cfg.Coverage),
		Strict:         opts.Strict,
		Observe: func(e selfcheck.Event) {
			kind := StepFinished
			if e.Started {
				kind = StepStarted
			}
			emit(opts.Progress, Event{Kind: kind, Step: e.Step, Status: e.Status, Duration: e.Duration, Detail: strings.TrimSpace(e.Detail)})
		},
	})
}
