package spec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// origin records that the part of the bundled document at out came from the
// element at toks in src, so positions can still point into that file.
type origin struct {
	out  []string
	src  *source
	toks []string
}

// bundler turns a spec whose $refs point into other files into a single
// document: each referenced element is copied into the components section
// its kind belongs to (and the $ref pointed there), keeping its name for the
// types generated from it; path items and anything without a components
// section are copied in place of the $ref.
type bundler struct {
	r        *resolver
	out      *yaml.Node
	done     map[string]string // target key -> its new local $ref
	taken    map[string]bool   // "section/name" already used in out
	inlining map[string]bool   // targets being copied in place, to stop cycles
	origins  []origin
	diags    diag.List
	budget   int // nodes still allowed to be copied (alias bombs, cycles)
}

const copyBudget = 5_000_000

// bundle returns the spec with every $ref into another file made local.
func (r *resolver) bundle() (*yaml.Node, []origin, diag.List) {
	b := &bundler{
		r: r, done: map[string]string{}, taken: map[string]bool{},
		inlining: map[string]bool{}, budget: copyBudget,
	}
	b.out = copyTree(r.root.root, true, map[*yaml.Node]*yaml.Node{}, &b.budget)
	for _, sec := range [][]string{
		{"components", "schemas"},
		{"components", "parameters"},
		{"components", "requestBodies"},
		{"components", "responses"},
		{"components", "headers"},
		{"components", "examples"},
		{"components", "links"},
		{"components", "callbacks"},
		{"components", "securitySchemes"},
		{"definitions"},
		{"parameters"},
		{"responses"},
		{"securityDefinitions"},
	} {
		if m := lookup(b.out, sec); m.found == len(sec) && m.node.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(m.node.Content); i += 2 {
				b.taken[strings.Join(sec, "/")+"/"+m.node.Content[i].Value] = true
			}
		}
	}
	b.rewrite(r.root, b.out, kDoc, nil, nil)
	if b.budget < 0 {
		b.diags.Errorf(diag.Pos{File: r.root.path}, "", "the bundled document is too large (more than %d nodes)", copyBudget)
	}
	return b.out, b.origins, b.diags
}

// rewrite makes the $refs under n local. n is an element of kind k that came
// from src at srcToks, and sits at outToks in the bundled document.
func (b *bundler) rewrite(src *source, n *yaml.Node, k kind, outToks, srcToks []string) {
	w := &walker{}
	w.ref = func(s refSite) bool {
		t, p := b.r.resolve(src, s.value.Value)
		if p != nil || t.node == nil {
			return true // reported by the check, or an anchor left to kin-openapi
		}
		if t.src == b.r.root {
			if src != b.r.root || namesFile(s.value.Value) {
				s.value.Value = "#" + joinPointer(t.toks)
			}
			return true
		}
		at := append(append([]string(nil), outToks...), s.toks...)
		sec := b.section(s.kind)
		if sec == nil {
			b.inline(src, s, t, at, append(append([]string(nil), srcToks...), s.toks...))
			return false
		}
		s.value.Value = b.internalize(t, s.kind, sec)
		return true
	}
	w.mapping = func(m mappingRef) {
		if !looksLikeRef(m.value.Value) {
			return
		}
		t, p := b.r.resolve(src, m.value.Value)
		switch {
		case p != nil || t.node == nil:
		case t.src == b.r.root:
			if src != b.r.root || namesFile(m.value.Value) {
				m.value.Value = "#" + joinPointer(t.toks)
			}
		default:
			m.value.Value = b.internalize(t, kSchema, b.section(kSchema))
		}
	}
	w.walk(n, k)
}

// internalize copies the target into sec (once) and returns its local $ref.
func (b *bundler) internalize(t target, k kind, sec []string) string {
	key := t.key()
	if ref, ok := b.done[key]; ok {
		return ref
	}
	name := b.name(sec, t)
	outToks := append(append([]string(nil), sec...), name)
	ref := "#" + joinPointer(outToks)
	b.done[key] = ref
	c := copyTree(t.node, false, nil, &b.budget)
	restyle(c, t.src.format, b.r.root.format)
	b.add(sec, name, c)
	b.origins = append(b.origins, origin{out: outToks, src: t.src, toks: t.toks})
	b.rewrite(t.src, c, k, outToks, t.toks)
	return ref
}

