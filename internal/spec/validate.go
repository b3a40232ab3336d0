package spec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// finding is one problem kin-openapi's validation reports, with the JSON
// pointer of the element it is about (as close as the error says).
type finding struct {
	pointer    string
	summary    string
	unresolved bool // a $ref kin-openapi could not resolve
}

// validate runs kin-openapi's document validation, with examples left out
// (real specs' examples often break their schemas, which does not stop
// generation) and every independent problem reported, each once: at the
// component it is in rather than at every place that uses the component.
func validate(doc *openapi3.T) []finding {
	return validateDoc(doc, true)
}

// validateDoc is validate; stub false validates the document as kin-openapi
// does by itself (to test that stubbing loses nothing).
func validateDoc(doc *openapi3.T, stub bool) []finding {
	if stub {
		defer stubComponentRefs(doc)()
	}
	opts := []openapi3.ValidationOption{openapi3.DisableExamplesValidation(), openapi3.EnableMultiError()}
	if doc.IsOpenAPI31OrLater() {
		// components.pathItems is an OpenAPI 3.1 field kin-openapi v0.153
		// does not know (it resolves $refs to it all the same).
		opts = append(opts, openapi3.AllowExtraSiblingFields("pathItems"))
	}
	var out []finding
	seen := map[finding]bool{}
	for _, err := range validateErrors(doc, opts) {
		f := toFinding(doc, err)
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return append(out, duplicateOperationIDs(doc)...)
}

// validateErrors validates doc and returns its independent findings. A
// panic inside kin-openapi is reported as a finding: the document loaded,
// and validation is advisory.
func validateErrors(doc *openapi3.T, opts []openapi3.ValidationOption) (errs []error) {
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
		if _, ok := errors.AsType[*openapi3.DuplicateOperationIDError](e); ok {
			continue // checked over all paths by duplicateOperationIDs
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
		{
			var x *openapi3.SectionValidationError
			var x1 *openapi3.PathValidationError
			var x2 *openapi3.OperationValidationError
			var x3 *openapi3.ComponentValidationError
			var x4 *openapi3.WebhookValidationError
			var x5 *openapi3.TagValidationError
			var x6 *openapi3.ConflictingPathsError
			var x7 *openapi3.PathParametersError
			var x8 *openapi3.RequiredFieldError
			switch {
			case errors.As(e, &x):
				toks = append(toks, sectionField(x.Section))
			case errors.As(e, &x1):
				toks = append(toks, x1.Path)
			case errors.As(e, &x2):
				toks = append(toks, strings.ToLower(x2.Method))
			case errors.As(e, &x3):
				if s, ok := componentSections[x3.Section]; ok {
					toks = append(toks, s, x3.Name)
				}
			case errors.As(e, &x4):
				toks = append(toks, x4.Name)
			case errors.As(e, &x5):
				if i := slices.IndexFunc(doc.Tags, func(t *openapi3.Tag) bool {
					return t != nil && t.Name == x5.Name
				}); i >= 0 {
					toks = append(toks, itoa(i))
				}
			case errors.As(e, &x6):
				toks = append(toks, x6.Path1)
			case errors.As(e, &x7):
				toks = append(toks, x7.Path, strings.ToLower(x7.Method))
			case errors.As(e, &x8):
				field := strings.Split(x8.Field, ".")
				if len(toks) > 0 && len(field) > 1 && field[0] == toks[len(toks)-1] {
					field = field[1:]
				}
				if len(toks) > 0 && len(field) == 1 && field[0] == toks[len(toks)-1] {
					break
				}
				if len(field) == 1 || len(toks) > 0 && toks[len(toks)-1] == "info" {
					toks = append(toks, field...)
				}
			default:
				continue
			}
		}
		if isContext(e) {
			msg = errors.Unwrap(e)
		}
	}
	summary := msg.Error()
	if i := strings.IndexByte(summary, '\n'); i >= 0 {
		summary = strings.TrimSpace(summary[:i])
	}
	var unresolved *openapi3.UnresolvedRefError
	return finding{pointer: joinPointer(toks), summary: summary, unresolved: errors.As(err, &unresolved)}
}

// isContext reports whether e only says where its cause happened.
func isContext(e error) bool {
	{
		var errCase0 *openapi3.SectionValidationError
		var errCase1 *openapi3.PathValidationError
		var errCase2 *openapi3.OperationValidationError
		var errCase3 *openapi3.ComponentValidationError
		var errCase4 *openapi3.WebhookValidationError
		switch {
		case errors.As(e, &errCase0), errors.As(e, &errCase1), errors.As(e, &errCase2), errors.As(e, &errCase3), errors.As(e, &errCase4):
			return true
		}
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
