package render

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// formatGo formats generated Go and drops the imports it does not use.
// Templates list every import a file may need; which ones a given spec needs
// is known only after rendering. This looks only at the file itself (unlike
// golang.org/x/tools/imports, which scans the module cache and is slow).
// Parsing and printing dominate the cost on large specs, so the file is
// parsed once, by format.Source: the imports and the names used as package
// qualifiers come from the tokens (scanImports), and unused import lines are
// cut from the text before.
func formatGo(src []byte) ([]byte, error) {
	imports, used, ok := scanImports(src)
	if !ok {
		// A file whose package clause or imports the scan cannot read:
		// the parser says what is wrong, or reads what the scan could not.
		var err error
		if imports, used, err = parseImports(src); err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
	}
	var cut [][2]int // byte ranges of unused import lines
	for _, is := range imports {
		if is.usedIn(used) {
			continue
		}
		start, end := is.start, is.end
		// Widen to the whole line.
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		for end < len(src) && src[end] != '\n' {
			end++
		}
		// The line holds the spec alone, or "import spec" for a one-spec declaration.
		cut = append(cut, [2]int{start, min(end+1, len(src))})
	}
	text := src
	if len(cut) > 0 {
		var b bytes.Buffer
		prev := 0
		for _, c := range cut {
			b.Write(src[prev:c[0]])
			prev = c[1]
		}
		b.Write(src[prev:])
		text = b.Bytes()
	}
	out, err := format.Source(text)
	if err != nil {
		// Name the error by the rendered source, which the caller keeps for
		// debugging, rather than by the text with lines cut.
		if _, perr := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution); perr != nil {
			return nil, fmt.Errorf("parse: %w", perr)
		}
		return nil, fmt.Errorf("format: %w", err)
	}
	return out, nil
}

// importSpec is one import of a file: its name ("" for none), its quoted
// path and the byte range of the spec.
type importSpec struct {
	name, path string
	start, end int
}

// usedIn reports whether the import is used, given the names that qualify
// a selector: blank and dot imports always are.
func (is importSpec) usedIn(used map[string]bool) bool {
	switch is.name {
	case "_", ".":
		return true
	case "":
	default:
		return used[is.name]
	}
	p, err := strconv.Unquote(is.path)
	if err != nil {
		return true
	}
	return used[importName(p)]
}

// scanImports reads a Go file's imports, and the identifiers that qualify
// a selector (the x of x.y when x does not itself follow a period: what an
// *ast.SelectorExpr whose X is an *ast.Ident holds), from its tokens: a
// scan costs a fraction of a parse. It reports false when the file does not
// scan cleanly or its package clause and imports are not as gofmt writes
// them.
func scanImports(src []byte) ([]importSpec, map[string]bool, bool) {
	file := token.NewFileSet().AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	var t lexeme
	next := func() { t.pos, t.tok, t.lit = s.Scan() }
	next()
	if t.tok != token.PACKAGE {
		return nil, nil, false
	}
	if next(); t.tok != token.IDENT {
		return nil, nil, false
	}
	if next(); t.tok != token.SEMICOLON {
		return nil, nil, false
	}
	var imports []importSpec
	// spec reads one ImportSpec ([name] path) from t on, and moves past it.
	spec := func() bool {
		is := importSpec{start: file.Offset(t.pos)}
		switch t.tok {
		case token.IDENT:
			is.name = t.lit
			next()
		case token.PERIOD:
			is.name = "."
			next()
		}
		if t.tok != token.STRING {
			return false
		}
		is.path, is.end = t.lit, file.Offset(t.pos)+len(t.lit)
		imports = append(imports, is)
		next()
		return true
	}
	for next(); t.tok == token.IMPORT; next() {
		if next(); t.tok == token.LPAREN {
			for next(); t.tok != token.RPAREN; {
				if !spec() {
					return nil, nil, false
				}
				switch t.tok {
				case token.SEMICOLON:
					next()
				case token.RPAREN:
				default:
					return nil, nil, false
				}
			}
			next()
		} else if !spec() {
			return nil, nil, false
		}
		if t.tok != token.SEMICOLON {
			return nil, nil, false
		}
	}
	used := make(map[string]bool)
	var prev [3]lexeme // the three tokens before t, oldest first
	for ; t.tok != token.EOF; next() {
		if t.tok == token.IDENT && prev[2].tok == token.PERIOD && prev[1].tok == token.IDENT && prev[0].tok != token.PERIOD {
			used[prev[1].lit] = true
		}
		prev[0], prev[1], prev[2] = prev[1], prev[2], t
	}
	if s.ErrorCount > 0 {
		return nil, nil, false
	}
	return imports, used, true
}

// parseImports is scanImports by the parser, for the files the scan cannot
// read.
func parseImports(src []byte) ([]importSpec, map[string]bool, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err //nolint:wrapcheck // wrapped by formatGo
	}
	used := make(map[string]bool)
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	imports := make([]importSpec, 0, len(f.Imports))
	for _, is := range f.Imports {
		spec := importSpec{path: is.Path.Value, start: fset.Position(is.Pos()).Offset, end: fset.Position(is.End()).Offset}
		if is.Name != nil {
			spec.name = is.Name.Name
		}
		imports = append(imports, spec)
	}
	return imports, used, nil
}

// lexeme is a token as go/scanner returns it.
type lexeme struct {
	pos token.Pos
	tok token.Token
	lit string
}

// importName is the package name an import path is used under, by convention:
// the last element, without a major-version suffix or a "go-" prefix.
func importName(p string) string {
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(p))
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexAny(base, ".-"); i >= 0 {
		base = base[:i]
	}
	return base
}