// inline replaces the $ref holder with a copy of the target; the holder's
// other members (a 3.1 summary or description) win over the copy's.
func (b *bundler) inline(src *source, s refSite, t target, at, inSrc []string) {
	key := t.key()
	if b.inlining[key] {
		b.diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.pos(s.key), Pointer: joinPointer(inSrc),
			Summary: fmt.Sprintf("$ref %q is circular and cannot be copied into the bundled document", s.value.Value),
		})
		return
	}
	c := copyTree(t.node, false, nil, &b.budget)
	restyle(c, t.src.format, b.r.root.format)
	if c.Kind == yaml.MappingNode {
		content := c.Content
		for i := 0; i+1 < len(s.holder.Content); i += 2 {
			k := s.holder.Content[i]
			if k.Value == "$ref" {
				continue
			}
			if j := indexOfKey(content, k.Value); j >= 0 {
				content[j+1] = s.holder.Content[i+1]
			} else {
				content = append(content, k, s.holder.Content[i+1])
			}
		}
		s.holder.Content = content
		s.holder.Kind, s.holder.Tag, s.holder.Value = yaml.MappingNode, "!!map", ""
	} else {
		line, col := s.holder.Line, s.holder.Column
		*s.holder = *c
		s.holder.Line, s.holder.Column = line, col
	}
	b.origins = append(b.origins, origin{out: at, src: t.src, toks: t.toks})
	b.inlining[key] = true
	b.rewrite(t.src, s.holder, s.kind, at, t.toks)
	delete(b.inlining, key)
}

// section returns where elements of kind k are collected, or nil when they
// are copied in place.
func (b *bundler) section(k kind) []string {
	if b.r.swagger {
		switch k {
		case kSchema:
			return []string{"definitions"}
		case kParameter:
			return []string{"parameters"}
		case kResponse:
			return []string{"responses"}
		case kSecurity:
			return []string{"securityDefinitions"}
		}
		return nil
	}
	sec := map[kind]string{
		kSchema: "schemas", kParameter: "parameters", kRequestBody: "requestBodies",
		kResponse: "responses", kHeader: "headers", kExample: "examples", kLink: "links",
		kCallback: "callbacks", kSecurity: "securitySchemes",
	}[k]
	if sec == "" {
		return nil
	}
	return []string{"components", sec}
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// name picks the component name for a target: the last pointer token, or
// the file's name when the whole file is the element; a number is added
// when the name is taken.
func (b *bundler) name(sec []string, t target) string {
	base := strings.TrimSuffix(filepath.Base(t.src.path), filepath.Ext(t.src.path))
	if len(t.toks) > 0 {
		base = t.toks[len(t.toks)-1]
	}
	base = strings.Trim(nameUnsafe.ReplaceAllString(base, "_"), "_")
	if base == "" {
		base = "Ref"
	}
	prefix := strings.Join(sec, "/") + "/"
	name := base
	for i := 2; b.taken[prefix+name]; i++ {
		name = base + strconv.Itoa(i)
	}
	b.taken[prefix+name] = true
	return name
}

// add sets out[sec][name] = n, creating the section mappings as needed.
func (b *bundler) add(sec []string, name string, n *yaml.Node) {
	m := b.out
	for _, tok := range sec {
		child := mapValue(m, tok)
		if child == nil || child.Kind != yaml.MappingNode {
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if j := indexOfKey(m.Content, tok); j >= 0 {
				m.Content[j+1] = child
			} else {
				m.Content = append(m.Content, scalar(tok), child)
			}
		}
		m = child
	}
	m.Content = append(m.Content, scalar(name), n)
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// indexOfKey returns the index of key among the keys of mapping content, or -1.
func indexOfKey(content []*yaml.Node, key string) int {
	for i := 0; i+1 < len(content); i += 2 {
		if content[i].Value == key {
			return i
		}
	}
	return -1
}

// copyTree deep-copies n. With keepAliases, aliases keep pointing at the copy
// of their anchor (the spec itself is copied this way); without, they are
// expanded and anchors dropped, since a copied element lands in a document
// that does not define them. budget bounds the number of nodes copied.
func copyTree(n *yaml.Node, keepAliases bool, seen map[*yaml.Node]*yaml.Node, budget *int) *yaml.Node {
	if n == nil {
		return nil
	}
	*budget--
	if *budget < 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	if n.Kind == yaml.AliasNode {
		if c, ok := seen[n.Alias]; ok && keepAliases {
			return &yaml.Node{Kind: yaml.AliasNode, Alias: c, Value: n.Value, Line: n.Line, Column: n.Column}
		}
		if n.Alias != nil {
			c := copyTree(n.Alias, false, nil, budget)
			c.Anchor = ""
			return c
		}
	}
	c := *n
	c.Content = nil
	if !keepAliases {
		c.Anchor = ""
	}
	if keepAliases && n.Anchor != "" {
		seen[n] = &c
	}
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, child := range n.Content {
			c.Content[i] = copyTree(child, keepAliases, seen, budget)
		}
	}
	return &c
}

// restyle drops the JSON styles (flow collections, quoted strings) of an
// element copied from a JSON file into a YAML document, so the result reads
// like the rest of it.
func restyle(n *yaml.Node, from, to string) {
	if from == "json" && to == "yaml" {
		plainStyle(n)
	}
}
