package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/diag"
)

// hostileDir holds the hand-written hostile specs; the big ones are made by
// the test (hostileGenerated), never committed.
const hostileDir = "../testdata/specs/hostile"

// hostileRefused are the hostile specs bkgen must refuse (with positioned
// diagnostics); it must generate a service from every other one.
var hostileRefused = map[string]bool{
	"newlines.yaml":      true, // line breaks in paths, operation ids, scheme names…
	"refcycle.yaml":      true, // schemas that are only a $ref to themselves
	"traversal-ext.yaml": true, // x-bkgen-* values that are no SQL name or boolean
	"traversal-nul.yaml": true, // NUL in an operation id and a parameter name
	"yamlkeys.yaml":      true, // property names YAML reads as null (and true, 1)
}

// hostileBuilt are the specs whose services are built on every database;
// the others are built with PostgreSQL alone (whose service has the API
// package of the one without a database, and its data layer).
var hostileBuilt = map[string]bool{"keywords.yaml": true, "comments.yaml": true}

// hostileEscapes are the paths, relative to the output folder, that the
// traversal strings of the specs would reach: none may appear or change.
var hostileEscapes = []string{
	"../../etc/passwd", "../../../etc/passwd", "../../../../etc/passwd", "../x", "../../x",
	"../..", "../q", "../path", "../../etc", "..\\..\\windows\\system32", "/etc/shadow", "/etc/passwd",
	"../.bkgen", "../.git", "../lock",
}

// TestHostileSpecs generates services from specs written to break a code
// generator (testdata/specs/hostile/README.md lists them): Go keywords and
// the generated code's own names, names that collide once sanitised,
// Unicode, path traversal, text that closes comments and strings, long
// names, recursion, and specs made here (a 5,000-value enum, 50 and 200
// levels of nesting, a 20 MB spec). Each either generates or is refused
// with positioned diagnostics, as listed; nothing is written outside the
// output folder; the Go, YAML, JSON and SQL written parse, the migrations
// apply and revert on each engine (PostgreSQL and MySQL when their local
// server answers), and, except with -short, the services build and vet.
//
//nolint:paralleltest // builds whole services: faster one at a time on 2 cores
func TestHostileSpecs(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join(hostileDir, "*.yaml"))
	if err != nil || len(specs) < 8 {
		t.Fatalf("found %d hostile specs (%v), want every one", len(specs), err)
	}
	specs = append(specs, hostileGenerated(t, t.TempDir())...)
	for _, spec := range specs {
		name := filepath.Base(spec)
		for _, db := range []string{"none", "postgres", "sqlite", "mysql"} {
			t.Run(name+"/"+db, func(t *testing.T) {
				build := db == "postgres" || hostileBuilt[name]
				checkHostile(t, spec, db, !hostileRefused[name], build)
			})
		}
	}
}

// checkHostile runs generator.New on spec with database db into a fresh
// folder and checks the outcome (see TestHostileSpecs).
func checkHostile(t *testing.T, spec, db string, wantOK, buildIt bool) {
	t.Helper()
	parent := t.TempDir()
	grand := filepath.Dir(parent)
	out := filepath.Join(parent, "out")
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	watched := []string{parent, grand, cwd, hostileDir, filepath.Dir(spec)}
	before := make(map[string][]string)
	for _, d := range watched {
		before[d] = listDir(t, d)
	}
	escapes := escapeStats(out)

	cfg := everyTarget(testConfig())
	cfg.Database = db
	res, err := generator.New(context.Background(), generator.Options{SpecPath: spec, OutDir: out, Config: cfg, NoGit: true, NoCheck: true})

	// Nothing outside the output folder, whatever the outcome.
	for _, d := range watched {
		if d == parent {
			continue
		}
		if got := listDir(t, d); !slices.Equal(got, before[d]) {
			t.Errorf("%s changed: %q, was %q", d, got, before[d])
		}
	}
	if got := listDir(t, parent); len(got) > 1 || len(got) == 1 && got[0] != "out" {
		t.Errorf("beside the output folder: %q, want only out", got)
	}
	for p, was := range escapes {
		if now := escapeStat(p); now != was {
			t.Errorf("%s: %s, was %s", p, now, was)
		}
	}

	if err != nil {
		l, ok := diag.AsList(err)
		if !ok {
			t.Fatalf("internal error: %v", err)
		}
		if len(l.Errors()) == 0 {
			t.Fatalf("an error with no error diagnostic: %v", err)
		}
		for _, d := range l.Errors() {
			if !d.Pos.IsValid() || d.Pos.Line <= 0 {
				t.Errorf("diagnostic without a position: %s", d)
			}
		}
		if wantOK {
			t.Fatalf("refused: %v", err)
		}
		if _, statErr := os.Lstat(out); !errors.Is(statErr, fs.ErrNotExist) {
			t.Errorf("refused, but the output folder was made: %v", statErr)
		}
		return
	}
	if !wantOK {
		t.Fatalf("generated, want the spec refused with diagnostics")
	}
	for _, d := range res.Diagnostics {
		// A data model sqlc refuses is a bkgen bug (see model.plan).
		if strings.Contains(d.Summary, "database layer could not be generated") {
			t.Errorf("%s", d)
		}
	}
	if db != "none" && res.Stats.Resources == 0 {
		t.Errorf("no resource stored in %s", db)
	}
	checkWritten(t, out)
	checkMigrations(t, out, db)
	if testing.Short() {
		return // go build and go vet of whole services: not with -short
	}
	if !buildIt {
		return
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = out
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, tail(string(b), 40))
		}
	}
}

