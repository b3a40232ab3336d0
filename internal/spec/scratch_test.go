package spec

import (
	"path/filepath"
	"testing"
)

func TestScratch(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/specs/loader-*")
	for _, f := range files {
		doc, diags := Load(f)
		t.Logf("== %s ok=%v", f, doc != nil)
		for _, d := range diags {
			t.Logf("   %s  [hint: %s]", d, d.Hint)
		}
		if doc != nil && filepath.Base(f)[:10] == "loader-ext" {
			t.Logf("%s", doc.Bundled)
		}
	}
}
