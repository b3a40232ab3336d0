package goecho

import (
	"fmt"
	"slices"

	"github.com/bkgen/bkgen/stacks"
)

// CheckRoutes returns why echo refuses each route, registered in order (see
// stacks.CheckColonRoutes), or would route requests on it otherwise than
// chi. echo's last parameter, where no route goes on after it, takes the
// rest of the path, "/" included ("/pets/:id" matches "/pets/1/photos"): the
// router answers those 404 (405 where a route of another method has the
// path), as chi does, but it cannot give the request to a longer route
// echo tries later. So a route ending in such a parameter is refused beside
// a longer route, tried after it, that a path can match as far as it goes.
func CheckRoutes(routes []stacks.Route) []error {
	return stacks.CheckColonRoutes("echo", routes, func(routes []stacks.Route, a, b, _ int) error {
		sa, sb := stacks.Segments(routes[a].Path), stacks.Segments(routes[b].Path)
		if !stacks.IsParam(sa[len(sa)-1]) || len(sb) <= len(sa) {
			return nil
		}
		for i := range sa {
			if sa[i] != sb[i] && !stacks.IsParam(sa[i]) && !stacks.IsParam(sb[i]) {
				return nil
			}
		}
		for _, c := range routes {
			if sc := stacks.Segments(c.Path); len(sc) > len(sa) && slices.Equal(sc[:len(sa)], sa) {
				return nil // the parameter stops at "/": routes go on after it
			}
		}
		other := routes[a]
		if a > b {
			other = routes[b]
		}
		return fmt.Errorf("echo cannot route it beside %s %s: echo's last parameter of %s takes the rest of a path, \"/\" included, before it tries the longer route", other.Method, other.Path, routes[a].Path)
	})
}
