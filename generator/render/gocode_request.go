package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// paramType is the Go type of a parameter field: optional scalars and
// objects are pointers.
func paramType(p *ir.Param) string {
	t := goType(p.Schema)
	if paramIsPtr(p) {
		return "*" + t
	}
	return t
}

// paramIsPtr reports whether a parameter field is a pointer, nil when the
// parameter is absent; slices, maps and any are nil themselves.
func paramIsPtr(p *ir.Param) bool {
	switch p.Schema.Kind {
	case ir.KindSlice, ir.KindMap, ir.KindAny:
		return false
	}
	return !p.Required
}

// paramPointer is the pointer naming a parameter in errors: "/query/limit".
func paramPointer(p *ir.Param) string {
	return "/" + p.In + "/" + ir.EscapePointer(p.Name)
}

// decodeParam is the code reading parameter p of request r into req.
func (g *goCode) decodeParam(p *ir.Param) string {
	if p.IsDeepObject() {
		return deepObjectParam(p)
	}
	var b strings.Builder
	ptr := strconv.Quote(paramPointer(p))
	name := strconv.Quote(p.Name)
	list := p.Schema.Kind == ir.KindSlice
	// vals is the parameter's raw values, ok whether it is present.
	switch p.In {
	case "path":
		fmt.Fprintf(&b, "if raw := pathParam(r, %s); raw != \"\" {\n", strconv.Quote(p.RouteName))
		if list {
			b.WriteString("vals := strings.Split(raw, \",\")\n")
		}
	case "query":
		fmt.Fprintf(&b, "if vals, ok := query[%s]; ok {\n", name)
		if list && !p.Explode {
			b.WriteString("vals = splitList(vals)\n")
		}
		if !list {
			b.WriteString("raw := vals[0]\n")
		}
	case "header":
		fmt.Fprintf(&b, "if vals := r.Header.Values(%s); len(vals) > 0 {\n", name)
		if list {
			b.WriteString("vals = splitList(vals)\n")
		} else {
			b.WriteString("raw := vals[0]\n")
		}
	case "cookie":
		fmt.Fprintf(&b, "if c, err := r.Cookie(%s); err == nil {\n", name)
		if list {
			b.WriteString("vals := strings.Split(c.Value, \",\")\n")
		} else {
			b.WriteString("raw := c.Value\n")
		}
	}
	parser := paramParser(p.Schema)
	switch {
	case list:
		fmt.Fprintf(&b, "v, err := parseList(vals, %s)\n", parser)
	default:
		fmt.Fprintf(&b, "v, err := %s(raw)\n", parser)
	}
	fmt.Fprintf(&b, "if err != nil {\nerrs.fail(%s, err.Error())\n} else {\n", ptr)
	assignParam(&b, p, ptr)
	return b.String()
}

// assignParam ends the code decoding parameter p: the decoded v is stored in
// req, and a required parameter that is absent is reported at ptr.
func assignParam(b *strings.Builder, p *ir.Param, ptr string) {
	if paramIsPtr(p) {
		fmt.Fprintf(b, "req.%s = &v\n", p.GoName)
	} else {
		fmt.Fprintf(b, "req.%s = v\n", p.GoName)
	}
	b.WriteString("}\n}")
	if p.Required {
		fmt.Fprintf(b, " else {\nerrs.fail(%s, \"is required\")\n}", ptr)
	}
	b.WriteString("\n")
}

// deepObjectParam is the code reading a deepObject query parameter: its
// bracketed keys (created[gt]=1; expand[]=a, expand[0]=a or expand=a for an
// array) are decoded as the JSON they spell, which reports every problem by
// its pointer under the parameter's.
func deepObjectParam(p *ir.Param) string {
	var b strings.Builder
	ptr := strconv.Quote(paramPointer(p))
	fmt.Fprintf(&b, "if v, ok, err := decodeDeepObject[%s](query, %s); ok {\n", goType(p.Schema), strconv.Quote(p.Name))
	fmt.Fprintf(&b, "if err != nil {\nerrs.nest(%s, err)\n} else {\n", ptr)
	assignParam(&b, p, ptr)
	return b.String()
}

