package render

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// fuzzBoundary is the multipart boundary of the fuzz target's seed bodies.
const fuzzBoundary = "bkgenfuzzboundary"

// FuzzCase is what the generated request-decoding fuzz target knows of one
// operation: how to build a request of it from the fuzzer's values, and a
// valid request to seed the fuzzer with.
type FuzzCase struct {
	Op *ir.Operation
	// Path is the operation's path under the base path, its parameters
	// written {name}; PathParams are their names in the order of Path.
	Path       string
	PathParams []string
	// ContentType goes with a body whose headers give none; "" when the
	// operation takes no body.
	ContentType string
	// The seed: PathValues one a line, the raw Query, Headers as
	// "Name: value" lines, Body.
	PathValues, Query, Headers, Body string
}

// Fuzz builds the fuzz target's cases, one per operation. An operation the
// handler tests skip still gets a case: its seed is then only a start.
func (td *TestData) Fuzz() []*FuzzCase {
	out := make([]*FuzzCase, 0, len(td.Ops))
	for _, oc := range td.Ops {
		out = append(out, fuzzCase(oc))
	}
	return out
}

func fuzzCase(oc *OpCase) *FuzzCase {
	op := oc.Op
	fc := &FuzzCase{Op: op, Path: op.Path}
	ex := newExamples()
	type pathParam struct{ name, value string }
	var params []pathParam
	for _, p := range op.Params {
		if p.In != "path" {
			continue
		}
		v := "1"
		if x, ok := ex.value(p.Schema); ok {
			v = strings.Join(paramStrings(x), ",")
		}
		params = append(params, pathParam{p.Name, v})
	}
	// In the order the path writes them.
	slices.SortStableFunc(params, func(a, b pathParam) int {
		return strings.Index(op.Path, "{"+a.name+"}") - strings.Index(op.Path, "{"+b.name+"}")
	})
	values := make([]string, len(params))
	for i, p := range params {
		fc.PathParams = append(fc.PathParams, p.name)
		values[i] = p.value
	}
	fc.PathValues = strings.Join(values, "\n")
	if b := op.Body; b != nil {
		fc.ContentType = b.MediaTypes[0]
		switch {
		case b.Kind == ir.BodyJSON && strings.Contains(fc.ContentType, "*"):
			fc.ContentType = "application/json"
		case b.Kind == ir.BodyMultipart:
			fc.ContentType = "multipart/form-data; boundary=" + fuzzBoundary
			fc.Body = multipartSeed(b, ex)
		case strings.Contains(fc.ContentType, "*"):
			fc.ContentType = "application/octet-stream"
		}
	}
	if v := oc.Valid; v != nil {
		if _, q, ok := strings.Cut(v.Target, "?"); ok {
			fc.Query = q
		}
		var h strings.Builder
		for _, kv := range v.Headers {
			fmt.Fprintf(&h, "%s: %s\n", kv[0], kv[1])
		}
		fc.Headers = h.String()
		if v.Body != "" {
			fc.Body = v.Body
		}
	}
	return fc
}

// multipartSeed is a multipart body of an example value of b's schema: a
// file part for each binary member, a text part for each other one (a JSON
// text for an object or a list).
func multipartSeed(b *ir.Body, ex *examples) string {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(fuzzBoundary); err != nil {
		return ""
	}
	v, _ := ex.value(b.Schema)
	obj, _ := v.(map[string]any)
	var fields []*ir.Field
	if s := b.Schema; s.Kind == ir.KindNamed && s.Named.Kind == ir.TypeStruct {
		fields = s.Named.Fields
	}
	for _, f := range fields {
		x, ok := obj[f.Name]
		if !ok {
			continue
		}
		h := make(textproto.MIMEHeader)
		if f.Schema.Format == "binary" {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="seed.bin"`, f.Name))
			h.Set("Content-Type", "application/octet-stream")
			x = "data"
		} else {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q`, f.Name))
		}
		part, err := w.CreatePart(h)
		if err != nil {
			return ""
		}
		text := scalarText(x)
		if composite(x) {
			text = jsonString(x)
		}
		if _, err := part.Write([]byte(text)); err != nil {
			return ""
		}
	}
	if err := w.Close(); err != nil {
		return ""
	}
	return buf.String()
}
