// Package blueprint reads the overlays a platform team curates over bkgen's
// built-in blueprints (DESIGN.md, "Blueprints and stacks"), and composes
// them with the built-in set into the one file system render executes.
//
// An overlay is a folder with a blueprint.yaml and the layout of the
// built-in blueprints (service/, db/<engine>/, stack/<name>/, ops/,
// deploy/<target>/, ci/<name>/). A file at a built-in template's path
// replaces it; a new file is added to its concern folder; files under
// hooks/ redefine named blocks of the built-in templates ({{define}} only);
// remove: drops output files by glob; owners: sets the owner of output files
// by glob. A file not ending in .tmpl is copied as it is.
package blueprint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
)

// ManifestName is the file that makes a folder an overlay.
const ManifestName = "blueprint.yaml"

// Overlay is one platform team's blueprint folder, read and checked.
type Overlay struct {
	// Dir is the folder the overlay was read from.
	Dir string
	// Name, Version and Description come from blueprint.yaml.
	Name, Version, Description string
	// Bkgen is the constraint on bkgen's version ("" accepts any).
	Bkgen string
	// Owners set the owner of the output files matching a glob; the last
	// matching rule wins.
	Owners []OwnerRule
	// Remove drops the output files matching any of these globs.
	Remove []string
	// Defaults are bkgen.yaml values the overlay suggests (stack, database,
	// auth, coverage, deploy, ci, base_path): they apply to the keys a new
	// service's bkgen.yaml and flags leave unset. Keys lists which are set.
	Defaults config.Config
	Keys     []string
	// Hash is "sha256:<hex>" of the overlay's files, names and contents.
	Hash string
	// files are the overlay's files by slash path, blueprint.yaml aside.
	files map[string][]byte
}

// OwnerRule gives the files matching Glob an owner.
type OwnerRule struct {
	Glob  string
	Owner string
	re    *regexp.Regexp
}

// owners are the values an owner rule may name.
var owners = []string{"generated", "user", "scaffold", "managed", "marked"}

// concerns are the top-level folders an overlay may hold.
var concerns = []string{"service", "db", "stack", "ops", "deploy", "ci", "hooks"}

// Load reads the overlay in dir and checks it against bkgen's version (a
// development build, "(devel)", satisfies every constraint, with a warning).
// Problems are diagnostics naming the overlay's file and line.
func Load(dir, bkgenVersion string) (*Overlay, diag.List) {
	var l diag.List
	manifest := filepath.Join(dir, ManifestName)
	root, err := os.OpenRoot(dir)
	if err != nil {
		l.Errorf(diag.Pos{File: dir}, "", "blueprint overlay: %v", err)
		return nil, l
	}
	defer func() { _ = root.Close() }()
	data, err := root.ReadFile(ManifestName)
	if err != nil {
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: diag.Pos{File: manifest},
			Summary: "blueprint overlay without " + ManifestName + ": " + err.Error(),
			Hint:    "an overlay folder holds a blueprint.yaml with its name and version",
		})
		return nil, l
	}
	o, l := parseManifest(manifest, data, bkgenVersion)
	if o == nil {
		return nil, l
	}
	o.Dir = dir
	// The root refuses symlinks that leave the folder.
	files, err := readFiles(root.FS())
	if err != nil {
		l.Errorf(diag.Pos{File: dir}, "", "read the blueprint overlay: %v", err)
		return nil, l
	}
	for p := range files {
		top, _, _ := strings.Cut(p, "/")
		if !slices.Contains(concerns, top) || !strings.Contains(p, "/") {
			l.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: diag.Pos{File: filepath.Join(dir, filepath.FromSlash(p))},
				Summary: "file outside the blueprint folders: " + p,
				Hint:    "overlay files go under " + strings.Join(concerns, "/, ") + "/",
			})
		}
	}
	o.files = files
	o.Hash = hashFiles(files, data)
	if l.HasErrors() {
		return nil, l
	}
	return o, l
}

