package ir

import (
	"net/textproto"
	"slices"
	"strings"
)

// corsBaseHeaders are the request headers every generated service lets
// browsers send cross-origin: the body's media type, credentials, the
// platform's request id, and the headers of idempotent retries and
// optimistic concurrency.
var corsBaseHeaders = []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", "X-Request-Id"}

// CORSHeaders are the request headers the generated CORS middleware allows
// in a preflight (Access-Control-Allow-Headers): the platform's own, the
// header parameters of the operations, the headers of the api-key schemes,
// and the session scheme's CSRF header, in canonical form, sorted, each once.
// A header a browser asks for that is not in this list is refused, so a page
// on an allowed origin cannot send what the API never reads.
func (s *Service) CORSHeaders() []string {
	out := slices.Clone(corsBaseHeaders)
	for _, op := range s.Operations {
		for _, p := range op.Params {
			if p.IsHeader() {
				out = append(out, p.Name)
			}
		}
	}
	for _, sc := range s.SecuritySchemes {
		switch {
		case sc.Kind == SchemeAPIKey && sc.In == "header":
			out = append(out, sc.Param)
		case sc.Kind == SchemeSession:
			// auth.CSRFHeader (blueprints/service/internal/auth/session_gen.go.tmpl):
			// unsafe requests carry the session's CSRF token in it.
			out = append(out, "X-CSRF-Token")
		}
	}
	for i, h := range out {
		out[i] = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(h))
	}
	out = slices.DeleteFunc(out, func(h string) bool { return h == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
