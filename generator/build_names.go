package generator

import (
	"go/build"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/ir"
)

// checkNames refuses a control character (a line break above all) or a
// byte order mark (which Go refuses inside a file) in the names the
// generated code and files quote in one-line places: paths, operation ids,
// parameter and header names, security schemes, callbacks and webhooks.
// None can be sent as it is (a request line or header cannot hold one), and
// each is written into comments, where a line break would turn the rest of
// the name into code.
func (b *builder) checkNames() {
	if b.doc.Paths != nil {
		for _, path := range sortedKeys(b.doc.Paths.Map()) {
			b.checkPathItem("/paths/"+ir.EscapePointer(path), "path", path, b.doc.Paths.Value(path), 0)
		}
	}
	for _, name := range sortedKeys(b.doc.Webhooks) {
		b.checkPathItem("/webhooks/"+ir.EscapePointer(name), "webhook", name, b.doc.Webhooks[name], 0)
	}
	if b.doc.Components != nil {
		for _, name := range sortedKeys(b.doc.Components.SecuritySchemes) {
			pointer := "/components/securitySchemes/" + ir.EscapePointer(name)
			b.checkName(pointer, "security scheme", name)
			if s := b.doc.Components.SecuritySchemes[name]; s != nil && s.Value != nil {
				b.checkName(pointer+"/name", "API key name", s.Value.Name)
				b.checkName(pointer+"/scheme", "HTTP scheme", s.Value.Scheme)
			}
		}
	}
}

// checkPathItem checks a path item's key and its operations' names, and
// those of their callbacks, depth levels down.
func (b *builder) checkPathItem(pointer, what, key string, item *openapi3.PathItem, depth int) {
	b.checkName(pointer, what, key)
	if item == nil || depth > 4 {
		return
	}
	b.checkParams(pointer+"/parameters", item.Parameters)
	ops := item.Operations()
	for _, method := range methods {
		op := ops[method]
		if op == nil {
			continue
		}
		opPointer := pointer + "/" + strings.ToLower(method)
		b.checkName(opPointer+"/operationId", "operation id", op.OperationID)
		b.checkParams(opPointer+"/parameters", op.Parameters)
		if op.Security != nil {
			for i, req := range *op.Security {
				for name := range req {
					b.checkName(opPointer+"/security/"+strconv.Itoa(i), "security scheme", name)
				}
			}
		}
		if op.Responses != nil {
			for code, r := range op.Responses.Map() {
				if r == nil || r.Value == nil {
					continue
				}
				for name := range r.Value.Headers {
					b.checkName(opPointer+"/responses/"+ir.EscapePointer(code)+"/headers/"+ir.EscapePointer(name), "header", name)
				}
			}
		}
		for _, name := range sortedKeys(op.Callbacks) {
			cbPointer := opPointer + "/callbacks/" + ir.EscapePointer(name)
			b.checkName(cbPointer, "callback", name)
			cb := op.Callbacks[name]
			if cb == nil || cb.Value == nil {
				continue
			}
			for _, expr := range sortedKeys(cb.Value.Map()) {
				b.checkPathItem(cbPointer+"/"+ir.EscapePointer(expr), "callback expression", expr, cb.Value.Value(expr), depth+1)
			}
		}
	}
}

func (b *builder) checkParams(pointer string, params openapi3.Parameters) {
	for i, p := range params {
		if p != nil && p.Value != nil {
			b.checkName(pointer+"/"+strconv.Itoa(i), "parameter name", p.Value.Name)
		}
	}
}

// checkName adds an error at pointer when name holds a control character.
func (b *builder) checkName(pointer, what, name string) {
	if i := strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\uFEFF' }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		b.diags.Errorf(b.pos(pointer), pointer, "%s %q holds the control character %q: names are written on one line, and no request can carry it as it is", what, name, r)
	}
}

func fileStem(goName string) string {
	return strings.ReplaceAll(ir.Slug(goName), "-", "_")
}

// serviceFiles are the stems of internal/service's own files (services_gen.go,
// db_gen.go, crud_gen.go), which no group's files may take.
var serviceFiles = []string{"services_gen", "db_gen", "crud_gen"}

// groupFile is the stem of a group's files in internal/service, <stem>.go
// and <stem>_gen.go: unique there (Slug cuts long names short, so two
// groups may start alike), clear of the package's own files, and a name go
// build reads as a plain source file on every platform, not as a test
// (ab_test.go) or another platform's file (ab_windows.go).
func groupFile(files *ir.Namer, name string) string {
	stem := fileStem(name)
	if strings.HasSuffix(stem, "_gen") || !buildsEverywhere(stem+".go") || !buildsEverywhere(stem+"_gen.go") {
		stem += "_group"
	}
	for i := 1; ; i++ {
		s := stem
		if i > 1 {
			s += strconv.Itoa(i)
		}
		if !files.Has(s) && !files.Has(s+"_gen") {
			files.Take(s)
			files.Take(s + "_gen")
			return s
		}
	}
}

// buildsEverywhere reports whether go build compiles a file named file
// into its package on every platform, outside tests.
func buildsEverywhere(file string) bool {
	if strings.HasSuffix(file, "_test.go") {
		return false
	}
	// Two platforms that share neither OS nor architecture: a name that
	// only one of them builds (x_linux.go, x_arm64.go) fails on the other.
	for _, p := range [][2]string{{"linux", "amd64"}, {"windows", "arm64"}} {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH = p[0], p[1]
		ctx.OpenFile = func(string) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("package service\n")), nil
		}
		if ok, err := ctx.MatchFile(".", file); err != nil || !ok {
			return false
		}
	}
	return true
}
