package generator_test

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/internal/sqlc"
)

// newPetstore generates the petstore service on PostgreSQL into a temporary
// folder and returns the folder.
func newPetstore(t *testing.T) string {
	t.Helper()
	cfg := testConfig()
	cfg.Database = "postgres"
	dir := filepath.Join(t.TempDir(), "svc")
	if _, err := generator.New(context.Background(), generator.Options{
		SpecPath: "../testdata/golden/petstore/openapi.yaml", OutDir: dir, Config: cfg, NoCheck: true, NoGit: true,
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// appendFile appends text to the repository's file rel.
func appendFile(t *testing.T, repo, rel, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(repo, filepath.FromSlash(rel)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// readRepoFile returns the text of the repository's file rel.
func readRepoFile(t *testing.T, repo, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// treeOf maps every file under dir to its contents.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		tree[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// assertNothingRescued fails when regen saved a generated file as a hand edit.
func assertNothingRescued(t *testing.T, repo string, res *generator.RegenResult) {
	t.Helper()
	if len(res.Files.Rescued) > 0 {
		t.Errorf("rescued %v", res.Files.Rescued)
	}
	if _, err := os.Stat(filepath.Join(repo, ".bkgen", "rescued")); !os.IsNotExist(err) {
		t.Errorf(".bkgen/rescued exists (%v)", err)
	}
}

const countByTag = "\n-- name: CountPetsByTag :one\nSELECT count(*) FROM pets WHERE tag = $1;\n"

// TestRegenCompilesUserQueries: regen compiles the queries the user adds to
// internal/store/queries.sql (their file, which bkgen never rewrites) into
// the generated store, rescues nothing, and the regen after it has nothing
// to do.
func TestRegenCompilesUserQueries(t *testing.T) {
	t.Parallel()
	repo := newPetstore(t)
	ctx := context.Background()
	appendFile(t, repo, "internal/store/queries.sql", countByTag)

	res, err := generator.Regen(ctx, generator.RegenOptions{Dir: repo, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	assertNothingRescued(t, repo, res)
	if got := readRepoFile(t, repo, "internal/store/queries.sql.go"); !strings.Contains(got, "func (q *Queries) CountPetsByTag(") {
		t.Errorf("internal/store/queries.sql.go has no CountPetsByTag:\n%s", got)
	}
	if got := readRepoFile(t, repo, "internal/store/querier.go"); !strings.Contains(got, "CountPetsByTag(") {
		t.Errorf("the Querier interface has no CountPetsByTag:\n%s", got)
	}
	if got := readRepoFile(t, repo, "internal/store/queries.sql"); !strings.HasSuffix(got, countByTag) {
		t.Errorf("regen changed the user's queries.sql:\n%s", got)
	}

	again, err := generator.Diff(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if again.Stale() {
		r := again.Files
		t.Fatalf("diff after regen: stale: updated %v, created %v, deleted %v, rescued %v\n%s", r.Updated, r.Created, r.Deleted, r.Rescued, r.Diff)
	}
}

// TestRegenAfterUserSqlcGenerate: a user who adds a query, sets a sqlc
// option in sqlc.yaml and runs `sqlc generate` themselves gets, from the
// next regen, the same internal/store: regen's sqlc reads their queries.sql
// and their (merged) sqlc.yaml, so what sqlc wrote is not taken for a hand
// edit of bkgen's files.
func TestRegenAfterUserSqlcGenerate(t *testing.T) {
	t.Parallel()
	repo := newPetstore(t)
	ctx := context.Background()
	appendFile(t, repo, "internal/store/queries.sql", countByTag)
	yaml := readRepoFile(t, repo, "sqlc.yaml")
	edited := strings.Replace(yaml, "emit_interface: true\n", "emit_interface: true\n        emit_json_tags: true\n", 1)
	if edited == yaml {
		t.Fatal("sqlc.yaml has no emit_interface line to put emit_json_tags after")
	}
	if err := os.WriteFile(filepath.Join(repo, "sqlc.yaml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	sqlcGenerate(t, repo)
	before := treeOf(t, repo)
	if !strings.Contains(before[filepath.Join(repo, "internal", "store", "models.go")], `json:"tag"`) {
		t.Fatal("sqlc generate did not honour emit_json_tags: the test tests nothing")
	}

	res, err := generator.Regen(ctx, generator.RegenOptions{Dir: repo, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	assertNothingRescued(t, repo, res)
	if r := res.Files; len(r.Created)+len(r.Updated)+len(r.Deleted) > 0 {
		t.Errorf("regen after sqlc generate changed files: created %v, updated %v, deleted %v", r.Created, r.Updated, r.Deleted)
	}
	after := treeOf(t, repo)
	for _, rel := range []string{"internal/store/queries.sql.go", "internal/store/models.go", "internal/store/querier.go", "sqlc.yaml"} {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if after[p] != before[p] {
			t.Errorf("regen changed %s", rel)
		}
	}
}

// sqlcGenerate runs sqlc on the repository as `sqlc generate` there does,
// writing what it generates.
func sqlcGenerate(t *testing.T, repo string) {
	t.Helper()
	in := map[string][]byte{}
	for _, pattern := range []string{"sqlc.yaml", "migrations/*.sql", "internal/store/*.sql"} {
		names, err := filepath.Glob(filepath.Join(repo, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			rel, _ := filepath.Rel(repo, name)
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			in[filepath.ToSlash(rel)] = data
		}
	}
	out, err := sqlc.Generate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for rel, data := range out {
		if err := os.WriteFile(filepath.Join(repo, filepath.FromSlash(rel)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRegenRefusesBadUserQuery: a query of the user's that sqlc refuses
// stops regen and diff with a diagnostic at its place in
// internal/store/queries.sql, and nothing is written.
func TestRegenRefusesBadUserQuery(t *testing.T) {
	t.Parallel()
	repo := newPetstore(t)
	ctx := context.Background()
	appendFile(t, repo, "internal/store/queries.sql", "\n-- name: Broken :many\nSELECT nope FROM pets;\n")
	queries := readRepoFile(t, repo, "internal/store/queries.sql")
	head, _, found := strings.Cut(queries, "SELECT nope")
	if !found {
		t.Fatal("queries.sql lost the bad query")
	}
	line := strings.Count(head, "\n") + 1
	want := diag.Pos{File: filepath.Join(repo, "internal", "store", "queries.sql"), Line: line, Col: len("SELECT ") + 1}
	before := treeOf(t, repo)

	for _, run := range []struct {
		name  string
		regen func() (*generator.RegenResult, error)
	}{
		{"regen", func() (*generator.RegenResult, error) {
			return generator.Regen(ctx, generator.RegenOptions{Dir: repo, NoCheck: true})
		}},
		{"diff", func() (*generator.RegenResult, error) { return generator.Diff(ctx, repo) }},
	} {
		_, err := run.regen()
		l, ok := diag.AsList(err)
		if !ok {
			t.Fatalf("%s: err = %v, want diagnostics", run.name, err)
		}
		errs := l.Errors()
		if len(errs) != 1 || errs[0].Pos != want || errs[0].Summary != `sqlc: column "nope" does not exist` {
			t.Errorf("%s: diagnostics %v, want one error at %v: sqlc: column \"nope\" does not exist", run.name, errs, want)
		}
		if len(errs) == 1 && !strings.Contains(errs[0].Hint, "internal/store/queries.sql") {
			t.Errorf("%s: hint %q does not name internal/store/queries.sql", run.name, errs[0].Hint)
		}
		if after := treeOf(t, repo); !maps.Equal(after, before) {
			t.Errorf("%s wrote into the repository", run.name)
		}
	}
}

// TestRegenRefusesBadUserSqlcConfig: an option of the user's sqlc.yaml that
// sqlc refuses stops regen with a diagnostic at its line, and nothing is
// written.
func TestRegenRefusesBadUserSqlcConfig(t *testing.T) {
	t.Parallel()
	repo := newPetstore(t)
	yaml := readRepoFile(t, repo, "sqlc.yaml")
	head, _, found := strings.Cut(yaml, "emit_interface: true\n")
	if !found {
		t.Fatal("sqlc.yaml has no emit_interface line")
	}
	edited := strings.Replace(yaml, "emit_interface: true\n", "emit_interfaces: true\n", 1)
	if err := os.WriteFile(filepath.Join(repo, "sqlc.yaml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	want := diag.Pos{File: filepath.Join(repo, "sqlc.yaml"), Line: strings.Count(head, "\n") + 1}
	before := treeOf(t, repo)

	_, err := generator.Regen(context.Background(), generator.RegenOptions{Dir: repo, NoCheck: true})
	l, ok := diag.AsList(err)
	if !ok {
		t.Fatalf("err = %v, want diagnostics", err)
	}
	errs := l.Errors()
	if len(errs) != 1 || errs[0].Pos != want || !strings.Contains(errs[0].Summary, "emit_interfaces") {
		t.Errorf("diagnostics %v, want one error at %v naming emit_interfaces", errs, want)
	}
	if after := treeOf(t, repo); !maps.Equal(after, before) {
		t.Error("regen wrote into the repository")
	}
}
