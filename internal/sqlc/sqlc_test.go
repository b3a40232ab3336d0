package sqlc

// Generate may run concurrently, so most tests are parallel. Those that swap
// os.Stdout and os.Stderr or set environment variables, which are
// process-wide, are not: the testing package runs them before any parallel
// test resumes.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pgxVersion is the pgx the generated repositories pin (DESIGN.md).
const pgxVersion = "v5.12.0"

var storeFiles = []string{
	"internal/store/db.go",
	"internal/store/models.go",
	"internal/store/querier.go",
	"internal/store/queries_gen.sql.go",
}

// load reads testdata/<name> into the map Generate takes.
func load(tb testing.TB, name string) map[string][]byte {
	tb.Helper()
	root := filepath.Join("testdata", name)
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		rel, err := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// captureStdio runs f with os.Stdout and os.Stderr replaced by pipes and
// returns what was written to them.
func captureStdio(t *testing.T, f func()) (stdout, stderr string) {
	t.Helper()
	swap := func(p **os.File) (restore func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := *p
		*p = w
		var buf bytes.Buffer
		done := make(chan struct{})
		go func() {
			_, _ = io.Copy(&buf, r)
			close(done)
		}()
		return func() string {
			*p = old
			_ = w.Close()
			<-done
			_ = r.Close()
			return buf.String()
		}
	}
	restoreOut := swap(&os.Stdout)
	restoreErr := swap(&os.Stderr)
	defer func() {
		stdout, stderr = restoreOut(), restoreErr()
	}()
	f()
	return "", ""
}

func TestGeneratePostgres(t *testing.T) { //nolint:paralleltest // swaps os.Stdout or sets the environment
	in := load(t, "postgres")
	var (
		out map[string][]byte
		err error
	)
	start := time.Now()
	stdout, stderr := captureStdio(t, func() {
		out, err = Generate(t.Context(), in)
	})
	t.Logf("generate: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if stdout != "" || stderr != "" {
		t.Errorf("Generate wrote to the process's stdout %q / stderr %q", stdout, stderr)
	}
	if diff := cmp.Diff(storeFiles, slices.Sorted(maps.Keys(out))); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for name, data := range out {
		if bytes.Contains(data, []byte(os.TempDir())) {
			t.Errorf("%s holds a temporary path", name)
		}
	}
	models := string(out["internal/store/models.go"])
	for _, want := range []string{"type Pet struct", "type Owner struct", "pgtype.Timestamptz", "OwnerID pgtype.Int8"} {
		if !strings.Contains(models, want) {
			t.Errorf("models.go lacks %q", want)
		}
	}
	if strings.Contains(models, "Legacy") {
		t.Error("models.go has a column from a -- +goose Down section")
	}
	if strings.Contains(models, "json:") {
		t.Error("models.go has JSON tags with emit_json_tags: false")
	}
	querier := string(out["internal/store/querier.go"])
	for _, want := range []string{
		"GetPet(ctx context.Context, id int64) (Pet, error)",
		"ListPets(ctx context.Context, arg ListPetsParams) ([]Pet, error)",
		"UpdatePet(ctx context.Context, arg UpdatePetParams) (int64, error)",
		"DeleteOwner(ctx context.Context, id int64) error",
	} {
		if !strings.Contains(querier, want) {
			t.Errorf("querier.go lacks %q", want)
		}
	}
	buildModule(t, out, "require github.com/jackc/pgx/v5 "+pgxVersion+"\n")
}

func TestGenerateMySQL(t *testing.T) {
	t.Parallel()
	out, err := Generate(t.Context(), load(t, "mysql"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storeFiles, slices.Sorted(maps.Keys(out))); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	buildModule(t, out, "")
}

func TestGenerateSQLite(t *testing.T) {
	t.Parallel()
	out, err := Generate(t.Context(), load(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storeFiles, slices.Sorted(maps.Keys(out))); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	buildModule(t, out, "")
}

// buildModule compiles the generated files as a module of their own.
func buildModule(t *testing.T, files map[string][]byte, require string) {
	t.Helper()
	if testing.Short() {
		t.Skip("compiling the output needs the go command and, with requirements, module access")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	mod := "module example.com/petstore\n\ngo 1.26\n\n" + require
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeTree(dir, files); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("mod", "tidy")
	run("build", "./...")
	run("vet", "./...")
	if require != "" {
		gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(gomod, []byte(strings.TrimPrefix(strings.TrimSpace(require), "require "))) {
			t.Errorf("go mod tidy changed the requirement:\n%s", gomod)
		}
	}
}

func TestGenerateBadQuery(t *testing.T) { //nolint:paralleltest // swaps os.Stdout or sets the environment
	in := load(t, "postgres")
	q := string(in["internal/store/queries_gen.sql"])
	const bad = "SELECT * FROM owners WHERE id"
	before, _, ok := strings.Cut(q, bad)
	if !ok {
		t.Fatalf("no %q in the query file", bad)
	}
	line := strings.Count(before, "\n") + 1 // the SELECT of GetOwner
	q = strings.Replace(q, bad, "SELECT nickname FROM owners WHERE id", 1)
	in["internal/store/queries_gen.sql"] = []byte(q)

	var err error
	stdout, stderr := captureStdio(t, func() {
		_, err = Generate(t.Context(), in)
	})
	if stdout != "" || stderr != "" {
		t.Errorf("Generate wrote to the process's stdout %q / stderr %q", stdout, stderr)
	}
	var serr *Error
	if !errors.As(err, &serr) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	want := []Problem{{File: "internal/store/queries_gen.sql", Line: line, Col: 8, Message: `column "nickname" does not exist`}}
	if diff := cmp.Diff(want, serr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s\noutput:\n%s", diff, serr.Output)
	}
	if !strings.Contains(serr.Output, want[0].String()) {
		t.Errorf("output %q lacks %q", serr.Output, want[0])
	}
	if got, wantMsg := err.Error(), want[0].String(); got != wantMsg {
		t.Errorf("Error() = %q, want %q", got, wantMsg)
	}
}

func TestGenerateBadSchema(t *testing.T) {
	t.Parallel()
	in := load(t, "postgres")
	in["migrations/0003_broken.sql"] = []byte("-- +goose Up\nALTER TABLE pets ADD COLUMN weight NUMERIC;\nALTER TABLE kennels ADD COLUMN size INT;\n")
	_, err := Generate(t.Context(), in)
	var serr *Error
	if !errors.As(err, &serr) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	// sqlc positions schema errors at the statement at best (here 1:1), so
	// only the file is certain.
	if len(serr.Problems) != 1 || serr.Problems[0].File != "migrations/0003_broken.sql" ||
		serr.Problems[0].Message != `relation "kennels" does not exist` {
		t.Errorf("problems = %+v, want one in migrations/0003_broken.sql\noutput:\n%s", serr.Problems, serr.Output)
	}
}

func TestGenerateNoQueries(t *testing.T) {
	t.Parallel()
	in := load(t, "postgres")
	in["internal/store/queries_gen.sql"] = []byte("-- Code generated by bkgen. DO NOT EDIT.\n")
	_, err := Generate(t.Context(), in)
	var serr *Error
	if !errors.As(err, &serr) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	const want = "no queries contained in paths internal/store/queries_gen.sql"
	if !strings.Contains(serr.Output, want) {
		t.Errorf("output %q lacks %q", serr.Output, want)
	}
}

func TestGenerateBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ config, output string }{
		{"version: \"3\"\n", "error parsing sqlc.yaml: invalid version number"},
		{"version: \"2\"\nsql: [{\n", "error parsing sqlc.yaml"},
		{
			"version: \"2\"\nsql:\n  - engine: oracle\n    schema: migrations\n    queries: internal/store\n" +
				"    gen: {go: {package: store, out: internal/store}}\n",
			"unknown engine: oracle",
		},
	} {
		in := load(t, "postgres")
		in[ConfigFile] = []byte(tc.config)
		_, err := Generate(t.Context(), in)
		var serr *Error
		if !errors.As(err, &serr) {
			t.Errorf("config %q: err = %v (%T), want *Error", tc.config, err, err)
			continue
		}
		if !strings.Contains(serr.Output, tc.output) || len(serr.Problems) != 0 {
			t.Errorf("config %q: Error = %+v, want output with %q and no positioned problems", tc.config, serr, tc.output)
		}
	}
}

func TestGenerateInvalidInput(t *testing.T) {
	t.Parallel()
	cfg := load(t, "postgres")[ConfigFile]
	for _, name := range []string{"../x.sql", "/etc/x.sql", "a/../../x.sql", `a\b.sql`, "./a.sql", ""} {
		_, err := Generate(t.Context(), map[string][]byte{ConfigFile: cfg, name: nil})
		if err == nil || !strings.Contains(err.Error(), "not a relative slash path") {
			t.Errorf("path %q: err = %v", name, err)
		}
	}
	if _, err := Generate(t.Context(), map[string][]byte{"x.sql": nil}); err == nil {
		t.Error("no sqlc.yaml: want an error")
	}
}

func TestGenerateCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Generate(ctx, load(t, "postgres"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestGenerateIgnoresSQLCEnv checks that the user's sqlc settings do not
// reach the run: with SQLCDEBUG, sqlc would dump ASTs and write a trace
// file into its working folder.
func TestGenerateIgnoresSQLCEnv(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("SQLCDEBUG", "trace=trace.out,dumpast=1,dumpcatalog=1")
	t.Setenv("SQLCEXPERIMENT", "analyzerv2")
	t.Setenv("SQLCCACHE", cache)
	out, err := Generate(t.Context(), load(t, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storeFiles, slices.Sorted(maps.Keys(out))); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("sqlc wrote into $SQLCCACHE: %v", entries)
	}
}

// TestGenerateConcurrent runs two different generations at once.
func TestGenerateConcurrent(t *testing.T) {
	t.Parallel()
	a := load(t, "postgres")
	b := load(t, "postgres")
	b[ConfigFile] = bytes.Replace(b[ConfigFile], []byte("package: store"), []byte("package: other"), 1)
	b["internal/store/queries_gen.sql"] = append(b["internal/store/queries_gen.sql"],
		"\n-- name: CountPets :one\nSELECT count(*) FROM pets;\n"...)

	var wg sync.WaitGroup
	outs := make([]map[string][]byte, 2)
	errs := make([]error, 2)
	for i, in := range []map[string][]byte{a, b} {
		wg.Go(func() { outs[i], errs[i] = Generate(t.Context(), in) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("generation %d: %v", i, err)
		}
	}
	for i, pkg := range []string{"store", "other"} {
		for _, name := range storeFiles {
			if !bytes.HasPrefix(bytes.TrimLeft(outs[i][name], "/ \n"), []byte("Code generated")) ||
				!bytes.Contains(outs[i][name], []byte("\npackage "+pkg+"\n")) {
				t.Errorf("generation %d: %s is not package %s:\n%s", i, name, pkg, outs[i][name])
			}
		}
	}
	const count = "CountPets(ctx context.Context) (int64, error)"
	if bytes.Contains(outs[0]["internal/store/querier.go"], []byte(count)) ||
		!bytes.Contains(outs[1]["internal/store/querier.go"], []byte(count)) {
		t.Error("the generations' outputs are mixed up")
	}
}

func TestChildEnviron(t *testing.T) {
	t.Parallel()
	got := childEnviron([]string{
		"PATH=/bin", "SQLCDEBUG=dumpast=1", "SQLCCACHE=/home/u/.cache", "SQLCEXPERIMENT=analyzerv2",
		"SQLC_AUTH_TOKEN=secret", childEnv + "=x", "HOME=/home/u",
	}, "/tmp/c")
	want := []string{"PATH=/bin", "HOME=/home/u", "SQLCCACHE=/tmp/c", childEnv + "=" + childToken}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("childEnviron (-want +got):\n%s", diff)
	}
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	out := "# package store\n" +
		"internal/store/queries_gen.sql:4:8: column \"nme\" does not exist\n" +
		"migrations/0001_x.sql:12:1: relation \"pets\" already exists\r\n" +
		"error parsing sqlc.yaml: invalid engine\n" +
		"x.sql:1:2:\n"
	want := []Problem{
		{File: "internal/store/queries_gen.sql", Line: 4, Col: 8, Message: `column "nme" does not exist`},
		{File: "migrations/0001_x.sql", Line: 12, Col: 1, Message: `relation "pets" already exists`},
	}
	if diff := cmp.Diff(want, parseProblems(out)); diff != "" {
		t.Errorf("parseProblems (-want +got):\n%s", diff)
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	p := Problem{File: "q.sql", Line: 1, Col: 2, Message: "bad"}
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{}, "failed without output"},
		{&Error{Output: "error parsing sqlc.yaml: x\nmore\n"}, "error parsing sqlc.yaml: x; more"},
		{&Error{Problems: []Problem{p}}, "q.sql:1:2: bad"},
		{&Error{Problems: []Problem{p, p, p}}, "q.sql:1:2: bad (and 2 more)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// BenchmarkGeneratePostgres measures a warm run on the small postgres case
// (2 tables, 8 queries).
func BenchmarkGeneratePostgres(b *testing.B) {
	in := load(b, "postgres")
	for b.Loop() {
		if _, err := Generate(b.Context(), in); err != nil {
			b.Fatal(fmt.Errorf("generate: %w", err))
		}
	}
}
