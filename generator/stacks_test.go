package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
)

// TestStacksSelfCheck self-checks services of every stack but go-chi (which
// TestSelfCheck covers), with and without a database: every step must pass
// and coverage reach 80%. go-stdlib runs every spec on both; go-gin and
// go-echo, whose routers differ from it only in registering the routes, a
// spec each way, which keeps the run time sane on 2 cores. TestMatrix runs
// every stack on every database with petstore-expanded.
func TestStacksSelfCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and self-checks whole services; skipped with -short")
	}
	petstore := filepath.Join(specsDir(t), "oai-petstore-expanded.yaml")
	constructs, shared := "../testdata/specs/constructs.yaml", "../testdata/specs/shared-routes.yaml"
	type run struct{ stack, spec, database string }
	var runs []run
	// petstore-expanded on every database is TestMatrix's.
	runs = append(runs, run{"go-stdlib", petstore, "none"})
	for _, spec := range []string{constructs, shared} {
		for _, database := range []string{"none", "postgres"} {
			runs = append(runs, run{"go-stdlib", spec, database})
		}
	}
	for _, stack := range []string{"go-gin", "go-echo"} {
		runs = append(runs, run{stack, shared, "postgres"}, run{stack, constructs, "none"})
	}
	for _, r := range runs {
		t.Run(r.stack+"/"+filepath.Base(r.spec)+"/"+r.database, func(t *testing.T) {
			cfg := testConfig()
			cfg.Stack, cfg.Database = r.stack, r.database
			checkPasses(t, r.spec, cfg)
		})
	}
}

