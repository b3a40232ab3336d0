package spec

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// resolver checks the $refs of a spec and of the files it refers to, and
// finds their targets. Only local files relative to the referring file are
// read: remote references are refused, so loading a spec never touches the
// network.
type resolver struct {
	root     *source
	files    map[string]*source // by cleaned path
	fileErrs map[string]string  // why a file could not be read or parsed
	walked   map[*yaml.Node]bool
	diags    diag.List
	external bool // some followed $ref points into another file
	swagger  bool
}

// target is what a $ref points to.
type target struct {
	src  *source
	toks []string   // pointer tokens in src
	node *yaml.Node // nil for anchors ("#foo"), which are not resolved here
}

func (t target) key() string { return t.src.path + "#" + joinPointer(t.toks) }

// problem says why a $ref cannot be resolved.
type problem struct {
	summary, hint string
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

func newResolver(root *source, swagger bool) *resolver {
	r := &resolver{
		root: root, swagger: swagger,
		files:    map[string]*source{filepath.Clean(root.path): root},
		fileErrs: map[string]string{},
		walked:   map[*yaml.Node]bool{},
	}
	return r
}

// check walks the spec and every part of other files it refers to, and
// records a diagnostic for each $ref that does not resolve.
func (r *resolver) check() {
	r.walkFrom(r.root, r.root.root, kDoc, nil)
}

// walkFrom checks the refs under n, an element of kind k at toks in src.
func (r *resolver) walkFrom(src *source, n *yaml.Node, k kind, toks []string) {
	if n == nil || r.walked[n] {
		return
	}
	r.walked[n] = true
	w := &walker{toks: slices.Clone(toks)}
	var pending []target
	var kinds []kind
	w.ref = func(s refSite) bool {
		t, p := r.resolve(src, s.value.Value)
		if p != nil {
			r.diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(s.key), Pointer: joinPointer(s.toks),
				Summary: p.summary, Hint: p.hint,
			})
			return true
		}
		if t.src != r.root || namesFile(s.value.Value) {
			r.external = true
		}
		if r.needsWalk(t) {
			pending = append(pending, t)
			kinds = append(kinds, s.kind)
		}
		return true
	}
	w.extRef = func(s refSite) { r.checkExtensionRef(src, s) }
	w.mapping = func(m mappingRef) {
		if !looksLikeRef(m.value.Value) {
			return
		}
		t, p := r.resolve(src, m.value.Value)
		if p != nil {
			r.diags.Add(diag.Diagnostic{
				Severity: diag.Warning, Pos: src.pos(m.value), Pointer: joinPointer(m.toks),
				Summary: "discriminator mapping: " + p.summary, Hint: p.hint,
			})
			return
		}
		if t.src != r.root || namesFile(m.value.Value) {
			r.external = true
		}
		if r.needsWalk(t) {
			pending = append(pending, t)
			kinds = append(kinds, kSchema)
		}
	}
	w.walk(n, k)
	for i, t := range pending {
		r.walkFrom(t.src, t.node, kinds[i], t.toks)
	}
}

// needsWalk reports whether the refs under a target still need checking:
// every target in another file does (once), and so do targets in the spec
// outside the sections the walk of the whole spec has typed already.
func (r *resolver) needsWalk(t target) bool {
	if t.node == nil || r.walked[t.node] {
		return false
	}
	if t.src != r.root || len(t.toks) == 0 {
		return t.src != r.root
	}
	switch t.toks[0] {
	case "components", "paths", "webhooks", "definitions", "parameters", "responses":
		return false
	}
	return true
}

// checkExtensionRef warns about a $ref inside an x- extension that points to
// nothing. Such refs are not followed (tools differ on what extensions mean),
// so they never stop loading.
func (r *resolver) checkExtensionRef(src *source, s refSite) {
	ref := s.value.Value
	file, frag, _ := strings.Cut(ref, "#")
	if schemeRE.MatchString(file) && !isWindowsDrive(file) || filepath.IsAbs(file) {
		return
	}
	warn := func(why string) {
		r.diags.Add(diag.Diagnostic{
			Severity: diag.Warning, Pos: src.pos(s.key), Pointer: joinPointer(s.toks),
			Summary: fmt.Sprintf("$ref %q in an extension points to nothing: %s", ref, why),
			Hint:    "bkgen does not follow $refs inside x- extensions and keeps them as written",
		})
	}
	if file != "" {
		if _, err := os.Stat(r.filePath(src, unescape(file))); err != nil {
			warn(err.Error())
		}
		return
	}
	if strings.HasPrefix(frag, "/") {
		if res := lookup(src.root, splitPointer(unescape(frag))); res.found < len(splitPointer(unescape(frag))) {
			warn("no such element")
		}
	}
}