// checkWritten walks the output folder: plain files and folders with local,
// printable names; Go files that parse and are built on every platform
// unless they are tests; YAML and JSON files that parse.
func checkWritten(t *testing.T, out string) {
	t.Helper()
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() && !d.IsDir() {
			t.Errorf("%s: not a plain file or folder (%s)", rel, d.Type())
		}
		if rel != "." && (!filepath.IsLocal(rel) || strings.ContainsFunc(rel, func(r rune) bool { return r == '\\' || unicode.IsControl(r) })) {
			t.Errorf("%q: not a local, printable path", rel)
		}
		if d.IsDir() {
			return nil
		}
		n++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(p, ".go"):
			if _, err := parser.ParseFile(fset, p, data, parser.ParseComments); err != nil {
				t.Errorf("%s: %v", rel, err)
			}
			if !strings.HasSuffix(p, "_test.go") {
				if ok, err := build.Default.MatchFile(filepath.Dir(p), filepath.Base(p)); err != nil || !ok {
					t.Errorf("%s: go build leaves it out (%v)", rel, err)
				}
			}
		case strings.HasSuffix(p, ".json"):
			if !json.Valid(data) {
				t.Errorf("%s: invalid JSON", rel)
			}
		case (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) && !strings.Contains(slash, "/templates/"):
			// (Helm's templates are Go templates, not YAML yet.)
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for {
				var v any
				if err := dec.Decode(&v); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Errorf("%s: %v", rel, err)
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("%d files written, want a whole service", n)
	}
}

