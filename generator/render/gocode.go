package render

import (
	"fmt"
	"go/build/constraint"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/bkgen/bkgen/generator/ir"
)

// goCode computes the Go expressions and statements the templates print:
// types, tags and validation code. It is built once per service.
type goCode struct {
	mu sync.Mutex // guards patterns and list: files render in parallel
	// patterns maps a spec pattern to the name of its compiled variable.
	patterns map[string]*Pattern
	list     []*Pattern
}

// Pattern is a compiled regular expression the generated code declares.
type Pattern struct {
	Var  string
	Expr string
	// RE2 is false when Go's regexp cannot compile the pattern (lookaround,
	// backreferences): the generated code then uses regexp2 with a timeout.
	RE2 bool
}

func newGoCode(svc *ir.Service) *goCode {
	g := &goCode{patterns: make(map[string]*Pattern)}
	var walk func(s *ir.Schema, depth int)
	walk = func(s *ir.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		if s.Pattern != "" {
			g.pattern(s.Pattern)
		}
		if s.Elem != nil {
			walk(s.Elem, depth+1)
		}
	}
	for _, t := range svc.Types {
		for _, f := range t.Fields {
			walk(f.Schema, 0)
		}
		walk(t.Elem, 0)
		walk(t.Additional, 0)
		for _, v := range t.Variants {
			walk(v.Schema, 0)
		}
	}
	for _, op := range svc.Operations {
		for _, p := range op.Params {
			walk(p.Schema, 0)
		}
		if op.Body != nil {
			walk(op.Body.Schema, 0)
		}
	}
	return g
}

// pattern returns the variable of a pattern. newGoCode registers every
// pattern of the service first, so the list the types file declares is complete.
func (g *goCode) pattern(expr string) *Pattern {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p, ok := g.patterns[expr]; ok {
		return p
	}
	_, err := regexp.Compile(expr)
	p := &Pattern{Var: "pattern" + strconv.Itoa(len(g.list)), Expr: expr, RE2: err == nil}
	g.patterns[expr] = p
	g.list = append(g.list, p)
	return p
}

// goType is the Go type of a schema use (without the pointer of an optional field).
func goType(s *ir.Schema) string {
	if s == nil {
		return "any"
	}
	switch s.Kind {
	case ir.KindString:
		return "string"
	case ir.KindInt32:
		return "int32"
	case ir.KindInt64:
		return "int64"
	case ir.KindFloat32:
		return "float32"
	case ir.KindFloat64:
		return "float64"
	case ir.KindBool:
		return "bool"
	case ir.KindTime:
		return "time.Time"
	case ir.KindBytes:
		return "[]byte"
	case ir.KindNamed:
		return s.Named.Name
	case ir.KindSlice:
		return "[]" + goType(s.Elem)
	case ir.KindMap:
		return "map[string]" + goType(s.Elem)
	}
	return "any"
}

// fieldType is the Go type of a struct field.
func fieldType(f *ir.Field) string {
	if f.Ptr {
		return "*" + goType(f.Schema)
	}
	return goType(f.Schema)
}

// validTagName reports whether encoding/json accepts name in a struct tag.
// logAttr is the slog.Attr a LogValue writes for f of a struct v: the
// value itself, "[redacted]" for a sensitive one or one that holds a
// sensitive value out of reach of LogValue (in a list, map or union), or the
// member's own LogValue for a struct that holds one.
func logAttr(f *ir.Field) string {
	key := strconv.Quote(f.Name)
	switch {
	case f.Sensitive || (secretSchema(f.Schema) && !f.Schema.IsStruct()):
		return "slog.String(" + key + ", redacted)"
	case secretSchema(f.Schema) && f.Ptr:
		return "slog.Any(" + key + ", logPointer(v." + f.GoName + "))"
	case f.Ptr:
		// The text handler would print the address.
		return "slog.Any(" + key + ", logOptional(v." + f.GoName + "))"
	}
	return "slog.Any(" + key + ", v." + f.GoName + ")"
}

