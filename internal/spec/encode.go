package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// errTooLarge is returned when writing a node tree would expand aliases
// beyond reason.
var errTooLarge = errors.New("the document is too large once its YAML aliases are expanded")

// encode writes n (a document's top-level node) as YAML or JSON.
func encode(n *yaml.Node, format string) ([]byte, error) {
	if format == "json" {
		var b bytes.Buffer
		budget := copyBudget
		if err := writeJSON(&b, n, 0, &budget); err != nil {
			return nil, err
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	return b.Bytes(), nil
}

// writeJSON writes n as indented JSON, keeping the order of mapping keys.
// Aliases are expanded and merge keys applied, as a JSON reader expects.
func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int, budget *int) error {
	*budget--
	if *budget < 0 {
		return errTooLarge
	}
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		pairs := mergedPairs(n)
		if len(pairs) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{\n")
		for i := 0; i < len(pairs); i += 2 {
			indent(b, depth+1)
			writeString(b, deref(pairs[i]).Value)
			b.WriteString(": ")
			if err := writeJSON(b, pairs[i+1], depth+1, budget); err != nil {
				return err
			}
			if i+2 < len(pairs) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte('}')
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		for i, c := range n.Content {
			indent(b, depth+1)
			if err := writeJSON(b, c, depth+1, budget); err != nil {
				return err
			}
			if i+1 < len(n.Content) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte(']')
	case yaml.ScalarNode:
		writeScalar(b, n)
	default:
		b.WriteString("null")
	}
	return nil
}

// mergedPairs returns the key/value pairs of a mapping with YAML merge keys
// applied: the mapping's own keys win over merged ones.
func mergedPairs(n *yaml.Node) []*yaml.Node {
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			hasMerge = true
			break
		}
	}
	if !hasMerge {
		return n.Content
	}
	var out []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag != "!!merge" {
			seen[k.Value] = true
			out = append(out, k, n.Content[i+1])
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		for _, m := range mergeSources(n.Content[i+1]) {
			for _, p := range pairsOf(m) {
				if !seen[p[0].Value] {
					seen[p[0].Value] = true
					out = append(out, p[0], p[1])
				}
			}
		}
	}
	return out
}

func pairsOf(m *yaml.Node) [][2]*yaml.Node {
	c := mergedPairs(m)
	out := make([][2]*yaml.Node, 0, len(c)/2)
	for i := 0; i+1 < len(c); i += 2 {
		out = append(out, [2]*yaml.Node{c[i], c[i+1]})
	}
	return out
}

// writeScalar writes a scalar as the JSON value YAML reads it as.
func writeScalar(b *bytes.Buffer, n *yaml.Node) {
	v := n.Value
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
		return
	case "!!bool":
		var x bool
		if n.Decode(&x) == nil {
			b.WriteString(strconv.FormatBool(x))
			return
		}
	case "!!int":
		if json.Valid([]byte(v)) {
			b.WriteString(v)
			return
		}
		var x int64
		if n.Decode(&x) == nil {
			b.WriteString(strconv.FormatInt(x, 10))
			return
		}
	case "!!float":
		if json.Valid([]byte(v)) {
			b.WriteString(v)
			return
		}
		var x float64
		if n.Decode(&x) == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			return
		}
	}
	writeString(b, v)
}

func indent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}

// writeString writes s as a JSON string, escaping only what JSON requires
// (and invalid UTF-8), so the output stays readable.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029' || r == '\u0085':
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

// topOrder is the order of the top-level fields of a converted document.
var topOrder = []string{
	"openapi", "info", "jsonSchemaDialect", "servers", "security", "tags",
	"externalDocs", "paths", "webhooks", "components",
}

// reorderTop sorts the top-level keys of a document marshalled from Go maps
// (alphabetical) into the order people write them; extensions go last.
func reorderTop(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	rank := func(k string) int {
		for i, o := range topOrder {
			if o == k {
				return i
			}
		}
		return len(topOrder)
	}
	pairs := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	// insertion sort: stable and the list is short
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && rank(pairs[j][0].Value) < rank(pairs[j-1][0].Value); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p[0], p[1])
	}
}

// plainStyle clears the styles a tree parsed from JSON carries, so the YAML
// encoder picks natural ones (block collections, quotes only where needed).
func plainStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.Contains(n.Value, "\n") {
		n.Style = yaml.LiteralStyle
	}
	for _, c := range n.Content {
		plainStyle(c)
	}
}
