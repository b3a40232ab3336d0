package compat

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// format compares string formats: one added narrows, one removed widens.
func (c *comparer) format(o, n *ir.Schema, at place, d dir) {
	switch {
	case o.Format == n.Format:
	case o.Format == "":
		c.emit(narrowed("format %s added", n.Format), at, d)
	case n.Format == "":
		c.emit(widened("format %s removed", o.Format), at, d)
	default:
		c.emit(changed("format changed from %s to %s", o.Format, n.Format), at, d)
	}
}

// width compares the size of numbers: int32/int64, float/double.
func (c *comparer) width(o, n *ir.Schema, at place, d dir) {
	ok, nk := numberKind(o), numberKind(n)
	switch ok {
	case nk:
	case ir.KindInt64, ir.KindFloat64:
		c.emit(narrowed("now %s instead of %s", kindName(nk), kindName(ok)), at, d)
	default:
		c.emit(widened("now %s instead of %s", kindName(nk), kindName(ok)), at, d)
	}
}

// numberKind is the Go kind of a number use: an enum's base, else its own.
func numberKind(s *ir.Schema) ir.Kind {
	if t := enumType(s); t != nil {
		return t.Base
	}
	return s.Kind
}

// kindName names a numeric kind as OpenAPI's format does.
func kindName(k ir.Kind) string {
	switch k {
	case ir.KindInt32:
		return "int32"
	case ir.KindInt64:
		return "int64"
	case ir.KindFloat32:
		return "float"
	}
	return "double"
}

// enum compares the values a use is limited to.
func (c *comparer) enum(o, n *ir.Schema, at place, d dir) {
	oe, ne := enumType(o), enumType(n)
	switch {
	case oe == nil && ne == nil:
		return
	case oe == nil:
		c.emit(effect{kind: "enum-narrowed", what: "now limited to " + valueList(enumValues(ne)), req: refusedReason}, at, d)
		return
	case ne == nil:
		c.emit(enumWidened("no longer limited to "+valueList(enumValues(oe)), d), at, d)
		return
	}
	ov, nv := enumValues(oe), enumValues(ne)
	if gone := missing(ov, nv); len(gone) > 0 {
		c.emit(effect{kind: "enum-narrowed", what: plural(len(gone), "enum value ", "enum values ") + valueList(gone) + " removed", req: "clients sending " + pronoun(len(gone)) + " get 400"}, at, d)
	}
	if added := missing(nv, ov); len(added) > 0 {
		c.emit(enumWidened(plural(len(added), "enum value ", "enum values ")+valueList(added)+" added", d), at, d)
	}
}

// enumWidened is an enum admitting more values: it breaks no client that
// tolerates unknown values, which responses' readers must.
func enumWidened(what string, d dir) effect {
	e := effect{kind: "enum-widened", what: what}
	if d&inResponse != 0 {
		e.note = "not breaking, but clients must handle values they do not know"
	}
	return e
}

// enumType is the enum type of a use, nil when it is not one.
func enumType(s *ir.Schema) *ir.Type {
	if s.Kind == ir.KindNamed && s.Named != nil && s.Named.Kind == ir.TypeEnum {
		return s.Named
	}
	return nil
}

// enumValues renders an enum's values.
func enumValues(t *ir.Type) []string {
	out := make([]string, len(t.Values))
	for i, v := range t.Values {
		out[i] = fmt.Sprint(v.Value)
	}
	return out
}

