package compat

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// Reasons a schema change breaks a client, by direction.
const (
	refusedReason  = "a request the old spec allowed may now be refused with 400"
	undecodeReason = "a client may receive values its decoder does not accept"
)

// effect is a schema change before its directions are known: what happened,
// and why it breaks a request or a response ("" when it does not).
type effect struct {
	kind, what string
	req, resp  string
	// note is said of a change that breaks nothing but deserves attention.
	note string
}

// narrowed is a change that leaves fewer valid values.
func narrowed(format string, args ...any) effect {
	return effect{kind: "type-narrowed", what: fmt.Sprintf(format, args...), req: refusedReason}
}

// widenedLoose is a loosened constraint: more valid values, none a decoder refuses.
func widenedLoose(format string, args ...any) effect {
	return effect{kind: "type-widened", what: fmt.Sprintf(format, args...)}
}

// widened is a change of kind or format that admits values a client's
// decoder may not hold.
func widened(format string, args ...any) effect {
	return effect{kind: "type-widened", what: fmt.Sprintf(format, args...), resp: undecodeReason}
}

// changed is a change that is neither a narrowing nor a widening.
func changed(format string, args ...any) effect {
	return effect{kind: "type-changed", what: fmt.Sprintf(format, args...), req: refusedReason, resp: undecodeReason}
}

// emit records an effect at a place for a schema travelling in d.
func (c *comparer) emit(e effect, at place, d dir) {
	summary := upperFirst(e.what)
	breaking := false
	switch {
	case d&inRequest != 0 && e.req != "":
		breaking, summary = true, summary+": "+e.req
	case d&inResponse != 0 && e.resp != "":
		breaking, summary = true, summary+": "+e.resp
	case e.note != "":
		summary += " (" + e.note + ")"
	}
	c.add(e.kind, breaking, at.String(), summary+".")
}

// upperFirst capitalises a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// schema compares two uses of a schema at a place, travelling in d.
// Paired component types are compared once elsewhere (compareComponents).
func (c *comparer) schema(o, n *ir.Schema, at place, d dir) {
	if o == nil || n == nil {
		return
	}
	switch {
	case !o.Nullable && n.Nullable:
		c.emit(widened("now nullable"), at, d)
	case o.Nullable && !n.Nullable:
		c.emit(narrowed("no longer nullable"), at, d)
	}
	if d&inRequest != 0 && !reflect.DeepEqual(o.Default, n.Default) {
		c.add("default-changed", false, at.String(), fmt.Sprintf("The default changed from %v to %v: clients omitting the value get the new default.", show(o.Default), show(n.Default)))
	}
	if o.Kind == ir.KindNamed && n.Kind == ir.KindNamed && o.Named != nil && n.Named != nil && c.pair[o.Named] == n.Named {
		return
	}
	c.shape(o, n, at, d)
}

// show renders a value for a summary.
func show(v any) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%#v", v)
}

// category is the JSON shape of a schema use.
type category string

const (
	catAny     category = "any value"
	catString  category = "string"
	catInteger category = "integer"
	catNumber  category = "number"
	catBool    category = "boolean"
	catArray   category = "array"
	catObject  category = "object"
	catUnion   category = "union"
)

// view unwraps a named list or map into an inline use of it, so that a
// component array compares with an inline one.
func view(s *ir.Schema) *ir.Schema {
	if s.Kind != ir.KindNamed || s.Named == nil {
		return s
	}
	t := s.Named
	if t.Kind != ir.TypeSlice && t.Kind != ir.TypeMap {
		return s
	}
	v := &ir.Schema{Kind: ir.KindSlice}
	if t.Schema != nil {
		c := *t.Schema
		v = &c
	}
	v.Kind, v.Elem, v.Nullable, v.Named = ir.KindSlice, t.Elem, s.Nullable, nil
	if t.Kind == ir.TypeMap {
		v.Kind = ir.KindMap
	}
	return v
}

// categoryOf is the JSON shape of a use (after view).
func categoryOf(s *ir.Schema) category {
	switch s.Kind {
	case ir.KindString, ir.KindTime, ir.KindBytes:
		return catString
	case ir.KindInt32, ir.KindInt64:
		return catInteger
	case ir.KindFloat32, ir.KindFloat64:
		return catNumber
	case ir.KindBool:
		return catBool
	case ir.KindSlice:
		return catArray
	case ir.KindMap:
		return catObject
	case ir.KindNamed:
		if s.Named == nil {
			return catAny
		}
		switch s.Named.Kind {
		case ir.TypeStruct:
			return catObject
		case ir.TypeUnion:
			return catUnion
		case ir.TypeEnum:
			return categoryOf(&ir.Schema{Kind: s.Named.Base})
		}
	}
	return catAny
}

