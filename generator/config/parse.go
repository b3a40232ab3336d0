package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bkgen/bkgen/generator/diag"
)

// Load reads and parses the config file at path. Diagnostics name the file
// as path is spelled.
func Load(path string) (*Config, diag.List) {
	data, err := os.ReadFile(path)
	if err != nil {
		var l diag.List
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		l.Errorf(diag.Pos{File: path}, "", "cannot read config: %v", err)
		return nil, l
	}
	return Parse(path, data)
}

// Parse parses the bkgen.yaml in data; file names it in diagnostics. Keys the
// file leaves out (or sets to null) take their Default value. The returned
// Config is nil when the list has errors.
func Parse(file string, data []byte) (*Config, diag.List) {
	p := parser{file: file, values: map[string]*yaml.Node{}}
	c := Default()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.syntaxError(err)
		return nil, p.diags
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	root = resolve(root)
	switch {
	case root.Kind == 0 || root.Kind == yaml.DocumentNode || isNull(root):
		// An empty file: every key takes its default.
	case root.Kind != yaml.MappingNode:
		p.errorf(root, "a bkgen config must be a mapping of keys to values, such as \"stack: go-chi\"")
	default:
		p.mapping(root, &c)
	}
	// A value that could not be decoded kept its (valid) default, so checking
	// now reports every other problem of the file in the same run.
	p.diags = append(p.diags, c.check(p.pos)...)
	p.diags.Sort()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	return &c, p.diags
}

// parser decodes a bkgen.yaml node tree into a Config, remembering where each
// value was so that later checks can point at it.
type parser struct {
	file   string
	values map[string]*yaml.Node // key -> its value node
	diags  diag.List
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML syntax error into a diagnostic at its line.
func (p *parser) syntaxError(err error) {
	msg := err.Error()
	pos := diag.Pos{File: p.file}
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.diags.Errorf(pos, "", "invalid YAML: %s", msg)
}

func (p *parser) at(n *yaml.Node) diag.Pos {
	return diag.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.diags.Errorf(p.at(n), "", format, args...)
}

// pos is the position function of Config.check for a parsed file.
func (p *parser) pos(key string, index int) diag.Pos {
	n, ok := p.values[key]
	if !ok {
		return diag.Pos{File: p.file}
	}
	if index >= 0 && n.Kind == yaml.SequenceNode && index < len(n.Content) {
		return p.at(n.Content[index])
	}
	return p.at(n)
}

func (p *parser) mapping(m *yaml.Node, c *Config) {
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "keys must be plain names; allowed keys: %s", strings.Join(Keys, ", "))
			continue
		}
		name := k.Value
		if !slices.Contains(Keys, name) {
			d := diag.Diagnostic{
				Pos:     p.at(k),
				Summary: fmt.Sprintf("unknown key %q; allowed keys: %s", name, strings.Join(Keys, ", ")),
			}
			if s := suggest(name, Keys); s != "" {
				d.Hint = fmt.Sprintf("did you mean %q?", s)
			}
			p.diags.Add(d)
			continue
		}
		if first, ok := keys[name]; ok {
			p.errorf(k, "key %q is set twice (first at line %d)", name, first.Line)
			continue
		}
		keys[name] = k
		p.values[name] = v
		if isNull(v) {
			continue // null means "not set": the default stays
		}
		p.value(name, v, c)
	}
}

// value decodes the value v of key into c.
func (p *parser) value(key string, v *yaml.Node, c *Config) {
	switch key {
	case "version":
		if n, ok := p.integer(v, "version must be a whole number, such as 1"); ok {
			c.Version = n
		}
	case "coverage":
		if n, ok := p.integer(v, "coverage must be a whole percent from 0 to 100"); ok {
			c.Coverage = n
		}
	case "spec":
		p.str(v, key, &c.Spec)
	case "module":
		p.str(v, key, &c.Module)
	case "stack":
		p.str(v, key, &c.Stack)
	case "database":
		p.str(v, key, &c.Database)
	case "auth":
		p.str(v, key, &c.Auth)
	case "ci":
		p.str(v, key, &c.CI)
	case "base_path":
		var s string
		if p.str(v, key, &s) {
			c.BasePath = &s
		}
	case "deploy":
		if l, ok := p.list(v, key, "[docker, kubernetes]"); ok {
			c.Deploy = l
		}
	case "blueprints":
		if l, ok := p.list(v, key, "[../platform-blueprints]"); ok {
			c.Blueprints = l
		}
	}
}

func (p *parser) integer(v *yaml.Node, msg string) (int, bool) {
	var n int
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&n) != nil {
		p.errorf(v, "%s, not %s", msg, describe(v))
		return 0, false
	}
	return n, true
}

func (p *parser) str(v *yaml.Node, key string, dst *string) bool {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v, "%s must be a single value, not %s", key, describe(v))
		return false
	}
	*dst = v.Value
	return true
}

func (p *parser) list(v *yaml.Node, key, example string) ([]string, bool) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "%s must be a list, such as %s, not %s", key, example, describe(v))
		return nil, false
	}
	out := make([]string, 0, len(v.Content))
	ok := true
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.errorf(item, "the items of %s must be single values, not %s", key, describe(item))
			ok = false
			continue
		}
		out = append(out, item.Value)
	}
	return out, ok
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the kind of n for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return strconv.Quote(n.Value)
	}
	return "this value"
}

// KeysIn lists the top-level keys a bkgen.yaml sets (to something other than
// null), in file order; nil when data does not parse.
func KeysIn(data []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if v := m.Content[i+1]; v.Tag != "!!null" {
			keys = append(keys, m.Content[i].Value)
		}
	}
	return keys
}
