package render

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/bkgen/bkgen/generator/ir"
)

// Form bodies and deepObject query parameters carry nested values in
// bracketed keys (line_items[0][price]=p, metadata[key]=v), which the
// generated runtime reads back (form_gen.go). These helpers write the
// generated tests' requests so.

// addBracketed adds v to vals under key in bracket notation: the members of
// an object as key[name], the items of a list as key[i], a scalar as its
// text. Empty objects and lists, and nulls, add nothing.
func addBracketed(vals url.Values, key string, v any) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			addBracketed(vals, key+"["+k+"]", x[k])
		}
	case []any:
		for i, item := range x {
			addBracketed(vals, key+"["+strconv.Itoa(i)+"]", item)
		}
	default:
		vals.Add(key, scalarText(x))
	}
}

// scalarText is the text of a scalar example value in a form or query.
func scalarText(v any) string {
	if f, ok := v.(float64); ok {
		return formatNumber(f)
	}
	return fmt.Sprint(v)
}

// addDeepObject adds the example value v of deepObject query parameter p to
// query: an object in bracketed keys (created[gt]=1); a list of scalars as
// repeated keys (expand=a&expand=b), which the runtime accepts as well as
// expand[]=a and expand[0]=a, and which the contract test lets kin-openapi
// read (it reads no deepObject arrays).
func addDeepObject(query url.Values, p *ir.Param, v any) {
	if items, ok := v.([]any); ok && !slices.ContainsFunc(items, composite) {
		for _, item := range items {
			query.Add(p.Name, scalarText(item))
		}
		return
	}
	addBracketed(query, p.Name, v)
}

// composite reports whether an example value is an object or a list.
func composite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}
