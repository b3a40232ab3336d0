package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// TestLoadInline checks small documents written inline: what loads, and the
// one error each bad one gets.
func TestLoadInline(t *testing.T) {
	t.Parallel()
	const head = "info: {title: t, version: v}\n"
	// A YAML alias bomb ("billion laughs") and a document nested too deep.
	laughs := "openapi: 3.0.0\n" + head + "paths: {}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for c := 'b'; c <= 'j'; c++ {
		laughs += fmt.Sprintf("x-%c: &%c [%s*%c]\n", c, c, strings.Repeat(fmt.Sprintf("*%c, ", c-1), 8), c-1)
	}
	deep := "openapi: 3.0.0\n" + head + "paths: {}\nx-deep: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	tests := []struct {
		name    string
		file    string
		content string
		ok      bool
		line    int
		col     int
		summary string // the start of the error's summary, when !ok
	}{
		{name: "empty", file: "a.yaml", content: "# nothing\n", summary: "the file is empty"},
		{name: "list", file: "a.yaml", content: "- a\n", line: 1, col: 1, summary: "not an OpenAPI document: the top level is a list"},
		{name: "float version", file: "a.yaml", content: "openapi: 3.0\n" + head + "paths: {}\n", line: 1, col: 10, summary: "openapi must be a string, not float 3.0"},
		{name: "number in json", file: "a.json", content: `{"openapi": 3.1, "paths": {}}`, line: 1, col: 13, summary: "openapi must be a string"},
		{name: "future version", file: "a.yaml", content: "openapi: 3.3.0\n" + head + "paths: {}\n", line: 1, col: 10, summary: `unsupported OpenAPI version "3.3.0"`},
		{name: "swagger number", file: "a.yaml", content: "swagger: 2.0\n" + head + "paths: {}\n", line: 1, col: 10, summary: `swagger must be the string "2.0"`},
		{name: "swagger 1.2", file: "a.yaml", content: "swagger: '1.2'\n" + head + "paths: {}\n", line: 1, col: 10, summary: `unsupported Swagger version`},
		{name: "no paths in 3.0", file: "a.yaml", content: "openapi: 3.0.3\n" + head, line: 1, col: 1, summary: "the document has no paths"},
		{name: "null paths", file: "a.yaml", content: "openapi: 3.0.3\n" + head + "paths:\n", line: 3, col: 1, summary: "paths must be a mapping"},
		{
			name: "ref cycle", file: "a.yaml", content: "openapi: 3.0.3\n" + head + "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
			line: 6, col: 5, summary: `found unresolved ref: "#/components/schemas/B"`,
		},
		{name: "absolute file ref", file: "a.yaml", content: "openapi: 3.0.3\n" + head + "paths:\n  /a: {$ref: /etc/openapi.yaml}\n", line: 4, col: 8, summary: `$ref "/etc/openapi.yaml" uses an absolute path`},
		{name: "alias bomb", file: "a.yaml", content: laughs, line: 4, col: 35, summary: "document contains excessive aliasing"},
		{name: "too deep", file: "a.yaml", content: deep, line: 4, col: 10009, summary: "invalid YAML: exceeded max depth of 10000"},
		{name: "webhooks only", file: "a.yaml", content: "openapi: 3.1.0\n" + head + "webhooks:\n  new:\n    post:\n      responses: {'200': {description: ok}}\n", ok: true},
		{name: "anchors and merge keys", file: "a.yaml", ok: true, content: "openapi: 3.0.3\n" + head +
			"paths:\n  /a:\n    get: &op\n      responses: {'200': {description: ok}}\n  /b:\n    get: *op\n" +
			"components:\n  schemas:\n    Base: &base {type: object, properties: {id: {type: integer}}}\n    Ext:\n      <<: *base\n      required: [id]\n"},
		{name: "bom", file: "a.json", ok: true, content: "\ufeff{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"v\"}, \"paths\": {}}"},
		{name: "escaped pointer", file: "a.yaml", ok: true, content: "openapi: 3.0.3\n" + head +
			"paths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n  /b:\n    $ref: '#/paths/~1a~1%7Bid%7D'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			doc, diags := Load(path)
			if tt.ok {
				if doc == nil || diags.HasErrors() {
					t.Fatalf("want a document:\n%s", format(diags))
				}
				return
			}
			errs := diags.Errors()
			if doc != nil || len(errs) == 0 {
				t.Fatalf("want an error, got:\n%s", format(diags))
			}
			d := errs[0]
			if want := (diag.Pos{File: path, Line: tt.line, Col: tt.col}); d.Pos != want || !strings.HasPrefix(d.Summary, tt.summary) {
				t.Errorf("got  %s\nwant %s: error: %s…", d, want, tt.summary)
			}
		})
	}
}

// TestParseJSONNodes checks that the JSON fallback parser places nodes where
// the YAML parser does.
func TestParseJSONNodes(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(fixture("loader-ext-json.json"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("\n")...)
	got, err := parseJSONNodes(data)
	if err != nil {
		t.Fatal(err)
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	var compare func(path string, a, b *yaml.Node)
	compare = func(path string, a, b *yaml.Node) {
		if a.Kind != b.Kind || a.Line != b.Line || a.Column != b.Column || a.Value != b.Value || a.ShortTag() != b.ShortTag() {
			t.Errorf("%s: got %v %d:%d %q %s, want %v %d:%d %q %s", path,
				a.Kind, a.Line, a.Column, a.Value, a.ShortTag(), b.Kind, b.Line, b.Column, b.Value, b.ShortTag())
			return
		}
		if len(a.Content) != len(b.Content) {
			t.Errorf("%s: %d children, want %d", path, len(a.Content), len(b.Content))
			return
		}
		for i := range a.Content {
			compare(path+"/"+itoa(i), a.Content[i], b.Content[i])
		}
	}
	compare("", got, want.Content[0])
}

func TestMayHaveFileRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"a: b", false},
		{"$ref: '#/a'", false},
		{`{"$ref": "#/a"}`, false},
		{"$ref: >-\n    '#/components/schemas/a'\n", false},
		{"$ref: other.yaml", true},
		{`{"$ref":"x.json#/a"}`, true},
		{"description: use $ref to point", true},
		{"$ref:", true},
	}
	for _, tt := range tests {
		if got := mayHaveFileRefs([]byte(tt.in)); got != tt.want {
			t.Errorf("mayHaveFileRefs(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeHelpers(t *testing.T) {
	t.Parallel()
	if got := diag.Distance("Pett", "pet"); got != 2 {
		t.Errorf("editDistance = %d", got)
	}
	if !isWindowsDrive(`C:\specs\a.yaml`) || isWindowsDrive("http://x") {
		t.Errorf("isWindowsDrive")
	}
}
