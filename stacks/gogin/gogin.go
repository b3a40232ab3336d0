// Package gogin is the go-gin stack: the generated handlers routed by gin
// (github.com/gin-gonic/gin v1).
package gogin

import (
	"embed"

	"github.com/bkgen/bkgen/stacks"
)

//go:embed snapshot/require.txt snapshot/go.sum.txt
var snapshot embed.FS

// Stack is the go-gin stack.
var Stack = stacks.WithSnapshot(stacks.Stack{
	Name:        "go-gin",
	Hooks:       "stack/go-gin",
	Pattern:     stacks.ColonPath,
	CheckRoutes: CheckRoutes,
}, snapshot)
