package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
)

// FuzzBuild builds a spec from the fuzzer's bytes, structurally (schemas,
// properties, nesting, references and their cycles, compositions, enums,
// paths, parameters, bodies, responses, x-bkgen-* extensions, with names and
// text drawn from a pool of hostile ones or from the input), so the fuzzer
// reaches deep into the IR builder rather than the YAML parser, and runs
// generator.Generate on it (load, IR, render: nothing is written). It must
// not panic; an error must be diagnostics with positions; a plan's Go files
// must parse, its YAML and JSON files too, and sqlc must take its data model.
func FuzzBuild(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		{1, 3, 0, 2, 9, 1, 1, 1, 4, 0, 0, 0, 7, 7, 7, 7, 3, 3, 3, 3, 1, 2},
		[]byte("\x02\x05\x01\xc8\x05..%2f\x03\x04\xff\x10\x11\x12"),
		[]byte("\x04\x06\x06\x06\x06\x06\x06\x06\x06\x01\x02\x03\x04\x05\x06\x07\x08\x09"),
		[]byte(strings.Repeat("\x05\x0a", 20)),
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := &fuzzSpec{in: data}
		doc, database := fz.document()
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		path := filepath.Join(dir, "openapi.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.Database = database
		p, _, diags, err := generator.Generate(context.Background(), path, cfg)
		if err != nil {
			l, ok := diag.AsList(err)
			if !ok {
				t.Fatalf("internal error: %v\nspec: %s", err, raw)
			}
			for _, d := range l.Errors() {
				if !d.Pos.IsValid() {
					t.Fatalf("diagnostic without a position: %s\nspec: %s", d, raw)
				}
			}
			return
		}
		for _, d := range diags {
			if strings.Contains(d.Summary, "database layer could not be generated") {
				t.Fatalf("%s\nspec: %s", d, raw)
			}
		}
		fset := token.NewFileSet()
		for _, file := range p.Files {
			switch {
			case strings.HasSuffix(file.Path, ".go"):
				if _, err := parser.ParseFile(fset, file.Path, file.Data, parser.ParseComments); err != nil {
					t.Fatalf("%s: %v\nspec: %s", file.Path, err, raw)
				}
			case strings.HasSuffix(file.Path, ".json"):
				if !json.Valid(file.Data) {
					t.Fatalf("%s: invalid JSON\nspec: %s", file.Path, raw)
				}
			case strings.HasSuffix(file.Path, ".yaml") || strings.HasSuffix(file.Path, ".yml"):
				dec := yaml.NewDecoder(bytes.NewReader(file.Data))
				for {
					var v any
					if err := dec.Decode(&v); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						t.Fatalf("%s: %v\nspec: %s", file.Path, err, raw)
					}
				}
			}
		}
	})
}

// fuzzNames are the names and texts the fuzzed specs are made of: Go
// keywords and the generated code's own names, names that collide once
// sanitised, Unicode, traversal, text that closes comments and strings.
var fuzzNames = []string{
	"Pet", "pet", "PET", "id", "ID", "iD", "i_d", "name", "type", "func", "string", "error", "map", "range",
	"default", "select", "go", "package", "import", "init", "main", "New", "Server", "Handler", "Service",
	"Querier", "Config", "StatusError", "Services", "Validate", "UnmarshalJSON", "LogValue", "user-name",
	"user_name", "userName", "get-pet", "getPet", "..", "../x", "../../etc/passwd", "a/b", "a\\b", "a\x00b",
	"日本", "😀", "Café", "\u202eevil", "a\u200bb", "", " ", "*/", "/*", "`", "{{ }}", "\"", "%v", "\n//go:generate x",
	"+build ignore", "index", "commit", "order", "array", "offset", "values", "sqlite_x", "x_test", "x_windows",
	"items", "tags", "owner_id", "created_at", "version", "sort", "limit", "page", "cursor", "ab_test",
	strings.Repeat("long_name_", 8), "2fa", "$ref", "~1", "-", "--", "a--b", "a'b", "a;b",
}

// fuzzSpec reads the fuzzer's bytes as choices.
type fuzzSpec struct {
	in    []byte
	comps []string
}

