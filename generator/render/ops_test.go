package render

import (
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

func TestMDCell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Returns all pets", "Returns all pets"},
		{"a | b", `a \| b`},
		{"first line\nsecond\tline  ", "first line second line"},
		{"", ""},
	} {
		if got := mdCell(tc.in); got != tc.want {
			t.Errorf("mdCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMDCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"/pets/{id}", "`/pets/{id}`"},
		{"a`b", "``a`b``"},
		{"`x`", "`` `x` ``"},
		{"a|b", "`a\\|b`"},
	} {
		if got := mdCode(tc.in); got != tc.want {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRelPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, target, want string }{
		{"docs/runbooks/alerts", "docs/runbooks/rollback.md", "../rollback.md"},
		{"docs/runbooks", "docs/runbooks/rollback.md", "rollback.md"},
		{"docs", "docs/runbooks/deploy.md", "runbooks/deploy.md"},
		{"docs/runbooks/alerts", "docs/api.md", "../../api.md"},
		{"docs/runbooks", "deploy/monitoring/rules.yaml", "../../deploy/monitoring/rules.yaml"},
		{".", "docs/api.md", "docs/api.md"},
		// A folder named like the file's folder's prefix is no common part.
		{"docs/run", "docs/runbooks/x.md", "../runbooks/x.md"},
	} {
		if got := relPath(tc.from, tc.target); got != tc.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tc.from, tc.target, got, tc.want)
		}
	}
}

func TestMDLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{
			"A bad release: roll back (docs/runbooks/rollback.md).",
			"A bad release: roll back ([docs/runbooks/rollback.md](../rollback.md)).",
		},
		{
			// Paths in code spans stay as they are: they are commands.
			"Run `cat docs/runbooks/rollback.md` then docs/api.md.",
			"Run `cat docs/runbooks/rollback.md` then [docs/api.md](../../api.md).",
		},
		{"no path here", "no path here"},
		{"an unclosed ` docs/api.md", "an unclosed ` docs/api.md"},
		{"mydocs/a.md is not ours", "mydocs/a.md is not ours"},
	} {
		if got := mdLinks("docs/runbooks/alerts", tc.in); got != tc.want {
			t.Errorf("mdLinks(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestSchemaDoc(t *testing.T) {
	t.Parallel()
	pet := &ir.Type{Name: "Pet", Kind: ir.TypeStruct}
	for _, tc := range []struct {
		in   *ir.Schema
		want string
	}{
		{nil, "any"},
		{&ir.Schema{Kind: ir.KindString}, "string"},
		{&ir.Schema{Kind: ir.KindString, Format: "uuid"}, "string (uuid)"},
		{&ir.Schema{Kind: ir.KindTime}, "string (date-time)"},
		{&ir.Schema{Kind: ir.KindInt64}, "integer (int64)"},
		{&ir.Schema{Kind: ir.KindInt32, Format: "int32"}, "integer (int32)"},
		{&ir.Schema{Kind: ir.KindBool, Nullable: true}, "boolean, nullable"},
		{&ir.Schema{Kind: ir.KindNamed, Named: pet}, "Pet"},
		{&ir.Schema{Kind: ir.KindSlice, Elem: &ir.Schema{Kind: ir.KindNamed, Named: pet}}, "array of Pet"},
		{&ir.Schema{Kind: ir.KindMap, Elem: &ir.Schema{Kind: ir.KindFloat64, Format: "double"}}, "map of number (double)"},
		{&ir.Schema{Kind: ir.KindAny}, "any"},
	} {
		if got := schemaDoc(tc.in); got != tc.want {
			t.Errorf("schemaDoc(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSecurityDoc(t *testing.T) {
	t.Parallel()
	bearer := &ir.SecurityScheme{Name: "bearerAuth", Kind: ir.SchemeJWT}
	key := &ir.SecurityScheme{Name: "api_key", Kind: ir.SchemeAPIKey}
	for _, tc := range []struct {
		name string
		sec  []ir.SecurityRequirement
		want string
	}{
		{"public", nil, "none: public"},
		{"optional", []ir.SecurityRequirement{{{Scheme: bearer}}, {}}, "`bearerAuth` (jwt) or anonymous"},
		{
			"scopes and alternatives",
			[]ir.SecurityRequirement{{{Scheme: bearer, Scopes: []string{"pets:read", "pets:write"}}}, {{Scheme: key}}},
			"`bearerAuth` (jwt) with scope `pets:read`, `pets:write` or `api_key` (api-key)",
		},
		{"both at once", []ir.SecurityRequirement{{{Scheme: bearer}, {Scheme: key}}}, "`bearerAuth` (jwt) and `api_key` (api-key)"},
	} {
		if got := securityDoc(&ir.Operation{Security: tc.sec}); got != tc.want {
			t.Errorf("%s: securityDoc = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMermaidText(t *testing.T) {
	t.Parallel()
	if got, want := mermaidText(`Pets "v2" <beta> #1`+"\nnext"), "Pets #quot;v2#quot; #lt;beta#gt; #35;1 next"; got != want {
		t.Errorf("mermaidText = %q, want %q", got, want)
	}
}

func TestMDPlainLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"See [the flow](../self-service/flows/recovery).", "See the flow."},
		{"[Reference](/documentation/web-api) and [site](https://example.com/x \"title\")", "Reference and [site](https://example.com/x \"title\")"},
		{"an anchor [here](#section), ![logo](img.png)", "an anchor here, logo"},
		{"[mail](mailto:a@example.com)", "[mail](mailto:a@example.com)"},
		{"no link [brackets] (parens)", "no link [brackets] (parens)"},
	} {
		if got := mdPlainLinks(tc.in); got != tc.want {
			t.Errorf("mdPlainLinks(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMDQuote(t *testing.T) {
	t.Parallel()
	in := "\n# Heading\n\nText with [a link](x.md).\n"
	if got, want := mdQuote(in), "> # Heading\n>\n> Text with a link."; got != want {
		t.Errorf("mdQuote = %q, want %q", got, want)
	}
}
