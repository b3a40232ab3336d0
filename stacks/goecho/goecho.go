// Package goecho is the go-echo stack: the generated handlers routed by
// echo (github.com/labstack/echo/v4).
package goecho

import (
	"embed"

	"github.com/bkgen/bkgen/stacks"
)

//go:embed snapshot/require.txt snapshot/go.sum.txt
var snapshot embed.FS

// Stack is the go-echo stack.
var Stack = stacks.WithSnapshot(stacks.Stack{
	Name:        "go-echo",
	Hooks:       "stack/go-echo",
	Pattern:     stacks.ColonPath,
	CheckRoutes: CheckRoutes,
}, snapshot)
