package render

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/Masterminds/sprig/v3"

	"github.com/bkgen/bkgen/generator/ir"
)

// Reference is the reference of what templates can use: the data every
// template receives (FileData and every type reachable from it: fields and
// methods) and the functions, bkgen's and sprig's. It is computed from the
// Go types by reflection, so it cannot drift from them; `bkgen blueprints
// docs` prints it, and docs/template-reference.md holds a copy a test keeps
// current.
func Reference() string {
	var b strings.Builder
	b.WriteString("# Template reference\n\n")
	b.WriteString("Generated from bkgen's Go types (`bkgen blueprints docs`); do not edit.\n\n")
	b.WriteString("Every template receives a `FileData` as `.`; `.Service` is the stack-neutral model\n")
	b.WriteString("of the service (package `generator/ir`). Fields and methods are used as\n")
	b.WriteString("`{{.Service.Name}}`, `{{.Service.Deploys \"helm\"}}`. Templates run with\n")
	b.WriteString("`missingkey=error`: a field that does not exist is an error at the template's line.\n\n")
	b.WriteString("## Data\n\n")
	seen := map[reflect.Type]bool{}
	queue := []reflect.Type{reflect.TypeFor[FileData]()}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		queue = append(queue, writeType(&b, t)...)
	}
	b.WriteString("## Functions\n\n")
	b.WriteString("bkgen's own:\n\n| name | signature |\n| --- | --- |\n")
	own := funcs(newGoCode(&ir.Service{}))
	hermetic := sprig.HermeticTxtFuncMap()
	var names []string
	for name := range own {
		if _, fromSprig := hermetic[name]; !fromSprig {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "| `%s` | `%s` |\n", name, strings.TrimPrefix(reflect.TypeOf(own[name]).String(), "func"))
	}
	b.WriteString("\nsprig's hermetic functions (https://masterminds.github.io/sprig/):\n")
	names = names[:0]
	for name := range hermetic {
		if _, overridden := own[name]; !overridden || reflect.ValueOf(own[name]).Pointer() == reflect.ValueOf(hermetic[name]).Pointer() {
			names = append(names, "`"+name+"`")
		}
	}
	slices.Sort(names)
	b.WriteString(wrap(strings.Join(names, ", "), 80))
	b.WriteString("\n")
	return b.String()
}

// writeType writes one struct type's fields and methods and returns the
// struct types they lead to.
func writeType(b *strings.Builder, t reflect.Type) []reflect.Type {
	fmt.Fprintf(b, "### %s\n\n", typeName(t))
	var next []reflect.Type
	var rows []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		rows = append(rows, fmt.Sprintf("| `.%s` | `%s` |", f.Name, typeName(f.Type)))
		next = append(next, structsIn(f.Type)...)
	}
	if len(rows) > 0 {
		b.WriteString("| field | type |\n| --- | --- |\n")
		b.WriteString(strings.Join(rows, "\n"))
		b.WriteString("\n\n")
	}
	pt := reflect.PointerTo(t)
	var methods []string
	for m := range pt.Methods() {
		methods = append(methods, fmt.Sprintf("| `.%s` | `%s` |", m.Name, methodSig(m.Type)))
		for j := 1; j < m.Type.NumIn(); j++ {
			next = append(next, structsIn(m.Type.In(j))...)
		}
		for out := range m.Type.Outs() {
			next = append(next, structsIn(out)...)
		}
	}
	if len(methods) > 0 {
		b.WriteString("| method | signature |\n| --- | --- |\n")
		b.WriteString(strings.Join(methods, "\n"))
		b.WriteString("\n\n")
	}
	return next
}

// methodSig is a method's signature without its receiver: "(string) bool".
func methodSig(t reflect.Type) string {
	var in, out []string
	for i := 1; i < t.NumIn(); i++ {
		in = append(in, typeName(t.In(i)))
	}
	for o := range t.Outs() {
		out = append(out, typeName(o))
	}
	sig := "(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
	case 1:
		sig += " " + out[0]
	default:
		sig += " (" + strings.Join(out, ", ") + ")"
	}
	return sig
}

// structsIn are the documented struct types t refers to: itself, or its
// element's, for pointers, slices, arrays and maps.
func structsIn(t reflect.Type) []reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			t = t.Elem()
			continue
		case reflect.Map:
			return append(structsIn(t.Key()), structsIn(t.Elem())...)
		case reflect.Struct:
			if documented(t) {
				return []reflect.Type{t}
			}
		}
		return nil
	}
}

// documented reports whether t is one of bkgen's types (not time.Time, say).
func documented(t reflect.Type) bool {
	return strings.HasPrefix(t.PkgPath(), "github.com/bkgen/bkgen/")
}

// typeName is t as Go writes it, with bkgen's packages by their last element.
func typeName(t reflect.Type) string {
	return strings.NewReplacer("github.com/bkgen/bkgen/generator/", "").Replace(t.String())
}

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			b.WriteString("\n")
			n = 0
		} else if i > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
