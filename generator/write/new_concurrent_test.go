package write

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// widePlan has many files in nested folders, more than New writes at once,
// each owner's share of them, so that its concurrent writers share folders.
func widePlan() *Plan {
	p := samplePlan()
	for i := range 8 * newWriters {
		dir := fmt.Sprintf("docs/d%d/e%d", i%5, i%3)
		p.Files = append(p.Files,
			File{Path: fmt.Sprintf("%s/f%03d.md", dir, i), Owner: Scaffold, Data: fmt.Appendf(nil, "# %d\n", i)},
			File{Path: fmt.Sprintf("internal/g%d/f%03d_gen.go", i%7, i), Owner: Generated, Data: fmt.Appendf(nil, "package g\n// %d\n", i)},
		)
	}
	return p
}

func TestNewWritesEveryFileConcurrently(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "svc")
	p := widePlan()
	rep := mustApply(t, p, dir, Options{Mode: New})
	if len(rep.Created) != len(p.Files) {
		t.Errorf("created %d files, want %d", len(rep.Created), len(p.Files))
	}
	tree := readTree(t, dir)
	for _, f := range p.Files {
		got, ok := tree[f.Path]
		if f.Mode&0o111 != 0 {
			got, ok = strings.CutPrefix(got, "(exec) ")
		}
		if !ok || got != string(f.Data) {
			t.Errorf("%s = %q (present %v), want %q", f.Path, got, ok, f.Data)
		}
	}
	// The scaffold files' merge bases and the lock come after the files.
	if _, err := os.Stat(filepath.Join(dir, ".bkgen", "lock.json")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".bkgen", "base", "docs", "d0", "e0", "f000.md")); err != nil {
		t.Error(err)
	}
	// A regen of the same plan finds nothing to do: New recorded every file.
	again := mustApply(t, p, dir, Options{Mode: Regen})
	if len(again.Created)+len(again.Updated)+len(again.Deleted) != 0 {
		t.Errorf("regen after New changed files: %+v", again)
	}
}

func TestNewConcurrentFailureRollsBack(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{false, true} {
		for _, after := range []int32{1, 20, 100} {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out", "svc")
			if existing {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			before := readTree(t, parent)
			n := &atomic.Int32{}
			n.Store(after)
			_, err := Apply(failingContext{t.Context(), n}, widePlan(), dir, Options{Mode: New})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("existing=%v, after %d: err = %v, want context.Canceled", existing, after, err)
			}
			if diff := cmp.Diff(before, readTree(t, parent)); diff != "" {
				t.Errorf("existing=%v, after %d: a failed New left files behind (-before +after):\n%s", existing, after, diff)
			}
		}
	}
}
