package compat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// componentPrefix starts the JSON pointer of a component schema.
const componentPrefix = "/components/schemas/"

// componentName is the spec name of a component schema's type, "" for a
// type the spec defines inline.
func componentName(t *ir.Type) string {
	rest, ok := strings.CutPrefix(t.Pointer, componentPrefix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return ""
	}
	return strings.ReplaceAll(strings.ReplaceAll(rest, "~1", "/"), "~0", "~")
}

// components indexes a service's component schemas by spec name.
func components(svc *ir.Service) map[string]*ir.Type {
	out := make(map[string]*ir.Type)
	for _, t := range svc.Types {
		if name := componentName(t); name != "" {
			if _, dup := out[name]; !dup {
				out[name] = t
			}
		}
	}
	return out
}

// matchSchemas pairs component schemas: by name, then renamed ones. A
// schema is renamed when, among the schemas neither side pairs by name,
// exactly one new schema has its shape and it has no other old one's. The
// search repeats while it finds renames, since a renamed schema's users
// take its new name into their shapes.
func (c *comparer) matchSchemas() {
	for name, o := range c.oldComps {
		if n := c.newComps[name]; n != nil {
			c.pair[o] = n
		}
	}
	for {
		found := false
		oldBySig := c.signatures(c.unpairedOld(), true)
		newBySig := c.signatures(c.unpairedNew(), false)
		for _, sig := range sortedKeys(oldBySig) {
			olds, news := oldBySig[sig], newBySig[sig]
			if len(olds) != 1 || len(news) != 1 {
				continue
			}
			c.pair[olds[0]] = news[0]
			c.renamedSchemas[olds[0].Name] = news[0].Name
			found = true
		}
		if !found {
			return
		}
	}
}

// unpairedOld lists the old components not yet paired.
func (c *comparer) unpairedOld() []*ir.Type {
	var out []*ir.Type
	for _, name := range sortedKeys(c.oldComps) {
		if t := c.oldComps[name]; c.pair[t] == nil {
			out = append(out, t)
		}
	}
	return out
}

// unpairedNew lists the new components no old one is paired with.
func (c *comparer) unpairedNew() []*ir.Type {
	taken := make(map[*ir.Type]bool, len(c.pair))
	for _, n := range c.pair {
		taken[n] = true
	}
	var out []*ir.Type
	for _, name := range sortedKeys(c.newComps) {
		if t := c.newComps[name]; !taken[t] {
			out = append(out, t)
		}
	}
	return out
}

// signatures groups types by shape. Old types name the components they
// refer to by their new names, as far as pairs are known.
func (c *comparer) signatures(types []*ir.Type, old bool) map[string][]*ir.Type {
	out := make(map[string][]*ir.Type)
	for _, t := range types {
		s := &signer{c: c, old: old, stack: make(map[*ir.Type]bool)}
		sig := s.typeSig(t)
		out[sig] = append(out[sig], t)
	}
	return out
}

// signer renders the shape of a type: its properties and their types,
// without names of its own, constraints or docs.
type signer struct {
	c     *comparer
	old   bool
	stack map[*ir.Type]bool
	b     strings.Builder
}

// typeSig renders t's shape.
func (s *signer) typeSig(t *ir.Type) string {
	s.b.Reset()
	s.body(t)
	return s.b.String()
}

// body writes the shape of a type.
func (s *signer) body(t *ir.Type) {
	if s.stack[t] {
		s.b.WriteString("@cycle")
		return
	}
	s.stack[t] = true
	defer delete(s.stack, t)
	switch t.Kind {
	case ir.TypeStruct:
		s.b.WriteString("struct{")
		fields := slices.Clone(t.Fields)
		slices.SortFunc(fields, func(a, b *ir.Field) int { return strings.Compare(a.Name, b.Name) })
		for _, f := range fields {
			s.b.WriteString(strconv.Quote(f.Name) + ":")
			s.use(f.Schema)
			s.b.WriteString(";")
		}
		if t.Additional != nil {
			s.b.WriteString("*:")
			s.use(t.Additional)
		}
		s.b.WriteString("}")
	case ir.TypeEnum:
		fmt.Fprintf(&s.b, "enum(%d:%s)", t.Base, strings.Join(enumValues(t), ","))
	case ir.TypeUnion:
		fmt.Fprintf(&s.b, "union(%t,%q:", t.OneOf, t.Discriminator)
		for _, v := range t.Variants {
			s.use(v.Schema)
			s.b.WriteString("|")
		}
		s.b.WriteString(")")
	case ir.TypeSlice:
		s.b.WriteString("[]")
		s.use(t.Elem)
	case ir.TypeMap:
		s.b.WriteString("map:")
		s.use(t.Elem)
	}
}

// use writes the shape of a schema use: a component by name, an inline
// type by its shape.
func (s *signer) use(u *ir.Schema) {
	if u == nil {
		s.b.WriteString("nil")
		return
	}
	switch u.Kind {
	case ir.KindNamed:
		if u.Named == nil {
			s.b.WriteString("?")
			return
		}
		if name := componentName(u.Named); name != "" {
			if n := s.c.pair[u.Named]; s.old && n != nil {
				name = componentName(n)
			}
			s.b.WriteString("#" + strconv.Quote(name))
			return
		}
		s.body(u.Named)
	case ir.KindSlice:
		s.b.WriteString("[]")
		s.use(u.Elem)
	case ir.KindMap:
		s.b.WriteString("map:")
		s.use(u.Elem)
	default:
		fmt.Fprintf(&s.b, "k%d", u.Kind)
		if u.Format != "" {
			s.b.WriteString("/" + u.Format)
		}
	}
}

// compareComponents compares each pair of component schemas once, in the
// directions the old spec uses the old one, and reports those added,
// removed and renamed.
func (c *comparer) compareComponents() {
	paired := make(map[*ir.Type]bool)
	for _, name := range sortedKeys(c.oldComps) {
		o := c.oldComps[name]
		at := place{head: "components.schemas." + name, component: true}
		n := c.pair[o]
		if n == nil {
			c.add("schema-removed", false, at.String(), fmt.Sprintf("Component schema %s was removed (Go type %s); its uses are compared where they are.", name, o.Name))
			continue
		}
		paired[n] = true
		if nn := componentName(n); nn != name {
			c.add("schema-renamed", false, at.String(), fmt.Sprintf("Component schema %s was renamed %s with the same shape (Go type %s becomes %s); the wire format is unchanged.", name, nn, o.Name, n.Name))
		}
		c.shape(&ir.Schema{Kind: ir.KindNamed, Named: o}, &ir.Schema{Kind: ir.KindNamed, Named: n}, at, c.dirs[o])
	}
	for _, name := range sortedKeys(c.newComps) {
		if n := c.newComps[name]; !paired[n] {
			c.add("schema-added", false, "components.schemas."+name, fmt.Sprintf("Component schema %s was added (Go type %s).", name, n.Name))
		}
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
