package render

import (
	"fmt"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// sessionBody is the Go body of the generated default of a login (check the
// body's user name and password, start a session, answer with what the
// response declares of it) or a logout (end the request's session).
func sessionBody(op *ir.Operation) string {
	so := op.Session
	var b strings.Builder
	if so.Logout {
		fmt.Fprintf(&b, "if err := auth.EndSession(ctx); err != nil {\nreturn nil, err\n}\nreturn %s, nil\n", successValue(op, ""))
		return b.String()
	}
	if bodyIsPtr(op.Body) {
		b.WriteString("if req.Body == nil {\nreturn nil, api.NewStatusError(http.StatusBadRequest, \"a user name and password are required\")\n}\n")
	}
	for _, c := range []struct {
		name string
		f    *ir.Field
	}{{"user", so.User}, {"password", so.Password}} {
		ref := "req.Body." + c.f.GoName
		if c.f.Ptr {
			fmt.Fprintf(&b, "var %s string\nif %s != nil {\n%s = *%s\n}\n", c.name, ref, c.name, ref)
		} else {
			fmt.Fprintf(&b, "%s := %s\n", c.name, ref)
		}
	}
	r := op.Success()
	if r.MediaType == "" || !r.IsJSON() {
		fmt.Fprintf(&b, "if _, err := auth.Login(ctx, user, password); err != nil {\nreturn nil, err\n}\nreturn %s, nil\n", successValue(op, ""))
		return b.String()
	}
	b.WriteString("s, err := auth.Login(ctx, user, password)\nif err != nil {\nreturn nil, err\n}\n")
	fmt.Fprintf(&b, "var body api.%s\n", r.Schema.Named.Name)
	set := func(f *ir.Field, value string, addressable bool) {
		if f == nil {
			return
		}
		switch {
		case !f.Ptr:
			fmt.Fprintf(&b, "body.%s = %s\n", f.GoName, value)
		case addressable:
			fmt.Fprintf(&b, "body.%s = &%s\n", f.GoName, value)
		default:
			v := lowerFirst(f.GoName)
			fmt.Fprintf(&b, "%s := %s\nbody.%s = &%s\n", v, value, f.GoName, v)
		}
	}
	set(so.Subject, "s.Subject", true)
	if f := so.Scopes; f != nil {
		if f.Schema.Kind == ir.KindString {
			set(f, `strings.Join(s.Scopes, " ")`, false)
		} else {
			set(f, "s.Scopes", true)
		}
	}
	set(so.CSRF, "s.CSRFToken", true)
	set(so.Expires, "s.Expires", true)
	fmt.Fprintf(&b, "return %s, nil\n", successValue(op, "body"))
	return b.String()
}
