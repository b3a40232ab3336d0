// Package render executes bkgen's blueprints: each template with typed data
// becomes the bytes of one output file. It is the only package that uses
// text/template and sprig; generated Go is formatted here with go/format.
package render

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/Masterminds/sprig/v3"

	"github.com/bkgen/bkgen/generator/ir"
)

// FileData is the data every template receives.
type FileData struct {
	Service *ir.Service
	// Group is set for templates rendered once per operation group.
	Group *ir.Group
	// Alert is set for templates rendered once per alert (its runbook).
	Alert *ir.Alert
	// Stack names the web framework the router hooks target.
	Stack StackData
	// Patterns are the regular expressions the generated validation uses.
	Patterns []*Pattern
	// Tests holds the generated tests' cases.
	Tests *TestData
	// Deps are the module requirements of the generated go.mod.
	Deps Deps
	// Errors are the declared error schemas bkgen fills, one per type.
	Errors []*ir.ErrorResponse
	// Spec is the spec's bytes (for the embedded copy).
	Spec []byte
}

// StackData describes the stack to the templates.
type StackData struct {
	Name string
	// Pattern writes a route as the stack's router registers it
	// ({{call .Stack.Pattern method path}}); nil for stacks that take the
	// route's path as it is.
	Pattern func(method, path string) string
}

// Deps are the generated module's requirements.
type Deps struct {
	GoVersion string
	Direct    []Module
	Indirect  []Module
}

// Module is one requirement.
type Module struct {
	Path, Version string
}

// Renderer holds the parsed blueprints of one service.
type Renderer struct {
	tmpl  *template.Template
	code  *goCode
	cache *fmtCache
}

// New parses every *.tmpl file of fsys; a template's name is its path.
// hooks name templates of fsys parsed last, in order: they may only
// {{define}} named templates, which replace the blocks of the same name
// (a platform team's overlay changing part of a built-in file).
func New(fsys fs.FS, svc *ir.Service, hooks ...string) (*Renderer, error) {
	code := newGoCode(svc)
	t := template.New("").Option("missingkey=error").Funcs(funcs(code))
	parse := func(p string) error {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read blueprint: %w", err)
		}
		if _, err := t.New(p).Parse(string(data)); err != nil {
			return fmt.Errorf("parse blueprint: %w", err)
		}
		return nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") || slices.Contains(hooks, p) {
			return err
		}
		return parse(p)
	})
	for _, h := range hooks {
		if err != nil {
			break
		}
		if err = parse(h); err == nil {
			err = onlyDefines(t.Lookup(h))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("load blueprints: %w", err)
	}
	return &Renderer{tmpl: t, code: code, cache: defaultFmtCache()}, nil
}

// onlyDefines checks that a hook template holds nothing but {{define}}s
// (and space between them).
func onlyDefines(t *template.Template) error {
	if t == nil || t.Tree == nil {
		return nil
	}
	for _, n := range t.Root.Nodes {
		if tn, ok := n.(*parse.TextNode); ok && len(bytes.TrimSpace(tn.Text)) == 0 {
			continue
		}
		return fmt.Errorf("template: %s:%d: a hook file may only {{define}} blocks that replace the built-in ones; found %q",
			t.Name(), lineOf(t, n), clip(n.String()))
	}
	return nil
}

// lineOf is the line of node n in template t: ErrorContext gives its
// place as "name:line:col".
func lineOf(t *template.Template, n parse.Node) int {
	loc, _ := t.ErrorContext(n)
	parts := strings.Split(loc, ":")
	if len(parts) < 3 {
		return 0
	}
	line, _ := strconv.Atoi(parts[len(parts)-2])
	return line
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Patterns lists the regular expressions validation uses, in a stable order.
func (r *Renderer) Patterns() []*Pattern { return r.code.list }

// Has reports whether a template exists.
func (r *Renderer) Has(name string) bool { return r.tmpl.Lookup(name) != nil }

// Templates lists the names of the templates under dir.
func (r *Renderer) Templates(dir string) []string {
	var names []string
	for _, t := range r.tmpl.Templates() {
		if n := t.Name(); strings.HasPrefix(n, dir+"/") && strings.HasSuffix(n, ".tmpl") {
			names = append(names, n)
		}
	}
	return names
}

// Render executes template name with data. Output for a .go path is
// formatted; on a formatting error the raw output is returned with the error
// so the caller can keep it for debugging.
func (r *Renderer) Render(name, outPath string, data *FileData) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render %s from %s: %w", outPath, name, err)
	}
	if path.Ext(outPath) != ".go" {
		return buf.Bytes(), nil
	}
	out, err := r.cache.format(buf.Bytes())
	if err != nil {
		return buf.Bytes(), fmt.Errorf("format %s (from %s): %w", outPath, name, err)
	}
	return out, nil
}

func funcs(code *goCode) template.FuncMap {
	m := sprig.HermeticTxtFuncMap()
	m["goType"] = goType
	m["fieldType"] = fieldType
	m["logAttr"] = logAttr
	m["secretSchema"] = secretSchema
	m["jsonTag"] = jsonTag
	m["decodeFlags"] = decodeFlags
	m["validateField"] = code.validateField
	m["validate"] = code.validate
	m["needsCheck"] = needsCheck
	m["enumLiteral"] = enumLiteral
	m["comment"] = comment
	m["quote"] = strconv.Quote
	m["goString"] = goString
	m["lowerName"] = ir.LowerName
	m["paramParser"] = paramParser
	m["validTag"] = validTagName
	m["pointerLit"] = func(parts ...string) string {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString("/" + ir.EscapePointer(p))
		}
		return strconv.Quote(b.String())
	}
	m["knownFields"] = knownFields
	m["unionCheck"] = unionCheck
	m["statusExpr"] = statusExpr
	m["enumBase"] = enumBase
	m["paramType"] = paramType
	m["paramPointer"] = paramPointer
	m["decodeParam"] = code.decodeParam
	m["validateParam"] = code.validateParam
	m["bodyType"] = bodyType
	m["decodeBody"] = code.decodeBody
	m["validateBody"] = code.validateBody
	m["responseBodyType"] = responseBodyType
	m["statusValue"] = statusValue
	m["messageValue"] = messageValue
	m["errorBodyFunc"] = errorBodyFunc
	m["authErrorBodies"] = authErrorBodies
	m["crudBody"] = crudBody
	m["sessionBody"] = sessionBody
	m["rowMapping"] = rowMapping
	m["paramsMapping"] = paramsMapping
	m["rowFunc"] = rowFunc
	m["paramsFunc"] = paramsFunc
	m["queryName"] = queryName
	m["modelName"] = modelName
	m["ddlUp"] = ddlUp
	m["ddlDown"] = ddlDown
	m["queries"] = queries
	m["sqliteColumnTypes"] = sqliteColumnTypes
	m["mysqlRename"] = mysqlRename
	m["madeIDs"] = madeIDs
	m["createResults"] = createResults
	m["createReturn"] = createReturn
	m["sqlcRename"] = sqlcRename
	m["alertRules"] = alertRules
	m["mdCell"] = mdCell
	m["mdCode"] = mdCode
	m["mdLinks"] = mdLinks
	m["schemaDoc"] = schemaDoc
	m["securityDoc"] = securityDoc
	m["mermaidText"] = mermaidText
	m["mdPlainLinks"] = mdPlainLinks
	m["mdQuote"] = mdQuote
	m["deref"] = func(p *int64) int64 { return *p }
	return m
}