// secretSchema reports whether a value of s can hold a sensitive field.
func secretSchema(s *ir.Schema) bool { return s.HoldsSecret() }

func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c > 127:
		default:
			return false
		}
	}
	return true
}

// jsonTag is the struct tag of a field.
func jsonTag(f *ir.Field) string {
	name := f.Name
	if !validTagName(name) || f.WriteOnly {
		// writeOnly members are decoded from requests (by UnmarshalJSON,
		// which does not read tags) and never sent back.
		name = "-"
	} else if !f.Required || f.Schema.Kind == ir.KindAny && !f.Required {
		name += ",omitempty"
	}
	if f.Required && !f.Ptr {
		switch f.Schema.Kind {
		case ir.KindSlice, ir.KindMap, ir.KindAny, ir.KindBytes:
			// nil marshals as null; keep required members present anyway.
		}
	}
	return "`json:" + strconv.Quote(name) + "`"
}

// decodeFlags are the flags of decodeField for a field (required read-only
// fields are not required in requests, where they are decoded).
func decodeFlags(f *ir.Field) string {
	var flags []string
	if f.Required && !f.ReadOnly {
		flags = append(flags, "required")
	}
	if f.Nullable {
		flags = append(flags, "nullable")
	}
	if len(flags) == 0 {
		return "optional"
	}
	return strings.Join(flags, "|")
}

// needsCheck reports whether validating a value of s does anything.
func needsCheck(s *ir.Schema) bool {
	if s == nil {
		return false
	}
	switch s.Kind {
	case ir.KindNamed:
		return true
	case ir.KindString:
		return s.MinLength != nil || s.MaxLength != nil || s.Pattern != "" || s.HasConst || formatCheck(s.Format) != ""
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64:
		return s.Minimum != nil || s.Maximum != nil || s.MultipleOf != nil || s.HasConst
	case ir.KindBool:
		return s.HasConst
	case ir.KindSlice:
		return s.MinItems != nil || s.MaxItems != nil || s.UniqueItems && scalar(s.Elem) || needsCheck(s.Elem)
	case ir.KindMap:
		return s.MinProps != nil || s.MaxProps != nil || needsCheck(s.Elem)
	}
	return false
}

func scalar(s *ir.Schema) bool {
	switch s.Kind {
	case ir.KindString, ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64, ir.KindBool:
		return true
	case ir.KindNamed:
		return s.Named.Kind == ir.TypeEnum
	}
	return false
}

// formatCheck names the generated function checking a string format, "" for none.
func formatCheck(format string) string {
	switch format {
	case "uuid":
		return "isUUID"
	case "email":
		return "isEmail"
	case "uri", "url":
		return "isURI"
	case "date":
		return "isDate"
	case "ipv4":
		return "isIPv4"
	case "ipv6":
		return "isIPv6"
	case "hostname":
		return "isHostname"
	}
	return ""
}

// validateField is the code checking field f of the struct in variable v.
func (g *goCode) validateField(f *ir.Field) string {
	if !needsCheck(f.Schema) {
		return ""
	}
	ptr := strconv.Quote("/" + ir.EscapePointer(f.Name))
	if f.Ptr {
		return fmt.Sprintf("if v.%s != nil {\n%s}\n", f.GoName, g.validate("(*v."+f.GoName+")", ptr, f.Schema, 0))
	}
	code := g.validate("v."+f.GoName, ptr, f.Schema, 0)
	// A read-only member is absent from requests: check it only when set.
	if f.ReadOnly {
		switch f.Schema.Kind {
		case ir.KindString:
			return fmt.Sprintf("if v.%s != \"\" {\n%s}\n", f.GoName, code)
		case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64:
			return fmt.Sprintf("if v.%s != 0 {\n%s}\n", f.GoName, code)
		}
	}
	return code
}

