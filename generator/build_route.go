package generator

import (
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// routeNames gives path parameters router-safe names. Routers key wildcards by
// position: /files/{FolderId} and /files/{FileId}/content must share one
// wildcard name, so the first name seen at a position wins and later paths
// use it (Xero's specs need this). Names are reduced to letters, digits and _.
type routeNames struct {
	// byPrefix maps the path prefix up to a wildcard (with wildcards written as {}) to its name.
	byPrefix map[string]string
}

func newRouteNames() *routeNames { return &routeNames{byPrefix: make(map[string]string)} }

// route returns the router pattern for path and the router name of each parameter.
func (r *routeNames) route(path string) ir.Route {
	rt := ir.Route{Params: make(map[string]string)}
	var out, shape strings.Builder
	used := make(map[string]bool) // names in this route: routers refuse a name twice
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if i > 0 {
			out.WriteByte('/')
			shape.WriteByte('/')
		}
		m := pathParamRE.FindStringSubmatch(seg)
		if m == nil || m[0] != seg {
			out.WriteString(seg)
			shape.WriteString(seg)
			continue
		}
		key := shape.String()
		name, ok := r.byPrefix[key]
		if !ok {
			name = safeParamName(m[1], len(r.byPrefix))
			for base, n := name, 2; used[name]; n++ {
				name = base + strconv.Itoa(n)
			}
			r.byPrefix[key] = name
		}
		used[name] = true
		if _, seen := rt.Params[m[1]]; !seen {
			rt.Params[m[1]] = name
		}
		out.WriteString("{" + name + "}")
		shape.WriteString("{}")
	}
	rt.Pattern = out.String()
	return rt
}

func safeParamName(name string, n int) string {
	var b strings.Builder
	for _, c := range name {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 || b.String()[0] >= '0' && b.String()[0] <= '9' {
		return "p" + strconv.Itoa(n) + b.String()
	}
	return b.String()
}

// shareRoutes finds the operations whose method and route pattern are the
// same (their paths differ only in parameter names, or in a "#…" suffix) and
// orders each such set for dispatch: the operation whose path parameters say
// most about their values (a uuid, an integer, an enum, a pattern) or that
// requires more query and header parameters is tried first, the one taking
// any string last. An operation whose parameters say no more than an
// earlier one's is unreachable, and said to be.
func (b *builder) shareRoutes() {
	type key struct{ method, pattern string }
	byRoute := make(map[key][]*ir.Operation)
	var order []key
	for _, op := range b.svc.Operations {
		k := key{op.Method, op.Route.Pattern}
		if _, ok := byRoute[k]; !ok {
			order = append(order, k)
		}
		byRoute[k] = append(byRoute[k], op)
	}
	for _, k := range order {
		ops := byRoute[k]
		if len(ops) < 2 {
			continue
		}
		slices.SortStableFunc(ops, func(x, y *ir.Operation) int { return matchSpecificity(y) - matchSpecificity(x) })
		for i, op := range ops {
			op.Shared = ops
			if i == 0 {
				continue
			}
			prev := ops[i-1]
			if matchSpecificity(op) == matchSpecificity(prev) && sameMatch(op, prev) {
				op.Unreachable = true
				b.diags.Warnf(op.Pos, op.Pointer, "%s %s shares its route with %s %s (the paths differ only in parameter names) and its parameters accept the same requests: every request goes to %s; %s is unreachable",
					op.Method, op.SpecPath, prev.Method, prev.SpecPath, prev.ID, op.ID)
			}
		}
	}
}

// matchSpecificity scores how much the parameters a shared route is matched on
// (ir.Operation.MatchParams) restrict requests: a required query or header
// parameter, or a path parameter with a format, type or enum, says more than
// a pattern or a length, which say more than nothing.
func matchSpecificity(op *ir.Operation) int {
	n := 0
	for _, p := range op.MatchParams() {
		s := p.Schema
		switch {
		case p.In != "path",
			s.Kind == ir.KindNamed && s.Named.Kind == ir.TypeEnum,
			s.Kind != ir.KindString && s.Kind != ir.KindAny,
			s.Format == "uuid" || s.Format == "date" || s.Format == "date-time" || s.Format == "email":
			n += 4
		case s.Pattern != "":
			n += 2
		case s.MinLength != nil || s.MaxLength != nil:
			n++
		}
	}
	return n
}

// sameMatch reports whether two operations are matched on the same
// parameters: path parameters of the same kinds and formats, position by
// position, and the same required others.
func sameMatch(a, b *ir.Operation) bool {
	keys := func(op *ir.Operation) []string {
		var out []string
		for _, p := range op.MatchParams() {
			if p.In != "path" {
				out = append(out, p.In+":"+p.Name)
				continue
			}
			k := p.RouteName + ":" + strconv.Itoa(int(p.Schema.Kind)) + ":" + p.Schema.Format + ":" + p.Schema.Pattern
			if p.Schema.Named != nil {
				k += ":" + p.Schema.Named.Name
			}
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(keys(a), keys(b))
}
