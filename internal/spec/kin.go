package spec

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/bkgen/bkgen/generator/diag"
)

// kinResult is kin-openapi's reading of a document.
type kinResult struct {
	doc *openapi3.T
	err error
}

// loadKin loads data (the bundled document: no $refs into other files are
// left outside extensions) with kin-openapi. External refs are allowed only
// to local files, as a second line behind the resolver.
func loadKin(path string, data []byte) (r kinResult) {
	defer func() {
		if v := recover(); v != nil {
			r = kinResult{err: fmt.Errorf("kin-openapi failed: %v", v)}
		}
	}()
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	l.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" && u.Scheme != "file" || u.Host != "" {
			return nil, fmt.Errorf("remote $ref %q is not supported", u.String())
		}
		return os.ReadFile(filepath.FromSlash(u.Path))
	}
	doc, err := l.LoadFromDataWithPath(data, &url.URL{Path: filepath.ToSlash(path)})
	return kinResult{doc: doc, err: err}
}

// startKin starts loading data with kin-openapi in the background when it is
// likely to be loaded as it is (OpenAPI 3, no $refs into other files), so the
// two parses of a large spec (one for positions, one for types) overlap.
// It returns nil when it does not start.
func startKin(path string, data []byte) chan kinResult {
	if bytes.Contains(data, []byte("swagger")) || mayHaveFileRefs(data) {
		return nil
	}
	ch := make(chan kinResult, 1)
	go func() { ch <- loadKin(path, data) }()
	return ch
}

// mayHaveFileRefs reports whether some "$ref" in data is not followed by a
// local reference ("#..."), looking at the bytes only.
func mayHaveFileRefs(data []byte) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("$ref"))
		if j < 0 {
			return false
		}
		k := i + j + len("$ref")
		for k < len(data) && strings.IndexByte("\"' \t:", data[k]) >= 0 {
			k++
		}
		if k < len(data) && (data[k] == '>' || data[k] == '|') { // a YAML block scalar
			for k < len(data) && data[k] != '\n' {
				k++
			}
			for k < len(data) && strings.IndexByte(" \t\r\n\"'", data[k]) >= 0 {
				k++
			}
		}
		if k >= len(data) || data[k] != '#' {
			return true
		}
		i = k
	}
}

var (
	inPointerRE = regexp.MustCompile(` in (/[^\s:;]*)`)
	yamlErrorRE = regexp.MustCompile(`go-yaml load error in \w+ at L(\d+)\.C(\d+): (.*)`)
	// yamlLineRE is a YAML error kin-openapi passes on as text with a line
	// alone ("yaml error: line 267: mapping key is null, so it names nothing").
	yamlLineRE = regexp.MustCompile(`yaml error: line (\d+): (.*)`)
)

// kinError turns a kin-openapi loading error into a diagnostic, placed where
// the error says when it says: at the pointer it names, or at the line and
// column YAML reports when kin-openapi read the file itself (not a bundled or
// converted copy, whose lines are not the file's).
func (d *Document) kinError(err error, original bool) diag.Diagnostic {
	dg := diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: d.Path}, Summary: err.Error()}
	var mark yaml.Mark
	var les *yaml.LoadErrors
	var le *yaml.LoadError
	switch {
	case errors.As(err, &les) && len(les.Errors) > 0:
		e := les.Errors[0]
		dg.Summary, mark = e.Message, e.Mark
		if len(les.Errors) > 1 {
			dg.Summary += fmt.Sprintf(" (and %d more)", len(les.Errors)-1)
		}
	case errors.As(err, &le):
		dg.Summary, mark = le.Message, le.Mark
	}
	if m := yamlErrorRE.FindStringSubmatch(dg.Summary); m != nil {
		// A nested go-yaml error whose position is only in its text.
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		mark, dg.Summary = yaml.Mark{Line: line, Column: col}, m[3]
	} else if m := yamlLineRE.FindStringSubmatch(dg.Summary); m != nil && mark.Line == 0 {
		line, _ := strconv.Atoi(m[1])
		mark, dg.Summary = yaml.Mark{Line: line, Column: 1}, m[2]
	}
	if m := inPointerRE.FindStringSubmatch(dg.Summary); m != nil {
		dg.Pointer = m[1]
		dg.Summary = strings.Replace(dg.Summary, m[0], "", 1)
	}
	switch {
	case original && mark.Line > 0:
		dg.Pos = d.src.clamp(mark.Line, mark.Column)
	case dg.Pointer != "":
		dg.Pos = d.Pos(dg.Pointer)
	}
	dg.Summary = strings.TrimPrefix(dg.Summary, "failed to unmarshal data: ")
	return dg
}
