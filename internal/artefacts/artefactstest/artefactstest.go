// Package artefactstest generates the services whose deploy, CI and
// monitoring files the tests of internal/artefacts/... check.
package artefactstest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
)

// SpecsDir is the shared corpus of real-world specs, beside the checkout
// (the folder that holds bkgen's go.mod).
func SpecsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "blueprints", "embed.go")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("bkgen's checkout (blueprints/embed.go) is not above the test's folder")
		}
		dir = parent
	}
	specs := filepath.Join(filepath.Dir(dir), "shared", "specs")
	if _, err := os.Stat(specs); err != nil {
		t.Fatalf("the spec corpus is missing: %v", err)
	}
	return specs
}

// Petstore is the spec every artefact is checked on.
func Petstore(t *testing.T) string {
	t.Helper()
	return filepath.Join(SpecsDir(t), "oai-petstore-expanded.yaml")
}

var (
	genMu    sync.Mutex
	genCache = map[string]string{}
)

// Generated returns a folder holding the service bkgen generates (without
// the self-check) from spec with database db, the deploy targets deploy and
// the CI ci. Repeated calls with the same inputs share one folder: the
// tests only read it.
func Generated(t *testing.T, spec, db string, deploy []string, ci string) string {
	t.Helper()
	key := strings.Join([]string{spec, db, strings.Join(deploy, ","), ci}, "|")
	genMu.Lock()
	defer genMu.Unlock()
	if dir, ok := genCache[key]; ok {
		return dir
	}
	root, err := os.MkdirTemp("", "bkgen-artefacts-")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "svc")
	cfg := configFor(db, deploy, ci)
	_, err = generator.New(context.Background(), generator.Options{
		SpecPath: spec, OutDir: dir, Config: cfg, NoGit: true, NoCheck: true,
	})
	if l, ok := diag.AsList(err); ok {
		t.Fatalf("generate: %v", l)
	}
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	genCache[key] = dir
	return dir
}

var (
	modelMu    sync.Mutex
	modelCache = map[string]*ir.Service{}
)

// Model returns the model the files of Generated(t, spec, db, deploy, ci)
// are rendered from (the runtime table, the deploy settings, the alerts):
// what the tests expect to find in them. Calls with the same inputs share
// one model; the tests only read it.
func Model(t *testing.T, spec, db string, deploy []string, ci string) *ir.Service {
	t.Helper()
	key := strings.Join([]string{spec, db, strings.Join(deploy, ","), ci}, "|")
	modelMu.Lock()
	defer modelMu.Unlock()
	if svc, ok := modelCache[key]; ok {
		return svc
	}
	_, svc, _, err := generator.Generate(context.Background(), spec, configFor(db, deploy, ci))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	modelCache[key] = svc
	return svc
}

// configFor is bkgen.yaml's defaults with the database, deploy targets and
// CI of a test.
func configFor(db string, deploy []string, ci string) config.Config {
	cfg := config.Default()
	cfg.Database = db
	cfg.Deploy = deploy
	cfg.CI = ci
	return cfg
}

// Main runs a package's tests, then removes the folders Generated wrote:
// call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	for _, dir := range genCache {
		_ = os.RemoveAll(filepath.Dir(dir))
	}
	os.Exit(code)
}

// ReadFile returns the contents of rel under dir.
func ReadFile(t *testing.T, dir, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Databases are the engines the deploy files are checked with: a service
// differs by its database (DATABASE_URL, migrations, compose's database).
var Databases = []string{"postgres", "mysql", "sqlite", "none"}
