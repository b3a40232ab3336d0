package spec

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestStubLosesNothing checks that validating with component refs stubbed
// finds the same problems kin-openapi finds alone, each reported once: every
// finding is the cause of some finding of the plain validation, and every
// plain finding is (the echo of) one of them.
func TestStubLosesNothing(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"redocly-redoc-demo-petstore-3-1.yaml", "swagger2/redocly-redoc-demo-petstore-v2.yaml",
		"xero-accounting.yaml", "svix-server.json", "ory-kratos.json",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, diags := Load(filepath.Join(corpusDir, name))
			if doc == nil {
				t.Fatal(format(diags))
			}
			plain := summaries(validateDoc(doc.OpenAPI, false))
			stubbed := summaries(validateDoc(doc.OpenAPI, true))
			for _, s := range stubbed {
				if !slices.ContainsFunc(plain, func(p string) bool { return strings.HasSuffix(p, s) }) {
					t.Errorf("stubbed validation invents %q", s)
				}
			}
			for _, p := range plain {
				if !slices.ContainsFunc(stubbed, func(s string) bool { return strings.HasSuffix(p, s) }) {
					t.Errorf("stubbed validation loses %q", p)
				}
			}
			if again := summaries(validateDoc(doc.OpenAPI, false)); !slices.Equal(again, plain) {
				t.Errorf("the document was not restored after stubbing")
			}
			t.Logf("%d plain findings, %d with stubs", len(plain), len(stubbed))
		})
	}
}

func summaries(fs []finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.summary)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
