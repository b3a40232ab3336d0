package generator_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-task/task/v3"
	"github.com/go-task/task/v3/taskfile/ast"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
)

// specsDir is the shared corpus of real-world specs, beside the checkout.
func specsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../shared/specs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the spec corpus is missing: %v", err)
	}
	return dir
}

// testConfig is the config of the end-to-end tests: bkgen.yaml's defaults
// with no database.
func testConfig() config.Config {
	cfg := config.Default()
	cfg.Database = "none"
	return cfg
}

// everyTarget deploys cfg's service to every target, so that a self-check or
// lint run covers the code a target adds to the service (the Lambda
// adapter and its tests). The runs that use it are few: those tests are
// heavy, and the code is the same on every stack.
func everyTarget(cfg config.Config) config.Config {
	cfg.Deploy = slices.Clone(config.DeployTargets)
	return cfg
}

// TestSelfCheck generates services from the foundation's specs and runs
// their self-check: every step must pass and coverage reach the target.
func TestSelfCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and self-checks whole services; skipped with -short")
	}
	specs := specsDir(t)
	synth := filepath.Join(t.TempDir(), "synth10.yaml")
	out, err := exec.Command("python3", filepath.Join(specs, "../tools/synth-spec.py"), "10").Output()
	if err != nil {
		t.Fatalf("synth-spec.py: %v", err)
	}
	if err := os.WriteFile(synth, out, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []string{
		filepath.Join(specs, "oai-petstore.yaml"),
		filepath.Join(specs, "oai-petstore-expanded.yaml"),
		filepath.Join(specs, "swaggerapi-petstore3.yaml"),
		filepath.Join(specs, "bump-train-travel.yaml"),
		filepath.Join(specs, "redocly-museum.yaml"),
		"../testdata/specs/constructs.yaml",
		"../testdata/specs/shared-routes.yaml",
		"../testdata/specs/webhooks.yaml",
		"../testdata/specs/auth-session.yaml", // sessions in memory
		synth,
	}
	type run struct {
		spec     string
		database string
	}
	var runs []run
	for _, spec := range cases {
		runs = append(runs, run{spec, "none"})
	}
	// With PostgreSQL: the resources get tables and CRUD, and the
	// integration tests run against the database the self-check provides.
	// (petstore-expanded on every database is TestMatrix's.)
	for _, spec := range []string{"../testdata/specs/constructs.yaml", "../testdata/golden/store/openapi.yaml"} {
		runs = append(runs, run{spec, "postgres"})
	}
	// Each security scheme kind, and AND / OR requirements: the generated
	// auth tests (401, 403, the handler reached with a credential) and the
	// integration walks with credentials.
	for _, kind := range []string{"bearer", "oauth2", "oidc", "apikey", "basic", "session", "and-or"} {
		runs = append(runs, run{"../testdata/specs/auth-" + kind + ".yaml", "postgres"})
	}
	// With SQLite, which needs no server: the dialect's DDL and queries,
	// and the keys and sessions stores.
	for _, spec := range []string{
		"../testdata/golden/store/openapi.yaml", "../testdata/specs/constructs.yaml", synth,
		"../testdata/specs/auth-apikey.yaml", "../testdata/specs/auth-session.yaml",
	} {
		runs = append(runs, run{spec, "sqlite"})
	}
	// With MySQL (MariaDB here): no RETURNING, ids made in Go, sqlc.slice
	// filters, and the keys and sessions stores.
	for _, spec := range []string{"../testdata/golden/store/openapi.yaml", "../testdata/specs/constructs.yaml", "../testdata/specs/auth-session.yaml"} {
		runs = append(runs, run{spec, "mysql"})
	}
	for _, rn := range runs {
		t.Run(filepath.Base(rn.spec)+"/"+rn.database, func(t *testing.T) {
			cfg := testConfig()
			cfg.Database = rn.database
			if filepath.Base(filepath.Dir(rn.spec)) == "store" {
				cfg = everyTarget(cfg) // the Lambda adapter on each engine
			}
			checkPasses(t, rn.spec, cfg)
		})
	}
}

