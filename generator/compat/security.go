package compat

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// security compares what an operation requires of a caller. A client of the
// old spec meets one of its requirements; it still gets through if some new
// requirement asks for no scheme it lacks and no scope it lacks.
func (c *comparer) security(o, n *ir.Operation) {
	at := opWhere(o) + " security"
	oldProt, newProt := o.Protected(), n.Protected()
	switch {
	case !oldProt && newProt:
		c.add("auth-added", true, at, fmt.Sprintf("The operation now requires %s: clients calling it without a credential get 401.", describeReqs(n.Security)))
		return
	case oldProt && !newProt:
		c.add("auth-removed", false, at, "The operation no longer requires a credential.")
		return
	case !oldProt:
		return
	}
	for _, req := range o.Security {
		if len(req) == 0 || slices.ContainsFunc(n.Security, func(nr ir.SecurityRequirement) bool { return len(nr) > 0 && meets(req, nr, true) }) {
			continue
		}
		if slices.ContainsFunc(n.Security, func(nr ir.SecurityRequirement) bool { return len(nr) > 0 && meets(req, nr, false) }) {
			c.add("scope-added", true, at, fmt.Sprintf("The operation now requires %s instead of %s: tokens holding only the old scopes get 403.", describeReqs(n.Security), describeReqs(o.Security)))
			return
		}
		c.add("auth-changed", true, at, fmt.Sprintf("The operation now requires %s instead of %s: clients authenticating with %s get 401.", describeReqs(n.Security), describeReqs(o.Security), describeReq(req)))
		return
	}
	if describeReqs(o.Security) != describeReqs(n.Security) {
		c.add("auth-relaxed", false, at, fmt.Sprintf("The operation now requires %s instead of %s; every old way of authenticating still works.", describeReqs(n.Security), describeReqs(o.Security)))
	}
}

// meets reports whether a client meeting have also meets want: every scheme
// want names is in have and, when scopes is set, with no scope have lacks.
func meets(have, want ir.SecurityRequirement, scopes bool) bool {
	for _, w := range want {
		i := slices.IndexFunc(have, func(h ir.SchemeUse) bool { return h.Scheme.Name == w.Scheme.Name })
		if i < 0 {
			return false
		}
		if !scopes {
			continue
		}
		for _, s := range w.Scopes {
			if !slices.Contains(have[i].Scopes, s) {
				return false
			}
		}
	}
	return true
}

// describeReqs renders requirements for a summary: "bearer or apiKey+basic".
func describeReqs(reqs []ir.SecurityRequirement) string {
	if len(reqs) == 0 {
		return "no credential"
	}
	parts := make([]string, len(reqs))
	for i, r := range reqs {
		parts[i] = describeReq(r)
	}
	return strings.Join(parts, " or ")
}

// describeReq renders one requirement: "oauth [pets:read pets:write]", "anonymous".
func describeReq(req ir.SecurityRequirement) string {
	if len(req) == 0 {
		return "anonymous access"
	}
	parts := make([]string, len(req))
	for i, u := range req {
		parts[i] = u.Scheme.Name
		if len(u.Scopes) > 0 {
			scopes := slices.Sorted(slices.Values(u.Scopes))
			parts[i] += " [" + strings.Join(scopes, " ") + "]"
		}
	}
	return strings.Join(parts, "+")
}

// securitySchemes reports schemes of one name that are checked differently.
func (c *comparer) securitySchemes() {
	newByName := make(map[string]*ir.SecurityScheme)
	for _, s := range c.new.SecuritySchemes {
		newByName[s.Name] = s
	}
	for _, o := range c.old.SecuritySchemes {
		n := newByName[o.Name]
		if n == nil || (o.Kind == n.Kind && o.In == n.In && o.Param == n.Param && o.Type == n.Type) {
			continue
		}
		c.add("security-scheme-changed", true, "components.securitySchemes."+o.Name, fmt.Sprintf(
			"The security scheme %q changed from %s to %s: clients send their credential the old way and get 401.", o.Name, describeScheme(o), describeScheme(n)))
	}
}

// describeScheme renders a scheme: "apiKey in header X-API-Key".
func describeScheme(s *ir.SecurityScheme) string {
	if s.In == "" {
		return s.Type
	}
	return fmt.Sprintf("%s in %s %s", s.Type, s.In, s.Param)
}
