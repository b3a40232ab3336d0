package spec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/diag"
)

// fixtures holds the small specs written for these tests.
const fixtures = "../../testdata/specs"

func fixture(name string) string { return filepath.Join(fixtures, name) }

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string
		line    int
		col     int
		pointer string
		summary string // the whole summary, or its start when it ends in "…"
		hint    string // a part of the hint, if any
	}{
		{
			name: "missing file", file: "loader-absent.yaml",
			summary: "open ../../testdata/specs/loader-absent.yaml: no such file or directory",
		},
		{
			name: "yaml syntax", file: "loader-bad-yaml.yaml", line: 7, col: 10,
			summary: "invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping that starts at line 7)",
		},
		{
			name: "json syntax", file: "loader-bad-json.json", line: 5, col: 65,
			summary: "invalid JSON: invalid character '}' looking for beginning of object key string",
		},
		{
			name: "not openapi", file: "loader-not-openapi.yaml", line: 1, col: 1,
			summary: "not an OpenAPI document: it has no openapi (or swagger) field",
			hint:    "openapi: 3.1.0",
		},
		{
			name: "version of the wrong type", file: "loader-version-type.yaml", line: 1, col: 10,
			pointer: "/openapi",
			summary: `openapi must be a version string such as "3.1.0", not a list`,
		},
		{
			name: "paths of the wrong type", file: "loader-paths-type.yaml", line: 5, col: 1,
			pointer: "/paths",
			summary: "paths must be a mapping of path templates to path items, not a list",
		},
		{
			name: "ref to a missing component", file: "loader-missing-ref.yaml", line: 14, col: 17,
			pointer: "/paths/~1pets/get/responses/200/content/application~1json/schema",
			summary: `$ref "#/components/schemas/Pett" points to nothing: #/components/schemas has no "Pett"`,
			hint:    `did you mean "Pet"?`,
		},
		{
			name: "ref to a missing file", file: "loader-missing-file.yaml", line: 14, col: 17,
			pointer: "/paths/~1pets/get/responses/200/content/application~1json/schema",
			summary: `$ref "./loader-nope.yaml#/Pet" points to nothing: open ../../testdata/specs/loader-nope.yaml: no such file or directory`,
		},
		{
			name: "remote ref", file: "loader-remote-ref.yaml", line: 9, col: 11,
			pointer: "/paths/~1pets/get/parameters/0",
			summary: `remote $ref "https://example.com/params.yaml#/Limit" is not supported`,
			hint:    "relative path",
		},
		{
			name: "field of the wrong type", file: "loader-bad-field-type.yaml", line: 8, col: 19,
			pointer: "/paths/~1pets/get/parameters",
			summary: "cannot construct !!str `oops` into openapi3.Parameters",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := fixture(tt.file)
			doc, diags := Load(path)
			if doc != nil {
				t.Errorf("Load returned a document")
			}
			if len(diags) != 1 {
				t.Fatalf("want 1 diagnostic, got %d:\n%s", len(diags), format(diags))
			}
			d := diags[0]
			want := diag.Pos{File: path, Line: tt.line, Col: tt.col}
			if d.Severity != diag.Error || d.Pos != want || d.Pointer != tt.pointer {
				t.Errorf("got %s\nwant an error at %s, pointer %q", d, want, tt.pointer)
			}
			if d.Summary != tt.summary {
				t.Errorf("summary:\n got %s\nwant %s", d.Summary, tt.summary)
			}
			if !strings.Contains(d.Hint, tt.hint) {
				t.Errorf("hint %q does not contain %q", d.Hint, tt.hint)
			}
		})
	}
}

func TestLoadExtensionRefIsAWarning(t *testing.T) {
	t.Parallel()
	path := fixture("loader-extension-ref.yaml")
	doc, diags := Load(path)
	if doc == nil {
		t.Fatalf("no document:\n%s", format(diags))
	}
	if len(diags) != 1 {
		t.Fatalf("want 1 warning, got:\n%s", format(diags))
	}
	d := diags[0]
	if d.Severity != diag.Warning || d.Pos != (diag.Pos{File: path, Line: 8, Col: 7}) || d.Pointer != "/x-topics/0/content" {
		t.Errorf("got %s", d)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(doc.Bundled) != string(data) {
		t.Errorf("Bundled differs from the file, which has no $refs to bundle")
	}
}

func TestLoadKeepsOriginalBytes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(corpusDir, "oai-petstore.yaml")
	doc, diags := Load(path)
	if diags.HasErrors() {
		t.Fatal(format(diags))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(doc.Bundled) != string(data) || doc.Format != "yaml" || doc.Version != "3.0.0" {
		t.Errorf("format %q version %q, Bundled equal: %v", doc.Format, doc.Version, string(doc.Bundled) == string(data))
	}
}

func TestBundle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		format  string
		schemas []string
	}{
		{"loader-ext.yaml", "yaml", []string{"Error", "Error2", "NewPet", "Pet", "loader-ext-owner"}},
		{"loader-ext-json.json", "json", []string{"NewPet", "Pet", "loader-ext-owner"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			doc, diags := Load(fixture(tt.file))
			if diags.HasErrors() || doc == nil {
				t.Fatalf("load:\n%s", format(diags))
			}
			if doc.Format != tt.format {
				t.Errorf("format %q, want %q", doc.Format, tt.format)
			}
			if strings.Contains(string(doc.Bundled), "loader-ext/") || strings.Contains(string(doc.Bundled), ".yaml#") {
				t.Errorf("Bundled still refers to other files:\n%s", doc.Bundled)
			}
			// The bundled document stands alone: load it where the files it
			// came from are not.
			dir := t.TempDir()
			path := filepath.Join(dir, "openapi."+tt.format)
			if err := os.WriteFile(path, doc.Bundled, 0o600); err != nil {
				t.Fatal(err)
			}
			again, diags := Load(path)
			if diags.HasErrors() || again == nil {
				t.Fatalf("load the bundled document:\n%s\n%s", format(diags), doc.Bundled)
			}
			if got, want := operations(again.OpenAPI), operations(doc.OpenAPI); !slices.Equal(got, want) {
				t.Errorf("operations differ:\n got %v\nwant %v", got, want)
			}
			if got := schemaNames(again.OpenAPI); !slices.Equal(got, tt.schemas) {
				t.Errorf("schemas %v, want %v", got, tt.schemas)
			}
			if string(again.Bundled) != string(doc.Bundled) {
				t.Errorf("bundling the bundled document changed it")
			}
		})
	}
}