// shape compares what two uses accept, past nullability.
func (c *comparer) shape(o, n *ir.Schema, at place, d dir) {
	ov, nv := view(o), view(n)
	co, cn := categoryOf(ov), categoryOf(nv)
	switch {
	case co == cn:
		c.sameCategory(ov, nv, co, at, d)
	case co == catAny:
		c.emit(narrowed("now %s instead of any value", cn), at, d)
	case cn == catAny:
		c.emit(widened("now any value instead of %s", co), at, d)
	case co == catInteger && cn == catNumber:
		c.emit(widened("now number instead of integer"), at, d)
	case co == catNumber && cn == catInteger:
		c.emit(narrowed("now integer instead of number"), at, d)
	default:
		c.emit(changed("now %s instead of %s", cn, co), at, d)
	}
}

// sameCategory compares two uses of one JSON shape.
func (c *comparer) sameCategory(o, n *ir.Schema, cat category, at place, d dir) {
	switch cat {
	case catString:
		c.format(o, n, at, d)
		c.enum(o, n, at, d)
		c.lengths(o, n, at, d)
		c.pattern(o, n, at, d)
		c.constant(o, n, at, d)
	case catInteger, catNumber:
		c.width(o, n, at, d)
		c.enum(o, n, at, d)
		c.bounds(o, n, at, d)
		c.constant(o, n, at, d)
	case catBool:
		c.constant(o, n, at, d)
	case catArray:
		c.counts("items", o.MinItems, o.MaxItems, n.MinItems, n.MaxItems, at, d)
		switch {
		case !o.UniqueItems && n.UniqueItems:
			c.emit(narrowed("items must now be unique"), at, d)
		case o.UniqueItems && !n.UniqueItems:
			c.emit(widenedLoose("items need no longer be unique"), at, d)
		}
		c.schema(o.Elem, n.Elem, at.items(), d)
	case catObject:
		c.object(o, n, at, d)
	case catUnion:
		c.union(o.Named, n.Named, at, d)
	}
}

// object compares two object uses: structs, maps, or one of each.
func (c *comparer) object(o, n *ir.Schema, at place, d dir) {
	switch {
	case o.Kind == ir.KindNamed && n.Kind == ir.KindNamed:
		c.structs(o.Named, n.Named, at, d)
	case o.Kind == ir.KindMap && n.Kind == ir.KindMap:
		c.counts("properties", o.MinProps, o.MaxProps, n.MinProps, n.MaxProps, at, d)
		c.schema(o.Elem, n.Elem, at.child("*"), d)
	case o.Kind == ir.KindNamed:
		c.emit(widened("now a map instead of an object with named fields"), at, d)
	default:
		c.emit(narrowed("now an object with named fields instead of a map"), at, d)
	}
}

// structs compares two struct types structurally at a place (unpaired
// types, or the body of a paired component).
func (c *comparer) structs(o, n *ir.Type, at place, d dir) {
	k := [2]*ir.Type{o, n}
	dk := doneKey{o: o, n: n, where: at.String(), d: d}
	if c.active[k] || c.done[dk] {
		return
	}
	c.active[k], c.done[dk] = true, true
	defer delete(c.active, k)
	newFields := make(map[string]*ir.Field, len(n.Fields))
	for _, f := range n.Fields {
		newFields[f.Name] = f
	}
	for _, f := range o.Fields {
		g := newFields[f.Name]
		if g == nil {
			c.fieldRemoved(f, n, at.child(f.Name), fieldDir(f, d))
			continue
		}
		c.field(f, g, at.child(f.Name), d)
	}
	oldFields := make(map[string]bool, len(o.Fields))
	for _, f := range o.Fields {
		oldFields[f.Name] = true
	}
	for _, g := range n.Fields {
		if !oldFields[g.Name] {
			c.fieldAdded(g, at.child(g.Name), fieldDir(g, d))
		}
	}
	if o.Additional != nil && n.Additional != nil {
		c.schema(o.Additional, n.Additional, at.child("*"), d)
	}
}

