package render

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// formatGoAST is formatGo as it was before it read the imports from the
// tokens: a parse to find the unused imports, then format.Source. formatGo
// must give the same bytes and the same errors.
func formatGoAST(src []byte) ([]byte, error) {
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
	var cut [][2]int
	for _, is := range f.Imports {
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		}
		if (importSpec{name: name, path: is.Path.Value}).usedIn(used) {
			continue
		}
		start := fset.Position(is.Pos()).Offset
		end := fset.Position(is.End()).Offset
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		for end < len(src) && src[end] != '\n' {
			end++
		}
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

// sameAsAST checks formatGo against formatGoAST on src.
func sameAsAST(t *testing.T, name string, src []byte) {
	t.Helper()
	got, err := formatGo(src)
	want, wantErr := formatGoAST(src)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Errorf("%s: error %v, want %v", name, err, wantErr)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: formatGo differs from the AST version:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestFormatGoMatchesASTOnTrickySources(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		// y is a field of x here, not a package: "y" must go.
		"chained selector": "package p\nimport (\n\t\"a/x\"\n\t\"b/y\"\n)\nvar v = x.y.z\n",
		// A type assertion is no use of a package named like the variable.
		"type assertion":                 "package p\nimport \"a/v\"\nvar v any\nvar _ = v.(int)\n",
		"named, blank and dot imports":   "package p\nimport (\n\tr \"math/rand\"\n\tq \"net/url\"\n\t_ \"embed\"\n\t. \"strings\"\n)\nvar _ = r.Int\n",
		"one-spec declarations":          "package p\nimport \"fmt\"\nimport \"time\"\nvar _ = time.Now\n",
		"group on one line":              "package p\nimport (\"fmt\"; \"os\")\nvar _ = os.Args\n",
		"empty group":                    "package p\nimport ()\nfunc f() {}\n",
		"comments and tags":              "package p\n\n// Doc.\nimport (\n\t\"fmt\" // trailing\n\t/* a */ \"os\"\n)\n\n// fmt.Sprint in a comment is no use.\ntype T struct {\n\tA int `json:\"os.x\"`\n}\n",
		"raw string path":                "package p\nimport `fmt`\nvar _ = fmt.Sprint\n",
		"generics":                       "package p\nimport (\n\t\"cmp\"\n\t\"slices\"\n)\nfunc f[T cmp.Ordered](s []T) T { return slices.Max(s) }\n",
		"major version":                  "package p\nimport (\n\t\"github.com/go-chi/chi/v5\"\n\t\"gopkg.in/yaml.v3\"\n)\nvar _ = chi.NewRouter\n",
		"syntax error after imports":     "package p\nimport (\n\t\"fmt\"\n\t\"os\"\n)\nfunc {\n",
		"syntax error in the imports":    "package p\nimport (\n\t\"fmt\" junk\n)\nvar _ = 1\n",
		"lexical error":                  "package p\nimport \"fmt\"\nvar _ = 'ab\n",
		"missing package clause":         "import \"fmt\"\n",
		"no imports":                     "package p\nvar x = 1\n",
		"no newline at the end":          "package p\nimport \"fmt\"",
		"selector in a method value":     "package p\nimport \"io\"\ntype R interface{ io.Reader }\n",
		"ellipsis before a selector":     "package p\nimport \"fmt\"\nfunc f(a ...any) { fmt.Println(a...) }\n",
		"unused import in a big group":   "package p\n\nimport (\n\t\"context\"\n\t\"errors\"\n\n\t\"github.com/x/y\"\n)\n\nfunc f(ctx context.Context) error { return errors.New(\"\") }\n",
		"selector after a call":          "package p\nimport (\n\t\"fmt\"\n\t\"os\"\n)\nfunc g() struct{ os int } { return struct{ os int }{} }\nvar _ = g().os\nvar _ = fmt.Sprint\n",
		"selector after an index":        "package p\nimport \"os\"\nvar m []struct{ os int }\nvar _ = m[0].os\n",
		"package name shadowed by a var": "package p\nimport \"path\"\nfunc f(path struct{ Base int }) int { return path.Base }\n",
	}
	for name, src := range cases {
		sameAsAST(t, name, []byte(src))
	}
}

// TestFormatGoMatchesASTOnGoldens runs both versions on every Go file of
// the golden services, with unused imports added to each, so that lines
// are cut as a rendered template's are.
func TestFormatGoMatchesASTOnGoldens(t *testing.T) {
	t.Parallel()
	archives, err := filepath.Glob("../../testdata/golden/*/want.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no golden archives found (%v)", err)
	}
	extra := "\t\"strings\"\n\tnethttp \"net/http\"\n\t\"github.com/go-chi/chi/v5\"\n\t_ \"embed\"\n"
	files := 0
	for _, a := range archives {
		data, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range goFilesOf(string(data)) {
			files++
			sameAsAST(t, a+":"+name, []byte(src))
			if i := strings.Index(src, "\nimport (\n"); i >= 0 {
				j := i + len("\nimport (\n")
				sameAsAST(t, a+":"+name+" (with unused imports)", []byte(src[:j]+extra+src[j:]))
			} else if i := strings.Index(src, "\npackage "); i >= 0 || strings.HasPrefix(src, "package ") {
				k := strings.Index(src[max(i, 0)+1:], "\n") + max(i, 0) + 2
				sameAsAST(t, a+":"+name+" (with an import declaration)", []byte(src[:k]+"import (\n"+extra+")\n"+src[k:]))
			}
		}
	}
	if files < 50 {
		t.Fatalf("only %d Go files in the goldens; want the services' code", files)
	}
}

// goFilesOf returns the .go files of a txtar archive.
func goFilesOf(archive string) map[string]string {
	files := make(map[string]string)
	name := ""
	var b strings.Builder
	flush := func() {
		if strings.HasSuffix(name, ".go") {
			files[name] = b.String()
		}
		b.Reset()
	}
	for line := range strings.SplitAfterSeq(archive, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --\n") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --\n")
			continue
		}
		b.WriteString(line)
	}
	flush()
	return files
}

func TestScanImportsFindsQualifiers(t *testing.T) {
	t.Parallel()
	src := "package p\nimport (\n\tr \"math/rand\"\n\t\"fmt\"\n)\nvar _ = a.b.c\nvar _ = r.Int()\nvar _ = x.(int)\n"
	imports, used, ok := scanImports([]byte(src))
	if !ok || len(imports) != 2 || imports[0].name != "r" || imports[1].path != strconv.Quote("fmt") {
		t.Fatalf("imports = %+v", imports)
	}
	if got := src[imports[0].start:imports[0].end]; got != `r "math/rand"` {
		t.Errorf("first spec's range holds %q", got)
	}
	for name, want := range map[string]bool{"a": true, "r": true, "b": false, "c": false, "x": false, "fmt": false} {
		if used[name] != want {
			t.Errorf("used[%q] = %v, want %v", name, used[name], want)
		}
	}
}
