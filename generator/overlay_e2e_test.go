package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/report"
)

// TestOverlayAcme generates a service with the example overlay of
// testdata/blueprints/acme (its CI workflow, CODEOWNERS, logging attributes
// and README header; no Helm chart) and self-checks it against PostgreSQL.
func TestOverlayAcme(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: self-checks are slow")
	}
	cfg := testConfig()
	cfg.Database = "postgres"
	cfg.Deploy = []string{"docker", "kubernetes", "helm"}
	cfg.Blueprints = []string{"../testdata/blueprints/acme"}
	dir := filepath.Join(t.TempDir(), "svc")
	res, err := generator.New(context.Background(), generator.Options{
		SpecPath: "../testdata/regen/engines/v1.yaml", OutDir: dir, Config: cfg, NoGit: true, Strict: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Check; c == nil || c.Status != report.Passed {
		t.Fatalf("self-check: %+v", c)
	}
	read := func(p string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for p, want := range map[string]string{
		"README.md":                                 "# Shelf · an ACME service",
		"CODEOWNERS":                                "@acme/platform",
		".github/workflows/ci.yml":                  "uses: acme/workflows/.github/workflows/go-service.yml@v3",
		"internal/platform/log_gen.go":              `slog.String("company", "acme")`,
		"deploy/kubernetes/base/kustomization.yaml": "",
	} {
		if got := read(p); !strings.Contains(got, want) {
			t.Errorf("%s does not hold %q", p, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "deploy", "helm")); !os.IsNotExist(err) {
		t.Errorf("the overlay removes deploy/helm/**, yet: %v", err)
	}
	if lock := read(".bkgen/lock.json"); !strings.Contains(lock, `"name": "acme"`) {
		t.Error("the lock does not record the overlay")
	}
}
