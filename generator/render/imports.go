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
func formatGo(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	used := make(map[string]bool)
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
				used[id.Name] = true
			}
		}
		return true
	})
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		kept := gd.Specs[:0]
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if importUsed(is, used) {
				kept = append(kept, spec)
			}
		}
		gd.Specs = kept
	}
	// Remove emptied import declarations.
	decls := f.Decls[:0]
	for _, decl := range f.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.IMPORT && len(gd.Specs) == 0 {
			continue
		}
		decls = append(decls, decl)
	}
	f.Decls = decls
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, fmt.Errorf("print: %w", err)
	}
	// format.Node keeps blank lines where removed imports were; a second pass tidies them.
	return format.Source(buf.Bytes())
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
