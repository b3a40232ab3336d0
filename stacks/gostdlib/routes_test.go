package gostdlib

import (
	"testing"

	"github.com/bkgen/bkgen/stacks"
	"github.com/bkgen/bkgen/stacks/stacktest"
)

func TestPattern(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/pets", "GET /pets"},
		{"GET", "/v2/pets/{petId}", "GET /v2/pets/{petId}"},
		{"POST", "/pets/", "POST /pets/{$}"},
		{"GET", "/", "GET /{$}"},
	} {
		if got := Pattern(c.method, c.path); got != c.want {
			t.Errorf("Pattern(%q, %q) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func TestCheckRoutes(t *testing.T) {
	t.Parallel()
	routes := []stacks.Route{
		{Method: "GET", Path: "/openapi.yaml"},
		{Method: "GET", Path: "/pets"},
		{Method: "GET", Path: "/pets/{id}"},
		{Method: "GET", Path: "/pets/mine"},      // more specific than /pets/{id}
		{Method: "HEAD", Path: "/pets/{id}"},     // fewer methods than GET /pets/mine, a more general path
		{Method: "HEAD", Path: "/pets"},          // more specific than GET /pets, which takes HEAD too
		{Method: "GET", Path: "/pets/{id}.json"}, // a parameter and text in one segment
		{Method: "GET", Path: "/a/{x}/b"},
		{Method: "POST", Path: "/a/c/{y}"}, // other method: no conflict
		{Method: "GET", Path: "/a/c/{y}"},  // conflicts with GET /a/{x}/b
		{Method: "GET", Path: "/pets/"},
	}
	want := map[int]string{
		4: `cannot route it beside GET /pets/mine: HEAD /pets/{id} matches fewer methods than GET /pets/mine`,
		6: `the path segment "{id}.json" holds a parameter and other text`,
		9: `cannot route it beside GET /a/{x}/b: GET /a/c/{y} and GET /a/{x}/b both match some paths, like "/a/c/b".`,
	}
	stacktest.CheckRoutes(t, CheckRoutes, routes, want)
}
