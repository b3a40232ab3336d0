package spec

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestSlowCorpus(t *testing.T) {
	dir := os.Getenv("FUZZDIR")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		// format: go test fuzz v1\n[]byte("...")
		s := string(raw)
		i := len("go test fuzz v1\n[]byte(")
		v, err := strconv.Unquote(s[i : len(s)-2])
		if err != nil { t.Logf("%s: %v", f, err); continue }
		p := filepath.Join(t.TempDir(), "spec.yaml")
		if looksLikeJSON([]byte(v)) { p = filepath.Join(t.TempDir(), "spec.json") }
		os.WriteFile(p, []byte(v), 0o600)
		start := time.Now()
		_, d := Load(p)
		if el := time.Since(start); el > 200*time.Millisecond {
			t.Logf("%s: %v %d bytes %q", filepath.Base(f), el, len(v), truncate(v, 300))
			_ = d
		}
	}
}