// TestCorpusGenerates runs the pipeline on every spec of the corpus: each
// either generates or fails with positioned diagnostics, never a panic; every
// generated service builds (not with -short). This is CI's fast tier: the
// full self-check of every spec is `task corpus` (internal/cmd/corpus).
func TestCorpusGenerates(t *testing.T) {
	specs := specsDir(t)
	var files []string
	err := filepath.WalkDir(specs, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".json")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d specs, want the whole corpus", len(files))
	}
	for _, f := range files {
		name, _ := filepath.Rel(specs, f)
		t.Run(name, func(t *testing.T) {
			p, svc, diags, err := generator.Generate(context.Background(), f, testConfig())
			if err != nil {
				l, ok := diag.AsList(err)
				if !ok {
					t.Fatalf("internal error: %v", err)
				}
				for _, d := range l.Errors() {
					if !d.Pos.IsValid() {
						t.Errorf("diagnostic without a position: %s", d)
					}
				}
				t.Logf("refused: %s", l.Errors()[0])
				return
			}
			t.Logf("%d operations, %d types, %d files, %d warnings", len(svc.Operations), len(svc.Types), len(p.Files), len(diags.Warnings()))
			if testing.Short() {
				return
			}
			// With PostgreSQL, as `bkgen new` does by default: the data layer builds too.
			cfg := config.Default()
			cfg.Module = e2eModule
			dir := filepath.Join(t.TempDir(), "svc")
			res, err := generator.New(context.Background(), generator.Options{SpecPath: f, OutDir: dir, Config: cfg, NoGit: true, NoCheck: true})
			if err != nil || res == nil {
				t.Fatalf("write: %v", err)
			}
			cmd := exec.Command("go", "build", "./...")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, tail(string(out), 40))
			}
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append([]string{"… " + strconv.Itoa(len(lines)-n) + " lines"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// TestGeneratedCodeLintsClean runs golangci-lint (v2, the generated
// .golangci.yml, generated files included) on services of several shapes.
// .ci/run installs golangci-lint; elsewhere the test says it cannot run.
func TestGeneratedCodeLintsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("lints whole generated services; skipped with -short")
	}
	lint, err := exec.LookPath("golangci-lint")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		lint = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "golangci-lint")
		if _, err := os.Stat(lint); err != nil {
			t.Skip("golangci-lint is not installed (go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0; .ci/run does)")
		}
	}
	specs := specsDir(t)
	petstore := filepath.Join(specs, "oai-petstore-expanded.yaml")
	for _, c := range []struct{ spec, stack, database string }{
		{"../testdata/golden/store/openapi.yaml", "go-chi", "postgres"},
		{"../testdata/specs/constructs.yaml", "go-chi", "postgres"},
		{filepath.Join(specs, "swaggerapi-petstore3.yaml"), "go-chi", "postgres"},
		{filepath.Join(specs, "bump-train-travel.yaml"), "go-chi", "none"},
		{"../testdata/specs/auth-and-or.yaml", "go-chi", "postgres"},
		{"../testdata/specs/auth-session.yaml", "go-chi", "postgres"},
		{"../testdata/specs/auth-and-or.yaml", "go-chi", "sqlite"},
		{"../testdata/golden/store/openapi.yaml", "go-chi", "mysql"},
		{"../testdata/specs/idempotency.yaml", "go-chi", "postgres"},
		// Every stack: only the router differs, and it is linted too.
		{petstore, "go-chi", "postgres"},
		{petstore, "go-gin", "postgres"},
		{petstore, "go-echo", "mysql"},
		{petstore, "go-stdlib", "sqlite"},
	} {
		t.Run(filepath.Base(c.spec)+"/"+c.stack+"/"+c.database, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "svc")
			cfg := everyTarget(testConfig())
			cfg.Stack, cfg.Database, cfg.Module = c.stack, c.database, e2eModule
			if _, err := generator.New(context.Background(), generator.Options{SpecPath: c.spec, OutDir: dir, Config: cfg, NoGit: true, NoCheck: true}); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(lint, "run", "--allow-parallel-runners", "./...")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("golangci-lint: %v\n%s", err, tail(string(out), 60))
			}
		})
	}
}

// TestCoverageFailureNamesTheTest: a test that fails only under -cover
// fails the self-check in the test step that runs it (the self-check runs
// the tests once, with coverage), named there; and `task coverage` alone,
// as `task check` runs it for a person, fails naming it too rather than
// with a bare exit status.
func TestCoverageFailureNamesTheTest(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and self-checks a whole service; skipped with -short")
	}
	dir := filepath.Join(t.TempDir(), "svc")
	_, err := generator.New(context.Background(), generator.Options{
		SpecPath: filepath.Join(specsDir(t), "oai-petstore.yaml"), OutDir: dir, Config: testConfig(), NoGit: true, NoCheck: true,
	})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	src := "package api\n\nimport \"testing\"\n\nfunc TestOnlyUnderCover(t *testing.T) {\n\tif testing.CoverMode() != \"\" {\n\t\tt.Fatal(\"fails under -cover\")\n\t}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "internal", "api", "zz_cover_test.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := generator.Check(context.Background(), generator.CheckOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Steps {
		switch {
		case s.Name == "test:unit":
			if s.Status != report.Failed || !strings.Contains(s.Detail, "TestOnlyUnderCover") {
				t.Errorf("test:unit %s (%s), want failed naming TestOnlyUnderCover", s.Status, s.Detail)
			}
		case s.Name == "coverage":
			if s.Status != report.NotRun {
				t.Errorf("coverage %s (%s), want not run after the failed tests", s.Status, s.Detail)
			}
		case s.Status == report.Failed:
			t.Errorf("step %s failed too: %s", s.Name, s.Detail)
		}
	}

	// Without the self-check's COVERDIR, the coverage task runs the tests
	// itself, and its last line names the one that failed.
	var out strings.Builder
	e := task.NewExecutor(task.WithDir(dir), task.WithEntrypoint(dir), task.WithStdout(&out), task.WithStderr(&out), task.WithColor(false),
		task.WithTempDir(task.TempDir{Remote: t.TempDir(), Fingerprint: t.TempDir()}))
	if err := e.Setup(); err != nil {
		t.Fatal(err)
	}
	vars := ast.NewVars()
	vars.Set("COVERPROFILE", ast.Var{Value: filepath.Join(t.TempDir(), "coverage.out")})
	if err := e.Run(context.Background(), &task.Call{Task: "coverage", Vars: vars}); err == nil {
		t.Fatalf("task coverage passed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "the tests failed under -coverpkg: TestOnlyUnderCover") {
		t.Errorf("task coverage does not name the test:\n%s", tail(out.String(), 20))
	}
}
