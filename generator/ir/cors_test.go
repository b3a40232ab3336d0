package ir

import (
	"slices"
	"testing"
)

func TestCORSHeaders(t *testing.T) {
	t.Parallel()
	s := &Service{
		Operations: []*Operation{
			{Params: []*Param{{Name: "x-trace-token", In: "header"}, {Name: "limit", In: "query"}}},
			{Params: []*Param{{Name: "X-Trace-Token", In: "header"}, {Name: "if-match", In: "header"}}},
		},
		SecuritySchemes: []*SecurityScheme{
			{Kind: SchemeAPIKey, In: "header", Param: "X-API-KEY"},
			{Kind: SchemeAPIKey, In: "query", Param: "api_key"},
			{Kind: SchemeSession, In: "cookie", Param: "sid"},
		},
	}
	want := []string{
		"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match",
		"X-Api-Key", "X-Csrf-Token", "X-Request-Id", "X-Trace-Token",
	}
	if got := s.CORSHeaders(); !slices.Equal(got, want) {
		t.Errorf("CORSHeaders() = %q, want %q", got, want)
	}
	if got := (&Service{}).CORSHeaders(); !slices.Equal(got, corsBaseHeaders) {
		t.Errorf("CORSHeaders() of a service without header parameters = %q, want %q", got, corsBaseHeaders)
	}
}
