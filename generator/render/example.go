package render

import (
	"encoding/json"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/bkgen/bkgen/generator/ir"
)

// examples builds JSON values that satisfy a schema, for the generated tests.
type examples struct {
	// onStack counts the types being built, to stop at recursion.
	onStack map[*ir.Type]int
	// all builds every field; otherwise values a client sends, without
	// readOnly fields.
	all bool
}

// newExamples builds request values: readOnly fields are left out.
func newExamples() *examples { return &examples{onStack: make(map[*ir.Type]int)} }

// newFullExamples builds values with every field, as a service holds them
// (writeOnly fields are held, and never marshaled).
func newFullExamples() *examples {
	return &examples{onStack: make(map[*ir.Type]int), all: true}
}

// value returns a valid value of s, false when none can be built (a required
// recursion, a pattern bkgen cannot satisfy).
func (e *examples) value(s *ir.Schema) (any, bool) {
	if s.HasConst {
		return s.Const, true
	}
	switch s.Kind {
	case ir.KindString:
		return e.str(s)
	case ir.KindInt32, ir.KindInt64:
		return e.number(s, true), true
	case ir.KindFloat32, ir.KindFloat64:
		return e.number(s, false), true
	case ir.KindBool:
		return true, true
	case ir.KindTime:
		return "2024-01-02T03:04:05Z", true
	case ir.KindBytes:
		return "aGVsbG8=", true
	case ir.KindAny:
		return "value", true
	case ir.KindSlice:
		return e.slice(s, s.Elem)
	case ir.KindMap:
		v, ok := e.value(s.Elem)
		if !ok {
			return map[string]any{}, s.MinProps == nil
		}
		m := map[string]any{"key": v}
		if s.MinProps != nil {
			for i := 1; i < int(*s.MinProps); i++ {
				m["key"+string(rune('a'+i))] = v
			}
		}
		return m, true
	case ir.KindNamed:
		return e.named(s.Named)
	}
	return nil, false
}

func (e *examples) slice(bounds, elem *ir.Schema) (any, bool) {
	n := 1
	if bounds.MinItems != nil {
		n = max(n, int(*bounds.MinItems))
	}
	if bounds.MaxItems != nil && n > int(*bounds.MaxItems) {
		n = int(*bounds.MaxItems)
	}
	v, ok := e.value(elem)
	if !ok {
		return []any{}, n == 0 || bounds.MinItems == nil
	}
	out := make([]any, 0, n)
	for i := range n {
		if bounds.UniqueItems && i > 0 {
			switch x := v.(type) {
			case string:
				v = x + string(rune('a'+i))
			case float64:
				v = x + 1
			case int64:
				v = x + 1
			default:
				return out, len(out) > 0
			}
		}
		out = append(out, v)
	}
	return out, true
}

// named builds a value of a named type.
func (e *examples) named(t *ir.Type) (any, bool) {
	switch t.Kind {
	case ir.TypeEnum:
		if len(t.Values) == 0 {
			return nil, false
		}
		return t.Values[0].Value, true
	case ir.TypeSlice, ir.TypeUnion:
		// A list of itself, or a union with a variant that holds the union
		// (a JSON value: an array of JSON values) recurses without a struct.
		if e.onStack[t] > 0 {
			return nil, false
		}
		e.onStack[t]++
		defer func() { e.onStack[t]-- }()
		if t.Kind == ir.TypeSlice {
			return e.slice(t.Schema, t.Elem)
		}
		for _, v := range t.Variants {
			if x, ok := e.variant(t, v); ok {
				return x, true
			}
		}
		return nil, false
	}
	return e.structValue(t, "", "")
}

// variant builds a value of one variant of the union t, with its
// discriminator tag when it has one.
func (e *examples) variant(t *ir.Type, v *ir.Variant) (any, bool) {
	if v.Schema.IsStruct() && len(v.Tags) > 0 {
		// The last tag is the property's own value when it has one.
		return e.structValue(v.Schema.Named, t.Discriminator, v.Tags[len(v.Tags)-1])
	}
	return e.value(v.Schema)
}

func (e *examples) structValue(t *ir.Type, discField, tag string) (any, bool) {
	if e.onStack[t] > 0 {
		return nil, false
	}
	e.onStack[t]++
	defer func() { e.onStack[t]-- }()
	obj := make(map[string]any, len(t.Fields))
	for _, f := range t.Fields {
		if !e.all && f.ReadOnly {
			continue
		}
		if t.Schema != nil && t.Schema.MaxProps != nil && int64(len(obj)) >= *t.Schema.MaxProps && !f.Required {
			continue
		}
		if f.Name == discField && tag != "" {
			obj[f.Name] = tag
			continue
		}
		v, ok := e.value(f.Schema)
		if !ok {
			if f.Required && !f.ReadOnly {
				return nil, false
			}
			continue
		}
		obj[f.Name] = v
	}
	return obj, true
}

