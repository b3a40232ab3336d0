package generator_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/bkgen/bkgen/generator"
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
