package render

import (
	"net/url"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

func TestFormEncode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"flat", map[string]any{"name": "a", "count": 2.0, "ok": true}, "count=2&name=a&ok=true"},
		{"nested object", map[string]any{"address": map[string]any{"line1": "x", "city": "y"}}, "address[city]=y&address[line1]=x"},
		{"list of scalars", map[string]any{"tags": []any{"a", "b"}}, "tags[0]=a&tags[1]=b"},
		{"list of objects", map[string]any{"items": []any{map[string]any{"price": "p", "quantity": 2.0}}}, "items[0][price]=p&items[0][quantity]=2"},
		{"map in a list", map[string]any{"a": []any{[]any{1.5}}}, "a[0][0]=1.5"},
		{"empty and null", map[string]any{"tags": []any{}, "meta": map[string]any{}, "gone": nil}, ""},
		{"not an object", []any{"a"}, ""},
	} {
		got, err := url.QueryUnescape(formEncode(c.v))
		if err != nil || got != c.want {
			t.Errorf("%s: formEncode = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestAddDeepObject(t *testing.T) {
	t.Parallel()
	p := &ir.Param{Name: "q", In: "query", Style: "deepObject"}
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"object", map[string]any{"gt": 1.0, "range": map[string]any{"lt": 2.0}}, "q[gt]=1&q[range][lt]=2"},
		{"list of scalars", []any{"a", "b"}, "q=a&q=b"},
		{"list of objects", []any{map[string]any{"a": "x"}}, "q[0][a]=x"},
		{"scalar", "x", "q=x"},
	} {
		query := url.Values{}
		addDeepObject(query, p, c.v)
		got, err := url.QueryUnescape(query.Encode())
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestDeepObjectParamCode(t *testing.T) {
	t.Parallel()
	rng := &ir.Schema{Kind: ir.KindNamed, Named: &ir.Type{Name: "Range", Kind: ir.TypeStruct}}
	g := &goCode{}
	for _, c := range []struct {
		p         *ir.Param
		typ, want string
	}{
		{
			&ir.Param{Name: "created", GoName: "Created", In: "query", Style: "deepObject", Schema: rng},
			"*Range",
			`if v, ok, err := decodeDeepObject[Range](query, "created"); ok {
if err != nil {
errs.nest("/query/created", err)
} else {
req.Created = &v
}
}
`,
		},
		{
			&ir.Param{Name: "expand", GoName: "Expand", In: "query", Style: "deepObject", Required: true, Schema: &ir.Schema{Kind: ir.KindSlice, Elem: &ir.Schema{Kind: ir.KindString}}},
			"[]string",
			`if v, ok, err := decodeDeepObject[[]string](query, "expand"); ok {
if err != nil {
errs.nest("/query/expand", err)
} else {
req.Expand = v
}
} else {
errs.fail("/query/expand", "is required")
}
`,
		},
		{
			&ir.Param{Name: "meta", GoName: "Meta", In: "query", Style: "deepObject", Schema: &ir.Schema{Kind: ir.KindMap, Elem: &ir.Schema{Kind: ir.KindString}}},
			"map[string]string",
			`if v, ok, err := decodeDeepObject[map[string]string](query, "meta"); ok {
if err != nil {
errs.nest("/query/meta", err)
} else {
req.Meta = v
}
}
`,
		},
	} {
		if got := paramType(c.p); got != c.typ {
			t.Errorf("%s: paramType = %s, want %s", c.p.Name, got, c.typ)
		}
		if got := g.decodeParam(c.p); got != c.want {
			t.Errorf("%s: decodeParam =\n%s\nwant\n%s", c.p.Name, got, c.want)
		}
	}
}
