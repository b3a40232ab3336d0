package generator_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/write"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden generates each case of testdata/golden and compares every file
// of the plan with want.txtar; -update rewrites the goldens.
func TestGolden(t *testing.T) {
	t.Parallel()
	cases, err := filepath.Glob("../testdata/golden/*/openapi.yaml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, spec := range cases {
		dir := filepath.Dir(spec)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			if c, d := config.Load(filepath.Join(dir, "bkgen.yaml")); c != nil && !d.HasErrors() {
				cfg = *c
			}
			p, _, _, err := generator.Generate(context.Background(), spec, cfg)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, p.Files, filepath.Join(dir, "want.txtar"))
		})
	}
}

// sqliteFiles are the files the SQLite dialect writes differently: the
// schema, the queries, and what sqlc makes of them.
var sqliteFiles = []string{
	"migrations/0001_init.sql", "internal/store/queries_gen.sql", "sqlc.yaml",
	"internal/store/models.go", "internal/store/queries_gen.sql.go", "internal/store/querier.go",
}

// TestGoldenSQLite generates the store case with SQLite and compares the
// files of the dialect with store/sqlite.txtar.
func TestGoldenSQLite(t *testing.T) {
	t.Parallel()
	goldenDialect(t, "sqlite")
}

// TestGoldenMySQL generates the store case with MySQL and compares the
// files of the dialect with store/mysql.txtar.
func TestGoldenMySQL(t *testing.T) {
	t.Parallel()
	goldenDialect(t, "mysql")
}

// goldenDialect generates the store case with database and compares the
// files of its dialect (sqliteFiles: the same names for every engine) with
// store/<database>.txtar.
func goldenDialect(t *testing.T, database string) {
	t.Helper()
	cfg := testConfig()
	cfg.Database = database
	p, _, _, err := generator.Generate(context.Background(), "../testdata/golden/store/openapi.yaml", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var files []write.File
	for _, f := range p.Files {
		if slices.Contains(sqliteFiles, f.Path) {
			files = append(files, f)
		}
	}
	if len(files) != len(sqliteFiles) {
		t.Fatalf("%d of the %d files of the dialect generated", len(files), len(sqliteFiles))
	}
	compareGolden(t, files, "../testdata/golden/store/"+database+".txtar")
}

// compareGolden compares files with the golden archive at wantPath, or
// rewrites it with -update.
func compareGolden(t *testing.T, files []write.File, wantPath string) {
	t.Helper()
	got := &txtar.Archive{}
	for _, f := range files {
		got.Files = append(got.Files, txtar.File{Name: f.Path, Data: f.Data})
	}
	if *update {
		if err := os.WriteFile(wantPath, txtar.Format(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := txtar.ParseFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run go test ./generator -run Golden -update)", err)
	}
	wantFiles := make(map[string]string)
	for _, f := range want.Files {
		wantFiles[f.Name] = string(f.Data)
	}
	for _, f := range got.Files {
		w, ok := wantFiles[f.Name]
		if !ok {
			t.Errorf("%s: new file, not in the golden", f.Name)
			continue
		}
		delete(wantFiles, f.Name)
		if diff := cmp.Diff(w, string(f.Data)); diff != "" {
			t.Errorf("%s differs from the golden (-want +got):\n%s", f.Name, diff)
		}
	}
	for name := range wantFiles {
		t.Errorf("%s: in the golden, no longer generated", name)
	}
}

// TestRegenerateChangesNothing writes a plan, then applies the same plan over
// its own output: nothing may change.
func TestRegenerateChangesNothing(t *testing.T) {
	t.Parallel()
	p, _, _, err := generator.Generate(context.Background(), "../testdata/golden/petstore/openapi.yaml", testConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "svc")
	ctx := context.Background()
	if _, err := write.Apply(ctx, p, dir, write.Options{Mode: write.New}); err != nil {
		t.Fatal(err)
	}
	again, _, _, err := generator.Generate(context.Background(), "../testdata/golden/petstore/openapi.yaml", testConfig())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := write.Apply(ctx, again, dir, write.Options{Mode: write.Regen})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed() {
		t.Fatalf("regenerating over the output changed it: %+v", rep)
	}
	if len(rep.Unchanged) != len(p.Files) {
		t.Errorf("%d files unchanged, want all %d", len(rep.Unchanged), len(p.Files))
	}
}
