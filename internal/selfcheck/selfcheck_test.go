package selfcheck_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bkgen/bkgen/generator/report"
	"github.com/bkgen/bkgen/internal/selfcheck"
)

// ignoreDurations leaves timings out of report comparisons.
var ignoreDurations = cmp.Options{
	cmpopts.IgnoreFields(report.Check{}, "DurationMS"),
	cmpopts.IgnoreFields(report.Step{}, "DurationMS"),
}

// fixture copies testdata/ok, then each overlay in turn, to a new folder;
// an overlay's file replaces ok's of the same path.
func fixture(t *testing.T, overlays ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range append([]string{"ok"}, overlays...) {
		err := fs.WalkDir(os.DirFS(filepath.Join("testdata", src)), ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(path))
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			data, err := os.ReadFile(filepath.Join("testdata", src, filepath.FromSlash(path)))
			if err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// taskfile makes a repository holding only a Taskfile.yml.
func taskfile(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Taskfile.yml"), content)
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs the self-check, recording its events, and checks that
// .bkgen/check.json holds the report it returned.
func run(t *testing.T, ctx context.Context, opts selfcheck.Options) (*report.Check, []selfcheck.Event, error) {
	t.Helper()
	var events []selfcheck.Event
	opts.Observe = func(ev selfcheck.Event) { events = append(events, ev) }
	start := time.Now()
	c, err := selfcheck.Run(ctx, opts)
	t.Logf("self-check of %s: %s", filepath.Base(opts.Dir), time.Since(start).Round(time.Millisecond))
	if c == nil {
		return nil, events, err
	}
	data, rerr := os.ReadFile(filepath.Join(opts.Dir, ".bkgen", "check.json"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	var written report.Check
	if err := json.Unmarshal(data, &written); err != nil {
		t.Fatalf("check.json: %v\n%s", err, data)
	}
	if diff := cmp.Diff(c, &written); diff != "" {
		t.Errorf("check.json differs from the returned report (-returned +file):\n%s", diff)
	}
	return c, events, err
}

func steps(st ...report.Step) []report.Step { return st }

// treeHash hashes every file under dir, with its path and mode, except the
// self-check's report.
func treeHash(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel != ".bkgen" { // created for the report
				sums[rel+"/"] = "dir"
			}
			return nil
		}
		if filepath.ToSlash(rel) == selfcheck.ReportPath {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		sums[rel] = info.Mode().String() + " " + hex.EncodeToString(h[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func TestRunPasses(t *testing.T) {
	t.Parallel()
	dir := fixture(t)
	before := treeHash(t, dir)

	c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "sqlite", CoverageTarget: 75})
	if err != nil {
		t.Fatal(err)
	}
	want := &report.Check{
		Version:  1,
		Status:   "passed",
		Database: report.Database{Engine: "sqlite", Source: "file"},
		Steps: steps(
			report.Step{Name: "deps", Status: "passed"},
			report.Step{Name: "fmt:check", Status: "passed"},
			report.Step{Name: "vet", Status: "passed"},
			report.Step{Name: "build", Status: "passed"},
			report.Step{Name: "test:unit", Status: "passed"},
			report.Step{Name: "test:integration", Status: "passed"},
			report.Step{Name: "test:contract", Status: "passed"},
			report.Step{Name: "coverage", Status: "passed"},
		),
		// test:unit: TestAdd, TestSub and its 2 subtests, TestDiv pass,
		// TestSkipped skips; test:integration and test:contract: 1 each.
		Tests:    report.Tests{Passed: 7, Failed: 0, Skipped: 1},
		Coverage: &report.Coverage{Percent: 80, Target: 75},
	}
	if diff := cmp.Diff(want, c, ignoreDurations); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	var total int64
	for _, s := range c.Steps {
		total += s.DurationMS
	}
	if total == 0 || c.DurationMS < total {
		t.Errorf("durations: total %d ms, steps %d ms", c.DurationMS, total)
	}
	if !selfcheck.Succeeded(c, true) {
		t.Error("Succeeded(passed, strict) = false")
	}

	// Each step that runs starts, then ends.
	var seq []string
	for _, ev := range events {
		if ev.Started {
			seq = append(seq, "start "+ev.Step)
		} else {
			seq = append(seq, ev.Status+" "+ev.Step)
		}
		if ev.Failure != nil {
			t.Errorf("event %+v has a failure", ev)
		}
	}
	var wantSeq []string
	for _, s := range selfcheck.Steps() {
		wantSeq = append(wantSeq, "start "+s, "passed "+s)
	}
	if diff := cmp.Diff(wantSeq, seq); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// The report is the only file written; formatted as promised.
	if diff := cmp.Diff(before, treeHash(t, dir)); diff != "" {
		t.Errorf("the self-check changed the repository (-before +after):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".bkgen", "check.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"version\": 1,\n  \"status\": \"passed\",\n  \"duration_ms\": ") ||
		!strings.HasSuffix(string(data), "\"coverage\": {\n    \"percent\": 80,\n    \"target\": 75\n  }\n}\n") {
		t.Errorf("check.json is not the indented report:\n%s", data)
	}
}

func TestRunWithoutDatabaseIsIncomplete(t *testing.T) {
	t.Parallel()
	dir := fixture(t)
	c, _, err := run(t, t.Context(), selfcheck.Options{
		Dir: dir, Engine: "postgres", CoverageTarget: 75, Strict: true,
		Database: selfcheck.FileOnly{}, // no server to offer
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != report.Incomplete {
		t.Errorf("status = %q, want incomplete", c.Status)
	}
	if want := (report.Database{Engine: "postgres", Source: "none"}); c.Database != want {
		t.Errorf("database = %+v, want %+v", c.Database, want)
	}
	integ := c.Steps[5]
	if integ.Name != "test:integration" || integ.Status != report.NotRun ||
		!strings.HasPrefix(integ.Detail, "NOT RUN: the integration tests need a postgres database and none is available") {
		t.Errorf("integration step = %+v", integ)
	}
	for _, s := range c.Steps {
		if s.Name != "test:integration" && s.Status != report.Passed {
			t.Errorf("step %+v, want passed", s)
		}
	}
	if want := (report.Tests{Passed: 6, Skipped: 1}); c.Tests != want {
		t.Errorf("tests = %+v, want %+v", c.Tests, want)
	}
	if !selfcheck.Succeeded(c, false) || selfcheck.Succeeded(c, true) {
		t.Error("an incomplete check must succeed only without strict")
	}
}

func TestRunCoverageBelowTarget(t *testing.T) {
	t.Parallel()
	dir := fixture(t)
	c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none", CoverageTarget: 90})
	if err != nil {
		t.Fatal(err)
	}
	want := &report.Check{
		Version:  1,
		Status:   "failed",
		Database: report.Database{Engine: "none", Source: "none"},
		Steps: steps(
			report.Step{Name: "deps", Status: "passed"},
			report.Step{Name: "fmt:check", Status: "passed"},
			report.Step{Name: "vet", Status: "passed"},
			report.Step{Name: "build", Status: "passed"},
			report.Step{Name: "test:unit", Status: "passed"},
			report.Step{Name: "test:integration", Status: "skipped", Detail: "no database layer"},
			report.Step{Name: "test:contract", Status: "passed"},
			report.Step{Name: "coverage", Status: "failed", Detail: "coverage 80.0% is below the target 90%"},
		),
		Tests:    report.Tests{Passed: 6, Skipped: 1},
		Coverage: &report.Coverage{Percent: 80, Target: 90},
	}
	if diff := cmp.Diff(want, c, ignoreDurations); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	last := events[len(events)-1]
	if last.Failure == nil || !slices.Contains(last.Failure.Tail, "total:\t\t\t\t\t(statements)\t80.0%") {
		t.Errorf("coverage failure = %+v, want the cover -func output", last.Failure)
	}
}

func TestRunFailingTests(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "fail")
	// Written here: an unformatted file in testdata would fail bkgen's own
	// gofmt check.
	writeFile(t, filepath.Join(dir, "calc", "ugly.go"), "package calc\nfunc  ugly( ) {}\n")

	c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "postgres", CoverageTarget: 75, Database: selfcheck.FileOnly{}})
	if err != nil {
		t.Fatal(err)
	}
	want := &report.Check{
		Version:  1,
		Status:   "failed",
		Database: report.Database{Engine: "postgres", Source: "none"},
		Steps: steps(
			report.Step{Name: "deps", Status: "passed"},
			report.Step{Name: "fmt:check", Status: "failed", Detail: "exit status 1: calc/ugly.go"},
			report.Step{Name: "vet", Status: "passed"},
			report.Step{Name: "build", Status: "passed"},
			report.Step{Name: "test:unit", Status: "failed", Detail: "tests failed: TestMul/wrong, TestBroken"},
			report.Step{Name: "test:integration", Status: "not_run", Detail: c.Steps[5].Detail},
			report.Step{Name: "test:contract", Status: "passed"},
			report.Step{Name: "coverage", Status: "not_run", Detail: "not run: test:unit failed"},
		),
		// test:unit: the 6 of ok plus TestMul/ok pass; TestMul,
		// TestMul/wrong and TestBroken fail; contract: 1.
		Tests: report.Tests{Passed: 7, Failed: 3, Skipped: 1},
	}
	if diff := cmp.Diff(want, c, ignoreDurations); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}

	failures := map[string]*selfcheck.StepFailure{}
	for _, ev := range events {
		if ev.Failure != nil {
			failures[ev.Step] = ev.Failure
		}
	}
	if len(failures) != 2 {
		t.Fatalf("failures for %d steps, want fmt:check and test:unit", len(failures))
	}
	unit := failures["test:unit"]
	if unit.Step != "test:unit" || unit.Dir != dir {
		t.Errorf("failure names %s in %s, want test:unit in %s", unit.Step, unit.Dir, dir)
	}
	if len(unit.Tail) == 0 || len(unit.Tail) > selfcheck.TailLines {
		t.Fatalf("tail has %d lines", len(unit.Tail))
	}
	tail := strings.Join(unit.Tail, "\n")
	for _, s := range []string{"--- FAIL: TestBroken", "broken on purpose", "FAIL\texample.com/okfixture/calc"} {
		if !strings.Contains(tail, s) {
			t.Errorf("tail lacks %q:\n%s", s, tail)
		}
	}
	if strings.Contains(tail, `"Action"`) {
		t.Errorf("tail shows JSON events, want their output:\n%s", tail)
	}
	if fmtTail := failures["fmt:check"].Tail; !slices.Equal(fmtTail[len(fmtTail)-2:], []string{"not formatted:", "calc/ugly.go"}) {
		t.Errorf("fmt:check tail = %q", fmtTail)
	}
}

func TestRunBuildFailure(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "broken")
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none", CoverageTarget: 75})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range c.Steps {
		got = append(got, s.Name+" "+s.Status+" "+s.Detail)
	}
	want := []string{
		"deps passed ",
		"fmt:check passed ",
		"vet failed exit status 1: vet: calc/broken.go:4:28: undefined: undefinedName",
		"build failed exit status 1: calc/broken.go:4:28: undefined: undefinedName",
		"test:unit not_run not run: build failed",
		"test:integration skipped no database layer",
		"test:contract not_run not run: build failed",
		"coverage not_run not run: build failed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if c.Status != report.Failed || c.Coverage != nil || c.Tests != (report.Tests{}) {
		t.Errorf("status %s, coverage %v, tests %+v", c.Status, c.Coverage, c.Tests)
	}
}

func TestRunMissingTasks(t *testing.T) {
	t.Parallel()
	dir := taskfile(t, `version: '3'
tasks:
  deps: echo deps
  build: echo build
`)
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none"})
	if err != nil {
		t.Fatal(err)
	}
	want := &report.Check{
		Version:  1,
		Status:   "passed",
		Database: report.Database{Engine: "none", Source: "none"},
		Steps: steps(
			report.Step{Name: "deps", Status: "passed"},
			report.Step{Name: "fmt:check", Status: "skipped", Detail: "no such task"},
			report.Step{Name: "vet", Status: "skipped", Detail: "no such task"},
			report.Step{Name: "build", Status: "passed"},
			report.Step{Name: "test:unit", Status: "skipped", Detail: "no such task"},
			report.Step{Name: "test:integration", Status: "skipped", Detail: "no database layer"},
			report.Step{Name: "test:contract", Status: "skipped", Detail: "no such task"},
			report.Step{Name: "coverage", Status: "skipped", Detail: "no such task"},
		),
	}
	if diff := cmp.Diff(want, c, ignoreDurations); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".bkgen", "check.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"coverage": null`) {
		t.Errorf("check.json without coverage:\n%s", data)
	}
}

// TestRunPackageFailureFailsStep: a test task whose exit status hides a
// failure (a pipe) still fails on the package's fail event.
func TestRunPackageFailureFailsStep(t *testing.T) {
	t.Parallel()
	dir := taskfile(t, `version: '3'
tasks:
  test:unit: |
    echo '{"Action":"build-output","ImportPath":"example.com/x [example.com/x.test]","Output":"x.go:1:1: expected package\n"}'
    echo '{"Action":"build-fail","ImportPath":"example.com/x [example.com/x.test]"}'
    echo '{"Action":"start","Package":"example.com/x"}'
    echo '{"Action":"output","Package":"example.com/x","Output":"FAIL\texample.com/x [build failed]\n"}'
    echo '{"Action":"fail","Package":"example.com/x","Elapsed":0,"FailedBuild":"example.com/x [example.com/x.test]"}'
    echo '{"Action":"pass","Package":"example.com/y","Test":"TestY"}'
  test:contract: |
    echo '{"Action":"fail","Package":"example.com/z","Elapsed":0}'
`)
	c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Steps[4]; s.Status != report.Failed || s.Detail != "build failed: example.com/x" {
		t.Errorf("test:unit = %+v", s)
	}
	if s := c.Steps[6]; s.Status != report.Failed || s.Detail != "package failed outside its tests: example.com/z" {
		t.Errorf("test:contract = %+v", s)
	}
	if want := (report.Tests{Passed: 1}); c.Tests != want {
		t.Errorf("tests = %+v, want %+v", c.Tests, want)
	}
	for _, ev := range events {
		if ev.Step == "test:unit" && ev.Failure != nil {
			if !slices.Contains(ev.Failure.Tail, "x.go:1:1: expected package") ||
				!slices.Contains(ev.Failure.Tail, "FAIL\texample.com/x [build failed]") {
				t.Errorf("tail = %q, want the build output", ev.Failure.Tail)
			}
		}
	}
}

func TestRunVarsAndEnv(t *testing.T) {
	t.Parallel()
	if os.Getenv("DATABASE_URL") != "" || os.Getenv("BKGEN_TEST_FOO") != "" {
		t.Skip("the process environment would win over the one bkgen sets")
	}
	dir := taskfile(t, `version: '3'
vars:
  GOTEST_FLAGS: ''
  COVERPROFILE: coverage.out
  COVERDIR: ''
tasks:
  test:unit:
    cmds:
      - test "{{.GOTEST_FLAGS}}" = -json
      - test "$BKGEN_TEST_FOO" = bar
      - case "{{.COVERPROFILE}}" in {{.TASKFILE_DIR}}/*) exit 1;; /*) ;; *) exit 1;; esac
      - case "{{.COVERDIR}}" in {{.TASKFILE_DIR}}/*) exit 1;; /*) ;; *) exit 1;; esac
      - test -d "{{.COVERDIR}}"
  test:integration:
    cmds:
      - test "{{.DATABASE_URL}}" = postgres://check@127.0.0.1/bkgen_check_x
      - test "$DATABASE_URL" = postgres://check@127.0.0.1/bkgen_check_x
  coverage: printf 'total:\t(statements)\t86.4%%\n'
`)
	db := &fakeProvider{db: selfcheck.Database{URL: "postgres://check@127.0.0.1/bkgen_check_x", Source: "local"}}
	c, _, err := run(t, t.Context(), selfcheck.Options{
		Dir: dir, Engine: "postgres", CoverageTarget: 80,
		Env:      []string{"BKGEN_TEST_FOO=bar"},
		Database: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Steps {
		if s.Status == report.Failed {
			t.Errorf("step %+v", s)
		}
	}
	if c.Status != report.Passed || c.Database != (report.Database{Engine: "postgres", Source: "local"}) {
		t.Errorf("status %s, database %+v", c.Status, c.Database)
	}
	if want := (&report.Coverage{Percent: 86.4, Target: 80}); !cmp.Equal(c.Coverage, want) {
		t.Errorf("coverage = %+v, want %+v", c.Coverage, want)
	}
	if db.engine != "postgres" || db.closed != 1 {
		t.Errorf("provider asked for %q, closed %d times", db.engine, db.closed)
	}
}

type fakeProvider struct {
	db     selfcheck.Database
	engine string
	closed int
}

func (p *fakeProvider) Provide(_ context.Context, engine, _ string) (*selfcheck.Database, error) {
	p.engine = engine
	db := p.db
	db.Close = func(context.Context) error { p.closed++; return nil }
	return &db, nil
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	dir := taskfile(t, `version: '3'
tasks:
  vet: sleep 30
  build: echo built
`)
	start := time.Now()
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the self-check took %s", d)
	}
	if s := c.Steps[2]; s.Status != report.Failed || !strings.HasPrefix(s.Detail, "timed out after 300ms") {
		t.Errorf("vet = %+v", s)
	}
	if s := c.Steps[3]; s.Status != report.Passed {
		t.Errorf("build = %+v, want passed: it does not need vet", s)
	}
}

func TestRunBadTaskfile(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"invalid": "version: '3'\ntasks:\n  deps: [\n",
		"missing": "",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if content != "" {
				writeFile(t, filepath.Join(dir, "Taskfile.yml"), content)
			}
			c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "none"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != report.Failed {
				t.Errorf("status = %s", c.Status)
			}
			if s := c.Steps[0]; s.Status != report.Failed || !strings.HasPrefix(s.Detail, "Taskfile: ") {
				t.Errorf("deps = %+v", s)
			}
			if events[0].Failure == nil || len(events[0].Failure.Tail) == 0 {
				t.Errorf("first event = %+v, want a failure with its error", events[0])
			}
			for _, s := range c.Steps[1:] {
				if s.Status != report.NotRun || s.Detail != "not run: the Taskfile could not be read" {
					t.Errorf("step %+v", s)
				}
			}
		})
	}
}