// fieldDir is the directions a field travels in within a struct travelling
// in d: readOnly fields are not sent, writeOnly ones not received.
func fieldDir(f *ir.Field, d dir) dir {
	if f.ReadOnly {
		d &^= inRequest
	}
	if f.WriteOnly {
		d &^= inResponse
	}
	return d
}

// fieldRemoved reports a field the new struct n lacks.
func (c *comparer) fieldRemoved(f *ir.Field, n *ir.Type, at place, d dir) {
	e := effect{kind: "field-removed", what: fmt.Sprintf("field %q removed", f.Name), resp: "clients reading it no longer get it"}
	if n.Closed {
		e.req = "the object no longer accepts it (additionalProperties: false), so requests sending it are refused with 400"
	}
	c.emit(e, at, d)
}

// fieldAdded reports a field the old struct lacked.
func (c *comparer) fieldAdded(g *ir.Field, at place, d dir) {
	if g.Required && d&inRequest != 0 {
		c.emit(effect{kind: "required-field-added", what: fmt.Sprintf("required field %q added", g.Name), req: "requests from clients that do not send it are refused with 400"}, at, d)
		return
	}
	what := fmt.Sprintf("optional field %q added", g.Name)
	if g.Required {
		what = fmt.Sprintf("field %q added", g.Name)
	}
	c.emit(effect{kind: "field-added", what: what}, at, d)
}

// field compares a field present in both structs.
func (c *comparer) field(f, g *ir.Field, at place, d dir) {
	switch {
	case f.Required && !g.Required:
		c.emit(effect{kind: "field-now-optional", what: fmt.Sprintf("field %q became optional", f.Name), resp: "clients relying on it may not get it"}, at, fieldDir(f, d))
	case !f.Required && g.Required:
		c.emit(effect{kind: "field-now-required", what: fmt.Sprintf("field %q became required", f.Name), req: "requests from clients that omit it are refused with 400"}, at, fieldDir(g, d))
	}
	c.schema(f.Schema, g.Schema, at, fieldDir(f, d))
}

// union compares two oneOf/anyOf types by their variants.
func (c *comparer) union(o, n *ir.Type, at place, d dir) {
	if o.Discriminator != n.Discriminator {
		c.emit(changed("discriminator changed from %q to %q", o.Discriminator, n.Discriminator), at, d)
	}
	var gone, added []*ir.Variant
	for _, ov := range o.Variants {
		i := slices.IndexFunc(n.Variants, func(nv *ir.Variant) bool { return nv.GoName == ov.GoName })
		if i < 0 {
			gone = append(gone, ov)
			continue
		}
		c.schema(ov.Schema, n.Variants[i].Schema, at.child("("+ov.GoName+")"), d)
	}
	for _, nv := range n.Variants {
		if !slices.ContainsFunc(o.Variants, func(ov *ir.Variant) bool { return ov.GoName == nv.GoName }) {
			added = append(added, nv)
		}
	}
	// Inline variants are named after their union: when it is renamed, so
	// are they all. As many left on each side are taken to be the same, in order.
	if len(gone) == len(added) {
		for i, ov := range gone {
			c.schema(ov.Schema, added[i].Schema, at.child("("+ov.GoName+")"), d)
		}
		return
	}
	for _, ov := range gone {
		c.emit(narrowed("variant %s removed", ov.GoName), at, d)
	}
	for _, nv := range added {
		c.emit(widened("variant %s added", nv.GoName), at, d)
	}
}

// markOperation records the directions an old operation uses its types in.
func (c *comparer) markOperation(op *ir.Operation) {
	for _, p := range op.Params {
		c.mark(p.Schema, inRequest)
	}
	if op.Body != nil {
		c.mark(op.Body.Schema, inRequest)
	}
	for _, r := range op.Responses {
		c.mark(r.Schema, inResponse)
	}
}

// mark records that s, and every type it reaches, travels in d.
func (c *comparer) mark(s *ir.Schema, d dir) {
	if s == nil || d == 0 {
		return
	}
	c.mark(s.Elem, d)
	t := s.Named
	if s.Kind != ir.KindNamed || t == nil || c.dirs[t]&d == d {
		return
	}
	c.dirs[t] |= d
	for _, f := range t.Fields {
		c.mark(f.Schema, fieldDir(f, d))
	}
	c.mark(t.Additional, d)
	c.mark(t.Elem, d)
	for _, v := range t.Variants {
		c.mark(v.Schema, d)
	}
}
