package spec

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/generator/diag"
)

// corpusDir holds the real-world specs shared by the project (outside the repo).
const corpusDir = "../../../shared/specs"

// corpusSpecs lists every spec file of the shared corpus.
func corpusSpecs(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	return files
}

func TestLoadCorpus(t *testing.T) {
	t.Parallel()
	for _, path := range corpusSpecs(t) {
		name := strings.TrimPrefix(filepath.ToSlash(path), corpusDir+"/")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			doc, diags := Load(path)
			elapsed := time.Since(start)
			for _, d := range diags.Errors() {
				t.Errorf("%s", d)
			}
			if doc == nil {
				t.Fatal("no document")
			}
			ops := 0
			for _, item := range doc.OpenAPI.Paths.Map() {
				ops += len(item.Operations())
			}
			t.Logf("%s: %s %s, %d operations, %d warnings, %v", name, doc.Format, doc.Version, ops, len(diags.Warnings()), elapsed)
			for _, d := range diags.Warnings() {
				t.Logf("  %s", d)
			}
			checkInside(t, diags, doc.src)
		})
	}
}

// checkInside fails when a diagnostic about src points outside it.
func checkInside(t *testing.T, diags diag.List, src *source) {
	t.Helper()
	for _, d := range diags {
		if d.Pos.File == src.path && (d.Pos.Line < 0 || d.Pos.Line > src.lines) {
			t.Errorf("diagnostic outside the file (%d lines): %s", src.lines, d)
		}
	}
}