func (e *examples) number(s *ir.Schema, integer bool) any {
	v := 1.0
	if s.Minimum != nil {
		v = *s.Minimum
		if s.ExclusiveMin {
			v++
		}
	}
	if s.Maximum != nil && v > *s.Maximum {
		v = *s.Maximum
		if s.ExclusiveMax {
			v--
		}
	}
	if s.MultipleOf != nil {
		v = math.Ceil(v / *s.MultipleOf) * *s.MultipleOf
	}
	if integer {
		return int64(math.Ceil(v))
	}
	return v
}

func (e *examples) str(s *ir.Schema) (any, bool) {
	var v string
	switch s.Format {
	case "uuid":
		v = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	case "email":
		v = "user@example.com"
	case "uri", "url":
		v = "https://example.com/a"
	case "date":
		v = "2024-01-02"
	case "ipv4":
		v = "192.0.2.1"
	case "ipv6":
		v = "2001:db8::1"
	case "hostname":
		v = "example.com"
	default:
		v = "string"
	}
	if s.Pattern != "" {
		if ex, ok := s.Example.(string); ok && patternMatches(s.Pattern, ex) && lengthOK(s, ex) {
			return ex, true
		}
		gen, ok := fromPattern(s.Pattern, s)
		if !ok {
			return nil, false
		}
		v = gen
	}
	n := len([]rune(v))
	if s.MinLength != nil && n < int(*s.MinLength) {
		v += strings.Repeat("x", int(*s.MinLength)-n)
	}
	if s.MaxLength != nil && len([]rune(v)) > int(*s.MaxLength) {
		v = string([]rune(v)[:*s.MaxLength])
	}
	if s.Pattern != "" && !patternMatches(s.Pattern, v) || formatCheck(s.Format) != "" && !lengthOK(s, v) {
		return nil, false
	}
	return v, true
}

func lengthOK(s *ir.Schema, v string) bool {
	n := int64(len([]rune(v)))
	return (s.MinLength == nil || n >= *s.MinLength) && (s.MaxLength == nil || n <= *s.MaxLength)
}

// patternMatches checks v against a spec pattern with the engine the generated code uses.
func patternMatches(pattern, v string) bool {
	if re, err := regexp.Compile(pattern); err == nil {
		return re.MatchString(v)
	}
	re, err := regexp2.Compile(pattern, regexp2.ECMAScript)
	if err != nil {
		return false
	}
	re.MatchTimeout = time.Second
	ok, err := re.MatchString(v)
	return err == nil && ok
}

// fromPattern builds a string matching an RE2 pattern, with the length bounds
// of s, by walking its syntax tree and taking the smallest choice everywhere.
func fromPattern(pattern string, s *ir.Schema) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	minLen := 0
	if s.MinLength != nil {
		minLen = int(*s.MinLength)
	}
	var b strings.Builder
	var walk func(re *syntax.Regexp, want int)
	walk = func(re *syntax.Regexp, want int) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			b.WriteRune(pickRune(re.Rune))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteRune('a')
		case syntax.OpCapture:
			walk(re.Sub[0], want)
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				walk(sub, want)
			}
		case syntax.OpAlternate:
			walk(re.Sub[0], want)
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			n := re.Min
			if re.Op == syntax.OpPlus {
				n = 1
			}
			if re.Op == syntax.OpStar || re.Op == syntax.OpPlus || re.Max < 0 || re.Max > n {
				// Repeat more to reach the minimum length, when the pattern lets us.
				for n < want && (re.Max < 0 || n < re.Max) {
					n++
				}
			}
			for range n {
				walk(re.Sub[0], 0)
			}
		}
	}
	walk(re, minLen)
	out := b.String()
	return out, patternMatches(pattern, out)
}

func pickRune(ranges []rune) rune {
	if len(ranges) < 2 {
		return 'a'
	}
	// Prefer a letter or digit inside the class.
	for i := 0; i+1 < len(ranges); i += 2 {
		for _, c := range "a0A" {
			if c >= ranges[i] && c <= ranges[i+1] {
				return c
			}
		}
	}
	return ranges[0]
}

// jsonString encodes v as compact JSON.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