// next is the next byte, 0 once the input is used up.
func (f *fuzzSpec) next() int {
	if len(f.in) == 0 {
		return 0
	}
	b := f.in[0]
	f.in = f.in[1:]
	return int(b)
}

// n is a choice among n.
func (f *fuzzSpec) n(n int) int { return f.next() % n }

// name is a name of the pool, or (one time in eight) text from the input.
func (f *fuzzSpec) name() string {
	b := f.next()
	if b < 224 {
		return fuzzNames[b%len(fuzzNames)]
	}
	size := min(f.next()%24, len(f.in))
	s := string(f.in[:size])
	f.in = f.in[size:]
	return strings.ToValidUTF8(s, "?") // (JSON would make it U+FFFD in keys, not in $refs)
}

// document is an OpenAPI document of fuzzed components and paths, and the
// database to generate it for.
func (f *fuzzSpec) document() (map[string]any, string) {
	version := []string{"3.0.3", "3.1.0"}[f.n(2)]
	database := []string{"none", "none", "postgres", "sqlite", "mysql", "none"}[f.n(6)]
	nComps := 1 + f.n(6)
	for range nComps {
		f.comps = append(f.comps, f.name())
	}
	schemas := map[string]any{}
	for _, c := range f.comps {
		schemas[c] = f.schema(0)
	}
	paths := map[string]any{}
	for range 1 + f.n(5) {
		seg := f.name()
		coll := "/" + seg
		if f.n(4) == 0 {
			coll = "/" + f.name() + "/{" + f.name() + "}/" + seg
		}
		entity := map[string]any{"$ref": schemaRef(f.comps[f.n(len(f.comps))])}
		paths[coll] = f.collection(entity, coll)
		param := f.name()
		paths[coll+"/{"+param+"}"] = f.item(entity, param)
	}
	doc := map[string]any{
		"openapi":    version,
		"info":       map[string]any{"title": f.name(), "version": f.name(), "description": f.name()},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
	if f.n(3) == 0 {
		doc["servers"] = []any{map[string]any{"url": "https://example.com/" + f.name()}}
	}
	return doc, database
}

// schemaRef is the $ref of the component schema name: a JSON pointer in a
// URI fragment (RFC 6901 section 6).
func schemaRef(name string) string {
	return "#/components/schemas/" + url.PathEscape(ir.EscapePointer(name))
}

// schema is a fuzzed schema at nesting depth.
func (f *fuzzSpec) schema(depth int) map[string]any {
	kind := f.n(14)
	if depth > 6 {
		kind %= 5
	}
	s := map[string]any{}
	switch kind {
	case 0:
		s["type"] = "string"
		switch f.n(6) {
		case 0:
			s["format"] = []string{"date-time", "uuid", "date", "byte", "binary", "password", "email"}[f.n(7)]
		case 1:
			s["maxLength"] = f.n(300)
			s["minLength"] = f.n(5)
		case 2:
			s["pattern"] = f.name()
		}
	case 1:
		s["type"] = []string{"integer", "number"}[f.n(2)]
		if f.n(2) == 0 {
			s["minimum"], s["maximum"] = f.n(10)-5, f.n(1000)
		}
		if f.n(3) == 0 {
			s["format"] = []string{"int32", "int64", "float", "double"}[f.n(4)]
		}
	case 2:
		s["type"] = "boolean"
	case 3:
		var vals []any
		for range 1 + f.n(6) {
			if f.n(5) == 0 {
				vals = append(vals, f.n(100))
			} else {
				vals = append(vals, f.name())
			}
		}
		s["enum"] = vals
		if f.n(2) == 0 {
			s["type"] = "string"
		}
	case 4:
		s["$ref"] = schemaRef(f.comps[f.n(len(f.comps))])
	case 5, 6, 7:
		props := map[string]any{}
		var required []string
		for range f.n(6) {
			name := f.name()
			props[name] = f.schema(depth + 1)
			if f.n(2) == 0 {
				required = append(required, name)
			}
		}
		if f.n(5) == 0 {
			required = append(required, f.name())
		}
		s["type"] = "object"
		s["properties"] = props
		if len(required) > 0 {
			s["required"] = required
		}
		switch f.n(5) {
		case 0:
			s["additionalProperties"] = f.schema(depth + 1)
		case 1:
			s["additionalProperties"] = false
		}
	case 8:
		s["type"] = "array"
		s["items"] = f.schema(depth + 1)
		if f.n(3) == 0 {
			s["maxItems"] = f.n(10)
		}
	case 9:
		s["allOf"] = []any{f.schema(depth + 1), f.schema(depth + 1)}
	case 10:
		s["oneOf"] = []any{f.schema(depth + 1), f.schema(depth + 1)}
		if f.n(2) == 0 {
			s["discriminator"] = map[string]any{"propertyName": f.name()}
		}
	case 11:
		s["anyOf"] = []any{f.schema(depth + 1), map[string]any{"type": "null"}}
	case 12:
		s["type"] = "object"
		s["additionalProperties"] = f.schema(depth + 1)
	default:
		// A free-form value.
	}
	switch f.n(8) {
	case 0:
		s["nullable"] = true
	case 1:
		s["description"] = f.name()
	case 2:
		s["example"] = f.name()
	case 3:
		s["default"] = f.name()
	case 4:
		s["readOnly"] = true
	case 5:
		ext := []string{"x-bkgen-table", "x-bkgen-column", "x-bkgen-unique", "x-bkgen-index", "x-bkgen-skip", "x-bkgen-owner", "x-bkgen-sensitive"}[f.n(7)]
		if f.n(2) == 0 {
			s[ext] = true
		} else {
			s[ext] = f.name()
		}
	}
	return s
}

// collection is a path item with a list and a create of entity.
func (f *fuzzSpec) collection(entity map[string]any, path string) map[string]any {
	item := map[string]any{}
	var params []any
	for seg := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(seg, "{") {
			params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	for range f.n(4) {
		params = append(params, map[string]any{
			"name": f.name(), "in": []string{"query", "query", "header", "cookie"}[f.n(4)], "schema": f.schema(5),
		})
	}
	list := map[string]any{"responses": f.responses(map[string]any{"type": "array", "items": entity})}
	if len(params) > 0 {
		list["parameters"] = params
	}
	if f.n(3) > 0 {
		list["operationId"] = f.name()
	}
	item["get"] = list
	if f.n(2) == 0 {
		create := map[string]any{
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": entity}}},
			"responses":   f.responses(entity),
		}
		if len(params) > 0 && strings.Contains(path, "{") {
			create["parameters"] = params[:1]
		}
		if f.n(2) == 0 {
			create["operationId"] = f.name()
		}
		item["post"] = create
	}
	return item
}

// item is a path item with a get, update and delete of entity by param.
func (f *fuzzSpec) item(entity map[string]any, param string) map[string]any {
	item := map[string]any{
		"parameters": []any{map[string]any{"name": param, "in": "path", "required": true, "schema": f.schema(7)}},
		"get":        map[string]any{"responses": f.responses(entity), "operationId": f.name()},
	}
	if f.n(2) == 0 {
		item["patch"] = map[string]any{
			"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": entity}}},
			"responses":   f.responses(entity),
		}
	}
	if f.n(2) == 0 {
		item["delete"] = map[string]any{"responses": map[string]any{"204": map[string]any{"description": f.name()}}}
	}
	if f.n(4) == 0 {
		item["put"] = map[string]any{"x-bkgen-skip": true, "responses": map[string]any{"default": map[string]any{"description": "x"}}}
	}
	return item
}

// responses are a success response of schema and perhaps an error one.
func (f *fuzzSpec) responses(schema map[string]any) map[string]any {
	code := []string{"200", "201", "202", "2XX", "default"}[f.n(5)]
	out := map[string]any{code: map[string]any{
		"description": f.name(),
		"content":     map[string]any{[]string{"application/json", "application/problem+json", "text/plain", "application/xml"}[f.n(4)]: map[string]any{"schema": schema}},
	}}
	if f.n(3) == 0 {
		out[[]string{"400", "404", "422", "4XX", "default"}[f.n(5)]] = map[string]any{
			"description": f.name(),
			"content":     map[string]any{"application/json": map[string]any{"schema": f.schema(4)}},
		}
	}
	return out
}
