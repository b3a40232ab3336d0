package generator_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/bkgen/bkgen/generator"
)

var matrixSynth = flag.Int("matrix.synth", 0, "TestMatrix also self-checks synth-spec.py N (task matrix: 10)")

// matrixDatabases are the databases every stack is self-checked with.
var matrixDatabases = []string{"postgres", "sqlite", "mysql"}

// TestMatrix self-checks every stack this build generates with every
// database on petstore-expanded (and, with -matrix.synth N, on a synthetic
// spec of N resources): each combination must pass with its integration
// tests run against the real database, and coverage reach 80%.
//
//nolint:paralleltest // whole self-checks, as in e2e_test.go: faster one at a time on 2 cores
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and self-checks whole services; skipped with -short")
	}
	specs := []string{filepath.Join(specsDir(t), "oai-petstore-expanded.yaml")}
	if *matrixSynth > 0 {
		out, err := exec.Command("python3", filepath.Join(specsDir(t), "../tools/synth-spec.py"), strconv.Itoa(*matrixSynth)).Output()
		if err != nil {
			t.Fatalf("synth-spec.py: %v", err)
		}
		synth := filepath.Join(t.TempDir(), "synth"+strconv.Itoa(*matrixSynth)+".yaml")
		if err := os.WriteFile(synth, out, 0o600); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, synth)
	}
	for _, stack := range generator.GeneratedStacks() {
		for _, database := range matrixDatabases {
			for _, spec := range specs {
				t.Run(stack+"/"+database+"/"+filepath.Base(spec), func(t *testing.T) {
					cfg := testConfig()
					cfg.Stack, cfg.Database = stack, database
					checkPasses(t, spec, cfg)
				})
			}
		}
	}
}
