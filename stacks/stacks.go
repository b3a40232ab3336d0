// Package stacks describes the technology stacks bkgen generates: each is a
// typed value naming its hook templates and pinning its dependencies.
package stacks

import (
	"fmt"
	"io/fs"
)

// Stack is one web framework stack.
type Stack struct {
	// Name is the value of `stack:` in bkgen.yaml.
	Name string
	// Hooks is the folder under blueprints/ holding the stack's own templates.
	Hooks string
	// GoVersion is the go directive of the generated go.mod.
	GoVersion string
	// Require is the require blocks of the generated go.mod, as `go mod tidy`
	// wrote them for the stack's snapshot module.
	Require string
	// GoSum is the go.sum of the snapshot module: every checksum the generated
	// module can need, so it builds without `go mod tidy`.
	GoSum string
	// Pattern, when set, writes a route as the stack's router registers it;
	// the router hooks call it. Nil when the router takes Route.Path as it is.
	Pattern func(method, path string) string
	// CheckRoutes, when set, returns why the stack's router refuses each of
	// routes, registered in order: nil for a route it serves. Nil when the
	// router serves every route bkgen generates.
	CheckRoutes func(routes []Route) []error
}

// Route is one route of the generated router.
type Route struct {
	// Method is the HTTP method: "GET".
	Method string
	// Path is the path under the server's root, in OpenAPI syntax with
	// router-safe parameter names (ir.Route.Pattern under the base path):
	// "/v2/pets/{petId}".
	Path string
}

// GoVersion is the go directive of the generated go.mod, unless a stack sets
// its own.
const GoVersion = "1.26.0"

// WithSnapshot returns s with its dependency snapshot read from fsys, the
// stack package's embedded snapshot folder (snapshot/require.txt and
// snapshot/go.sum.txt, kept tidy by stacktest.CheckSnapshot), and GoVersion
// when s sets none. A missing file is a broken build: it panics.
func WithSnapshot(s Stack, fsys fs.FS) Stack {
	read := func(name string) string {
		b, err := fs.ReadFile(fsys, "snapshot/"+name)
		if err != nil {
			panic(fmt.Sprintf("stack %s: %v", s.Name, err))
		}
		return string(b)
	}
	s.Require, s.GoSum = read("require.txt"), read("go.sum.txt")
	if s.GoVersion == "" {
		s.GoVersion = GoVersion
	}
	return s
}
