package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/report"
)

// TestRegenSelfCheck regenerates a service after a data-model change on
// every engine and self-checks it against the real database: the new
// migration (a required column through a temporary default, a retyped
// column, a length check; SQLite by a table rebuild) runs up, down and up
// again in the generated round-trip test, and the generated code passes its
// tests over the migrated schema. (PostgreSQL's run is also in
// testdata/script/regen_add_property.txtar.)
func TestRegenSelfCheck(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: self-checks are slow")
	}
	for _, engine := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.Database = engine
			dir := filepath.Join(t.TempDir(), "svc")
			ctx := context.Background()
			if _, err := generator.New(ctx, generator.Options{
				SpecPath: "../testdata/regen/engines/v1.yaml", OutDir: dir, Config: cfg, NoCheck: true, NoGit: true,
			}); err != nil {
				t.Fatal(err)
			}
			var failures []string
			res, err := generator.Regen(ctx, generator.RegenOptions{
				Dir: dir, SpecPath: "../testdata/regen/engines/v2.yaml", Strict: true,
				Progress: generator.ProgressFunc(func(e generator.Event) {
					if e.Kind == generator.StepFinished && e.Status == report.Failed {
						failures = append(failures, e.Step+": "+e.Detail)
					}
				}),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Migration == nil || !regexp.MustCompile(`^migrations/0002_\w+\.sql$`).MatchString(res.Migration.Path) {
				t.Fatalf("migration %+v, want migrations/0002_*.sql", res.Migration)
			}
			if c := res.Check; c == nil || c.Status != report.Passed {
				t.Fatalf("self-check after regen: %+v\n%s", c, strings.Join(failures, "\n"))
			}
			sql, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(res.Migration.Path)))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"size", "tag", "count"} {
				if !strings.Contains(string(sql), want) {
					t.Errorf("%s does not mention %s:\n%s", res.Migration.Path, want, sql)
				}
			}
			again, err := generator.Regen(ctx, generator.RegenOptions{Dir: dir, NoCheck: true})
			if err != nil || again.Stale() || again.Migration != nil {
				t.Fatalf("a second regen: stale %v, migration %+v, %v", again.Stale(), again.Migration, err)
			}
		})
	}
}