// manifest is blueprint.yaml.
type manifest struct {
	Name        string            `yaml:"name"`
	Version     string            `yaml:"version"`
	Bkgen       string            `yaml:"bkgen"`
	Description string            `yaml:"description"`
	Owners      map[string]string `yaml:"owners"`
	Remove      []string          `yaml:"remove"`
	Defaults    yaml.Node         `yaml:"defaults"`
}

// defaultKeys are the bkgen.yaml keys an overlay may give defaults for: the
// generation choices, not the service's own spec, module or overlays.
var defaultKeys = []string{"stack", "database", "auth", "coverage", "deploy", "ci", "base_path"}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// parseManifest decodes and checks blueprint.yaml.
func parseManifest(file string, data []byte, bkgenVersion string) (*Overlay, diag.List) {
	var l diag.List
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.Errorf(diag.Pos{File: file}, "", "invalid YAML: %v", err)
		return nil, l
	}
	var m manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: diag.Pos{File: file, Line: yamlErrLine(err)},
			Summary: err.Error(),
			Hint:    "blueprint.yaml keys: name, version, bkgen, description, owners, remove, defaults",
		})
		return nil, l
	}
	at := func(key string) diag.Pos { return diag.Pos{File: file, Line: keyLine(&doc, key)} }
	if !nameRE.MatchString(m.Name) {
		l.Errorf(at("name"), "", "blueprint name %q: want lower-case letters, digits, '.', '-' or '_'", m.Name)
	}
	if _, err := semver.StrictNewVersion(m.Version); err != nil {
		l.Errorf(at("version"), "", "blueprint version %q is not a semantic version (1.2.3): %v", m.Version, err)
	}
	if m.Bkgen != "" {
		c, err := semver.NewConstraint(m.Bkgen)
		switch {
		case err != nil:
			l.Errorf(at("bkgen"), "", "bkgen constraint %q: %v", m.Bkgen, err)
		case !isRelease(bkgenVersion):
			l.Add(diag.Diagnostic{
				Severity: diag.Warning, Pos: at("bkgen"),
				Summary: fmt.Sprintf("this bkgen is a development build (%s): blueprint %s's constraint %q is not checked", bkgenVersion, m.Name, m.Bkgen),
			})
		default:
			if v, err := semver.NewVersion(bkgenVersion); err == nil && !c.Check(v) {
				l.Add(diag.Diagnostic{
					Severity: diag.Error, Pos: at("bkgen"),
					Summary: fmt.Sprintf("blueprint %s %s needs bkgen %s; this is bkgen %s", m.Name, m.Version, m.Bkgen, bkgenVersion),
					Hint:    "upgrade bkgen, or use a version of the blueprint made for this one",
				})
			}
		}
	}
	o := &Overlay{Name: m.Name, Version: m.Version, Bkgen: m.Bkgen, Description: m.Description}
	for _, g := range slices.Sorted(mapsKeys(m.Owners)) {
		owner := m.Owners[g]
		re, err := globRE(g)
		switch {
		case err != nil:
			l.Errorf(at("owners"), "", "owner glob %q: %v", g, err)
		case !slices.Contains(owners, owner):
			l.Errorf(at("owners"), "", "owner %q of %q: want one of %s", owner, g, strings.Join(owners, ", "))
		default:
			o.Owners = append(o.Owners, OwnerRule{Glob: g, Owner: owner, re: re})
		}
	}
	for _, g := range m.Remove {
		if _, err := globRE(g); err != nil {
			l.Errorf(at("remove"), "", "remove glob %q: %v", g, err)
		}
	}
	o.Remove = m.Remove
	if m.Defaults.Kind != 0 {
		l = append(l, o.parseDefaults(file, &m.Defaults)...)
	}
	if l.HasErrors() {
		return nil, l
	}
	return o, l
}

