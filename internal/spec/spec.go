// Package spec loads an OpenAPI document: YAML or JSON, OpenAPI 3.0, 3.1 or
// 3.2, or Swagger 2.0 (converted to 3.0), with $refs into other local files
// bundled into one document.
//
// Every problem is a [diag.Diagnostic] naming the file, line, column and JSON
// pointer of the element it is about. What stops generation is an error: a
// file that cannot be read or parsed, a document that is not OpenAPI or has
// no usable paths, a $ref that points to nothing (or to the network), an
// element of the wrong type, a $ref kin-openapi cannot resolve. What does
// not is a warning: whatever kin-openapi's validation objects to (examples
// are not validated at all), and $refs inside x- extensions, which are not
// followed.
package spec

import (
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// Document is a loaded, validated OpenAPI 3.x document.
type Document struct {
	// OpenAPI is the document (Swagger 2.0 already converted with
	// openapi2conv). It is what Bundled holds, loaded: $refs into other files
	// point into its components. Info and Paths are never nil.
	OpenAPI *openapi3.T
	// Path is the path as given to Load (used in diagnostics' Pos.File).
	Path string
	// Format is "yaml" or "json": the format of the original file.
	Format string
	// Version is the version the file declares: "2.0", "3.0.3", "3.1.0", ...
	Version string
	// Bundled is what to store as the generated repo's api/openapi.{yaml,json}:
	// the original bytes when the file has no $refs into other files, else a
	// single self-contained document in the same format. For Swagger 2.0 it
	// is the converted 3.0 document (JSON when the input was JSON, else YAML).
	Bundled []byte

	src     *source
	origins []origin // parts of Bundled copied from other files
	swagger bool

	mu    sync.Mutex
	index map[*yaml.Node]map[string]int // keys of large mappings, built on demand
}

// Load reads, checks and validates the OpenAPI document at path. The list
// may hold warnings even when the document loads; when it holds an error the
// document is nil.
func Load(path string) (doc *Document, diags diag.List) {
	defer func() {
		if v := recover(); v != nil {
			doc = nil
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: diag.Pos{File: path},
				Summary: fmt.Sprintf("internal error while loading the spec: %v", v),
				Hint:    "please report this with the spec attached\n" + string(debug.Stack()),
			})
		}
	}()
	data, err := os.ReadFile(path)
	if err != nil {
		diags.Add(diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: path}, Summary: err.Error()})
		return nil, diags
	}
	return load(path, data)
}

func load(path string, data []byte) (*Document, diag.List) {
	early := startKin(path, data)
	defer func() {
		if early != nil {
			<-early // not used: do not leave it running
		}
	}()
	src, diags := parseSource(path, data)
	if src == nil {
		return nil, diags
	}
	version, swagger, ds := readVersion(src)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}
	d := &Document{Path: path, Format: src.format, Version: version, src: src, swagger: swagger}

	r := newResolver(src, swagger)
	r.check()
	diags = append(diags, dedupe(r.diags)...)
	if diags.HasErrors() {
		return nil, diags
	}

	bundled := data
	if r.external {
		tree, origins, ds := r.bundle()
		diags = append(diags, ds...)
		if diags.HasErrors() {
			return nil, diags
		}
		d.origins = origins
		var err error
		if bundled, err = encode(tree, src.format); err != nil {
			diags.Errorf(diag.Pos{File: path}, "", "cannot write the bundled document: %v", err)
			return nil, diags
		}
	}
	if swagger {
		if bundled, ds = d.convert(bundled); len(ds) > 0 {
			diags = append(diags, ds...)
			if diags.HasErrors() {
				return nil, diags
			}
		}
	}
	d.Bundled = bundled

	var kr kinResult
	if early != nil && !r.external && !swagger {
		kr, early = <-early, nil
	} else {
		kr = loadKin(path, bundled)
	}
	if kr.err != nil {
		diags.Add(d.kinError(kr.err, !r.external && !swagger))
		return nil, diags
	}
	d.OpenAPI = kr.doc
	for _, f := range validate(d.OpenAPI) {
		dg := diag.Diagnostic{Severity: diag.Warning, Pos: d.Pos(f.pointer), Pointer: f.pointer, Summary: f.summary}
		if f.unresolved {
			// A $ref kin-openapi could not resolve leaves a hole (a nil
			// value) that nothing after loading can use.
			dg.Severity = diag.Error
			dg.Hint = "a $ref must lead to an element of the kind expected there, not only to other $refs"
		}
		diags.Add(dg)
	}
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	if d.OpenAPI.Info == nil {
		d.OpenAPI.Info = &openapi3.Info{}
	}
	if d.OpenAPI.Paths == nil {
		d.OpenAPI.Paths = openapi3.NewPaths()
	}
	diags.Sort()
	return d, diags
}

var versionRE = regexp.MustCompile(`^3\.([0-2])(\.\d+)?$`)