// validateParam is the code checking a decoded parameter against its schema.
func (g *goCode) validateParam(p *ir.Param) string {
	if !needsCheck(p.Schema) {
		return ""
	}
	ptr := strconv.Quote(paramPointer(p))
	if paramIsPtr(p) {
		return fmt.Sprintf("if req.%s != nil {\n%s}\n", p.GoName, g.validate("(*req."+p.GoName+")", ptr, p.Schema, 0))
	}
	return g.validate("req."+p.GoName, ptr, p.Schema, 0)
}

// bodyType is the Go type of a request's Body field.
func bodyType(b *ir.Body) string {
	switch b.Kind {
	case ir.BodyBinary, ir.BodyText:
		return "[]byte"
	}
	t := goType(b.Schema)
	if !b.Required && b.Schema.Kind != ir.KindSlice && b.Schema.Kind != ir.KindMap && b.Schema.Kind != ir.KindAny {
		return "*" + t
	}
	return t
}

// bodyIsPtr reports whether the Body field is a pointer.
func bodyIsPtr(b *ir.Body) bool { return strings.HasPrefix(bodyType(b), "*") }

// decodeBody is the code reading the operation's request body into req.Body.
func (g *goCode) decodeBody(op *ir.Operation) string {
	b := op.Body
	media := quoteList(b.MediaTypes)
	req := strconv.FormatBool(b.Required)
	var out strings.Builder
	switch b.Kind {
	case ir.BodyBinary, ir.BodyText:
		fmt.Fprintf(&out, "body, err := decodeRawBody(&errs, r, %s, %s)\nif err != nil {\nreturn nil, err\n}\nreq.Body = body\n", req, media)
	case ir.BodyJSON, ir.BodyForm, ir.BodyMultipart:
		target := "&req.Body"
		if bodyIsPtr(b) {
			fmt.Fprintf(&out, "var body %s\n", goType(b.Schema))
			target = "&body"
		}
		present := "present"
		if !bodyIsPtr(b) {
			present = "_"
		}
		switch {
		case op.MergePatch():
			fmt.Fprintf(&out, "%s, err := decodeJSONMergePatch(&errs, r, %s, %s, &req.Members, %s)\n", present, target, req, media)
		case b.Kind == ir.BodyJSON:
			fmt.Fprintf(&out, "%s, err := decodeJSONBody(&errs, r, %s, %s, %s)\n", present, target, req, media)
		default:
			files := "_"
			if b.Kind == ir.BodyMultipart {
				files = "files"
			}
			fmt.Fprintf(&out, "%s, %s, err := decodeFormBody(&errs, r, %s, %s, %s)\n", files, present, target, req, media)
			if b.Kind == ir.BodyMultipart {
				out.WriteString("req.Files = files\n")
			}
		}
		out.WriteString("if err != nil {\nreturn nil, err\n}\n")
		if bodyIsPtr(b) {
			out.WriteString("if present {\nreq.Body = &body\n}\n")
		}
	}
	return out.String()
}

// validateBody is the code checking a decoded body.
func (g *goCode) validateBody(b *ir.Body) string {
	if b.Schema == nil || !needsCheck(b.Schema) {
		return ""
	}
	if bodyIsPtr(b) {
		return fmt.Sprintf("if req.Body != nil {\n%s}\n", g.validate("(*req.Body)", `"/body"`, b.Schema, 0))
	}
	return g.validate("req.Body", `"/body"`, b.Schema, 0)
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// responseBodyType is the Go type of a response's Body field.
func responseBodyType(r *ir.Response) string {
	switch r.Kind {
	case ir.BodyJSON:
		return goType(r.Schema)
	default:
		return "[]byte"
	}
}

// statusValue is the Go expression filling an error schema's status field.
func statusValue(f *ir.Field) string {
	var v string
	switch f.Schema.Kind {
	case ir.KindString:
		v = "strconv.Itoa(p.Status)"
	case ir.KindInt32:
		v = "status32(p.Status)"
	default:
		v = goType(f.Schema) + "(p.Status)"
	}
	if f.Ptr {
		return "ptrTo(" + v + ")"
	}
	return v
}

// messageValue is the Go expression filling an error schema's message field.
func messageValue(f *ir.Field) string {
	if f.Ptr {
		return "ptrTo(p.message())"
	}
	return "p.message()"
}
