package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// storeType is the Go type sqlc gives a column (with the overrides of the
// generated sqlc.yaml and emit_pointers_for_null_types).
func storeType(c *ir.Column) string {
	var base string
	switch c.Type {
	case ir.ColText, ir.ColVarchar, ir.ColUUID:
		base = "string"
	case ir.ColInt:
		base = "int32"
	case ir.ColBigint:
		base = "int64"
	case ir.ColReal:
		base = "float32"
	case ir.ColDouble:
		base = "float64"
	case ir.ColBool:
		base = "bool"
	case ir.ColDate, ir.ColTimestamp:
		base = "time.Time"
	case ir.ColBytes, ir.ColJSON:
		return "[]byte"
	}
	if !c.NotNull {
		return "*" + base
	}
	return base
}

// apiBase is the Go type of a field without its pointer, qualified with api.
func apiBase(f *ir.Field) string {
	t := goType(f.Schema)
	if f.Schema.Kind == ir.KindNamed {
		return "api." + t
	}
	if strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "map[") {
		return qualify(f.Schema)
	}
	return t
}

// qualify writes a schema's Go type with named types in package api.
func qualify(s *ir.Schema) string {
	switch s.Kind {
	case ir.KindNamed:
		return "api." + s.Named.Name
	case ir.KindSlice:
		return "[]" + qualify(s.Elem)
	case ir.KindMap:
		return "map[string]" + qualify(s.Elem)
	}
	return goType(s)
}

// fromRow is the code setting field f of v (an api value) from column c of row.
func fromRow(f *ir.Field, c *ir.Column) string {
	src := "row." + ir.GoName(c.Name)
	dst := "v." + f.GoName
	storePtr := strings.HasPrefix(storeType(c), "*")
	switch c.Type {
	case ir.ColJSON:
		return fmt.Sprintf("if err := fromJSON(%s, &%s); err != nil {\nreturn v, fmt.Errorf(\"column %s: %%w\", err)\n}\n", src, dst, c.Name)
	case ir.ColDate:
		if storePtr {
			return fmt.Sprintf("if %s != nil {\n%s = ptrTo(%s.Format(time.DateOnly))\n}\n", src, dst, src)
		}
		if f.Ptr {
			return fmt.Sprintf("%s = ptrTo(%s.Format(time.DateOnly))\n", dst, src)
		}
		return fmt.Sprintf("%s = %s.Format(time.DateOnly)\n", dst, src)
	}
	base := apiBase(f)
	conv := func(x string) string { return x }
	if base != strings.TrimPrefix(storeType(c), "*") {
		conv = func(x string) string { return base + "(" + x + ")" }
	}
	switch {
	case f.Ptr && storePtr:
		return fmt.Sprintf("if %s != nil {\n%s = ptrTo(%s)\n}\n", src, dst, conv("*"+src))
	case f.Ptr:
		return fmt.Sprintf("%s = ptrTo(%s)\n", dst, conv(src))
	case storePtr:
		return fmt.Sprintf("if %s != nil {\n%s = %s\n}\n", src, dst, conv("*"+src))
	}
	return fmt.Sprintf("%s = %s\n", dst, conv(src))
}

// toParam is the code setting the query argument of column c in p from field f of body b.
func toParam(f *ir.Field, c *ir.Column, patch bool) string {
	src := "b." + f.GoName
	dst := "p." + ir.GoName(c.Name)
	st := storeType(c)
	storePtr := strings.HasPrefix(st, "*") || patch && st != "[]byte"
	base := strings.TrimPrefix(st, "*")
	switch c.Type {
	case ir.ColJSON:
		if f.Ptr {
			return fmt.Sprintf("if %s != nil {\nif %s, err = json.Marshal(%s); err != nil {\nreturn err\n}\n}\n", src, dst, src)
		}
		return fmt.Sprintf("if %s, err = json.Marshal(%s); err != nil {\nreturn err\n}\n", dst, src)
	case ir.ColDate:
		parse := func(x string) string {
			return fmt.Sprintf("d, err := time.Parse(time.DateOnly, %s)\nif err != nil {\nreturn err\n}\n", x)
		}
		if f.Ptr {
			set := "d"
			if storePtr {
				set = "&d"
			}
			return fmt.Sprintf("if %s != nil {\n%s%s = %s\n}\n", src, parse("*"+src), dst, set)
		}
		set := "d"
		if storePtr {
			set = "&d"
		}
		return fmt.Sprintf("{\n%s%s = %s\n}\n", parse(src), dst, set)
	}
	conv := func(x string) string { return x }
	if apiBase(f) != base {
		conv = func(x string) string { return base + "(" + x + ")" }
	}
	switch {
	case f.Ptr && storePtr:
		return fmt.Sprintf("if %s != nil {\n%s = ptrTo(%s)\n}\n", src, dst, conv("*"+src))
	case f.Ptr:
		return fmt.Sprintf("if %s != nil {\n%s = %s\n}\n", src, dst, conv("*"+src))
	case storePtr:
		return fmt.Sprintf("%s = ptrTo(%s)\n", dst, conv(src))
	}
	return fmt.Sprintf("%s = %s\n", dst, conv(src))
}

// rowMapping is the body of the function turning a row into the entity.
func rowMapping(r *ir.Resource) string {
	var b strings.Builder
	for _, c := range r.Table.Columns {
		if c.Field != nil && entityHas(r.Entity, c.Field) {
			b.WriteString(fromRow(c.Field, c))
		}
	}
	return b.String()
}

func entityHas(t *ir.Type, f *ir.Field) bool {
	return slices.Contains(t.Fields, f)
}

// bodyColumns pairs the fields of a request body with the writable columns
// they set (by column name: bodies are often a schema of their own, NewPet).
func bodyColumns(r *ir.Resource, body *ir.Type) [][2]any {
	var out [][2]any
	for _, c := range writable(r) {
		for _, f := range body.Fields {
			if c.Field != nil && f.Name == c.Field.Name && !f.ReadOnly && !f.Store.Skip {
				out = append(out, [2]any{f, c})
			}
		}
	}
	return out
}

// paramsMapping is the body of the function turning a request body into query arguments.
func paramsMapping(r *ir.Resource, body *ir.Type, patch bool) string {
	var b strings.Builder
	for _, fc := range bodyColumns(r, body) {
		b.WriteString(toParam(fc[0].(*ir.Field), fc[1].(*ir.Column), patch))
	}
	return b.String()
}
