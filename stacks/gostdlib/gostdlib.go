// Package gostdlib is the go-stdlib stack: net/http handlers routed by the
// standard library's ServeMux (the method and wildcard patterns of Go 1.22),
// with no framework.
package gostdlib

import (
	"embed"

	"github.com/bkgen/bkgen/stacks"
)

//go:embed snapshot/require.txt snapshot/go.sum.txt
var snapshot embed.FS

// Stack is the go-stdlib stack.
var Stack = stacks.WithSnapshot(stacks.Stack{
	Name:        "go-stdlib",
	Hooks:       "stack/go-stdlib",
	Pattern:     Pattern,
	CheckRoutes: CheckRoutes,
}, snapshot)