// missing lists the values of a that b lacks.
func missing(a, b []string) []string {
	var out []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// valueList renders values for a summary: "dog", "cat".
func valueList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pronoun is "it" or "them" for n values.
func pronoun(n int) string { return plural(n, "it", "them") }

// constant compares const values.
func (c *comparer) constant(o, n *ir.Schema, at place, d dir) {
	switch {
	case !o.HasConst && n.HasConst:
		c.emit(narrowed("now the constant %s", show(n.Const)), at, d)
	case o.HasConst && !n.HasConst:
		c.emit(widened("no longer the constant %s", show(o.Const)), at, d)
	case o.HasConst && !reflect.DeepEqual(o.Const, n.Const):
		c.emit(changed("the constant changed from %s to %s", show(o.Const), show(n.Const)), at, d)
	}
}

// pattern compares string patterns; a changed one counts as narrowed, since
// old values may not match it.
func (c *comparer) pattern(o, n *ir.Schema, at place, d dir) {
	switch {
	case o.Pattern == n.Pattern:
	case o.Pattern == "":
		c.emit(narrowed("pattern %q added", n.Pattern), at, d)
	case n.Pattern == "":
		c.emit(widenedLoose("pattern %q removed", o.Pattern), at, d)
	default:
		c.emit(narrowed("pattern changed from %q to %q", o.Pattern, n.Pattern), at, d)
	}
}

// lengths compares minLength and maxLength.
func (c *comparer) lengths(o, n *ir.Schema, at place, d dir) {
	c.counts("length", o.MinLength, o.MaxLength, n.MinLength, n.MaxLength, at, d)
}

// counts compares a lower and an upper bound on a count (length, items,
// properties); nil is no bound.
func (c *comparer) counts(what string, oMin, oMax, nMin, nMax *int64, at place, d dir) {
	lo := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	hi := func(p *int64) int64 {
		if p == nil {
			return math.MaxInt64
		}
		return *p
	}
	switch {
	case lo(nMin) > lo(oMin):
		c.emit(narrowed("minimum %s raised from %d to %d", what, lo(oMin), lo(nMin)), at, d)
	case lo(nMin) < lo(oMin):
		c.emit(widenedLoose("minimum %s lowered from %d to %d", what, lo(oMin), lo(nMin)), at, d)
	}
	switch {
	case hi(nMax) < hi(oMax):
		c.emit(narrowed("maximum %s lowered from %s to %d", what, bound(oMax), hi(nMax)), at, d)
	case hi(nMax) > hi(oMax):
		c.emit(widenedLoose("maximum %s raised from %d to %s", what, hi(oMax), bound(nMax)), at, d)
	}
}

// bound renders an upper bound, "none" when there is none.
func bound(p *int64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

// bounds compares minimum, maximum and multipleOf.
func (c *comparer) bounds(o, n *ir.Schema, at place, d dir) {
	switch cmpBound(o.Minimum, o.ExclusiveMin, n.Minimum, n.ExclusiveMin, -1) {
	case 1:
		c.emit(narrowed("minimum raised from %s to %s", showBound(o.Minimum, o.ExclusiveMin), showBound(n.Minimum, n.ExclusiveMin)), at, d)
	case -1:
		c.emit(widenedLoose("minimum lowered from %s to %s", showBound(o.Minimum, o.ExclusiveMin), showBound(n.Minimum, n.ExclusiveMin)), at, d)
	}
	switch cmpBound(o.Maximum, o.ExclusiveMax, n.Maximum, n.ExclusiveMax, 1) {
	case -1:
		c.emit(narrowed("maximum lowered from %s to %s", showBound(o.Maximum, o.ExclusiveMax), showBound(n.Maximum, n.ExclusiveMax)), at, d)
	case 1:
		c.emit(widenedLoose("maximum raised from %s to %s", showBound(o.Maximum, o.ExclusiveMax), showBound(n.Maximum, n.ExclusiveMax)), at, d)
	}
	switch om, nm := o.MultipleOf, n.MultipleOf; {
	case om == nil && nm == nil, om != nil && nm != nil && *om == *nm:
	case om == nil:
		c.emit(narrowed("multipleOf %v added", *nm), at, d)
	case nm == nil:
		c.emit(widenedLoose("multipleOf %v removed", *om), at, d)
	case *om/(*nm) == math.Trunc(*om/(*nm)):
		c.emit(widenedLoose("multipleOf changed from %v to %v", *om, *nm), at, d)
	default:
		c.emit(narrowed("multipleOf changed from %v to %v", *om, *nm), at, d)
	}
}

// cmpBound compares a bound of the old and new versions as the new one
// moves: 1 when it rises, -1 when it falls, 0 when unchanged. A missing
// bound is infinite on side (-1 for a minimum, 1 for a maximum); an
// exclusive bound sits just inside its value.
func cmpBound(o *float64, oExcl bool, n *float64, nExcl bool, side int) int {
	pos := func(v *float64, excl bool) (float64, float64) {
		if v == nil {
			return math.Inf(side), 0
		}
		if excl {
			return *v, float64(-side)
		}
		return *v, 0
	}
	ov, oe := pos(o, oExcl)
	nv, ne := pos(n, nExcl)
	switch {
	case nv > ov || nv == ov && ne > oe:
		return 1
	case nv < ov || nv == ov && ne < oe:
		return -1
	}
	return 0
}

// showBound renders a numeric bound: "none", "10", "10 (exclusive)".
func showBound(v *float64, excl bool) string {
	switch {
	case v == nil:
		return "none"
	case excl:
		return fmt.Sprintf("%v (exclusive)", *v)
	}
	return fmt.Sprint(*v)
}