// checkMigrations applies the Up section of every migration, then the Down
// sections in reverse, as goose does, on a fresh database of the engine.
func checkMigrations(t *testing.T, out, db string) {
	t.Helper()
	if db == "none" {
		if _, err := os.Stat(filepath.Join(out, "migrations")); err == nil {
			t.Errorf("migrations without a database")
		}
		return
	}
	files, err := filepath.Glob(filepath.Join(out, "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration (%v)", err)
	}
	var data [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	conn := openChainDB(t, db) // skips when the engine's local server does not answer
	for _, b := range data {
		applyUp(t, conn, b)
	}
	for _, b := range slices.Backward(data) {
		applyDown(t, conn, b)
	}
}

// listDir lists a folder's names; nil when it does not exist.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// escapeStats records what is at each of hostileEscapes from out, with
// backslashes taken as separators too.
func escapeStats(out string) map[string]string {
	m := make(map[string]string)
	for _, e := range hostileEscapes {
		for _, rel := range []string{e, strings.ReplaceAll(e, "\\", "/")} {
			p := filepath.Join(out, filepath.FromSlash(rel))
			if rel, err := filepath.Rel(out, p); err == nil && filepath.IsLocal(rel) {
				continue // inside: checkWritten's
			}
			m[p] = escapeStat(p)
		}
	}
	return m
}

// escapeStat is what is at p: nothing, or its kind, size and time.
func escapeStat(p string) string {
	fi, err := os.Lstat(p)
	if err != nil {
		return "absent"
	}
	return fmt.Sprintf("%s %d bytes %s", fi.Mode().Type(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
}

// hostileGenerated writes the big hostile specs into dir: a 5,000-value
// enum, schemas nested 50 and 200 levels deep (past the builder's bound),
// and a 20 MB spec of many schemas with long descriptions.
func hostileGenerated(t *testing.T, dir string) []string {
	t.Helper()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return []string{
		write("enum5000.yaml", enumSpec(5000)),
		write("deep50.yaml", deepSpec(50)),
		write("deep200.yaml", deepSpec(200)),
		write("huge.json", hugeSpec(t, 20<<20)),
	}
}

// resourcePaths are the list, create and get operations of a resource
// whose entity is the component schema named entity.
func resourcePaths(coll, entity string) string {
	ref := `{$ref: "#/components/schemas/` + entity + `"}`
	return fmt.Sprintf(`  /%[1]s:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: %[2]s}}}}
    post:
      requestBody: {required: true, content: {application/json: {schema: %[2]s}}}
      responses:
        "201": {description: ok, content: {application/json: {schema: %[2]s}}}
  /%[1]s/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: %[2]s}}}
`, coll, ref)
}

// enumSpec is a resource with a string and an integer enum of n values
// each; some string values differ only in their punctuation.
func enumSpec(n int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Big enums, version: '1'}\npaths:\n")
	b.WriteString(resourcePaths("things", "Thing"))
	b.WriteString(`components:
  schemas:
    Thing:
      type: object
      required: [color]
      properties:
        id: {type: integer, readOnly: true}
        color: {$ref: "#/components/schemas/Color"}
        level: {$ref: "#/components/schemas/Level"}
    Color:
      type: string
      enum:
`)
	for i := range n {
		sep := []string{"-", "_", ".", " ", ""}[i%5]
		fmt.Fprintf(&b, "        - %q\n", fmt.Sprintf("c%s%d", sep, i/5))
	}
	b.WriteString("    Level:\n      type: integer\n      enum:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - %d\n", i-n/2)
	}
	return b.String()
}

// deepSpec is a resource whose entity nests an object depth levels deep,
// and an array of arrays as deep.
func deepSpec(depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: 3.0.3\ninfo: {title: Nested %d, version: '1'}\npaths:\n", depth)
	b.WriteString(resourcePaths("deeps", "Deep"))
	b.WriteString("components:\n  schemas:\n    Deep:\n")
	indent := "      "
	for i := range depth {
		fmt.Fprintf(&b, "%stype: object\n%srequired: [level%d]\n%sproperties:\n", indent, indent, i, indent)
		fmt.Fprintf(&b, "%s  value%d: {type: string, maxLength: 10}\n%s  level%d:\n", indent, i, indent, i)
		indent += "    "
	}
	fmt.Fprintf(&b, "%stype: integer\n", indent)
	b.WriteString("    Matrix:\n")
	indent = "      "
	for range depth {
		fmt.Fprintf(&b, "%stype: array\n%sitems:\n", indent, indent)
		indent += "  "
	}
	fmt.Fprintf(&b, "%stype: number\n", indent)
	return b.String()
}

// hugeSpec is a JSON spec of about size bytes: a resource, and schemas with
// long descriptions (hundreds of lines, of text that breaks comments too)
// and examples, each the body of an operation.
func hugeSpec(t *testing.T, size int) string {
	t.Helper()
	line := "A long description, */ `quoted` \"text\" {{.X}} %v </script> -->, repeated to make the spec big. "
	paths := map[string]any{}
	schemas := map[string]any{
		"Item": map[string]any{
			"type": "object", "required": []string{"name"},
			"properties": map[string]any{"id": map[string]any{"type": "integer", "readOnly": true}, "name": map[string]any{"type": "string"}},
		},
	}
	item := map[string]any{"$ref": "#/components/schemas/Item"}
	ok := func(schema any) map[string]any {
		return map[string]any{"200": map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": schema}}}}
	}
	paths["/items"] = map[string]any{
		"get":  map[string]any{"responses": ok(map[string]any{"type": "array", "items": item})},
		"post": map[string]any{"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": item}}}, "responses": ok(item)},
	}
	paths["/items/{id}"] = map[string]any{
		"parameters": []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "integer"}}},
		"get":        map[string]any{"responses": ok(item)},
	}
	const schemasN = 300
	desc := strings.Repeat(line+"\n", size/schemasN/len(line))
	for i := range schemasN {
		name := fmt.Sprintf("Schema%03d", i)
		schemas[name] = map[string]any{
			"type": "object", "description": desc,
			"properties": map[string]any{
				"a": map[string]any{"type": "string", "description": desc[:min(len(desc), 2000)], "example": line},
				"b": map[string]any{"type": "integer"},
			},
		}
		if i%3 == 0 {
			paths[fmt.Sprintf("/op%03d", i)] = map[string]any{"post": map[string]any{
				"summary":     line,
				"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + name}}}},
				"responses":   ok(map[string]any{"$ref": "#/components/schemas/" + name}),
			}}
		}
	}
	data, err := json.Marshal(map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Huge", "version": "1", "description": desc},
		"paths":   paths, "components": map[string]any{"schemas": schemas},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < size {
		t.Fatalf("the huge spec is %d bytes, want %d", len(data), size)
	}
	return string(data)
}
