package stacks

import (
	"fmt"
	"strings"
)

// PartialSegment returns the first segment of path that holds a parameter
// and more ("{name}.json"), or "".
func PartialSegment(path string) string {
	for seg := range strings.SplitSeq(path, "/") {
		if strings.ContainsAny(seg, "{}") && (!strings.HasPrefix(seg, "{") || strings.Index(seg, "}") != len(seg)-1) {
			return seg
		}
	}
	return ""
}

// ColonPath writes a route's path as gin and echo register it: a parameter
// is ":name" ("/pets/:petId"), and a colon in a literal segment is escaped
// ("/ops\:batch"), since both would read it as a parameter.
func ColonPath(_, path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if name, ok := param(seg); ok {
			segs[i] = ":" + name
		} else {
			segs[i] = strings.ReplaceAll(seg, ":", `\:`)
		}
	}
	return strings.Join(segs, "/")
}

// CheckColonRoutes returns, for routers matching ":name" parameters (gin,
// echo), why router refuses each route, registered in order: a parameter
// sharing its segment with other text (a parameter runs to the next "/"), a
// "*" (a catch-all to them), or the route of an earlier one. pair, when set,
// is asked about each pair of routes whose segments first differ where a is
// literal and b a parameter: routers try the literal first, and differ from
// chi in how they come back to the parameter.
func CheckColonRoutes(router string, routes []Route, pair func(routes []Route, a, b, at int) error) []error {
	errs := make([]error, len(routes))
	shapes := make(map[string]int)
	for i, rt := range routes {
		if seg := PartialSegment(rt.Path); seg != "" {
			errs[i] = fmt.Errorf("the path segment %q holds a parameter and other text; %s matches a parameter to a whole segment only", seg, router)
			continue
		}
		if strings.Contains(rt.Path, "*") {
			errs[i] = fmt.Errorf("the path holds %q, which %s reads as a catch-all parameter", "*", router)
			continue
		}
		shape := rt.Method + " " + Shape(rt.Path)
		if j, dup := shapes[shape]; dup {
			errs[i] = fmt.Errorf("%s cannot route it beside %s %s: they are the same route", router, routes[j].Method, routes[j].Path)
			continue
		}
		shapes[shape] = i
	}
	if pair == nil {
		return errs
	}
	for a := range routes {
		for b := range routes {
			if errs[a] != nil || errs[b] != nil {
				continue
			}
			sa, sb := Segments(routes[a].Path), Segments(routes[b].Path)
			at := 0
			for at < len(sa) && at < len(sb) && sa[at] == sb[at] {
				at++
			}
			if at == len(sa) || at == len(sb) || IsParam(sa[at]) || !IsParam(sb[at]) {
				continue
			}
			if err := pair(routes, a, b, at); err != nil {
				errs[max(a, b)] = err
			}
		}
	}
	return errs
}

// Segments splits a route's path into its segments, each parameter written
// "{}": "/pets/{id}" is ["pets", "{}"].
func Segments(path string) []string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, seg := range segs {
		if _, ok := param(seg); ok {
			segs[i] = "{}"
		}
	}
	return segs
}

// Shape is a route's path with its parameters' names left out: "/pets/{}".
func Shape(path string) string { return "/" + strings.Join(Segments(path), "/") }

// IsParam reports whether a segment of Segments is a parameter.
func IsParam(seg string) bool { return seg == "{}" }

// param returns the name of a segment that is one parameter.
func param(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}
