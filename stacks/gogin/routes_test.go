package gogin

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
		{Method: "GET", Path: "/pets/mine"},           // a literal beside a parameter: gin tries it first, as chi
		{Method: "GET", Path: "/pets/mine/photos"},    // the literal's branch fails on "/pets/mine", without a parameter: gin comes back
		{Method: "GET", Path: "/files/{name}.json"},   // a parameter and text in one segment
		{Method: "GET", Path: "/users/{id}"},          // like /pets/{id}, a parameter in the literal's branch ...
		{Method: "GET", Path: "/{owner}/{repo}/tags"}, // ... which fails on /pets/x/tags: gin does not come back to {owner}
		{Method: "DELETE", Path: "/{owner}/{repo}/x"}, // no DELETE route has a literal in {owner}'s place
		{Method: "GET", Path: "/a/{x}/b"},
		{Method: "GET", Path: "/a/c/{y}"}, // ServeMux refuses it; gin takes it
		{Method: "GET", Path: "/openapi.yaml"},
		{Method: "GET", Path: "/v1/files/*"},
	}
	want := map[int]string{
		4:  `the path segment "{name}.json" holds a parameter and other text; gin matches a parameter to a whole segment only`,
		6:  `gin cannot route it beside GET /pets/{id}: on a path that has "pets" in place of the parameter`,
		10: `gin cannot route it beside GET /openapi.yaml: they are the same route`,
		11: `the path holds "*", which gin reads as a catch-all parameter`,
	}
	stacktest.CheckRoutes(t, CheckRoutes, routes, want)
}