// checkPasses generates a service from spec with cfg and self-checks it
// (strictly: a step that could not run fails it): every step must pass,
// coverage reach 80% and the integration tests run where there is a
// database layer.
func checkPasses(t *testing.T, spec string, cfg config.Config) {
	t.Helper()
	if cfg.Module == "" {
		cfg.Module = e2eModule
	}
	dir := filepath.Join(t.TempDir(), "svc")
	// A failed step's event carries the tail of its output.
	var failures []string
	progress := generator.ProgressFunc(func(e generator.Event) {
		if e.Kind == generator.StepFinished && e.Status == report.Failed {
			failures = append(failures, e.Step+": "+e.Detail)
		}
	})
	res, err := generator.New(context.Background(), generator.Options{
		SpecPath: spec, OutDir: dir, Config: cfg, NoGit: true, Strict: true, Progress: progress,
	})
	if l, ok := diag.AsList(err); ok {
		t.Fatalf("generate: %v", l)
	}
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	c := res.Check
	if c == nil || c.Status != report.Passed {
		t.Fatalf("self-check %+v\n%s", c, strings.Join(failures, "\n"))
	}
	if c.Coverage == nil || c.Coverage.Percent < 80 {
		t.Fatalf("coverage %+v below 80%%", c.Coverage)
	}
	if c.Tests.Passed == 0 || c.Tests.Failed != 0 {
		t.Fatalf("tests %+v", c.Tests)
	}
	// The integration tests run where there is a database layer (none of
	// the spec's paths may form a resource: then there is none).
	want := report.Skipped
	if _, err := os.Stat(filepath.Join(dir, "migrations")); err == nil {
		want = report.Passed
		if c.Database.Engine != cfg.Database {
			t.Errorf("database %+v", c.Database)
		}
	}
	for _, s := range c.Steps {
		if s.Name == "test:integration" && s.Status != want {
			t.Errorf("integration step %s (%s), want %s", s.Status, s.Detail, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".bkgen", "check.json")); err != nil {
		t.Error(err)
	}
	t.Logf("%s %s %s: %d tests, coverage %.1f%%, %d ms", cfg.Stack, filepath.Base(spec), cfg.Database, c.Tests.Passed, c.Coverage.Percent, c.DurationMS)
}

// TestEveryStackIsGenerated: every stack the config accepts is generated.
func TestEveryStackIsGenerated(t *testing.T) {
	t.Parallel()
	for _, stack := range config.Stacks {
		cfg := testConfig()
		cfg.Stack = stack
		if _, _, diags, err := generator.Generate(t.Context(), "../testdata/specs/shared-routes.yaml", cfg); err != nil {
			t.Errorf("%s: %v %v", stack, diags, err)
		}
	}
}

// TestStdlibRefusesWhatServeMuxCannotRoute: routes net/http's ServeMux
// cannot serve are errors at their operation, and go-chi serves them.
func TestStdlibRefusesWhatServeMuxCannotRoute(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(t.TempDir(), "routes.yaml")
	err := os.WriteFile(spec, []byte(`openapi: 3.0.3
info: {title: routes, version: "1"}
paths:
  /files/{name}.json:
    get:
      operationId: getFileJSON
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /a/{x}/b:
    get:
      operationId: getB
      parameters: [{name: x, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /a/c/{y}:
    get:
      operationId: getC
      parameters: [{name: y, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	if _, _, diags, err := generator.Generate(t.Context(), spec, cfg); err != nil {
		t.Fatalf("go-chi: %v %v", diags, err)
	}
	cfg.Stack = "go-stdlib"
	_, _, diags, err := generator.Generate(t.Context(), spec, cfg)
	if err == nil {
		t.Fatal("go-stdlib generated routes ServeMux refuses")
	}
	want := []string{
		`routes.yaml:10:5: error: #/paths/~1a~1{x}~1b/get: GET /a/{x}/b: net/http's ServeMux cannot route it beside GET /a/c/{y}: GET /a/{x}/b and GET /a/c/{y} both match some paths, like "/a/c/b".`,
		`routes.yaml:5:5: error: #/paths/~1files~1{name}.json/get: GET /files/{name}.json: the path segment "{name}.json" holds a parameter and other text`,
	}
	var got []string
	for _, d := range diags.Errors() {
		got = append(got, strings.TrimPrefix(d.String(), filepath.Dir(spec)+string(filepath.Separator)))
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %q, want it to start %q", got[i], want[i])
		}
	}
}

// TestColonRoutersRefuseWhatTheyCannotRoute: routes gin and echo cannot
// serve as chi does are errors at their operation; a literal colon is
// escaped, and siblings ServeMux refuses are served.
func TestColonRoutersRefuseWhatTheyCannotRoute(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(t.TempDir(), "routes.yaml")
	err := os.WriteFile(spec, []byte(`openapi: 3.0.3
info: {title: routes, version: "1"}
paths:
  /files/{name}.json:
    get:
      operationId: getFileJSON
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /users/{id}:
    get:
      operationId: getUser
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /{owner}/{repo}/tags:
    get:
      operationId: getTags
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: ok}}
  /a/{x}/b:
    get:
      operationId: getB
      parameters: [{name: x, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /a/c/{y}:
    get:
      operationId: getC
      parameters: [{name: y, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /ops:batch:
    post:
      operationId: batch
      responses: {"204": {description: ok}}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for stack, why := range map[string]string{
		"go-gin":  `gin cannot route it beside GET /`,
		"go-echo": `echo cannot route it beside GET /users/{id}: echo's last parameter of /users/{id} takes the rest of a path`,
	} {
		cfg := testConfig()
		cfg.Stack = stack
		_, _, diags, err := generator.Generate(t.Context(), spec, cfg)
		if err == nil {
			t.Fatalf("%s generated routes it cannot serve", stack)
		}
		router := strings.TrimPrefix(stack, "go-")
		want := []string{
			`routes.yaml:5:5: error: #/paths/~1files~1{name}.json/get: GET /files/{name}.json: the path segment "{name}.json" holds a parameter and other text; ` + router,
			`routes.yaml:15:5: error: #/paths/~1{owner}~1{repo}~1tags/get: GET /{owner}/{repo}/tags: ` + why,
		}
		var got []string
		for _, d := range diags.Errors() {
			got = append(got, strings.TrimPrefix(d.String(), filepath.Dir(spec)+string(filepath.Separator)))
		}
		if len(got) != len(want) {
			t.Fatalf("%s: diagnostics %q, want %d", stack, got, len(want))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("%s: diagnostic %q, want it to start %q", stack, got[i], want[i])
			}
		}
	}
}
