package spec

import (
	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// Pos returns the position of the element at pointer (a JSON pointer into
// OpenAPI, such as "/paths/~1pets/get/parameters/0") in the file it came
// from: the spec, or the file a bundled $ref pointed into. An element that
// does not exist there falls back to its nearest existing ancestor.
func (d *Document) Pos(pointer string) diag.Pos {
	toks := splitPointer(pointer)
	if d.swagger {
		toks = toSwaggerPointer(toks)
	}
	src := d.src
	var best *origin
	for i := range d.origins {
		if o := &d.origins[i]; (best == nil || len(o.out) > len(best.out)) && hasPrefix(toks, o.out) {
			best = o
		}
	}
	if best != nil {
		src = best.src
		toks = append(append([]string(nil), best.toks...), toks[len(best.out):]...)
	}
	r := d.lookup(src.root, toks)
	if r.key != nil {
		return src.pos(r.key)
	}
	return src.pos(r.node)
}

func hasPrefix(toks, prefix []string) bool {
	if len(prefix) > len(toks) {
		return false
	}
	for i, p := range prefix {
		if toks[i] != p {
			return false
		}
	}
	return true
}

// lookup is [lookup] with an index over the keys of large mappings, so
// positions can be asked for every element of a large spec cheaply.
func (d *Document) lookup(root *yaml.Node, toks []string) resolved {
	r := resolved{node: deref(root)}
	for _, tok := range toks {
		var child, key *yaml.Node
		if n := r.node; n.Kind == yaml.MappingNode && len(n.Content) > 64 {
			d.mu.Lock()
			if d.index == nil {
				d.index = map[*yaml.Node]map[string]int{}
			}
			idx, ok := d.index[n]
			if !ok {
				idx = make(map[string]int, len(n.Content)/2)
				for i := len(n.Content) - 2; i >= 0; i -= 2 {
					if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
						idx[k.Value] = i
					}
				}
				d.index[n] = idx
			}
			d.mu.Unlock()
			if i, ok := idx[tok]; ok {
				child, key = n.Content[i+1], n.Content[i]
			}
		}
		if child == nil {
			child, key = member(r.node, tok)
		}
		if child == nil {
			return r
		}
		r.node, r.key = deref(child), key
		r.found++
	}
	return r
}
