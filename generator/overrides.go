package generator

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/write"
)

// followOverrides keeps the user's service code in step with the spec's
// operations. An override of an operation renamed on the same method and
// path (renames: old operation id → new) is renamed with it, in the user's
// file, so it keeps overriding; the edit is made only while the file is as
// read here (write.File.Replaces). An override of an operation the spec no
// longer has is reported: it stays, and nothing calls it any more.
func followOverrides(dir string, p *write.Plan, prev, next *ir.Service, renames map[string]string) ([]string, error) {
	nextOps := make(map[string]*ir.Operation, len(next.Operations))
	for _, op := range next.Operations {
		nextOps[op.ID] = op
	}
	var notes []string
	files := make(map[string]*userFile)
	for _, op := range prev.Operations {
		if op.Group == nil {
			continue
		}
		if _, kept := nextOps[op.ID]; kept && renames[op.ID] == "" {
			continue
		}
		uf, err := readUserFile(dir, files, op.Group)
		if err != nil {
			return nil, err
		}
		if uf == nil || !uf.declares(op.GoName) {
			continue
		}
		renamed := nextOps[renames[op.ID]]
		switch {
		case renamed == nil:
			notes = append(notes, fmt.Sprintf("%s: (*%s).%s overrides operation %s (%s %s), which the spec no longer has; nothing calls it now: delete it or keep it",
				uf.path, op.Group.Name, op.GoName, op.ID, op.Method, op.Path))
		case renamed.Group == nil || renamed.Group.File != op.Group.File:
			notes = append(notes, fmt.Sprintf("%s: (*%s).%s overrides operation %s, renamed %s and now served by another service type; move the method yourself",
				uf.path, op.Group.Name, op.GoName, op.ID, renamed.ID))
		case uf.declares(renamed.GoName):
			notes = append(notes, fmt.Sprintf("%s: operation %s was renamed %s, and both %s and %s are declared; %s is not called any more",
				uf.path, op.ID, renamed.ID, op.GoName, renamed.GoName, op.GoName))
		default:
			uf.rename(op.GoName, renamed.GoName)
			notes = append(notes, fmt.Sprintf("%s: renamed method %s to %s, following operation %s renamed %s",
				uf.path, op.GoName, renamed.GoName, op.ID, renamed.ID))
		}
	}
	notes = append(notes, goneGroups(dir, prev, next)...)
	for _, uf := range files {
		if uf == nil || len(uf.renames) == 0 {
			continue
		}
		i := -1
		for j := range p.Files {
			if p.Files[j].Path == uf.path {
				i = j
			}
		}
		if i < 0 {
			continue // the group left the service: the file is orphaned, not edited
		}
		p.Files[i].Data, p.Files[i].Replaces = uf.edited(), uf.data
	}
	return notes, nil
}

// userFile is the user-owned file of an operation group, parsed.
type userFile struct {
	path    string
	recv    string
	data    []byte
	renames []identEdit
	fset    *token.FileSet
	methods map[string]*ast.FuncDecl
}

// readUserFile reads and parses the user file of group g once; nil when it
// does not exist or does not parse (the build will say why).
func readUserFile(dir string, cache map[string]*userFile, g *ir.Group) (*userFile, error) {
	rel := "internal/service/" + g.File + ".go"
	if uf, ok := cache[rel]; ok {
		return uf, nil
	}
	cache[rel] = nil
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, data, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil //nolint:nilerr // a file that does not parse is left to the compiler
	}
	uf := &userFile{path: rel, recv: g.Name, data: data, fset: fset, methods: map[string]*ast.FuncDecl{}}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 && receiverName(fd.Recv.List[0].Type) == g.Name {
			uf.methods[fd.Name.Name] = fd
		}
	}
	cache[rel] = uf
	return uf, nil
}

// receiverName is T of a receiver type T or *T.
func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func (uf *userFile) declares(name string) bool { return uf.methods[name] != nil }

// rename records the renaming of method old's declaration to name.
func (uf *userFile) rename(old, name string) {
	fd := uf.methods[old]
	uf.renames = append(uf.renames, identEdit{offset: uf.fset.Position(fd.Name.Pos()).Offset, old: old, name: name})
	delete(uf.methods, old)
	uf.methods[name] = fd
}

// identEdit replaces the identifier old at offset with name.
type identEdit struct {
	offset    int
	old, name string
}

// edited is the file with its renames applied, last offset first so that
// each offset still points into the text as read.
func (uf *userFile) edited() []byte {
	out := slices.Clone(uf.data)
	edits := slices.Clone(uf.renames)
	slices.SortFunc(edits, func(a, b identEdit) int { return b.offset - a.offset })
	for _, e := range edits {
		out = slices.Concat(out[:e.offset], []byte(e.name), out[e.offset+len(e.old):])
	}
	return out
}

// goneGroups reports the user files of operation groups the spec no longer
// has: they embed generated code that is gone, so they stop compiling.
func goneGroups(dir string, prev, next *ir.Service) []string {
	kept := make(map[string]bool, len(next.Groups))
	for _, g := range next.Groups {
		kept[g.File] = true
	}
	var notes []string
	for _, g := range prev.Groups {
		rel := "internal/service/" + g.File + ".go"
		if kept[g.File] {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			continue
		}
		notes = append(notes, fmt.Sprintf("%s: the spec no longer has any operation of %s, whose generated code is gone; this file of yours no longer compiles: keep what you need elsewhere and delete it",
			rel, g.Name))
	}
	return notes
}
