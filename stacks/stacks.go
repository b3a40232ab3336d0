// Package stacks describes the technology stacks bkgen generates: each is a
// typed value naming its hook templates and pinning its dependencies.
package stacks

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
}