// readVersion checks that src is an OpenAPI document this package reads and
// returns the version it declares.
func readVersion(src *source) (version string, swagger bool, diags diag.List) {
	const hint = `an OpenAPI document starts with "openapi: 3.1.0" (Swagger 2.0: "swagger: \"2.0\"")`
	root := src.root
	if root.Kind != yaml.MappingNode {
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.pos(root),
			Summary: fmt.Sprintf("not an OpenAPI document: the top level is %s, not a mapping", describe(root)),
			Hint:    hint,
		})
		return "", false, diags
	}
	oa, _ := member(root, "openapi")
	sw, swKey := member(root, "swagger")
	switch {
	case oa != nil:
		oa = deref(oa)
		if oa.Kind != yaml.ScalarNode || oa.ShortTag() == "!!null" || oa.Value == "" {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(oa), Pointer: "/openapi",
				Summary: fmt.Sprintf("openapi must be a version string such as \"3.1.0\", not %s", describe(oa)),
				Hint:    hint,
			})
			return "", false, diags
		}
		if oa.ShortTag() != "!!str" {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(oa), Pointer: "/openapi",
				Summary: fmt.Sprintf("openapi must be a string, not %s", describe(oa)),
				Hint:    fmt.Sprintf(`quote the version: openapi: "%s"`, fullVersion(oa.Value)),
			})
			return "", false, diags
		}
		if !versionRE.MatchString(oa.Value) {
			h := "bkgen reads OpenAPI 3.0, 3.1 and 3.2, and Swagger 2.0"
			if strings.HasPrefix(oa.Value, "2") {
				h = `a Swagger 2.0 document declares swagger: "2.0", not openapi`
			}
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(oa), Pointer: "/openapi",
				Summary: fmt.Sprintf("unsupported OpenAPI version %q", oa.Value), Hint: h,
			})
			return "", false, diags
		}
		version = oa.Value
		if sw != nil {
			diags.Add(diag.Diagnostic{
				Severity: diag.Warning, Pos: src.pos(swKey), Pointer: "/swagger",
				Summary: "both openapi and swagger are set: reading the document as OpenAPI " + version,
			})
		}
	case sw != nil:
		sw = deref(sw)
		if sw.Kind == yaml.ScalarNode && sw.Value == "2.0" && sw.ShortTag() != "!!str" {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(sw), Pointer: "/swagger",
				Summary: "swagger must be the string \"2.0\", not a number",
				Hint:    `quote the version: swagger: "2.0"`,
			})
			return "", false, diags
		}
		if sw.Kind != yaml.ScalarNode || sw.Value != "2.0" {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(sw), Pointer: "/swagger",
				Summary: fmt.Sprintf("unsupported Swagger version %s", describe(sw)),
				Hint:    `Swagger documents declare swagger: "2.0"`,
			})
			return "", false, diags
		}
		version, swagger = "2.0", true
	default:
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.pos(root),
			Summary: "not an OpenAPI document: it has no openapi (or swagger) field",
			Hint:    hint,
		})
		return "", false, diags
	}
	diags = append(diags, checkPaths(src, version, swagger)...)
	return version, swagger, diags
}

// fullVersion completes a major.minor version to major.minor.0.
func fullVersion(v string) string {
	if strings.Count(v, ".") == 1 {
		return v + ".0"
	}
	return v
}

// checkPaths refuses a document without usable paths: there is nothing to
// generate from it. (3.1 makes paths optional: webhooks alone are a warning.)
func checkPaths(src *source, version string, swagger bool) diag.List {
	var diags diag.List
	paths, key := member(src.root, "paths")
	paths = deref(paths)
	switch {
	case paths == nil:
		if swagger || strings.HasPrefix(version, "3.0") {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.pos(src.root), Pointer: "",
				Summary: "the document has no paths",
				Hint:    "add a paths object (paths: {} for an API without operations)",
			})
		} else if mapValue(src.root, "webhooks") == nil {
			diags.Add(diag.Diagnostic{
				Severity: diag.Warning, Pos: src.pos(src.root),
				Summary: "the document has neither paths nor webhooks: there is nothing to generate",
			})
		}
	case paths.Kind != yaml.MappingNode:
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.pos(key), Pointer: "/paths",
			Summary: fmt.Sprintf("paths must be a mapping of path templates to path items, not %s", describe(paths)),
		})
	}
	return diags
}

// describe names what a node is, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("the string %q", truncate(n.Value, 40))
		default:
			return fmt.Sprintf("%s %s", strings.TrimPrefix(n.ShortTag(), "!!"), truncate(n.Value, 40))
		}
	}
	return "empty"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// dedupe drops diagnostics equal to an earlier one (a $ref checked twice
// because two paths lead to it).
func dedupe(l diag.List) diag.List {
	seen := map[diag.Diagnostic]bool{}
	out := l[:0:0]
	for _, d := range l {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
