package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/write"
)

// corpusFiles lists the specs of the shared corpus; the large ones (in
// large/) only without -short.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(specsDir(t), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "large" && testing.Short() {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".json")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil || len(files) < 20 {
		t.Fatalf("the spec corpus is missing: %v (%d files)", err, len(files))
	}
	return files
}

// TestExplainMatchesNew checks, on every spec of the corpus, that Explain
// tells what New then builds: the same files with the same owners, and every
// explained table and column in the migration it writes.
func TestExplainMatchesNew(t *testing.T) {
	t.Parallel()
	databases := []string{"postgres"}
	if !testing.Short() {
		databases = append(databases, "mysql", "sqlite")
	}
	for _, file := range corpusFiles(t) {
		rel, _ := filepath.Rel(specsDir(t), file)
		for _, db := range databases {
			t.Run(rel+"/"+db, func(t *testing.T) {
				t.Parallel()
				cfg := config.Default()
				cfg.Database = db
				ctx := context.Background()
				e, err := generator.Explain(ctx, generator.ExplainOptions{SpecPath: file, Config: cfg})
				if err != nil {
					t.Fatalf("explain: %v", err)
				}
				p, svc, _, err := generator.Generate(ctx, file, cfg)
				if err != nil {
					t.Fatalf("generate: %v", err)
				}
				want := make([]generator.ExplainedFile, len(p.Files))
				for i, f := range p.Files {
					want[i] = generator.ExplainedFile{Path: f.Path, Owner: f.Owner}
				}
				if !slices.Equal(e.Files, want) {
					t.Errorf("explained files differ from the plan:\n%s", fileListDiff(e.Files, want))
				}
				counts := make(map[write.Owner]int)
				for _, f := range p.Files {
					counts[f.Owner]++
				}
				for o, n := range counts {
					if e.Owners[o] != n {
						t.Errorf("owner %s: explained %d files, the plan has %d", o, e.Owners[o], n)
					}
				}
				if e.Stats.Operations != len(svc.Operations) || e.Stats.Resources != len(svc.Resources) {
					t.Errorf("stats: explained %+v, the service has %d operations and %d resources", e.Stats, len(svc.Operations), len(svc.Resources))
				}
				if len(e.Operations) != len(svc.Operations) {
					t.Errorf("explained %d operations, the service has %d", len(e.Operations), len(svc.Operations))
				}
				crud := 0
				for _, op := range e.Operations {
					if op.Default == "crud" {
						crud++
					}
					if op.Why == "" || len(op.Auth) == 0 {
						t.Errorf("%s: no reason or no auth: %+v", op.ID, op)
					}
				}
				if crud != e.Stats.CRUD {
					t.Errorf("%d operations explained as crud, stats say %d", crud, e.Stats.CRUD)
				}
				var ddl strings.Builder
				for _, f := range p.Files {
					if f.Owner == write.Migration {
						ddl.Write(f.Data)
					}
				}
				for _, r := range e.Resources {
					if !regexp.MustCompile(`(?i)CREATE TABLE [` + "`" + `"]?` + regexp.QuoteMeta(r.Table) + `\b`).MatchString(ddl.String()) {
						t.Errorf("table %s is not created by the migrations", r.Table)
						continue
					}
					for _, c := range r.Columns {
						if !strings.Contains(ddl.String(), c.Name) {
							t.Errorf("column %s.%s is not in the migrations", r.Table, c.Name)
						}
						if len(c.Why) == 0 {
							t.Errorf("column %s.%s: no reason", r.Table, c.Name)
						}
					}
				}
			})
		}
	}
}

// fileListDiff lists the files only one side has, or whose owner differs.
func fileListDiff(got, want []generator.ExplainedFile) string {
	g := make(map[string]write.Owner)
	for _, f := range got {
		g[f.Path] = f.Owner
	}
	w := make(map[string]write.Owner)
	for _, f := range want {
		w[f.Path] = f.Owner
	}
	var b strings.Builder
	for _, f := range got {
		if o, ok := w[f.Path]; !ok {
			b.WriteString("  explained only: " + f.Path + "\n")
		} else if o != f.Owner {
			b.WriteString("  owner of " + f.Path + ": explained " + string(f.Owner) + ", planned " + string(o) + "\n")
		}
	}
	for _, f := range want {
		if _, ok := g[f.Path]; !ok {
			b.WriteString("  planned only: " + f.Path + "\n")
		}
	}
	return b.String()
}
