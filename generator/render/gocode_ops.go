package render

import (
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// paramParser is the Go function turning one parameter string into a value of s.
func paramParser(s *ir.Schema) string {
	switch s.Kind {
	case ir.KindInt32:
		return "parseInt32"
	case ir.KindInt64:
		return "parseInt64"
	case ir.KindFloat32:
		return "parseFloat32"
	case ir.KindFloat64:
		return "parseFloat64"
	case ir.KindBool:
		return "parseBool"
	case ir.KindTime:
		return "parseTime"
	case ir.KindNamed:
		if s.Named.Kind == ir.TypeEnum {
			switch s.Named.Base {
			case ir.KindInt64:
				return "parseEnumInt[" + s.Named.Name + "]"
			case ir.KindFloat64:
				return "parseEnumFloat[" + s.Named.Name + "]"
			}
			return "parseEnumString[" + s.Named.Name + "]"
		}
	case ir.KindSlice:
		return paramParser(s.Elem)
	}
	return "parseString"
}

// knownFields is the Go literal listing the JSON names of a struct's fields.
func knownFields(t *ir.Type) string {
	parts := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		parts[i] = strconv.Quote(f.Name)
	}
	return "[]string{" + strings.Join(parts, ", ") + "}"
}

// unionCheck is the condition under which union variant v is set.
func unionCheck(v *ir.Variant) string { return "v." + v.GoName + " != nil" }

// statusExpr is the Go expression of the status a response writes.
func statusExpr(r *ir.Response) string {
	if r.Status != 0 {
		return strconv.Itoa(r.Status)
	}
	def := 500
	if len(r.StatusKey) == 3 && strings.HasSuffix(strings.ToUpper(r.StatusKey), "XX") {
		def = int(r.StatusKey[0]-'0') * 100
	}
	return "statusOr(r.StatusCode, " + strconv.Itoa(def) + ")"
}

// enumBase is the Go base type of an enum.
func enumBase(t *ir.Type) string {
	switch t.Base {
	case ir.KindInt64:
		return "int64"
	case ir.KindFloat64:
		return "float64"
	}
	return "string"
}

// errorBodyFunc names the function building an operation's error body.
func errorBodyFunc(o *ir.Operation) string { return errorBodyOf(o.Error) }

// authErrorBodies names the functions building an operation's 401 and 403 bodies.
func authErrorBodies(o *ir.Operation) string {
	return errorBodyOf(o.Unauthorized) + ", " + errorBodyOf(o.Forbidden)
}

func errorBodyOf(e *ir.ErrorResponse) string {
	if e == nil {
		return "problemBody"
	}
	return "errorAs" + e.Type.Name
}
