package generator

import (
	"net/http"

	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/stacks"
)

// checkRoutes reports, at their operations, the routes the stack's router
// would refuse: routers differ in what they can match (chi matches a
// parameter inside a segment, ServeMux does not) and in which overlapping
// patterns they accept. The routes are registered as the router hook does:
// the spec's own route first, then one per route the operations serve.
func checkRoutes(svc *ir.Service, stack stacks.Stack) diag.List {
	if stack.CheckRoutes == nil {
		return nil
	}
	routes := []stacks.Route{{Method: http.MethodGet, Path: svc.SpecRoute}}
	ops := []*ir.Operation{nil}
	for _, op := range svc.Operations {
		if op.ServesRoute() {
			routes = append(routes, stacks.Route{Method: op.Method, Path: svc.BasePath + op.Route.Pattern})
			ops = append(ops, op)
		}
	}
	var diags diag.List
	for i, err := range stack.CheckRoutes(routes) {
		if err == nil {
			continue
		}
		d := diag.Diagnostic{
			Severity: diag.Error, Summary: "route " + routes[i].Method + " " + routes[i].Path + ": " + err.Error(),
			Hint: "the go-chi stack routes it (--stack go-chi)",
		}
		if op := ops[i]; op != nil {
			d.Pos, d.Pointer = op.Pos, op.Pointer
			d.Summary = op.Method + " " + op.SpecPath + ": " + err.Error()
		}
		diags.Add(d)
	}
	return diags
}
