package gogin

import (
	"fmt"
	"slices"

	"github.com/bkgen/bkgen/stacks"
)

// CheckRoutes returns why gin refuses each route, registered in order (see
// stacks.CheckColonRoutes), or would route requests on it otherwise than
// chi: gin tries a literal segment before a parameter in its place, as chi
// does, but when the literal's branch takes a parameter and then finds no
// route, gin answers 404 where chi comes back and tries the parameter. So a
// route with a parameter where another of its method has a literal is
// refused unless a route after that literal takes everything it does, or
// the literal's branch holds no parameter to fail in.
func CheckRoutes(routes []stacks.Route) []error {
	return stacks.CheckColonRoutes("gin", routes, func(routes []stacks.Route, a, b, at int) error {
		if routes[a].Method != routes[b].Method {
			return nil
		}
		sa, sb := stacks.Segments(routes[a].Path), stacks.Segments(routes[b].Path)
		covered, paramAfter := false, false
		for _, c := range routes {
			sc := stacks.Segments(c.Path)
			if c.Method != routes[b].Method || len(sc) <= at || !slices.Equal(sc[:at+1], sa[:at+1]) {
				continue
			}
			paramAfter = paramAfter || slices.ContainsFunc(sc[at+1:], stacks.IsParam)
			covered = covered || len(sc) == len(sb) && takesAll(sc[at+1:], sb[at+1:])
		}
		if covered || !paramAfter {
			return nil
		}
		other := routes[a]
		if a > b {
			other = routes[b]
		}
		return fmt.Errorf("gin cannot route it beside %s %s: on a path that has %q in place of the parameter, gin does not come back to the parameter when the literal's routes fail after it, as chi does", other.Method, other.Path, sa[at])
	})
}

// takesAll reports whether the segments of a route take every path the
// segments of another do.
func takesAll(segs, other []string) bool {
	for i, seg := range segs {
		if !stacks.IsParam(seg) && seg != other[i] {
			return false
		}
	}
	return true
}
