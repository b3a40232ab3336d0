package spec

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// splitPointer returns the unescaped tokens of a JSON pointer ("/a~1b/0" ->
// ["a/b", "0"]). A leading "#" is allowed; "" and "/" differ as RFC 6901 says
// ("" is the whole document, "/" its member named "").
func splitPointer(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "#")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		if strings.Contains(t, "~") {
			toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		}
	}
	return toks
}

// escapeToken escapes one JSON pointer token.
func escapeToken(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// joinPointer builds a JSON pointer from unescaped tokens.
func joinPointer(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

// resolved is the result of looking a pointer up in a node tree.
type resolved struct {
	node  *yaml.Node // the node the pointer names (aliases followed)
	key   *yaml.Node // its key, when it is a mapping member
	found int        // how many tokens matched; all of them when the pointer resolves
}

// lookup walks toks from root. When a token does not match, it stops and
// reports the deepest node it reached, so callers can fall back to the
// nearest existing ancestor.
func lookup(root *yaml.Node, toks []string) resolved {
	r := resolved{node: deref(root)}
	for _, tok := range toks {
		child, key := member(r.node, tok)
		if child == nil {
			return r
		}
		r.node, r.key = deref(child), key
		r.found++
	}
	return r
}

// member returns the value named tok in a mapping (merge keys included) or
// the element at index tok in a sequence, with its key node for mappings.
func member(n *yaml.Node, tok string) (value, key *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == tok && k.Tag != "!!merge" {
				return n.Content[i+1], k
			}
		}
		// YAML merge keys ("<<: *base") bring in the members of other mappings.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				for _, m := range mergeSources(n.Content[i+1]) {
					if v, k := member(m, tok); v != nil {
						return v, k
					}
				}
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err == nil && i >= 0 && i < len(n.Content) && (tok == "0" || tok[0] != '0') {
			return n.Content[i], nil
		}
	}
	return nil, nil
}

// mergeSources returns the mappings a merge key's value names.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	if v.Kind == yaml.SequenceNode {
		out := make([]*yaml.Node, 0, len(v.Content))
		for _, c := range v.Content {
			if c = deref(c); c.Kind == yaml.MappingNode {
				out = append(out, c)
			}
		}
		return out
	}
	if v.Kind == yaml.MappingNode {
		return []*yaml.Node{v}
	}
	return nil
}

// deref follows alias nodes to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	v, _ := member(n, key)
	return deref(v)
}
