package goecho

import (
	"testing"

	"github.com/bkgen/bkgen/stacks"
	"github.com/bkgen/bkgen/stacks/stacktest"
)

func TestCheckRoutes(t *testing.T) {
	t.Parallel()
	routes := []stacks.Route{
		{Method: "GET", Path: "/openapi.yaml"},
		{Method: "GET", Path: "/pets/{id}"},
		{Method: "GET", Path: "/pets/mine/photos"},       // tried before /pets/{id}: echo routes it
		{Method: "GET", Path: "/files/{name}.json"},      // a parameter and text in one segment
		{Method: "GET", Path: "/users/{id}"},             // like /pets/{id}, its last parameter takes "x/tags" ...
		{Method: "DELETE", Path: "/{owner}/{repo}/tags"}, // ... of /pets/x/tags, tried before this route
		{Method: "GET", Path: "/a/{x}/b"},
		{Method: "GET", Path: "/a/c/{y}"},   // ServeMux refuses it; echo takes it
		{Method: "GET", Path: "/a/c/{y}/z"}, // {y} of /a/c/{y} stops at "/"
		{Method: "GET", Path: "/v1/files/*"},
	}
	want := map[int]string{
		3: `the path segment "{name}.json" holds a parameter and other text; echo matches a parameter to a whole segment only`,
		5: `echo cannot route it beside GET /pets/{id}: echo's last parameter of /pets/{id} takes the rest of a path`,
		9: `the path holds "*", which echo reads as a catch-all parameter`,
	}
	stacktest.CheckRoutes(t, CheckRoutes, routes, want)
}
