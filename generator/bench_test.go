package generator_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
)

// BenchmarkGenerate measures load, IR and render (no writing) on synthetic
// specs of growing size: go test ./generator -run '^$' -bench Generate -benchmem
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10, 40, 160} {
		spec := filepath.Join(b.TempDir(), "synth.yaml")
		out, err := exec.Command("python3", "../../shared/tools/synth-spec.py", strconv.Itoa(n)).Output()
		if err != nil {
			b.Fatalf("synth-spec.py: %v", err)
		}
		if err := os.WriteFile(spec, out, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run("synth"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := generator.Generate(context.Background(), spec, testConfig()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRegen measures bkgen regen --no-check on the synth-spec 100
// service (600 operations): with nothing to change, and after a one-property
// change to one schema (the target: under 2 s). Each iteration of
// the second starts from a copy of the repository made outside the timer.
//
//	go test ./generator -run '^$' -bench Regen -benchtime 5x
func BenchmarkRegen(b *testing.B) {
	dir := b.TempDir()
	specPath := filepath.Join(dir, "synth.yaml")
	out, err := exec.Command("python3", "../../shared/tools/synth-spec.py", "100").Output()
	if err != nil {
		b.Fatalf("synth-spec.py: %v", err)
	}
	if err := os.WriteFile(specPath, out, 0o644); err != nil {
		b.Fatal(err)
	}
	cfg := testConfig()
	cfg.Database = "postgres"
	repo := filepath.Join(dir, "repo")
	ctx := context.Background()
	if _, err := generator.New(ctx, generator.Options{SpecPath: specPath, OutDir: repo, Config: cfg, NoCheck: true, NoGit: true}); err != nil {
		b.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.json")
	if err := os.WriteFile(changed, addProperty(b, out), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("synth100/noop", func(b *testing.B) {
		for b.Loop() {
			res, err := generator.Regen(ctx, generator.RegenOptions{Dir: repo, NoCheck: true})
			if err != nil || res.Stale() {
				b.Fatalf("regen: %v, stale %v", err, res.Stale())
			}
		}
	})
	copies := 0
	b.Run("synth100/one-property", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			copies++
			work := filepath.Join(dir, "work"+strconv.Itoa(copies))
			if err := os.CopyFS(work, os.DirFS(repo)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := generator.Regen(ctx, generator.RegenOptions{Dir: work, SpecPath: changed, NoCheck: true})
			if err != nil || res.Migration == nil {
				b.Fatalf("regen: %v, migration %+v", err, res.Migration)
			}
		}
	})
}

// addProperty adds an optional string property to the first schema of a
// JSON spec.
func addProperty(tb testing.TB, spec []byte) []byte {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(spec, &doc); err != nil {
		tb.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	name := slices.Sorted(maps.Keys(schemas))[0]
	props := schemas[name].(map[string]any)["properties"].(map[string]any)
	props["extra_note"] = map[string]any{"type": "string", "maxLength": 30}
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkExplain measures Explain on every spec of the corpus, Stripe's
// in large/ included (it is what people run on each edit of their spec):
// go test ./generator -run '^$' -bench Explain -benchmem. The target is
// under a second a spec, under three on Stripe.
func BenchmarkExplain(b *testing.B) {
	dir, err := filepath.Abs("../../shared/specs")
	if err != nil {
		b.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(p) == ".yaml" || filepath.Ext(p) == ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		b.Fatalf("the spec corpus is missing: %v", err)
	}
	cfg := generator.ExplainOptions{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		b.Run(rel, func(b *testing.B) {
			opts := cfg
			opts.SpecPath = f
			opts.Config = config.Default()
			for b.Loop() {
				if _, err := generator.Explain(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