// parseDefaults reads the defaults: mapping with bkgen.yaml's own parser,
// so the values are checked as bkgen.yaml's are, at their lines.
func (o *Overlay) parseDefaults(file string, n *yaml.Node) diag.List {
	var l diag.List
	if n.Kind != yaml.MappingNode {
		l.Errorf(diag.Pos{File: file, Line: n.Line}, "", "defaults: want a mapping of bkgen.yaml keys")
		return l
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(defaultKeys, k.Value) {
			l.Errorf(diag.Pos{File: file, Line: k.Line}, "", "defaults: %q cannot have a default; want one of %s", k.Value, strings.Join(defaultKeys, ", "))
			continue
		}
		o.Keys = append(o.Keys, k.Value)
	}
	if l.HasErrors() {
		return l
	}
	// Parse the mapping as a bkgen.yaml of its own, keeping its lines.
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}
	data, err := yaml.Marshal(doc)
	if err != nil {
		l.Errorf(diag.Pos{File: file, Line: n.Line}, "", "defaults: %v", err)
		return l
	}
	c, d := config.Parse(file, data)
	for _, dg := range d {
		dg.Pos.File = file
		if dg.Pos.Line > 0 {
			dg.Pos.Line += n.Line - 1 // the lines of the mapping within blueprint.yaml
		}
		l.Add(dg)
	}
	if c != nil {
		o.Defaults = *c
	}
	return l
}

