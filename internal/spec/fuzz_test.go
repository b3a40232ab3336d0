package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load. Properties: it never panics (Load
// turns a panic into an "internal error" diagnostic, which fails here), and
// every diagnostic about the input points inside it.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join(fixtures, "loader-*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: v}\nwebhooks: {}\n"))
	f.Add([]byte("swagger: '2.0'\ninfo: {title: t, version: v}\npaths: {/a: {get: {responses: {200: {description: ok}}}}}\n"))
	f.Add([]byte(`{"openapi": "3.0.0", "info": {"title": "t", "version": "v"}, "paths": {"/a": {"$ref": "#/paths/~1b"}, "/b": {}}}`))
	f.Add([]byte("openapi: 3.0.0\npaths: &a {x: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ext := ".yaml"
		if looksLikeJSON(data) {
			ext = ".json"
		}
		path := filepath.Join(t.TempDir(), "spec"+ext)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		doc, diags := Load(path)
		lines := countLines(data)
		for _, d := range diags {
			if strings.HasPrefix(d.Summary, "internal error") {
				t.Fatalf("%s\n%s", d, d.Hint)
			}
			if d.Pos.File == path && (d.Pos.Line < 0 || d.Pos.Line > lines || d.Pos.Col < 0) {
				t.Errorf("diagnostic outside the input (%d lines): %s", lines, d)
			}
		}
		if doc == nil {
			if !diags.HasErrors() {
				t.Errorf("no document and no error")
			}
			return
		}
		if diags.HasErrors() {
			t.Errorf("a document and errors:\n%s", format(diags))
		}
		for _, p := range []string{"", "/paths", "/components/schemas/x/properties/y", "/info/title"} {
			if pos := doc.Pos(p); pos.Line > lines || pos.Line < 0 {
				t.Errorf("Pos(%q) = %s is outside the input", p, pos)
			}
		}
	})
}
