package diag

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestDiagnosticString(t *testing.T) {
	t.Parallel()
	d := Diagnostic{Severity: Error, Pos: Pos{File: "api.yaml", Line: 42, Col: 7}, Pointer: "/components/schemas/Pet", Summary: `type "null" alone is not supported`}
	if got, want := d.String(), `api.yaml:42:7: error: #/components/schemas/Pet: type "null" alone is not supported`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (Pos{File: "a.yaml", Line: 3}).String(); got != "a.yaml:3" {
		t.Errorf("pos without column: %q", got)
	}
	if got := (Diagnostic{Severity: Warning, Summary: "s"}).String(); got != "warning: s" {
		t.Errorf("no position: %q", got)
	}
}

func TestListErr(t *testing.T) {
	t.Parallel()
	var l List
	l.Warnf(Pos{}, "", "just a warning")
	if l.Err() != nil || l.HasErrors() {
		t.Fatal("warnings alone are no error")
	}
	l.Errorf(Pos{File: "b.yaml", Line: 2}, "", "second")
	l.Errorf(Pos{File: "a.yaml", Line: 9}, "", "first")
	l.Sort()
	err := fmt.Errorf("load: %w", l.Err())
	got, ok := AsList(err)
	if !ok || len(got.Errors()) != 2 || len(got.Warnings()) != 1 {
		t.Fatalf("AsList = %v, %v", got, ok)
	}
	if got.Errors()[0].Pos.File != "a.yaml" {
		t.Errorf("not sorted: %v", got)
	}
	if _, ok := AsList(errors.New("plain")); ok {
		t.Error("a plain error carries no diagnostics")
	}
}

func TestPrintShowsSnippetAndHint(t *testing.T) {
	t.Parallel()
	src := []byte("openapi: 3.0.0\ninfo:\n  title: x\n")
	var buf bytes.Buffer
	Print(&buf, List{{Severity: Error, Pos: Pos{File: "api.yaml", Line: 3, Col: 3}, Summary: "bad", Hint: "fix it"}},
		func(string) []byte { return src })
	want := "api.yaml:3:3: error: bad\n      2 | info:\n      3 |   title: x\n        |   ^\n  hint: fix it\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestPrintStyled checks that colours only wrap Print's text: with the
// escapes removed it is Print's output, and without color it is Print's.
func TestPrintStyled(t *testing.T) {
	t.Parallel()
	src := []byte("openapi: 3.0.0\npaths:\n  /pets:\n    get: 42\n")
	l := List{
		{Severity: Error, Pos: Pos{File: "api.yaml", Line: 4, Col: 10}, Pointer: "/paths/~1pets/get", Summary: "an operation must be an object", Hint: "write get: {responses: ...}"},
		{Severity: Warning, Pos: Pos{File: "api.yaml"}, Summary: "no resource"},
	}
	source := func(string) []byte { return src }
	var plain, styled, off strings.Builder
	Print(&plain, l, source)
	PrintStyled(&styled, l, source, true)
	PrintStyled(&off, l, source, false)
	if off.String() != plain.String() {
		t.Errorf("PrintStyled without colour:\n%s\nwant Print's:\n%s", off.String(), plain.String())
	}
	if !strings.Contains(styled.String(), "\x1b[1;31merror\x1b[0m") || !strings.Contains(styled.String(), "\x1b[1;33mwarning\x1b[0m") {
		t.Errorf("no coloured severities in:\n%q", styled.String())
	}
	stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(styled.String(), "")
	if stripped != plain.String() {
		t.Errorf("coloured output without its escapes:\n%s\nwant:\n%s", stripped, plain.String())
	}
	if !strings.Contains(plain.String(), "      4 |     get: 42\n        |          ^\n  hint: write get") {
		t.Errorf("no snippet, caret and hint in:\n%s", plain.String())
	}
}
