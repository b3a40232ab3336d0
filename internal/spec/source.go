package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// source is one parsed input file: the spec itself or a file one of its
// $refs names. Its node tree keeps the line and column of every element, so
// diagnostics can point into the file.
type source struct {
	path   string // as shown in diagnostics: the spec's path as given, others joined to its folder
	data   []byte
	format string     // "yaml" or "json"
	root   *yaml.Node // the document's top-level node, never a DocumentNode
	lines  int        // number of lines in data, to keep positions inside the file
}

// parseSource parses data as YAML (which includes JSON). A file that starts
// like JSON and is not valid JSON gets the JSON parser's error, which is
// clearer for a JSON author than YAML's. Errors are positioned in the file.
func parseSource(path string, data []byte) (*source, diag.List) {
	var diags diag.List
	src := &source{path: path, data: data, format: "yaml", lines: countLines(data)}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// A .json file must be JSON, even where YAML (a superset) would accept
	// it: its copy in the generated repo is served as JSON.
	jsonLike := looksLikeJSON(body) || strings.EqualFold(filepath.Ext(path), ".json")
	if jsonLike && json.Valid(body) {
		src.format = "json"
	}
	if jsonLike && src.format != "json" && strings.EqualFold(filepath.Ext(path), ".json") {
		line, col, msg := jsonSyntaxError(body)
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.clamp(line, col),
			Summary: "invalid JSON: " + msg,
		})
		return nil, diags
	}

	var doc yaml.Node
	yerr := yaml.Unmarshal(data, &doc)
	switch {
	case yerr == nil:
	case src.format == "json":
		// Valid JSON that the YAML parser refuses (a rare escape or control
		// character): build the tree from the JSON tokens instead.
		root, err := parseJSONNodes(body)
		if err != nil {
			diags.Errorf(diag.Pos{File: path}, "", "cannot read the JSON document: %v", err)
			return nil, diags
		}
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	case jsonLike:
		line, col, msg := jsonSyntaxError(body)
		if msg != "" {
			diags.Add(diag.Diagnostic{
				Severity: diag.Error, Pos: src.clamp(line, col),
				Summary: "invalid JSON: " + msg,
			})
			return nil, diags
		}
		fallthrough
	default:
		line, col, msg := yamlErrorPos(yerr, src.lines)
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: src.clamp(line, col),
			Summary: "invalid YAML: " + msg,
		})
		return nil, diags
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: diag.Pos{File: path},
			Summary: "the file is empty",
			Hint:    `an OpenAPI document starts with "openapi: 3.1.0" (or "swagger: \"2.0\"")`,
		})
		return nil, diags
	}
	src.root = doc.Content[0]
	return src, diags
}

// pos returns the position of n in the file.
func (s *source) pos(n *yaml.Node) diag.Pos {
	if n == nil {
		return diag.Pos{File: s.path}
	}
	return s.clamp(n.Line, n.Column)
}

// clamp returns a position in s, dropping line and column when they are not
// inside the file (a parser reporting the end of input as the line after it).
func (s *source) clamp(line, col int) diag.Pos {
	p := diag.Pos{File: s.path, Line: line, Col: col}
	if line <= 0 {
		return diag.Pos{File: s.path}
	}
	if line > s.lines {
		p.Line, p.Col = s.lines, 0
	}
	if p.Col < 0 {
		p.Col = 0
	}
	return p
}

// countLines returns the number of lines in data, counting a last line
// without its newline; an empty file has one (empty) line.
func countLines(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) == 0 || data[len(data)-1] != '\n' {
		n++
	}
	return max(n, 1)
}

func looksLikeJSON(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

// yamlErrorPos extracts the place and message of a YAML parse error. An
// error at the end of the file (an unclosed bracket) is placed where the
// construct it was reading starts, which is where the fix usually goes.
func yamlErrorPos(err error, lines int) (line, col int, msg string) {
	if le, ok := errors.AsType[*yaml.LoadError](err); ok {
		line, col, msg = le.Mark.Line, le.Mark.Column, le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
			msg += fmt.Sprintf(" (%s that starts at line %d)", le.ContextMsg, le.ContextMark.Line)
			if line == 0 || line > lines {
				line, col = le.ContextMark.Line, le.ContextMark.Column
			}
		}
		return line, col, msg
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		e := les.Errors[0]
		return e.Mark.Line, e.Mark.Column, e.Message
	}
	// "yaml: line 3: did not find expected key"
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return n, 0, tail
			}
		}
	}
	return 0, 0, msg
}

// jsonSyntaxError returns where encoding/json finds data invalid, or an empty
// message when it is valid.
func jsonSyntaxError(data []byte) (line, col int, msg string) {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return 0, 0, ""
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		line, col = offsetPos(data, int(se.Offset)-1)
		return line, col, se.Error()
	}
	return 0, 0, err.Error()
}

// offsetPos converts a byte offset into a 1-based line and a 1-based column
// counted in characters, as YAML reports them.
func offsetPos(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:start], []byte("\n")) + 1, utf8.RuneCount(data[start:off]) + 1
}

// parseJSONNodes builds a YAML node tree from valid JSON, with positions.
func parseJSONNodes(data []byte) (*yaml.Node, error) {
	p := jsonNodeParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	return p.value()
}

type jsonNodeParser struct {
	data []byte
	dec  *json.Decoder
}

// next returns the next token and the position where it starts.
func (p *jsonNodeParser) next() (json.Token, int, int, error) {
	off := int(p.dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, 0, 0, err //nolint:wrapcheck // Load turns it into a diagnostic, with the file
	}
	line, col := offsetPos(p.data, off)
	return tok, line, col, nil
}

func (p *jsonNodeParser) value() (*yaml.Node, error) {
	tok, line, col, err := p.next()
	if err != nil {
		return nil, err
	}
	return p.node(tok, line, col)
}

func (p *jsonNodeParser) node(tok json.Token, line, col int) (*yaml.Node, error) {
	n := &yaml.Node{Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
		} else {
			n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
		}
		for p.dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, key)
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, _, _, err := p.next(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", t, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", t.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(t)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	default:
		return nil, fmt.Errorf("unexpected JSON token %v", tok)
	}
	return n, nil
}
