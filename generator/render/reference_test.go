package render

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/template-reference.md")

// TestReferenceIsCurrent keeps docs/template-reference.md equal to
// Reference(), which reflection computes from the Go types: a change to the
// data templates receive shows up in the docs, or fails here.
func TestReferenceIsCurrent(t *testing.T) {
	t.Parallel()
	const file = "../../docs/template-reference.md"
	got := Reference()
	if *updateReference {
		if err := os.WriteFile(file, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("%s is out of date: go test ./generator/render -run TestReferenceIsCurrent -update-reference", file)
	}
	for _, s := range []string{"### render.FileData", "### ir.Service", "| `.Deploys` | `(string) bool` |", "| `goType` |", "`upper`"} {
		if !strings.Contains(got, s) {
			t.Errorf("the reference lacks %q", s)
		}
	}
}
