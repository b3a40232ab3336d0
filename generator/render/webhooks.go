package render

import (
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// WebhookCase is what the webhook sender and its test need of one webhook:
// the Go shape of the sender's body argument, and a delivery to make.
type WebhookCase struct {
	W *ir.Webhook
	// BodyType is the Go type of the sender's typed body argument ("*Pet",
	// "[]Pet"); "" when the webhook sends no body or a raw one.
	BodyType string
	// BodyPtr is true when BodyType is a pointer: nil sends no body (or is
	// refused, when the body is required).
	BodyPtr bool
	// BodyExpr is the body's value as validation code reads it.
	BodyExpr string
	// DecodeType is the type a test decodes the payload into.
	DecodeType string
	// RoundTrip is false when the payload holds writeOnly members, which
	// are never encoded: the delivered JSON then lacks them.
	RoundTrip bool
	// Valid is a JSON payload that passes validation.
	Valid string
	// Invalid is a JSON payload that decodes into the type and fails its
	// validation; "" when the schema has no constraint to break.
	Invalid string
	// ContentType and Raw are the content type and bytes a raw body is sent with.
	ContentType string
	Raw         string
	Params      []*WebhookParamCase
	// Skip says why no delivery test could be built ("" when one is).
	Skip string
}

// WebhookParamCase is a valid value of one parameter of a webhook.
type WebhookParamCase struct {
	P *ir.Param
	// Expr is the Go expression of the value of the parameters field.
	Expr string
	// Want are the values the receiver gets, in a Go []string literal.
	Want string
}

// webhookCases computes the data of the webhooks file and its tests.
func webhookCases(svc *ir.Service) []*WebhookCase {
	out := make([]*WebhookCase, 0, len(svc.Webhooks))
	for _, w := range svc.Webhooks {
		out = append(out, webhookCase(w))
	}
	return out
}

func webhookCase(w *ir.Webhook) *WebhookCase {
	wc := &WebhookCase{W: w, RoundTrip: true}
	ex := newFullExamples()
	for _, p := range w.Request.Params {
		pc, ok := webhookParamCase(p, ex)
		if !ok {
			wc.Skip = "no valid value for parameter " + strconv.Quote(p.Name) + " could be built"
			continue
		}
		if pc != nil {
			wc.Params = append(wc.Params, pc)
		}
	}
	switch {
	case w.JSONBody():
		s := w.Request.Body.Schema
		wc.BodyType, wc.BodyExpr, wc.DecodeType, wc.ContentType = goType(s), "body", goType(s), w.ContentType
		if s.Kind == ir.KindNamed {
			if k := s.Named.Kind; k == ir.TypeStruct || k == ir.TypeUnion {
				wc.BodyType, wc.BodyPtr, wc.BodyExpr = "*"+wc.BodyType, true, "(*body)"
			}
		}
		// The named type the payload holds, directly or as items.
		for u := s; u != nil; u = u.Elem {
			if u.Kind == ir.KindNamed {
				wc.RoundTrip = !holdsWriteOnly(u.Named, map[*ir.Type]bool{})
				break
			}
		}
		v, ok := ex.value(s)
		if !ok {
			wc.Skip = "no valid payload could be built"
			break
		}
		wc.Valid = jsonString(v)
		if s.IsStruct() {
			wc.Invalid = outOfBounds(s.Named, v)
		}
	case w.RawBody():
		wc.ContentType = "application/octet-stream"
		if mt := w.Request.Body.MediaTypes; len(mt) > 0 && !strings.Contains(mt[0], "*") {
			wc.ContentType = mt[0]
		}
		wc.Raw = rawBody(wc.ContentType)
	}
	return wc
}

// outOfBounds is a payload of t that its UnmarshalJSON accepts and its
// Validate refuses: one member breaking a constraint (a missing or mistyped
// member would already fail decoding); the shortest, to keep tests legible.
func outOfBounds(t *ir.Type, valid any) string {
	obj, _ := valid.(map[string]any)
	best := ""
	for _, iv := range invalidObjects(t, obj, "", maxInvalidPerBody) {
		if data := iv.Apply(obj); strings.HasSuffix(iv.Name, " out of bounds") && (best == "" || len(data) < len(best)) {
			best = data
		}
	}
	return best
}

// webhookParamCase builds a valid value of p; nil for an optional
// parameter without one, false for a required one.
func webhookParamCase(p *ir.Param, ex *examples) (*WebhookParamCase, bool) {
	v, ok := ex.value(p.Schema)
	if !ok {
		return nil, !p.Required
	}
	vals := paramStrings(v)
	parser := paramParser(p.Schema)
	var expr string
	if p.Schema.Kind == ir.KindSlice {
		expr = "mustParse(parseList(" + goStringList(vals) + ", " + parser + "))"
	} else {
		expr = "mustParse(" + parser + "(" + strconv.Quote(vals[0]) + "))"
		if parser == "parseString" {
			expr = strconv.Quote(vals[0])
		}
		if !p.Required {
			expr = "ptrTo(" + expr + ")"
		}
		vals = vals[:1]
	}
	want := vals
	if p.In == "header" || !p.Explode {
		want = []string{strings.Join(vals, ",")}
	}
	return &WebhookParamCase{P: p, Expr: expr, Want: goStringList(want)}, true
}

func goStringList(items []string) string {
	return "[]string{" + quoteList(items) + "}"
}
