package render

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// formatGo formats generated Go and drops the imports it does not use.
// Templates list every import a file may need; which ones a given spec needs
// is known only after rendering. This looks only at the file itself (unlike
// golang.org/x/tools/imports, which scans the module cache and is slow).
// Printing dominates the cost on large specs, so the file is printed once:
// unused import lines are cut from the text before format.Source.
func formatGo(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
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
	var cut [][2]int // byte ranges of unused import lines
	for _, is := range f.Imports {
		if importUsed(is, used) {
			continue
		}
		start := fset.Position(is.Pos()).Offset
		end := fset.Position(is.End()).Offset
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
	if len(cut) > 0 {
		var b bytes.Buffer
		prev := 0
		for _, c := range cut {
			b.Write(src[prev:c[0]])
			prev = c[1]
		}
		b.Write(src[prev:])
		src = b.Bytes()
	}
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	return out, nil
}

func importUsed(is *ast.ImportSpec, used map[string]bool) bool {
	if is.Name != nil {
		switch is.Name.Name {
		case "_", ".":
			return true
		}
		return used[is.Name.Name]
	}
	p, err := strconv.Unquote(is.Path.Value)
	if err != nil {
		return true
	}
	return used[importName(p)]
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