// validate is the code checking the addressable value expr against s,
// recording problems under the pointer the Go expression ptr yields.
func (g *goCode) validate(expr, ptr string, s *ir.Schema, depth int) string {
	var b strings.Builder
	fail := func(cond, detail string) {
		fmt.Fprintf(&b, "if %s {\nerrs.fail(%s, %s)\n}\n", cond, ptr, strconv.Quote(detail))
	}
	switch s.Kind {
	case ir.KindNamed:
		// Methods need no explicit dereference: Go takes the pointer's value.
		recv := expr
		if strings.HasPrefix(recv, "(*") && strings.HasSuffix(recv, ")") {
			recv = recv[2 : len(recv)-1]
		}
		if s.Named.Kind == ir.TypeEnum {
			fail("!"+recv+".Valid()", "must be one of "+enumList(s.Named))
		} else {
			fmt.Fprintf(&b, "errs.nest(%s, %s.Validate())\n", ptr, recv)
		}
	case ir.KindString:
		if s.MinLength != nil {
			fail(fmt.Sprintf("utf8.RuneCountInString(%s) < %d", expr, *s.MinLength), fmt.Sprintf("must be at least %d characters long", *s.MinLength))
		}
		if s.MaxLength != nil {
			fail(fmt.Sprintf("utf8.RuneCountInString(%s) > %d", expr, *s.MaxLength), fmt.Sprintf("must be at most %d characters long", *s.MaxLength))
		}
		if s.Pattern != "" {
			p := g.pattern(s.Pattern)
			fail(fmt.Sprintf("!matches(%s, %s)", p.Var, expr), "must match the pattern "+s.Pattern)
		}
		if fn := formatCheck(s.Format); fn != "" {
			fail(fmt.Sprintf("!%s(%s)", fn, expr), "must be a valid "+s.Format)
		}
		if s.HasConst {
			if c, ok := s.Const.(string); ok {
				fail(fmt.Sprintf("%s != %s", expr, strconv.Quote(c)), "must be "+strconv.Quote(c))
			}
		}
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64:
		integer := s.Kind == ir.KindInt32 || s.Kind == ir.KindInt64
		// bound writes a bound in Go: integers compare as integers when the
		// bound is whole (and in range), else everything compares as float64.
		bound := func(f float64) (lhs, rhs string) {
			switch {
			case integer && f == math.Trunc(f) && math.Abs(f) < 1<<53:
				return expr, strconv.FormatInt(int64(f), 10)
			case s.Kind == ir.KindFloat64:
				return expr, formatFloat(f)
			}
			return "float64(" + expr + ")", formatFloat(f)
		}
		if s.Minimum != nil {
			op, word := "<", "at least"
			if s.ExclusiveMin {
				op, word = "<=", "greater than"
			}
			lhs, rhs := bound(*s.Minimum)
			fail(fmt.Sprintf("%s %s %s", lhs, op, rhs), fmt.Sprintf("must be %s %s", word, number(*s.Minimum)))
		}
		if s.Maximum != nil {
			op, word := ">", "at most"
			if s.ExclusiveMax {
				op, word = ">=", "less than"
			}
			lhs, rhs := bound(*s.Maximum)
			fail(fmt.Sprintf("%s %s %s", lhs, op, rhs), fmt.Sprintf("must be %s %s", word, number(*s.Maximum)))
		}
		if s.MultipleOf != nil {
			fail(fmt.Sprintf("!multipleOf(float64(%s), %s)", expr, formatFloat(*s.MultipleOf)), "must be a multiple of "+number(*s.MultipleOf))
		}
		if s.HasConst {
			if c, ok := toFloat(s.Const); ok {
				lhs, rhs := bound(c)
				fail(fmt.Sprintf("%s != %s", lhs, rhs), "must be "+number(c))
			}
		}
	case ir.KindBool:
		if c, ok := s.Const.(bool); ok && s.HasConst {
			fail(fmt.Sprintf("%s != %t", expr, c), fmt.Sprintf("must be %t", c))
		}
	case ir.KindSlice:
		if s.MinItems != nil {
			fail(fmt.Sprintf("len(%s) < %d", expr, *s.MinItems), fmt.Sprintf("must have at least %d items", *s.MinItems))
		}
		if s.MaxItems != nil {
			fail(fmt.Sprintf("len(%s) > %d", expr, *s.MaxItems), fmt.Sprintf("must have at most %d items", *s.MaxItems))
		}
		if s.UniqueItems && scalar(s.Elem) {
			fail(fmt.Sprintf("!unique(%s)", expr), "must not contain duplicate items")
		}
		if needsCheck(s.Elem) {
			i := "i" + strconv.Itoa(depth)
			fmt.Fprintf(&b, "for %s := range %s {\n%s}\n", i, expr,
				g.validate(expr+"["+i+"]", ptr+" + \"/\" + strconv.Itoa("+i+")", s.Elem, depth+1))
		}
	case ir.KindMap:
		if s.MinProps != nil {
			fail(fmt.Sprintf("len(%s) < %d", expr, *s.MinProps), fmt.Sprintf("must have at least %d properties", *s.MinProps))
		}
		if s.MaxProps != nil {
			fail(fmt.Sprintf("len(%s) > %d", expr, *s.MaxProps), fmt.Sprintf("must have at most %d properties", *s.MaxProps))
		}
		if needsCheck(s.Elem) {
			k, x := "k"+strconv.Itoa(depth), "x"+strconv.Itoa(depth)
			fmt.Fprintf(&b, "for %s, %s := range %s {\n%s}\n", k, x, expr,
				g.validate(x, ptr+" + \"/\" + escapePointer("+k+")", s.Elem, depth+1))
		}
	}
	return b.String()
}

