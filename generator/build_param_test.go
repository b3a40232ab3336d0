package generator

import (
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

func TestDeepObjectParamsKeepTheirTypes(t *testing.T) {
	t.Parallel()
	svc := buildSpec(t, "forms.yaml")
	var list *ir.Operation
	for _, op := range svc.Operations {
		if op.ID == "listCharges" {
			list = op
		}
	}
	if list == nil {
		t.Fatal("no operation listCharges")
	}
	for _, c := range []struct {
		name, style string
		kind        ir.Kind
		typ         ir.TypeKind
	}{
		{"expand", "deepObject", ir.KindSlice, 0},
		{"created", "deepObject", ir.KindNamed, ir.TypeUnion},
		{"scope", "deepObject", ir.KindNamed, ir.TypeStruct},
		{"limit", "form", ir.KindInt64, 0},
	} {
		var p *ir.Param
		for _, q := range list.Params {
			if q.Name == c.name {
				p = q
			}
		}
		if p == nil {
			t.Fatalf("no parameter %s", c.name)
		}
		if p.Style != c.style || p.IsDeepObject() != (c.style == "deepObject") || p.Schema.Kind != c.kind {
			t.Errorf("%s: style %q, kind %v; want %q, %v", c.name, p.Style, p.Schema.Kind, c.style, c.kind)
		}
		if c.kind == ir.KindNamed && p.Schema.Named.Kind != c.typ {
			t.Errorf("%s: type kind %v, want %v", c.name, p.Schema.Named.Kind, c.typ)
		}
	}
	if !svc.HasFormBodies() || !svc.HasDeepObjectArrays() {
		t.Error("the service's form bodies or deepObject arrays are not seen")
	}
}

func TestParamSchema(t *testing.T) {
	t.Parallel()
	obj := &ir.Schema{Kind: ir.KindNamed, Named: &ir.Type{Name: "Range", Kind: ir.TypeStruct}}
	objects := &ir.Schema{Kind: ir.KindSlice, Elem: obj}
	for _, c := range []struct {
		name string
		in   *ir.Schema
		deep bool
		want ir.Kind
	}{
		{"object", obj, false, ir.KindString},
		{"object, deepObject", obj, true, ir.KindNamed},
		{"map", &ir.Schema{Kind: ir.KindMap, Elem: &ir.Schema{Kind: ir.KindString}}, false, ir.KindString},
		{"map, deepObject", &ir.Schema{Kind: ir.KindMap, Elem: &ir.Schema{Kind: ir.KindString}}, true, ir.KindMap},
		{"list of objects", objects, false, ir.KindString},
		{"list of objects, deepObject", objects, true, ir.KindSlice},
		{"integer", &ir.Schema{Kind: ir.KindInt64}, false, ir.KindInt64},
		{"bytes, deepObject", &ir.Schema{Kind: ir.KindBytes}, true, ir.KindString},
	} {
		if got := paramSchema(c.in, c.deep); got.Kind != c.want {
			t.Errorf("%s: kind %v, want %v", c.name, got.Kind, c.want)
		}
	}
}