func TestBundleResolvesRecursion(t *testing.T) {
	t.Parallel()
	doc, diags := Load(fixture("loader-ext.yaml"))
	if diags.HasErrors() {
		t.Fatal(format(diags))
	}
	pet := doc.OpenAPI.Components.Schemas["Pet"].Value
	owner := pet.AllOf[1].Value.Properties["owner"]
	if owner.Ref != "#/components/schemas/loader-ext-owner" {
		t.Errorf("owner ref %q", owner.Ref)
	}
	if back := owner.Value.Properties["pets"].Value.Items; back.Ref != "#/components/schemas/Pet" || back.Value != pet {
		t.Errorf("owner.pets.items does not lead back to Pet: %q", back.Ref)
	}
	get := doc.OpenAPI.Paths.Value("/pets/{id}").Get
	if get == nil || get.OperationID != "getPet" || len(doc.OpenAPI.Paths.Value("/pets/{id}").Parameters) != 1 {
		t.Errorf("the path item was not inlined")
	}
	if r := get.Responses.Default(); r == nil || r.Value.Content["application/json"].Schema.Ref != "#/components/schemas/Error2" {
		t.Errorf("the shared error response does not use the renamed Error2 schema")
	}
}

func TestSwagger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		format string
		ops    int
	}{
		{"swagger2/gotify-server.json", "json", 42},
		{"swagger2/redocly-redoc-demo-petstore-v2.yaml", "yaml", 20},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			doc, diags := Load(filepath.Join(corpusDir, tt.file))
			if diags.HasErrors() || doc == nil {
				t.Fatalf("load:\n%s", format(diags))
			}
			if doc.Version != "2.0" || doc.OpenAPI.OpenAPI != "3.0.3" || doc.Format != tt.format {
				t.Errorf("version %q, openapi %q, format %q", doc.Version, doc.OpenAPI.OpenAPI, doc.Format)
			}
			if n := len(operations(doc.OpenAPI)); n != tt.ops {
				t.Errorf("%d operations, want %d", n, tt.ops)
			}
			wantStart := map[string]string{"json": "{\n  \"openapi\": \"3.0.3\",\n  \"info\"", "yaml": "openapi: 3.0.3\ninfo:"}[tt.format]
			if !strings.HasPrefix(string(doc.Bundled), wantStart) {
				t.Errorf("Bundled starts with %q", truncate(string(doc.Bundled), 60))
			}
			path := filepath.Join(t.TempDir(), "openapi."+tt.format)
			if err := os.WriteFile(path, doc.Bundled, 0o600); err != nil {
				t.Fatal(err)
			}
			again, diags := Load(path)
			if diags.HasErrors() || again == nil {
				t.Fatalf("load the converted document:\n%s", format(diags))
			}
			if got, want := operations(again.OpenAPI), operations(doc.OpenAPI); !slices.Equal(got, want) {
				t.Errorf("operations differ:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestSwaggerPos(t *testing.T) {
	t.Parallel()
	path := filepath.Join(corpusDir, "swagger2/redocly-redoc-demo-petstore-v2.yaml")
	doc, diags := Load(path)
	if diags.HasErrors() {
		t.Fatal(format(diags))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	defs := slices.Index(lines, "definitions:")
	pet := defs + slices.Index(lines[defs:], "  Pet:") + 1
	if got, want := doc.Pos("/components/schemas/Pet"), (diag.Pos{File: path, Line: pet, Col: 3}); got != want {
		t.Errorf("Pos(/components/schemas/Pet) = %s, want %s", got, want)
	}
	get := slices.Index(lines, "  /pet/findByStatus:") + 2
	if got, want := doc.Pos("/paths/~1pet~1findByStatus/get"), (diag.Pos{File: path, Line: get, Col: 5}); got != want {
		t.Errorf("Pos(/paths/~1pet~1findByStatus/get) = %s, want %s", got, want)
	}
}

// operations lists "METHOD path operationId" for every operation of doc.
func operations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, method+" "+path+" "+op.OperationID)
		}
	}
	slices.Sort(out)
	return out
}

func schemaNames(doc *openapi3.T) []string {
	var out []string
	for name := range doc.Components.Schemas {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func format(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		if d.Hint != "" {
			b.WriteString(" [hint: " + d.Hint + "]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