func enumList(t *ir.Type) string {
	var parts []string
	for _, v := range t.Values {
		parts = append(parts, fmt.Sprint(v.Value))
		if len(parts) == 12 {
			parts = append(parts, "…")
			break
		}
	}
	return strings.Join(parts, ", ")
}

// enumLiteral is the Go literal of an enum value.
func enumLiteral(t *ir.Type, v ir.EnumValue) string {
	switch x := v.Value.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	}
	return "0"
}

func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// number writes a bound for people: 100, not 100.0.
func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// comment turns text into // comment lines, prefixed by name on the first line.
func comment(text string) string {
	text = strings.TrimSpace(commentSafe(text))
	if text == "" {
		return ""
	}
	var b strings.Builder
	lines := strings.Split(text, "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "…")
	}
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			b.WriteString("//\n")
			continue
		}
		if constraint.IsPlusBuild("// " + l) {
			// go/format moves a "// +build …" line of any comment to the
			// head of the file, where it is a build constraint: a
			// description must not exclude the file from the build.
			l = "(" + l + ")"
		}
		b.WriteString("// " + l + "\n")
	}
	return b.String()
}

// commentSafe is text as a Go comment can hold it: Go refuses NUL, a byte
// order mark and invalid UTF-8 anywhere in a file, comments too; other
// control characters but line breaks and tabs become spaces.
func commentSafe(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\uFEFF':
			return -1
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, text)
}

// minRun is the shortest run of one byte goString writes as strings.Repeat.
const minRun = 32

// goString is the Go expression of s, with every run of one byte at least
// minRun long written as strings.Repeat: the over-long strings of invalid
// test cases (maxLength 5000) stay one line long. The file must import strings.
func goString(s string) string {
	var parts []string
	lit := 0 // start of the pending literal
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i >= minRun {
			if lit < i {
				parts = append(parts, strconv.Quote(s[lit:i]))
			}
			parts = append(parts, fmt.Sprintf("strings.Repeat(%s, %d)", strconv.Quote(s[i:i+1]), j-i))
			lit = j
		}
		i = j
	}
	if lit < len(s) || len(parts) == 0 {
		parts = append(parts, strconv.Quote(s[lit:]))
	}
	return strings.Join(parts, " + ")
}
