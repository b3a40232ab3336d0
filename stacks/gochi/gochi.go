// Package gochi is the go-chi stack: net/http handlers routed by chi v5.
package gochi

import (
	"embed"

	"github.com/bkgen/bkgen/stacks"
)

//go:embed snapshot/require.txt snapshot/go.sum.txt
var snapshot embed.FS

// Stack is the go-chi stack.
var Stack = stacks.WithSnapshot(stacks.Stack{Name: "go-chi", Hooks: "stack/go-chi"}, snapshot)
