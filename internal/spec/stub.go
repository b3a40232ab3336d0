package spec

import (
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// stubComponentRefs makes validation linear in the size of the document.
//
// kin-openapi validates a schema together with everything it refers to,
// afresh for each place that uses it; in a large spec whose responses refer
// to a web of component schemas (Stripe's) that is most of the loading time.
// Every component schema is validated on its own anyway, so while the
// document is validated each $ref to a component schema is pointed at an
// empty schema. Findings inside a component are then reported once, at the
// component, instead of once per use. The returned function puts the
// document back as it was.
func stubComponentRefs(doc *openapi3.T) (restore func()) {
	if doc.Components == nil || len(doc.Components.Schemas) == 0 {
		return func() {}
	}
	s := stubber{comp: map[*openapi3.Schema]bool{}, stub: &openapi3.Schema{}, seen: map[any]bool{}}
	for _, sr := range doc.Components.Schemas {
		if sr != nil && sr.Ref == "" && sr.Value != nil {
			s.comp[sr.Value] = true
		}
	}
	// The sub-schemas of every schema reachable from the document.
	_ = doc.WalkSchemas(func(_ string, sr *openapi3.SchemaRef) error {
		s.children(sr.Value)
		return nil
	})
	// The schemas at the top of parameters, headers and media types.
	c := doc.Components
	for _, p := range c.Parameters {
		s.parameter(p)
	}
	for _, h := range c.Headers {
		s.header(h)
	}
	for _, rb := range c.RequestBodies {
		if rb != nil && rb.Value != nil {
			s.content(rb.Value.Content)
		}
	}
	for _, r := range c.Responses {
		s.response(r)
	}
	for _, cb := range c.Callbacks {
		s.callback(cb)
	}
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			s.pathItem(item)
		}
	}
	for _, item := range doc.Webhooks {
		s.pathItem(item)
	}
	return func() {
		for _, v := range slices.Backward(s.undo) {
			v.ref.Value = v.value
		}
	}
}

type stubbed struct {
	ref   *openapi3.SchemaRef
	value *openapi3.Schema
}

type stubber struct {
	comp map[*openapi3.Schema]bool
	stub *openapi3.Schema
	seen map[any]bool
	undo []stubbed
}

// ref stubs sr when it is a $ref to a component schema.
func (s *stubber) ref(sr *openapi3.SchemaRef) {
	if sr != nil && sr.Ref != "" && sr.Value != s.stub && s.comp[sr.Value] {
		s.undo = append(s.undo, stubbed{ref: sr, value: sr.Value})
		sr.Value = s.stub
	}
}

func (s *stubber) refs(list openapi3.SchemaRefs) {
	for _, sr := range list {
		s.ref(sr)
	}
}

func (s *stubber) schemas(m openapi3.Schemas) {
	for _, sr := range m {
		s.ref(sr)
	}
}

// children stubs the sub-schemas of v that are $refs to components.
func (s *stubber) children(v *openapi3.Schema) {
	if v == nil || v == s.stub {
		return
	}
	s.schemas(v.Properties)
	s.schemas(v.PatternProperties)
	s.schemas(v.DependentSchemas)
	s.schemas(v.Defs)
	s.refs(v.AllOf)
	s.refs(v.AnyOf)
	s.refs(v.OneOf)
	s.refs(v.PrefixItems)
	for _, sr := range []*openapi3.SchemaRef{
		v.Items, v.Not, v.Contains, v.PropertyNames, v.If, v.Then, v.Else, v.ContentSchema,
		v.AdditionalProperties.Schema, v.UnevaluatedItems.Schema, v.UnevaluatedProperties.Schema,
	} {
		s.ref(sr)
	}
}

func (s *stubber) once(v any) bool {
	if s.seen[v] {
		return false
	}
	s.seen[v] = true
	return true
}

func (s *stubber) pathItem(item *openapi3.PathItem) {
	if item == nil || !s.once(item) {
		return
	}
	for _, p := range item.Parameters {
		s.parameter(p)
	}
	for _, op := range item.Operations() {
		if op == nil || !s.once(op) {
			continue
		}
		for _, p := range op.Parameters {
			s.parameter(p)
		}
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			s.content(op.RequestBody.Value.Content)
		}
		if op.Responses != nil {
			for _, r := range op.Responses.Map() {
				s.response(r)
			}
		}
		for _, cb := range op.Callbacks {
			s.callback(cb)
		}
	}
}

func (s *stubber) callback(cb *openapi3.CallbackRef) {
	if cb == nil || cb.Value == nil || !s.once(cb.Value) {
		return
	}
	for _, item := range cb.Value.Map() {
		s.pathItem(item)
	}
}

func (s *stubber) parameter(p *openapi3.ParameterRef) {
	if p == nil || p.Value == nil || !s.once(p.Value) {
		return
	}
	s.ref(p.Value.Schema)
	s.content(p.Value.Content)
}

func (s *stubber) header(h *openapi3.HeaderRef) {
	if h == nil || h.Value == nil || !s.once(h.Value) {
		return
	}
	s.ref(h.Value.Schema)
	s.content(h.Value.Content)
}

func (s *stubber) response(r *openapi3.ResponseRef) {
	if r == nil || r.Value == nil || !s.once(r.Value) {
		return
	}
	for _, h := range r.Value.Headers {
		s.header(h)
	}
	s.content(r.Value.Content)
}

func (s *stubber) content(c openapi3.Content) {
	for _, mt := range c {
		if mt == nil || !s.once(mt) {
			continue
		}
		s.ref(mt.Schema)
		s.ref(mt.ItemSchema)
		for _, enc := range mt.Encoding {
			if enc != nil {
				for _, h := range enc.Headers {
					s.header(h)
				}
			}
		}
	}
}
