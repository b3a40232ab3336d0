package spec

import (
	"encoding/json"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// convert turns a Swagger 2.0 document (data: the original bytes, or the
// bundled ones) into OpenAPI 3.0, serialised in the format of the original.
func (d *Document) convert(data []byte) ([]byte, diag.List) {
	var diags diag.List
	fail := func(what string, err error) ([]byte, diag.List) {
		dg := d.kinError(err, false)
		dg.Summary = what + ": " + dg.Summary
		diags.Add(dg)
		return nil, diags
	}
	var tree yaml.Node
	if err := yaml.Unmarshal(data, &tree); err != nil || len(tree.Content) == 0 {
		diags.Errorf(diag.Pos{File: d.Path}, "", "cannot read the Swagger 2.0 document again: %v", err)
		return nil, diags
	}
	js, err := encode(tree.Content[0], "json")
	if err != nil {
		diags.Errorf(diag.Pos{File: d.Path}, "", "cannot read the Swagger 2.0 document: %v", err)
		return nil, diags
	}
	var v2 openapi2.T
	if err := json.Unmarshal(js, &v2); err != nil {
		return fail("cannot read the Swagger 2.0 document", err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return fail("cannot convert Swagger 2.0 to OpenAPI 3.0", err)
	}
	out, err := json.Marshal(v3)
	if err != nil {
		return fail("cannot write the converted document", err)
	}
	var conv yaml.Node
	if err := yaml.Unmarshal(out, &conv); err != nil || len(conv.Content) == 0 {
		diags.Errorf(diag.Pos{File: d.Path}, "", "cannot read the converted document: %v", err)
		return nil, diags
	}
	root := conv.Content[0]
	reorderTop(root)
	if d.Format == "yaml" {
		plainStyle(root)
	}
	b, err := encode(root, d.Format)
	if err != nil {
		return fail("cannot write the converted document", err)
	}
	return b, diags
}

// toSwaggerPointer maps a pointer into the converted OpenAPI 3.0 document to
// the element of the Swagger 2.0 file it came from, as far as the two
// layouts correspond; the rest falls back to the nearest ancestor.
func toSwaggerPointer(toks []string) []string {
	if len(toks) >= 2 && toks[0] == "components" {
		sec := map[string]string{
			"schemas": "definitions", "parameters": "parameters", "requestBodies": "parameters",
			"responses": "responses", "securitySchemes": "securityDefinitions",
		}[toks[1]]
		if sec == "" {
			return nil
		}
		return append([]string{sec}, toks[2:]...)
	}
	if len(toks) >= 1 && toks[0] == "servers" {
		return []string{"host"}
	}
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t == "requestBody" && i >= 3 && toks[0] == "paths":
			return append(out, "parameters")
		case t == "content" && i+2 < len(toks) && strings.Contains(toks[i+1], "/"):
			i++ // "content/<media type>" has no 2.0 counterpart: schema sits on the response
		default:
			out = append(out, t)
		}
	}
	return out
}
