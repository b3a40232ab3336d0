package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// configImportPath is the package whose source configdoc reads.
const configImportPath = "github.com/bkgen/bkgen/generator/config"

// source is what configdoc takes from the source of package config.
type source struct {
	// fields holds the parsed doc comment of each field of Config, by Go name.
	fields map[string]*comment.Doc
	// lists holds the values of each package-level variable that is a
	// []string literal of string literals (the allowed values of a key), by
	// name.
	lists map[string][]string
}

// readSource parses the non-test Go files of dir, the source of package
// config, and returns the doc comments of Config's fields and the package's
// lists of values. Every field must have a doc comment.
func readSource(dir string) (*source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read the source of %s: %w", configImportPath, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	pkg, err := doc.NewFromFiles(fset, files, configImportPath)
	if err != nil {
		return nil, fmt.Errorf("read the docs of %s: %w", configImportPath, err)
	}
	src := &source{fields: map[string]*comment.Doc{}, lists: map[string][]string{}}
	for _, v := range pkg.Vars {
		if err := src.addLists(v.Decl); err != nil {
			return nil, err
		}
	}
	st, err := configStruct(pkg)
	if err != nil {
		return nil, err
	}
	p := pkg.Parser()
	for _, f := range st.Fields.List {
		for _, name := range f.Names {
			if f.Doc == nil || strings.TrimSpace(f.Doc.Text()) == "" {
				return nil, fmt.Errorf("field Config.%s has no doc comment: it is the key's description in docs/config.md", name.Name)
			}
			src.fields[name.Name] = p.Parse(f.Doc.Text())
		}
	}
	return src, nil
}

// configStruct finds the declaration of type Config in pkg.
func configStruct(pkg *doc.Package) (*ast.StructType, error) {
	for _, t := range pkg.Types {
		if t.Name != "Config" {
			continue
		}
		for _, spec := range t.Decl.Specs {
			if ts, ok := spec.(*ast.TypeSpec); ok && ts.Name.Name == "Config" {
				if st, ok := ts.Type.(*ast.StructType); ok {
					return st, nil
				}
			}
		}
	}
	return nil, errors.New("no struct type Config in " + configImportPath)
}

// addLists records the variables of decl whose value is a []string literal
// of string literals.
func (s *source) addLists(decl *ast.GenDecl) error {
	for _, spec := range decl.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok || len(vs.Values) != len(vs.Names) {
			continue
		}
		for i, name := range vs.Names {
			lit, ok := vs.Values[i].(*ast.CompositeLit)
			if !ok || !isStringSlice(lit.Type) {
				continue
			}
			values := make([]string, 0, len(lit.Elts))
			for _, e := range lit.Elts {
				b, ok := e.(*ast.BasicLit)
				if !ok || b.Kind != token.STRING {
					return fmt.Errorf("%s: the items of a list of values must be string literals", name.Name)
				}
				v, err := strconv.Unquote(b.Value)
				if err != nil {
					return fmt.Errorf("%s: %w", name.Name, err)
				}
				values = append(values, v)
			}
			s.lists[name.Name] = values
		}
	}
	return nil
}

// isStringSlice reports whether expr is the type []string.
func isStringSlice(expr ast.Expr) bool {
	at, ok := expr.(*ast.ArrayType)
	if !ok || at.Len != nil {
		return false
	}
	id, ok := at.Elt.(*ast.Ident)
	return ok && id.Name == "string"
}
