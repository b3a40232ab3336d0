// Package gochi is the go-chi stack: net/http handlers routed by chi v5.
package gochi

import (
	_ "embed"

	"github.com/bkgen/bkgen/stacks"
)

var (
	//go:embed snapshot/require.txt
	require string
	//go:embed snapshot/go.sum.txt
	goSum string
)

// Stack is the go-chi stack.
var Stack = stacks.Stack{
	Name:      "go-chi",
	Hooks:     "stack/go-chi",
	GoVersion: "1.26.0",
	Require:   require,
	GoSum:     goSum,
}
