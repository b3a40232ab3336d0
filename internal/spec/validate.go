package spec

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// finding is one problem kin-openapi's validation reports, with the JSON
// pointer of the element it is about (as close as the error says).
type finding struct {
	pointer string
	summary string
}

// minPathsPerChunk keeps small documents in one validation pass, where
// splitting costs more than it saves.
const minPathsPerChunk = 40

// validate runs kin-openapi's document validation, with examples left out
// (real specs' examples often break their schemas, which does not stop
// generation) and every independent problem reported.
//
// kin-openapi validates each schema once per place that uses it, so a large
// document (Stripe's: 1 s) is validated in parallel chunks of paths, each a
// shallow copy of the document; findings that concern the whole document
// are taken from the first chunk only, and duplicate operation ids, which
// need every path at once, are checked here.
func validate(doc *openapi3.T) []finding {
	return validateDoc(doc, true)
}

func validateDoc(doc *openapi3.T, stub bool) []finding {
	if stub {
		defer stubComponentRefs(doc)()
	}
	opts := []openapi3.ValidationOption{openapi3.DisableExamplesValidation(), openapi3.EnableMultiError()}
	chunks := splitPaths(doc, runtime.GOMAXPROCS(0))
	results := make([][]error, len(chunks))
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Go(func() { results[i] = validateChunk(c, opts, i == 0) })
	}
	wg.Wait()

	var out []finding
	seen := map[finding]bool{}
	for _, errs := range results {
		for _, err := range errs {
			f := toFinding(doc, err)
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return append(out, duplicateOperationIDs(doc)...)
}

// splitPaths returns copies of doc that share everything but hold a part of
// the paths each. Paths that differ only by parameter names stay together,
// so kin-openapi still sees them conflict.
func splitPaths(doc *openapi3.T, n int) []*openapi3.T {
	if doc.Paths == nil || n < 2 || doc.Paths.Len() < 2*minPathsPerChunk {
		return []*openapi3.T{doc}
	}
	n = min(n, doc.Paths.Len()/minPathsPerChunk, 8)
	groups := map[string][]string{}
	var order []string
	for _, p := range doc.Paths.Keys() {
		norm := normalizePath(p)
		if _, ok := groups[norm]; !ok {
			order = append(order, norm)
		}
		groups[norm] = append(groups[norm], p)
	}
	parts := make([]*openapi3.Paths, n)
	for i := range parts {
		parts[i] = openapi3.NewPaths()
	}
	parts[0].Extensions = doc.Paths.Extensions
	for i, norm := range order {
		for _, p := range groups[norm] {
			parts[i%n].Set(p, doc.Paths.Value(p))
		}
	}
	out := make([]*openapi3.T, n)
	for i, p := range parts {
		c := *doc
		c.Paths = p
		if i > 0 {
			// Only the first chunk validates what is not a path; the others
			// keep the security schemes, which operations' security needs.
			c.Webhooks = nil
			c.Components = &openapi3.Components{}
			if doc.Components != nil {
				c.Components.SecuritySchemes = doc.Components.SecuritySchemes
			}
		}
		out[i] = &c
	}
	return out
}

// normalizePath replaces parameter names in a path template with "{}".
func normalizePath(p string) string {
	if !strings.Contains(p, "{") {
		return p
	}
	var b strings.Builder
	depth := 0
	for _, r := range p {
		switch {
		case r == '{':
			if depth == 0 {
				b.WriteString("{}")
			}
			depth++
		case r == '}' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// validateChunk validates one chunk and returns its independent findings.
// A panic inside kin-openapi is reported as a finding: the document loaded,
// and validation is advisory.
func validateChunk(doc *openapi3.T, opts []openapi3.ValidationOption, first bool) (errs []error) {
	defer func() {
		if v := recover(); v != nil {
			errs = append(errs, fmt.Errorf("validation stopped early: kin-openapi failed: %v", v))
		}
	}()
	err := doc.Validate(context.Background(), opts...)
	if err == nil {
		return nil
	}
	for _, e := range leaves(err) {
		var dup *openapi3.DuplicateOperationIDError
		if errors.As(e, &dup) {
			continue // checked over all paths by duplicateOperationIDs
		}
		if !first {
			var sec *openapi3.SectionValidationError
			if !errors.As(e, &sec) || sec.Section != "paths" {
				continue
			}
		}
		errs = append(errs, e)
	}
	return errs
}

// leaves flattens nested MultiErrors.
func leaves(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // only a MultiError at this level is flattened
		var out []error
		for _, e := range me {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// duplicateOperationIDs reports every operationId used by more than one
// operation (kin-openapi stops at the first).
func duplicateOperationIDs(doc *openapi3.T) []finding {
	if doc.Paths == nil {
		return nil
	}
	first := map[string]string{}
	var out []finding
	for _, p := range doc.Paths.Keys() {
		item := doc.Paths.Value(p)
		if item == nil {
			continue
		}
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		for _, m := range methods {
			op := ops[m]
			if op == nil || op.OperationID == "" {
				continue
			}
			here := m + " " + p
			if prev, ok := first[op.OperationID]; ok {
				out = append(out, finding{
					pointer: joinPointer([]string{"paths", p, strings.ToLower(m), "operationId"}),
					summary: fmt.Sprintf("operationId %q is also used by %s", op.OperationID, prev),
				})
				continue
			}
			first[op.OperationID] = here
		}
	}
	return out
}

var componentSections = map[string]string{
	"schema": "schemas", "parameter": "parameters", "header": "headers",
	"request body": "requestBodies", "response": "responses", "security scheme": "securitySchemes",
	"example": "examples", "link": "links", "callback": "callbacks",
}

// toFinding maps a validation error to the element it is about, from the
// context kin-openapi wraps around it, and keeps the innermost message.
func toFinding(doc *openapi3.T, err error) finding {
	var toks []string
	msg := err
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch x := e.(type) {
		case *openapi3.SectionValidationError:
			toks = append(toks, sectionField(x.Section))
		case *openapi3.PathValidationError:
			toks = append(toks, x.Path)
		case *openapi3.OperationValidationError:
			toks = append(toks, strings.ToLower(x.Method))
		case *openapi3.ComponentValidationError:
			if s, ok := componentSections[x.Section]; ok {
				toks = append(toks, s, x.Name)
			}
		case *openapi3.WebhookValidationError:
			toks = append(toks, x.Name)
		case *openapi3.TagValidationError:
			if i := slices.IndexFunc(doc.Tags, func(t *openapi3.Tag) bool { return t != nil && t.Name == x.Name }); i >= 0 {
				toks = append(toks, itoa(i))
			}
		case *openapi3.PathParametersError:
			toks = append(toks, x.Path, strings.ToLower(x.Method))
		case *openapi3.RequiredFieldError:
			field := strings.Split(x.Field, ".")
			if len(toks) > 0 && len(field) > 1 && field[0] == toks[len(toks)-1] {
				field = field[1:]
			}
			if len(field) == 1 || len(toks) > 0 && toks[len(toks)-1] == "info" {
				toks = append(toks, field...)
			}
		default:
			continue
		}
		if isContext(e) {
			msg = errors.Unwrap(e)
		}
	}
	summary := msg.Error()
	if i := strings.IndexByte(summary, '\n'); i >= 0 {
		summary = strings.TrimSpace(summary[:i])
	}
	return finding{pointer: joinPointer(toks), summary: summary}
}

// isContext reports whether e only says where its cause happened.
func isContext(e error) bool {
	switch e.(type) {
	case *openapi3.SectionValidationError, *openapi3.PathValidationError,
		*openapi3.OperationValidationError, *openapi3.ComponentValidationError,
		*openapi3.WebhookValidationError:
		return true
	}
	return false
}

// sectionField turns kin-openapi's section names into document fields.
func sectionField(s string) string {
	if s == "external docs" {
		return "externalDocs"
	}
	return s
}
