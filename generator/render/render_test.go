package render

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bkgen/bkgen/generator/ir"
)

func TestFormatGoDropsUnusedImports(t *testing.T) {
	t.Parallel()
	src := `package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

func f() string { return fmt.Sprint(chi.NewRouter() != nil) }
`
	out, err := formatGo([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, gone := range []string{`"strings"`, `"time"`} {
		if strings.Contains(got, gone) {
			t.Errorf("unused import %s kept:\n%s", gone, got)
		}
	}
	for _, kept := range []string{`"fmt"`, `"github.com/go-chi/chi/v5"`} {
		if !strings.Contains(got, kept) {
			t.Errorf("used import %s dropped:\n%s", kept, got)
		}
	}
	if _, err := formatGo([]byte("package x\nfunc {")); err == nil {
		t.Error("invalid Go formatted without error")
	}
}

func TestImportName(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"github.com/go-chi/chi/v5":   "chi",
		"gopkg.in/yaml.v3":           "yaml",
		"github.com/dlclark/regexp2": "regexp2",
		"net/http":                   "http",
		"github.com/go-task/task/v3": "task",
	} {
		if got := importName(path); got != want {
			t.Errorf("importName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestExamplesHonourConstraints(t *testing.T) {
	t.Parallel()
	i := func(n int64) *int64 { return &n }
	f := func(x float64) *float64 { return &x }
	ex := newExamples()
	for _, c := range []struct {
		name string
		s    *ir.Schema
		ok   func(any) bool
	}{
		{"pattern", &ir.Schema{Kind: ir.KindString, Pattern: `^[A-Z]{3}-\d{2,4}$`}, func(v any) bool {
			return regexp.MustCompile(`^[A-Z]{3}-\d{2,4}$`).MatchString(v.(string))
		}},
		{"lookahead pattern", &ir.Schema{Kind: ir.KindString, Pattern: `^(?=.*[a-z]).{4,}$`, Example: "abcd"}, func(v any) bool { return v == "abcd" }},
		{"min length", &ir.Schema{Kind: ir.KindString, MinLength: i(12)}, func(v any) bool { return len(v.(string)) >= 12 }},
		{"max length", &ir.Schema{Kind: ir.KindString, MaxLength: i(3)}, func(v any) bool { return len(v.(string)) <= 3 }},
		{"uuid", &ir.Schema{Kind: ir.KindString, Format: "uuid"}, func(v any) bool { return len(v.(string)) == 36 }},
		{"exclusive minimum", &ir.Schema{Kind: ir.KindInt64, Minimum: f(10), ExclusiveMin: true}, func(v any) bool { return v.(int64) > 10 }},
		{"maximum", &ir.Schema{Kind: ir.KindFloat64, Maximum: f(-5)}, func(v any) bool { return v.(float64) <= -5 }},
		{"multiple of", &ir.Schema{Kind: ir.KindInt64, Minimum: f(7), MultipleOf: f(5)}, func(v any) bool { return v.(int64) == 10 }},
		{"min items, unique", &ir.Schema{Kind: ir.KindSlice, MinItems: i(3), UniqueItems: true, Elem: &ir.Schema{Kind: ir.KindString}}, func(v any) bool {
			items := v.([]any)
			return len(items) == 3 && items[0] != items[1] && items[1] != items[2]
		}},
		{"const", &ir.Schema{Kind: ir.KindString, HasConst: true, Const: "card"}, func(v any) bool { return v == "card" }},
	} {
		v, ok := ex.value(c.s)
		if !ok || !c.ok(v) {
			t.Errorf("%s: example %v (ok %v) breaks the schema", c.name, v, ok)
		}
	}
}

func TestExamplesStopAtRequiredRecursion(t *testing.T) {
	t.Parallel()
	node := &ir.Type{Name: "Node", Kind: ir.TypeStruct}
	node.Fields = []*ir.Field{{Name: "next", Required: true, Schema: &ir.Schema{Kind: ir.KindNamed, Named: node}}}
	if v, ok := newExamples().named(node); ok {
		t.Errorf("a required self-reference has no finite example, got %v", v)
	}
	node.Fields[0].Required = false
	if v, ok := newExamples().named(node); !ok || len(v.(map[string]any)) != 0 {
		t.Errorf("optional self-reference: %v, %v", v, ok)
	}
}

func TestValidateCode(t *testing.T) {
	t.Parallel()
	g := &goCode{patterns: map[string]*Pattern{}}
	i := func(n int64) *int64 { return &n }
	f := func(x float64) *float64 { return &x }
	for _, c := range []struct {
		s    *ir.Schema
		want []string
	}{
		{&ir.Schema{Kind: ir.KindString, MaxLength: i(5), Format: "email"}, []string{
			`utf8.RuneCountInString(v.X) > 5`, `"must be at most 5 characters long"`, `!isEmail(v.X)`,
		}},
		{&ir.Schema{Kind: ir.KindInt32, Minimum: f(1), Maximum: f(100)}, []string{`v.X < 1`, `v.X > 100`, `"must be at most 100"`}},
		{&ir.Schema{Kind: ir.KindFloat32, Minimum: f(0.5), ExclusiveMin: true}, []string{`float64(v.X) <= 0.5`, `"must be greater than 0.5"`}},
		{&ir.Schema{Kind: ir.KindString, Pattern: `(?<=a)b`}, []string{`!matches(pattern0, v.X)`}},
		{&ir.Schema{Kind: ir.KindSlice, MaxItems: i(2), Elem: &ir.Schema{Kind: ir.KindString, MinLength: i(1)}}, []string{
			`len(v.X) > 2`, `for i0 := range v.X`, `"/x" + "/" + strconv.Itoa(i0)`,
		}},
	} {
		code := g.validate("v.X", `"/x"`, c.s, 0)
		for _, w := range c.want {
			if !strings.Contains(code, w) {
				t.Errorf("validation of %+v lacks %s:\n%s", c.s, w, code)
			}
		}
	}
	if p := g.patterns[`(?<=a)b`]; p == nil || p.RE2 {
		t.Errorf("a lookbehind pattern must fall back to regexp2: %+v", p)
	}
}

func TestGoString(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 40)
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{long, `strings.Repeat("x", 40)`},
		{"a=" + long + "&b", `"a=" + strings.Repeat("x", 40) + "&b"`},
		{strings.Repeat("y", 31), strconv.Quote(strings.Repeat("y", 31))},
		{"\"" + strings.Repeat("\"", 33), `strings.Repeat("\"", 34)`},
	} {
		if got := goString(c.in); got != c.want {
			t.Errorf("goString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestHooksRedefineBlocksOnly(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"service/README.md.tmpl": {Data: []byte(`{{block "header" .}}built-in{{end}} rest`)},
		"hooks/co/ok.tmpl":       {Data: []byte("{{define \"header\"}}overlay{{end}}\n")},
		"hooks/co/bad.tmpl":      {Data: []byte("{{define \"header\"}}x{{end}}\nstray text\n")},
	}
	r, err := New(fsys, &ir.Service{}, "hooks/co/ok.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render("service/README.md.tmpl", "README.md", &FileData{})
	if err != nil || string(out) != "overlay rest" {
		t.Fatalf("Render = %q, %v; want the hook's block", out, err)
	}
	_, err = New(fsys, &ir.Service{}, "hooks/co/bad.tmpl")
	if err == nil || !strings.Contains(err.Error(), "hooks/co/bad.tmpl:1: a hook file may only {{define}}") {
		t.Fatalf("New with a hook holding text: %v", err)
	}
}