// isRelease reports whether v is a release version of bkgen (not "(devel)").
func isRelease(v string) bool {
	_, err := semver.NewVersion(v)
	return err == nil
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// keyLine is the line of a top-level key of a YAML document; 0 if absent.
func keyLine(doc *yaml.Node, key string) int {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlErrLine is the first line number a yaml.v3 error names; 0 if none.
func yamlErrLine(err error) int {
	var n int
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		_, _ = fmt.Sscan(m[1], &n)
	}
	return n
}

// globRE compiles a slash glob: "*" and "?" within a path element, "**"
// across elements.
func globRE(g string) (*regexp.Regexp, error) {
	if g == "" || strings.HasPrefix(g, "/") || slices.Contains(strings.Split(g, "/"), "..") {
		return nil, errors.New("want a relative path pattern")
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case c == '*' && i+1 < len(g) && g[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", g, err)
	}
	return re, nil
}

// Match reports whether the slash path p matches glob, in the syntax of
// blueprint.yaml's owners and remove: "*" and "?" within a path element,
// "**" across elements.
func Match(glob, p string) (bool, error) {
	re, err := globRE(glob)
	if err != nil {
		return false, err
	}
	return re.MatchString(p), nil
}

// readFiles reads every regular file of fsys but the manifest.
func readFiles(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == ManifestName {
			return err
		}
		link := d.Type()&fs.ModeSymlink != 0
		if !d.Type().IsRegular() && !link {
			return fmt.Errorf("%s is not a regular file", p)
		}
		// A symlink is followed within the folder only: fsys is an os.Root's.
		data, err := fs.ReadFile(fsys, p)
		if err != nil && link {
			return fmt.Errorf("%s: a symlink that escapes the overlay folder: %w", p, err)
		}
		if err != nil {
			return err //nolint:wrapcheck // WalkDir's caller adds the context
		}
		files[p] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk: %w", err)
	}
	return files, nil
}

// hashFiles is the content hash the lock records for an overlay.
func hashFiles(files map[string][]byte, manifest []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", ManifestName, len(manifest))
	h.Write(manifest)
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HookFiles lists the overlay's hook files (under hooks/), sorted.
func (o *Overlay) HookFiles() []string {
	var out []string
	for p := range o.files {
		if strings.HasPrefix(p, "hooks/") {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Owner is the owner the overlays give an output path, last rule winning;
// false when no rule matches.
func Owner(overlays []*Overlay, p string) (string, bool) {
	owner, ok := "", false
	for _, o := range overlays {
		for _, r := range o.Owners {
			if r.re.MatchString(p) {
				owner, ok = r.Owner, true
			}
		}
	}
	return owner, ok
}

// Removed reports whether an overlay removes the output path p.
func Removed(overlays []*Overlay, p string) bool {
	for _, o := range overlays {
		for _, g := range o.Remove {
			if re, err := globRE(g); err == nil && re.MatchString(p) {
				return true
			}
		}
	}
	return false
}

// File is where a template of the composed set comes from.
type File struct {
	// Overlay is nil for a built-in template.
	Overlay *Overlay
	// Path is the file's path in its overlay (or the built-in set).
	Path string
}

// Source is the file on disk a template came from, for diagnostics.
func (f File) Source() string {
	if f.Overlay == nil {
		return "blueprints/" + f.Path
	}
	return filepath.Join(f.Overlay.Dir, filepath.FromSlash(f.Path))
}

// Composed is the built-in blueprints with the overlays applied.
type Composed struct {
	// FS holds every template: the built-in ones, replaced and added to by
	// the overlays (a file without .tmpl as a template writing it as it is).
	FS fs.FS
	// Hooks are the overlays' hook templates, in order: parsed after the
	// others, their {{define}}s replace the built-in blocks.
	Hooks []string
	// From says where each template of FS comes from.
	From map[string]File
}

// Compose applies the overlays, in order, over the built-in blueprints.
func Compose(builtin fs.FS, overlays []*Overlay) (*Composed, error) {
	files, err := readFiles(builtin)
	if err != nil {
		return nil, fmt.Errorf("read the built-in blueprints: %w", err)
	}
	c := &Composed{From: map[string]File{}}
	// fstest.MapFS is a complete read-only fs.FS over a map (folders
	// implied by the paths); nothing of package testing comes with it.
	mfs := fstest.MapFS{}
	for p, data := range files {
		mfs[p] = &fstest.MapFile{Data: data, Mode: 0o444}
		c.From[p] = File{Path: p}
	}
	for _, o := range overlays {
		for _, p := range slices.Sorted(func(yield func(string) bool) {
			for k := range o.files {
				if !yield(k) {
					return
				}
			}
		}) {
			data := o.files[p]
			name := p
			if !strings.HasSuffix(p, ".tmpl") {
				// Written as it is: "{{" is the only text a template reads.
				name = p + ".tmpl"
				data = bytes.ReplaceAll(data, []byte("{{"), []byte(`{{"{{"}}`))
			}
			if strings.HasPrefix(p, "hooks/") {
				name = "hooks/" + o.Name + "/" + strings.TrimPrefix(name, "hooks/")
				c.Hooks = append(c.Hooks, name)
			}
			mfs[name] = &fstest.MapFile{Data: data, Mode: 0o444}
			c.From[name] = File{Overlay: o, Path: p}
		}
	}
	c.FS = mfs
	return c, nil
}

// ApplyDefaults sets, in c, the overlays' defaults for the keys not in set
// (those bkgen.yaml or a flag gave), later overlays winning; it returns the
// keys it set.
func ApplyDefaults(c *config.Config, overlays []*Overlay, set map[string]bool) []string {
	var applied []string
	for _, o := range overlays {
		for _, k := range o.Keys {
			if set[k] {
				continue
			}
			d := &o.Defaults
			switch k {
			case "stack":
				c.Stack = d.Stack
			case "database":
				c.Database = d.Database
			case "auth":
				c.Auth = d.Auth
			case "coverage":
				c.Coverage = d.Coverage
			case "deploy":
				c.Deploy = slices.Clone(d.Deploy)
			case "ci":
				c.CI = d.CI
			case "base_path":
				c.BasePath = d.BasePath
			}
			if !slices.Contains(applied, k) {
				applied = append(applied, k)
			}
		}
	}
	return applied
}
