package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
	"github.com/bkgen/bkgen/generator/write"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	var l diag.List
	l.Errorf(diag.Pos{File: "api.yaml", Line: 3, Col: 1}, "/paths", "broken")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"input error", l.Err(), ExitInvalid},
		{"wrapped input error", fmt.Errorf("load spec: %w", l.Err()), ExitInvalid},
		{"not empty", fmt.Errorf("write petstore: %w", write.ErrNotEmpty), ExitUsage},
		{"escape", fmt.Errorf("write: %w", write.ErrEscape), ExitUsage},
		{"newer lock", fmt.Errorf("read lock: %w", write.ErrNewerLock), ExitInvalid},
		{"invalid lock", fmt.Errorf("read lock: %w", write.ErrInvalidLock), ExitInvalid},
		{"conflicts", fmt.Errorf("regen: %w", write.ErrConflictsPending), ExitConflict},
		{"joined", errors.Join(errors.New("x"), write.ErrConflictsPending), ExitConflict},
		{"invalid plan is a bug", fmt.Errorf("apply: %w", write.ErrInvalidPlan), ExitInternal},
		{"anything else", errors.New("disk full"), ExitInternal},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestCheckExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status string
		strict bool
		want   int
	}{
		{report.Passed, false, ExitOK},
		{report.Passed, true, ExitOK},
		{report.Incomplete, false, ExitOK},
		{report.Incomplete, true, ExitCheckFailed},
		{report.Failed, false, ExitCheckFailed},
		{report.Failed, true, ExitCheckFailed},
	}
	for _, tt := range tests {
		if got := checkExit(&report.Check{Status: tt.status}, tt.strict); got != tt.want {
			t.Errorf("checkExit(%s, strict=%v) = %d, want %d", tt.status, tt.strict, got, tt.want)
		}
	}
	if got := checkExit(nil, true); got != ExitOK {
		t.Errorf("checkExit(nil) = %d, want 0 (--no-check)", got)
	}
}