// resolve finds the target of ref, written in src.
func (r *resolver) resolve(src *source, ref string) (target, *problem) {
	if strings.TrimSpace(ref) == "" {
		return target{}, &problem{summary: "empty $ref"}
	}
	file, frag, _ := strings.Cut(ref, "#")
	if schemeRE.MatchString(file) && !isWindowsDrive(file) {
		scheme := strings.ToLower(file[:strings.IndexByte(file, ':')])
		if scheme == "http" || scheme == "https" {
			return target{}, &problem{
				summary: fmt.Sprintf("remote $ref %q is not supported", ref),
				hint:    "download the file next to the spec and refer to it by a relative path",
			}
		}
		return target{}, &problem{
			summary: fmt.Sprintf("$ref %q uses the unsupported scheme %q", ref, scheme),
			hint:    "refer to local files by a path relative to the spec",
		}
	}
	t := target{src: src}
	if file != "" {
		name := unescape(file)
		if filepath.IsAbs(name) || strings.HasPrefix(name, "/") || isWindowsDrive(name) {
			return target{}, &problem{
				summary: fmt.Sprintf("$ref %q uses an absolute path", ref),
				hint:    "refer to local files by a path relative to the spec, so the spec can be moved",
			}
		}
		s, why := r.file(r.filePath(src, name))
		if s == nil {
			return target{}, &problem{summary: fmt.Sprintf("$ref %q points to nothing: %s", ref, why)}
		}
		t.src = s
	}
	frag = unescape(frag)
	if frag != "" && !strings.HasPrefix(frag, "/") {
		// A JSON Schema anchor ("#foo"): left to kin-openapi.
		if t.src != src {
			return target{}, &problem{
				summary: fmt.Sprintf("$ref %q names an anchor in another file, which is not supported", ref),
				hint:    "refer to the element by a JSON pointer (file.yaml#/path/to/it)",
			}
		}
		return t, nil
	}
	t.toks = splitPointer(frag)
	res := lookup(t.src.root, t.toks)
	if res.found < len(t.toks) {
		where := "#" + joinPointer(t.toks[:res.found])
		if t.src != src {
			where = t.src.path + where
		} else if where == "#" {
			where = "the document"
		}
		return target{}, &problem{
			summary: fmt.Sprintf("$ref %q points to nothing: %s has no %q", ref, where, t.toks[res.found]),
			hint:    suggest(res.node, t.toks[res.found]),
		}
	}
	t.node = res.node
	return t, nil
}

// suggest names the members of the mapping a pointer stopped in that look
// like the missing one, to catch typos.
func suggest(n *yaml.Node, missing string) string {
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	var near []string
	for i := 0; i+1 < len(n.Content) && len(near) < 3; i += 2 {
		k := n.Content[i].Value
		if strings.EqualFold(k, missing) || diag.Distance(strings.ToLower(k), strings.ToLower(missing)) <= 2 {
			near = append(near, fmt.Sprintf("%q", k))
		}
	}
	if len(near) == 0 {
		return ""
	}
	return "did you mean " + strings.Join(near, " or ") + "?"
}

// filePath joins a relative file reference to the folder of the file it is
// written in.
func (r *resolver) filePath(src *source, name string) string {
	return filepath.Clean(filepath.Join(filepath.Dir(src.path), filepath.FromSlash(name)))
}

// file reads and parses a referenced file once.
func (r *resolver) file(path string) (*source, string) {
	if s, ok := r.files[path]; ok {
		return s, ""
	}
	if why, ok := r.fileErrs[path]; ok {
		return nil, why
	}
	data, err := os.ReadFile(path)
	if err != nil {
		r.fileErrs[path] = err.Error()
		return nil, r.fileErrs[path]
	}
	s, diags := parseSource(path, data)
	if s == nil {
		why := "it cannot be parsed"
		if len(diags) > 0 {
			why = diags[0].String()
		}
		r.fileErrs[path] = why
		return nil, why
	}
	r.files[path] = s
	return s, ""
}

// namesFile reports whether a $ref names a file (even the spec itself, which
// the bundled copy, stored under another name, cannot refer to by name).
func namesFile(ref string) bool {
	file, _, _ := strings.Cut(ref, "#")
	return file != ""
}

// looksLikeRef reports whether a discriminator mapping value is a reference
// rather than a schema name.
func looksLikeRef(v string) bool {
	return strings.ContainsAny(v, "#/") || strings.HasSuffix(v, ".yaml") ||
		strings.HasSuffix(v, ".yml") || strings.HasSuffix(v, ".json")
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// isWindowsDrive reports whether s starts with a drive letter ("C:"), which
// looks like a URL scheme.
func isWindowsDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':' && (s[0]|0x20) >= 'a' && (s[0]|0x20) <= 'z' &&
		(len(s) == 2 || s[2] == '\\' || s[2] == '/')
}