func TestRunCanceled(t *testing.T) {
	t.Parallel()
	dir := taskfile(t, "version: '3'\ntasks:\n  deps: echo deps\n")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c, _, err := run(t, ctx, selfcheck.Options{Dir: dir, Engine: "none"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if c == nil || c.Status != report.Incomplete {
		t.Fatalf("report = %+v, want incomplete", c)
	}
	for _, s := range c.Steps {
		if s.Status != report.NotRun || s.Detail != "not run: canceled" {
			t.Errorf("step %+v", s)
		}
	}
}

func TestRunInternalErrors(t *testing.T) {
	t.Parallel()
	for _, opts := range []selfcheck.Options{
		{Engine: "none"},
		{Dir: t.TempDir(), Engine: "oracle"},
		{Dir: t.TempDir()},
	} {
		if c, err := selfcheck.Run(t.Context(), opts); err == nil || c != nil {
			t.Errorf("Run(%+v) = %v, %v; want an error", opts, c, err)
		}
	}
}

func TestSucceeded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status       string
		strict, want bool
	}{
		{"passed", false, true},
		{"passed", true, true},
		{"incomplete", false, true},
		{"incomplete", true, false},
		{"failed", false, false},
		{"failed", true, false},
	} {
		if got := selfcheck.Succeeded(&report.Check{Status: tc.status}, tc.strict); got != tc.want {
			t.Errorf("Succeeded(%s, strict=%t) = %t", tc.status, tc.strict, got)
		}
	}
}

func TestFileOnly(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	db, err := selfcheck.FileOnly{}.Provide(t.Context(), "sqlite", tmp)
	if err != nil {
		t.Fatal(err)
	}
	if db.Source != "file" || db.URL != "file:"+filepath.ToSlash(filepath.Join(tmp, "bkgen_check.db")) {
		t.Errorf("sqlite database = %+v", db)
	}
	for _, engine := range []string{"postgres", "mysql"} {
		if _, err := (selfcheck.FileOnly{}).Provide(t.Context(), engine, tmp); !errors.Is(err, selfcheck.ErrNoDatabase) {
			t.Errorf("%s: err = %v, want ErrNoDatabase", engine, err)
		}
	}
}