func TestUseColor(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		tty     bool
		noColor bool
		getenv  func(string) string
		want    bool
	}{
		{"terminal", true, false, env("TERM", "xterm-256color"), true},
		{"not a terminal", false, false, env(), false},
		{"--no-color", true, true, env(), false},
		{"NO_COLOR set", true, false, env("NO_COLOR", "1"), false},
		{"NO_COLOR empty counts as unset", true, false, env("NO_COLOR", ""), true},
		{"TERM=dumb", true, false, env("TERM", "dumb"), false},
	}
	for _, tt := range tests {
		if got := useColor(tt.tty, tt.noColor, tt.getenv); got != tt.want {
			t.Errorf("%s: useColor = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(); _ = w.Close() }()
	if isTerminal(w) {
		t.Error("a pipe is a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}

func TestProgressPlain(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := &progress{w: &b, dir: "petstore"}
	var output []string
	for i := 1; i <= 45; i++ {
		output = append(output, fmt.Sprintf("line %d", i))
	}
	for _, e := range []generator.Event{
		{Kind: generator.StepStarted, Step: "build"},
		{Kind: generator.StepFinished, Step: "build", Status: report.Passed, Duration: 3100 * time.Millisecond},
		{Kind: generator.Info, Detail: "database: throwaway postgres"},
		{Kind: generator.StepFinished, Step: "test:contract", Status: report.Skipped, Detail: "no contract tests yet"},
		{Kind: generator.StepFinished, Step: "test:integration", Status: report.NotRun, Detail: "no database reachable\nmore"},
		{Kind: generator.StepFinished, Step: "test:unit", Status: report.Failed, Duration: 2 * time.Minute, Detail: strings.Join(output, "\n") + "\n", Command: "task test:unit"},
		{Kind: generator.StepFinished, Step: "vet", Status: report.Failed, Duration: 10 * time.Millisecond, Command: "task vet"},
		{Kind: generator.StepFinished, Step: "write", Status: report.Failed, Duration: 2 * time.Millisecond, Detail: "3 files changed, 1 with merge conflicts"},
	} {
		p.Event(e)
	}
	p.done()
	var want strings.Builder
	want.WriteString("  ✓ build  3.1s\n" +
		"  database: throwaway postgres\n" +
		"  - test:contract  skipped: no contract tests yet\n" +
		"  ! test:integration  not run: no database reachable\n" +
		"  ✗ test:unit  2m00s  failed\n" +
		"    task test:unit in petstore, last 40 lines of output:\n")
	for i := 6; i <= 45; i++ {
		fmt.Fprintf(&want, "      line %d\n", i)
	}
	want.WriteString("  ✗ vet  10ms  failed\n" +
		"    task vet in petstore failed with no output\n" +
		"  ✗ write  2ms  failed: 3 files changed, 1 with merge conflicts\n")
	if got := b.String(); got != want.String() {
		t.Errorf("progress output:\n%s\nwant:\n%s", got, want.String())
	}
}

func TestProgressLiveColor(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := &progress{w: &b, color: true, live: true}
	p.Event(generator.Event{Kind: generator.StepStarted, Step: "vet"})
	p.Event(generator.Event{Kind: generator.Info, Detail: "hello"})
	p.Event(generator.Event{Kind: generator.StepFinished, Step: "vet", Status: report.Passed, Duration: time.Second})
	p.Event(generator.Event{Kind: generator.StepStarted, Step: "build"})
	p.done()
	want := "  \x1b[2m·\x1b[0m vet …" + "\r\x1b[K" + "  hello\n" +
		"  \x1b[2m·\x1b[0m vet …" + "\r\x1b[K" + "  \x1b[32m✓\x1b[0m vet  1.0s\n" +
		"  \x1b[2m·\x1b[0m build …" + "\r\x1b[K"
	if got := b.String(); got != want {
		t.Errorf("live output:\n%q\nwant:\n%q", got, want)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0ms"},
		{120 * time.Millisecond, "120ms"},
		{3140 * time.Millisecond, "3.1s"},
		{65 * time.Second, "1m05s"},
		{61*time.Minute + 500*time.Millisecond, "61m01s"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestListValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sets []string
		want []string
	}{
		{nil, []string{"docker", "kubernetes"}},
		{[]string{"helm"}, []string{"helm"}},
		{[]string{"helm,vm"}, []string{"helm", "vm"}},
		{[]string{"helm", "vm"}, []string{"helm", "vm"}},
		{[]string{"helm, vm", "docker"}, []string{"helm", "vm", "docker"}},
		{[]string{""}, []string{}},
	}
	for _, tt := range tests {
		l := []string{"docker", "kubernetes"}
		v := &listValue{p: &l, typ: "list"}
		for _, s := range tt.sets {
			if err := v.Set(s); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(l, tt.want) {
			t.Errorf("Set(%q...) = %q, want %q", tt.sets, l, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"petstore", "petstore"},
		{"out/pet-store_2", "out/pet-store_2"},
		{"my service", "'my service'"},
		{"it's", `'it'\''s'`},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// testApp returns an app writing to buffers, with generator.New and Check
// replaced by fakes.
func testApp(gen func(generator.Options) (*generator.Result, error), check func(generator.CheckOptions) (*report.Check, error)) (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	a = &app{
		stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv: func(string) string { return "" },
		generate: func(_ context.Context, o generator.Options) (*generator.Result, error) {
			return gen(o)
		},
		check: func(_ context.Context, o generator.CheckOptions) (*report.Check, error) {
			return check(o)
		},
	}
	return a, stdout, stderr
}

func passedCheck() *report.Check {
	return &report.Check{
		Version: 1, Status: report.Passed, DurationMS: 41200,
		Database: report.Database{Engine: "postgres", Source: "throwaway"},
		Steps:    []report.Step{{Name: "build", Status: report.Passed, DurationMS: 3100}},
		Tests:    report.Tests{Passed: 212},
		Coverage: &report.Coverage{Percent: 86.4, Target: 80},
	}
}

// The config is resolved relative to the config file, and flags override it.
func TestNewConfigResolution(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("conf", 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "spec: ../api.yaml\nstack: go-gin\nblueprints: [org]\nbase_path: /v2\n"
	if err := os.WriteFile(filepath.Join("conf", "bkgen.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var got generator.Options
	a, _, stderr := testApp(func(o generator.Options) (*generator.Result, error) {
		got = o
		return &generator.Result{Dir: filepath.Join(dir, "petstore"), Files: []string{"a", "b"}}, nil
	}, nil)
	code := a.run(t.Context(), []string{"new", "--config", "conf/bkgen.yaml", "--no-check", "--database", "sqlite", "--deploy", "docker", "--deploy", "helm", "--out", "petstore", "--strict", "--no-git"})
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if got.SpecPath != "api.yaml" {
		t.Errorf("SpecPath = %q, want api.yaml (relative to the config file)", got.SpecPath)
	}
	c := got.Config
	if c.Stack != "go-gin" || c.Database != "sqlite" || !reflect.DeepEqual(c.Deploy, []string{"docker", "helm"}) ||
		!reflect.DeepEqual(c.Blueprints, []string{filepath.Join("conf", "org")}) || c.BasePath == nil || *c.BasePath != "/v2" {
		t.Errorf("Config = %+v", c)
	}
	if got.OutDir != "petstore" || !got.NoCheck || !got.Strict || !got.NoGit || got.Force || got.Progress == nil {
		t.Errorf("Options = %+v", got)
	}

	// --from wins over spec:, and flags apply over ./bkgen.yaml.
	if err := os.WriteFile("bkgen.yaml", []byte("spec: other.yaml\ncoverage: 50\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := a.run(t.Context(), []string{"new", "--from", "x.yaml", "--coverage", "90%", "--base-path", ""}); code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if got.SpecPath != "x.yaml" || got.Config.Coverage != 90 || got.Config.BasePath == nil || *got.Config.BasePath != "" {
		t.Errorf("Options = %+v, Config = %+v", got, got.Config)
	}
	if code := a.run(t.Context(), []string{"new"}); code != ExitOK || got.SpecPath != "other.yaml" || got.Config.Coverage != 50 {
		t.Errorf("exit %d, Options = %+v", code, got)
	}
}

func TestNewOutput(t *testing.T) {
	t.Parallel()
	res := &generator.Result{Dir: "petstore", Files: []string{"go.mod", "main.go"}, Check: passedCheck()}
	a, stdout, stderr := testApp(func(generator.Options) (*generator.Result, error) { return res, nil }, nil)
	if code := a.run(t.Context(), []string{"new", "--from", "api.yaml"}); code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := `
Wrote 2 files to petstore.
Self-check passed in 41.2s.
  tests:     212 passed, 0 failed, 0 skipped
  coverage:  86.4% (meets the target of 80%)
  database:  postgres (throwaway)

Next:
  cd petstore && task run     # start the service (README.md says how to configure it)
  bkgen regen --dir petstore  # after editing petstore/api/, keeping your changes
`
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

func TestNewJSON(t *testing.T) {
	t.Parallel()
	res := &generator.Result{Dir: "petstore", Files: []string{"go.mod"}, Check: passedCheck()}
	a, stdout, stderr := testApp(func(generator.Options) (*generator.Result, error) { return res, nil }, nil)
	if code := a.run(t.Context(), []string{"new", "--from", "api.yaml", "--json"}); code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got report.Check
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not only the report: %v\n%s", err, stdout)
	}
	if !reflect.DeepEqual(&got, res.Check) {
		t.Errorf("report = %+v, want %+v", got, *res.Check)
	}
	if !strings.Contains(stderr.String(), "Wrote 1 file to petstore.") {
		t.Errorf("the summary is not on stderr:\n%s", stderr)
	}

	res.Check = nil
	stdout.Reset()
	if code := a.run(t.Context(), []string{"new", "--from", "api.yaml", "--json", "--no-check"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if want := "{\n  \"dir\": \"petstore\",\n  \"files\": 1\n}\n"; stdout.String() != want {
		t.Errorf("--no-check --json stdout = %q, want %q", stdout, want)
	}
}

func TestNewExitCodes(t *testing.T) {
	t.Parallel()
	var l diag.List
	l.Errorf(diag.Pos{File: "api.yaml", Line: 2, Col: 3}, "/info", "missing title")
	l.Warnf(diag.Pos{File: "api.yaml", Line: 5, Col: 1}, "", "unknown format")
	tests := []struct {
		name       string
		res        *generator.Result
		err        error
		args       []string
		want       int
		wantStderr string
	}{
		{
			"input error", nil, fmt.Errorf("load: %w", l.Err()), nil, ExitInvalid,
			"api.yaml:2:3: error: #/info: missing title\napi.yaml:5:1: warning: unknown format\n",
		},
		{
			"not empty", nil, fmt.Errorf("write petstore: %w", write.ErrNotEmpty), nil, ExitUsage,
			"bkgen: write petstore: " + write.ErrNotEmpty.Error() + "\n",
		},
		{"internal", nil, errors.New("boom"), nil, ExitInternal, "bkgen: boom\n"},
		{"interrupted", nil, fmt.Errorf("check: %w", context.Canceled), nil, ExitInternal, "bkgen: interrupted\n"},
		{"check failed", &generator.Result{Check: &report.Check{Status: report.Failed}}, nil, nil, ExitCheckFailed, ""},
		{"incomplete", &generator.Result{Check: &report.Check{Status: report.Incomplete}}, nil, nil, ExitOK, ""},
		{"incomplete strict", &generator.Result{Check: &report.Check{Status: report.Incomplete}}, nil, []string{"--strict"}, ExitCheckFailed, ""},
		{
			"warnings", &generator.Result{Diagnostics: l.Warnings()}, nil,
			[]string{"--no-check"},
			ExitOK,
			"api.yaml:5:1: warning: unknown format\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, stdout, stderr := testApp(func(generator.Options) (*generator.Result, error) { return tt.res, tt.err }, nil)
			args := append([]string{"new", "--from", "api.yaml"}, tt.args...)
			if got := a.run(t.Context(), args); got != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, tt.want, stderr)
			}
			if tt.wantStderr != "" && stderr.String() != tt.wantStderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, tt.wantStderr)
			}
			if tt.err != nil && stdout.Len() > 0 {
				t.Errorf("stdout after an error: %s", stdout)
			}
		})
	}
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	var got generator.CheckOptions
	c := &report.Check{
		Version: 1, Status: report.Incomplete, DurationMS: 900,
		Steps: []report.Step{
			{Name: "build", Status: report.Passed},
			{Name: "test:integration", Status: report.NotRun, Detail: "no database reachable: set BKGEN_POSTGRES_URL"},
		},
	}
	a, stdout, stderr := testApp(nil, func(o generator.CheckOptions) (*report.Check, error) { got = o; return c, nil })
	if code := a.run(t.Context(), []string{"check", "--dir", "svc"}); code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := "Self-check incomplete in 900ms.\n" +
		"  not run:   test:integration (no database reachable: set BKGEN_POSTGRES_URL)\n" +
		"  Some steps could not run; with --strict this is a failure.\n"
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	if got.Dir != "svc" || got.Strict || got.Progress == nil {
		t.Errorf("CheckOptions = %+v", got)
	}
	if code := a.run(t.Context(), []string{"check", "--strict", "--json"}); code != ExitCheckFailed {
		t.Errorf("--strict: exit %d, want %d", code, ExitCheckFailed)
	}
	if got.Dir != "." || !got.Strict {
		t.Errorf("CheckOptions = %+v", got)
	}
}

// TestProgressPrintsWarningsOnce checks that warnings sent as a Warnings
// event are printed then, with the running step's line cleared first, and
// that the command is told not to print them again.
func TestProgressPrintsWarningsOnce(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	var printed []diag.List
	p := &progress{w: &b, live: true, diags: func(l diag.List) { printed = append(printed, l) }}
	p.Event(generator.Event{Kind: generator.StepStarted, Step: "write"})
	if p.printedWarnings() {
		t.Fatal("warned before any warning")
	}
	l := diag.List{{Severity: diag.Warning, Summary: "no resource"}}
	p.Event(generator.Event{Kind: generator.Warnings, Diagnostics: l})
	p.done()
	if len(printed) != 1 || len(printed[0]) != 1 || printed[0][0].Summary != "no resource" {
		t.Errorf("printed %v, want the one warning once", printed)
	}
	if !p.printedWarnings() {
		t.Error("printedWarnings is false after a Warnings event")
	}
	if got, want := b.String(), "  · write …\r\x1b[K"; got != want {
		t.Errorf("output %q, want %q (the running line cleared before the warnings)", got, want)
	}
}
