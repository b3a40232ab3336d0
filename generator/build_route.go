package generator

import (
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
