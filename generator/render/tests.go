package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// TestData holds the cases of the generated tests, computed from the IR.
type TestData struct {
	Ops       []*OpCase
	Types     []*TypeCase
	Enums     []*EnumCase
	Unions    []*UnionCase
	Resources []*ResourceCase
	// Webhooks are the data of the webhook senders and their tests (webhooks.go).
	Webhooks []*WebhookCase
	// Session is the data of the login test, nil without a login.
	Session *SessionCase
}

// SessionCase is what the login test sends: the login, the logout (nil
// when there is none), an operation of the session scheme with a safe
// method and one with an unsafe method (either nil when there is none).
type SessionCase struct {
	Login, Logout *OpCase
	Safe, Unsafe  *OpCase
}

// sessionCase picks the operations of the login test.
func sessionCase(svc *ir.Service, ops []*OpCase) *SessionCase {
	sc := svc.SessionScheme()
	if sc == nil {
		return nil
	}
	var c SessionCase
	for _, oc := range ops {
		op := oc.Op
		switch {
		case oc.Valid == nil || oc.Skip != "":
		case op.Session != nil && !op.Session.Logout && c.Login == nil:
			c.Login = oc
		case op.Session != nil && op.Session.Logout && c.Logout == nil:
			c.Logout = oc
		case op.Session != nil || !onlySession(op, sc):
		case (op.Method == "GET" || op.Method == "HEAD") && c.Safe == nil:
			c.Safe = oc
		case op.Method != "GET" && op.Method != "HEAD" && op.Method != "OPTIONS" && c.Unsafe == nil:
			c.Unsafe = oc
		}
	}
	if c.Login == nil {
		return nil
	}
	return &c
}

// onlySession reports whether the operation is protected and a session
// alone meets a requirement of it.
func onlySession(op *ir.Operation, sc *ir.SecurityScheme) bool {
	if !op.Protected() {
		return false
	}
	for _, req := range op.Security {
		if len(req) == 1 && req[0].Scheme == sc {
			return true
		}
	}
	return false
}

// OpCase is the test data of one operation.
type OpCase struct {
	Op *ir.Operation
	// Valid is a request that passes decoding and validation; nil when none could be built.
	Valid   *RequestCase
	Skip    string
	Invalid []*RequestCase
	// Success is the canned response the contract test's service returns.
	Success *SuccessCase
}

// RequestCase is one HTTP request of a test.
type RequestCase struct {
	Name        string
	Method      string
	Target      string
	Headers     [][2]string
	ContentType string
	Body        string
	// Pointer is the JSON pointer the error response must name (invalid cases).
	Pointer string
}

// SuccessCase is a response a stub service returns.
type SuccessCase struct {
	Response *ir.Response
	Body     string // JSON of the body, "" for none
	// Raw is the body of a binary or text response.
	Raw string
}

// TypeCase is the test data of one named type.
type TypeCase struct {
	Type  *ir.Type
	Valid string
	// RoundTrip is false when the type holds writeOnly members, which are
	// never marshaled: then its JSON does not decode back.
	RoundTrip bool
	Invalid   []InvalidValue
}

// holdsWriteOnly reports whether t, or a type it holds, has a writeOnly member.
func holdsWriteOnly(t *ir.Type, seen map[*ir.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	var uses []*ir.Schema
	for _, f := range t.Fields {
		if f.WriteOnly {
			return true
		}
		uses = append(uses, f.Schema)
	}
	for _, v := range t.Variants {
		uses = append(uses, v.Schema)
	}
	uses = append(uses, t.Elem, t.Additional)
	for _, u := range uses {
		for u != nil && (u.Kind == ir.KindSlice || u.Kind == ir.KindMap) {
			u = u.Elem
		}
		if u != nil && u.Kind == ir.KindNamed && holdsWriteOnly(u.Named, seen) {
			return true
		}
	}
	return false
}

// EnumCase is the test data of one enum: a Go literal of a value of its base
// type that is none of its members.
type EnumCase struct {
	Type  *ir.Type
	Other string
}

// UnionCase is the test data of one oneOf/anyOf union.
type UnionCase struct {
	Type *ir.Type
	// Variants holds a JSON value of each variant that one can be built for.
	Variants []string
	// RoundTrip is false when a variant holds writeOnly members (see TypeCase).
	RoundTrip bool
	// Reject is a JSON value no variant accepts, "" when there is none;
	// Detail is a part of the message refusing it.
	Reject, Detail string
}

// InvalidValue is a change to a valid object of a type that leaves one
// problem at Pointer: Member set to Value (a JSON value), or removed when
// Value is "".
type InvalidValue struct {
	Name, Pointer, Member, Value string
}

// maxInvalidPerBody bounds the invalid bodies of one operation, each of
// which the handler tests write out whole, so that huge specs keep test files
// of a reasonable size. The type tests name only the member they change and
// check every member.
const maxInvalidPerBody = 40

// BuildTests computes the generated tests' cases.
func BuildTests(svc *ir.Service) *TestData {
	td := &TestData{}
	ex := newExamples()
	full := newFullExamples()
	for _, t := range svc.Types {
		if t.Kind != ir.TypeStruct {
			continue
		}
		v, ok := full.named(t)
		if !ok {
			continue
		}
		tc := &TypeCase{Type: t, Valid: jsonString(v), RoundTrip: !holdsWriteOnly(t, map[*ir.Type]bool{})}
		obj, _ := v.(map[string]any)
		tc.Invalid = invalidObjects(t, obj, "", len(t.Fields)*3)
		td.Types = append(td.Types, tc)
	}
	for _, t := range svc.Types {
		switch t.Kind {
		case ir.TypeEnum:
			if len(t.Values) > 0 {
				td.Enums = append(td.Enums, &EnumCase{Type: t, Other: nonMember(t)})
			}
		case ir.TypeUnion:
			td.Unions = append(td.Unions, unionCase(t, full))
		}
	}
	byOp := make(map[*ir.Operation]*OpCase)
	for _, op := range svc.Operations {
		oc := opCase(svc, op, ex, newFullExamples())
		td.Ops = append(td.Ops, oc)
		byOp[op] = oc
	}
	td.Resources = resourceCases(svc, byOp)
	td.Webhooks = webhookCases(svc)
	td.Session = sessionCase(svc, td.Ops)
	return td
}

// nonMember is a Go literal of t's base type that is none of its values.
func nonMember(t *ir.Type) string {
	switch t.Base {
	case ir.KindInt64, ir.KindFloat64:
		high := math.Inf(-1)
		for _, v := range t.Values {
			if f, ok := toFloat(v.Value); ok {
				high = max(high, f)
			}
		}
		if t.Base == ir.KindInt64 {
			return strconv.FormatInt(int64(high)+1, 10)
		}
		return formatFloat(math.Floor(high) + 1)
	}
	other := "__not_a_member__"
	for slices.ContainsFunc(t.Values, func(v ir.EnumValue) bool { return v.Value == other }) {
		other += "_"
	}
	return strconv.Quote(other)
}

// unionCase builds a value of each variant of t, and one that none accepts.
func unionCase(t *ir.Type, ex *examples) *UnionCase {
	uc := &UnionCase{Type: t, RoundTrip: !holdsWriteOnly(t, map[*ir.Type]bool{})}
	for _, v := range t.Variants {
		if t.Discriminator != "" && len(v.Tags) == 0 {
			continue // not selectable: no tag names it
		}
		if x, ok := ex.variant(t, v); ok {
			uc.Variants = append(uc.Variants, jsonString(x))
		}
	}
	if t.Discriminator != "" {
		uc.Reject = jsonString(map[string]any{t.Discriminator: "__not_a_member__"})
		uc.Detail = "is not a known type"
		return uc
	}
	for _, kind := range []string{"true", "[]", "12345", `"__not_a_member__"`, "{}"} {
		if !slices.ContainsFunc(t.Variants, func(v *ir.Variant) bool { return mayAccept(v.Schema, kind, 0) }) {
			uc.Reject, uc.Detail = kind, "must match one of the schemas of "+t.Name
			break
		}
	}
	return uc
}

// mayAccept reports whether a value of s may decode from the JSON value
// data (true, [], 12345, a string or {}); it answers true when unsure.
func mayAccept(s *ir.Schema, data string, depth int) bool {
	if depth > 8 {
		return true
	}
	switch s.Kind {
	case ir.KindString, ir.KindTime:
		return data[0] == '"'
	case ir.KindBytes:
		return data[0] == '"' || data[0] == '['
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64:
		return data[0] >= '0' && data[0] <= '9'
	case ir.KindBool:
		return data == "true"
	case ir.KindSlice:
		return data[0] == '['
	case ir.KindMap:
		return data[0] == '{'
	case ir.KindNamed:
		t := s.Named
		switch t.Kind {
		case ir.TypeStruct, ir.TypeMap:
			return data[0] == '{'
		case ir.TypeSlice:
			return data[0] == '['
		case ir.TypeEnum:
			return mayAccept(&ir.Schema{Kind: t.Base}, data, depth+1)
		case ir.TypeUnion:
			return slices.ContainsFunc(t.Variants, func(v *ir.Variant) bool { return mayAccept(v.Schema, data, depth+1) })
		}
	}
	return true
}

// invalidObjects derives, from a valid object of t, at most limit changes
// that each make it invalid at one member.
func invalidObjects(t *ir.Type, obj map[string]any, prefix string, limit int) []InvalidValue {
	if obj == nil {
		return nil
	}
	var out []InvalidValue
	for _, f := range t.Fields {
		if len(out) >= limit {
			break
		}
		if _, present := obj[f.Name]; !present {
			continue
		}
		iv := InvalidValue{Pointer: prefix + "/" + ir.EscapePointer(f.Name), Member: f.Name}
		if f.Required && !f.ReadOnly {
			iv.Name = f.GoName + " missing"
			out = append(out, iv)
		}
		if wrong, ok := wrongType(f.Schema); ok {
			iv.Name, iv.Value = f.GoName+" wrong type", jsonString(wrong)
			out = append(out, iv)
		}
		if bad, ok := violation(f.Schema); ok && (!f.ReadOnly || !isZero(bad)) {
			// (A read-only member is checked only when set: a zero value is no violation.)
			iv.Name, iv.Value = f.GoName+" out of bounds", jsonString(bad)
			out = append(out, iv)
		}
	}
	return out
}

// Apply returns the JSON of obj with the change made.
func (iv InvalidValue) Apply(obj map[string]any) string {
	c := make(map[string]any, len(obj))
	maps.Copy(c, obj)
	if iv.Value == "" {
		delete(c, iv.Member)
	} else {
		c[iv.Member] = json.RawMessage(iv.Value)
	}
	return jsonString(c)
}

func isZero(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case float64:
		return x == 0
	}
	return false
}

// wrongType is a JSON value of the wrong type for s.
func wrongType(s *ir.Schema) (any, bool) {
	switch s.Kind {
	case ir.KindString, ir.KindTime:
		return 12345, true
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64, ir.KindBool:
		return "not-a-value", true
	case ir.KindSlice:
		return "not-a-list", true
	case ir.KindNamed:
		switch s.Named.Kind {
		case ir.TypeStruct:
			return 12345, true
		case ir.TypeSlice:
			return "not-a-list", true
		case ir.TypeEnum:
			if s.Named.Base == ir.KindString {
				return 12345, true
			}
			return "not-a-value", true
		}
	}
	return nil, false
}

// violation is a value of the right type that breaks one constraint of s.
func violation(s *ir.Schema) (any, bool) {
	switch s.Kind {
	case ir.KindString:
		switch {
		case s.MaxLength != nil:
			return strings.Repeat("x", int(*s.MaxLength)+1), true
		case s.MinLength != nil && *s.MinLength > 0:
			return "", s.Pattern == "" || !patternMatches(s.Pattern, "")
		case s.Pattern != "":
			for _, c := range []string{"", "!", " ", "\x01~"} {
				if !patternMatches(s.Pattern, c) {
					return c, true
				}
			}
		case formatCheck(s.Format) != "":
			return "not a valid value", true
		}
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64:
		switch {
		case s.Minimum != nil && *s.Minimum > -1e15:
			return *s.Minimum - 1, true
		case s.Maximum != nil && *s.Maximum < 1e15:
			return *s.Maximum + 1, true
		}
	case ir.KindSlice:
		if s.MaxItems != nil && *s.MaxItems < 1000 {
			ex := newExamples()
			v, ok := ex.value(s.Elem)
			if ok {
				items := make([]any, *s.MaxItems+1)
				for i := range items {
					items[i] = v
				}
				return items, true
			}
		}
	case ir.KindNamed:
		if s.Named.Kind == ir.TypeEnum && s.Named.Base == ir.KindString {
			return "__not_a_member__", true
		}
	}
	return nil, false
}

func opCase(svc *ir.Service, op *ir.Operation, ex, resp *examples) *OpCase {
	oc := &OpCase{Op: op}
	if op.Unreachable {
		oc.Skip = "unreachable: it shares its route with " + op.Shared[0].GoName
		return oc
	}
	if op.Protected() && op.Satisfiable() == nil {
		oc.Skip = "no credential can meet its security requirements (bkgen warned of the schemes)"
		return oc
	}
	path := op.Path
	query := url.Values{}
	var headers [][2]string
	var cookies []string
	for _, p := range op.Params {
		v, ok := ex.value(p.Schema)
		if !ok {
			if p.Required {
				oc.Skip = fmt.Sprintf("no valid value for parameter %q could be built", p.Name)
				return oc
			}
			continue
		}
		vals := paramStrings(v)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(strings.Join(vals, ",")))
		case "query":
			switch {
			case p.IsDeepObject():
				addDeepObject(query, p, v)
			case p.Explode:
				query[p.Name] = vals
			default:
				query.Set(p.Name, strings.Join(vals, ","))
			}
		case "header":
			headers = append(headers, [2]string{p.Name, strings.Join(vals, ",")})
		case "cookie":
			cookies = append(cookies, p.Name+"="+url.QueryEscape(strings.Join(vals, ",")))
		}
	}
	if len(cookies) > 0 {
		headers = append(headers, [2]string{"Cookie", strings.Join(cookies, "; ")})
	}
	target := svc.BasePath + path
	if q := query.Encode(); q != "" {
		target += "?" + q
	}
	valid := &RequestCase{Name: "valid", Method: op.Method, Target: target, Headers: headers}
	var bodyObj map[string]any
	if b := op.Body; b != nil {
		switch b.Kind {
		case ir.BodyJSON:
			v, ok := ex.value(b.Schema)
			if !ok {
				oc.Skip = "no valid request body could be built"
				return oc
			}
			valid.Body, valid.ContentType = jsonString(v), b.MediaTypes[0]
			if strings.Contains(valid.ContentType, "*") {
				valid.ContentType = "application/json"
			}
			bodyObj, _ = v.(map[string]any)
		case ir.BodyForm:
			v, ok := ex.value(b.Schema)
			if !ok {
				oc.Skip = "no valid request body could be built"
				return oc
			}
			valid.Body, valid.ContentType = formEncode(v), "application/x-www-form-urlencoded"
		case ir.BodyMultipart:
			oc.Skip = "" // multipart requests are built by the test from fields
			valid.Body, valid.ContentType = "", ""
			if b.Required {
				oc.Skip = "multipart request bodies are not built by the generated tests yet"
				return oc
			}
		default:
			valid.Body, valid.ContentType = "data", b.MediaTypes[0]
			if strings.Contains(valid.ContentType, "*") {
				valid.ContentType = "application/octet-stream"
			}
		}
	}
	oc.Valid = valid
	// Invalid requests: a missing or mistyped parameter, a bad body.
	for _, p := range op.Params {
		// On a shared route, a request whose matched parameters this
		// operation refuses goes to the next operation sharing it: only the
		// last one answers 400.
		if op.Matched() && slices.Contains(op.MatchParams(), p) {
			continue
		}
		if p.In == "path" {
			if bad, ok := badParam(p); ok {
				c := *valid
				c.Name, c.Pointer = "path "+p.Name+" invalid", "/path/"+ir.EscapePointer(p.Name)
				c.Target = svc.BasePath + strings.ReplaceAll(op.Path, "{"+p.Name+"}", bad)
				c.Target = replaceOtherParams(c.Target, oc)
				if q := query.Encode(); q != "" {
					c.Target += "?" + q
				}
				oc.Invalid = append(oc.Invalid, &c)
			}
			continue
		}
		if p.In != "query" && p.In != "header" {
			continue
		}
		if p.Required {
			c := withoutParam(valid, p, query, headers, "")
			c.Name, c.Pointer = p.In+" "+p.Name+" missing", "/"+p.In+"/"+ir.EscapePointer(p.Name)
			oc.Invalid = append(oc.Invalid, c)
		}
		if bad, ok := badParam(p); ok {
			c := withoutParam(valid, p, query, headers, bad)
			c.Name, c.Pointer = p.In+" "+p.Name+" invalid", "/"+p.In+"/"+ir.EscapePointer(p.Name)
			oc.Invalid = append(oc.Invalid, c)
		}
	}
	if b := op.Body; b != nil && b.Kind == ir.BodyJSON {
		c := *valid
		c.Name, c.Body, c.Pointer = "body not JSON", "{not json", "/body"
		oc.Invalid = append(oc.Invalid, &c)
		if b.Required {
			c := *valid
			c.Name, c.Body, c.Pointer = "body missing", "", "/body"
			oc.Invalid = append(oc.Invalid, &c)
		}
		if b.Schema.IsStruct() {
			for _, iv := range invalidObjects(b.Schema.Named, bodyObj, "/body", maxInvalidPerBody) {
				if op.MergePatch() && strings.HasSuffix(iv.Name, " missing") {
					continue // a merge patch may leave out any member
				}
				c := *valid
				c.Name, c.Body, c.Pointer = "body "+iv.Name, iv.Apply(bodyObj), iv.Pointer
				oc.Invalid = append(oc.Invalid, &c)
			}
		}
	}
	if s := op.Success(); s != nil {
		sc := &SuccessCase{Response: s, Raw: rawBody(s.MediaType)}
		if s.Kind == ir.BodyJSON && s.Schema != nil {
			v, ok := resp.value(s.Schema)
			if !ok {
				return oc
			}
			sc.Body = jsonString(v)
		}
		oc.Success = sc
	}
	return oc
}

// rawBody is a body of a non-JSON media type that its parsers accept.
func rawBody(mediaType string) string {
	switch {
	case strings.Contains(mediaType, "yaml"):
		return "{}\n"
	case strings.Contains(mediaType, "xml"):
		return "<data/>"
	}
	return "data"
}

// replaceOtherParams fills the path parameters other than p with their valid values.
func replaceOtherParams(target string, oc *OpCase) string {
	valid, _, _ := strings.Cut(oc.Valid.Target, "?")
	vs := strings.Split(valid, "/")
	ts := strings.Split(target, "/")
	if len(vs) != len(ts) {
		return target
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") {
			ts[i] = vs[i]
		}
	}
	return strings.Join(ts, "/")
}

func withoutParam(valid *RequestCase, p *ir.Param, query url.Values, headers [][2]string, replace string) *RequestCase {
	c := *valid
	switch p.In {
	case "query":
		q := url.Values{}
		maps.Copy(q, query)
		q.Del(p.Name)
		if p.IsDeepObject() {
			for k := range q {
				if strings.HasPrefix(k, p.Name+"[") {
					q.Del(k)
				}
			}
		}
		if replace != "" {
			q.Set(p.Name, replace)
		}
		c.Target = strings.SplitN(valid.Target, "?", 2)[0]
		if enc := q.Encode(); enc != "" {
			c.Target += "?" + enc
		}
	case "header":
		c.Headers = nil
		for _, h := range headers {
			if h[0] != p.Name {
				c.Headers = append(c.Headers, h)
			}
		}
		if replace != "" {
			c.Headers = append(c.Headers, [2]string{p.Name, replace})
		}
	}
	return &c
}

// badParam is a parameter value that fails parsing or validation.
func badParam(p *ir.Param) (string, bool) {
	s := p.Schema
	if s.Kind == ir.KindSlice {
		s = s.Elem
	}
	switch s.Kind {
	case ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64, ir.KindBool, ir.KindTime:
		return "not-a-value", true
	case ir.KindNamed:
		if s.Named.Kind == ir.TypeEnum {
			return "__not_a_member__", s.Named.Base == ir.KindString || true
		}
	case ir.KindString:
		if v, ok := violation(s); ok {
			if str, ok := v.(string); ok && str != "" {
				return url.PathEscape(str), true
			}
		}
	}
	return "", false
}

// paramStrings renders an example value as parameter strings.
func paramStrings(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, len(x))
		for i, it := range x {
			out[i] = fmt.Sprint(it)
		}
		return out
	case float64:
		return []string{formatNumber(x)}
	default:
		return []string{fmt.Sprint(x)}
	}
}

func formatNumber(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(f)
}

// formEncode encodes an example object as a URL-encoded form, nested
// members in bracket notation (items[0][name]=x, metadata[key]=v).
func formEncode(v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	vals := url.Values{}
	for k, x := range obj {
		addBracketed(vals, k, x)
	}
	return vals.Encode()
}

// ResourceCase is the data of a resource's integration test: requests that
// walk its CRUD operations over HTTP against a real database.
type ResourceCase struct {
	R *ir.Resource
	// Create is a valid create request; Item is the item path under the base
	// path with {id} where the id goes.
	Create          *RequestCase
	Item            string
	IDField         string
	List            *RequestCase
	Replace, Update *RequestCase
	// Parent, for a nested resource, is the parent's walk: its create runs
	// first, and "{parent}" in this walk's targets is replaced by its id.
	Parent *ResourceCase
	// MissingID is an id no row has.
	MissingID string
	// Clear is a member a merge patch of null must clear (an optional one).
	Clear string
	// Versioned is true when updates are optimistic: sending the same
	// update twice answers 409 the second time.
	Versioned bool
	// Sorted lists the list targets with each allowed sort value.
	Sorted []string
	// Unique is true when the table has a unique constraint: creating the
	// same body twice must answer 409.
	Unique bool
	// Seed, when no operation creates rows (Create is nil), is the SQL
	// inserting an example row and returning its id as text.
	Seed string
	// Get and Delete say whether the walk reads and deletes the row: the
	// operations exist and need no parameter but the path's and headers.
	Get, Delete bool
	// Headers are sent with every request of the walk: the required headers
	// of its operations (a tenant id), with valid values.
	Headers [][2]string
}

// pathOnly reports whether op needs no query or cookie parameter: a walk can
// send it with its path and the walk's headers.
func pathOnly(op *ir.Operation) bool {
	return op != nil && !slices.ContainsFunc(op.Params, func(p *ir.Param) bool { return p.Required && (p.In == "query" || p.In == "cookie") })
}

// resourceCases builds the integration walks of the resources whose
// operations need nothing but their ids (and their parent's) in their paths.
func resourceCases(svc *ir.Service, ops map[*ir.Operation]*OpCase) []*ResourceCase {
	var out []*ResourceCase
	byRes := make(map[*ir.Resource]*ResourceCase)
	// Parents first, so a nested resource finds its parent's walk.
	for _, r := range orderTables(svc.Resources) {
		rc := resourceCase(svc, r, ops, byRes)
		if rc != nil {
			byRes[r] = rc
			out = append(out, rc)
		}
	}
	return out
}

func resourceCase(svc *ir.Service, r *ir.Resource, ops map[*ir.Operation]*OpCase, byRes map[*ir.Resource]*ResourceCase) *ResourceCase {
	if r.ID == nil {
		return nil
	}
	var parent *ResourceCase
	if r.Parent != nil {
		if parent = byRes[r.Parent]; parent == nil || parent.Parent != nil || parent.Create == nil {
			return nil
		}
	}
	// target writes an operation's path with {id} and {parent} placeholders.
	target := func(op *ir.Operation) (string, bool) {
		p := op.Path
		for _, pp := range pathParams(op) {
			switch {
			case pp.Name == r.IDParam && op.CRUD != ir.List && op.CRUD != ir.Create:
				p = strings.ReplaceAll(p, "{"+pp.Name+"}", "{id}")
			case r.Parent != nil && pp.Name == r.ParentParam:
				p = strings.ReplaceAll(p, "{"+pp.Name+"}", "{parent}")
			default:
				return "", false
			}
		}
		return svc.BasePath + p, true
	}
	withTarget := func(op *ir.Operation) *RequestCase {
		oc := ops[op]
		if oc == nil || oc.Valid == nil {
			return nil
		}
		t, ok := target(op)
		if !ok {
			return nil
		}
		c := *oc.Valid
		if q := strings.SplitN(c.Target, "?", 2); len(q) == 2 && op.CRUD != ir.List {
			t += "?" + q[1]
		}
		c.Target = t
		return &c
	}
	var create *RequestCase
	if r.Has(ir.Create) && returnsEntity(r.Ops[ir.Create]) {
		create = withTarget(r.Ops[ir.Create])
	}
	var seed string
	if create == nil {
		// Rows no operation creates are inserted by the test, for the
		// operations that read and delete them.
		if parent != nil || !pathOnly(r.Ops[ir.Get]) {
			return nil
		}
		var ok bool
		if seed, ok = seedRow(dialectOf(svc), r); !ok {
			return nil
		}
	}
	rc := &ResourceCase{
		R: r, Parent: parent, Create: create, Seed: seed, IDField: r.ID.Name, Unique: len(r.Table.Uniques) > 0,
		Get: pathOnly(r.Ops[ir.Get]), Delete: pathOnly(r.Ops[ir.Delete]),
	}
	item := r.Ops[ir.Get]
	if item == nil {
		item = r.Ops[ir.Delete]
	}
	if item != nil {
		rc.MissingID = missingID(r, item)
	}
	if item != nil {
		t, ok := target(item)
		if !ok {
			return nil
		}
		rc.Item = t
	}
	if op := r.Ops[ir.List]; op != nil {
		if l := withTarget(op); l != nil && pathOnly(op) {
			// The list request without filters: the created row must be in it.
			l.Target = strings.SplitN(l.Target, "?", 2)[0]
			rc.List = l
			if r.Sort != nil {
				for _, k := range r.Sort.Keys {
					rc.Sorted = append(rc.Sorted, l.Target+"?"+url.Values{r.Sort.Param.Name: {k.Value}}.Encode())
				}
			}
		}
	}
	if op := r.Ops[ir.Replace]; op != nil {
		rc.Replace = withTarget(op)
	}
	if op := r.Ops[ir.Update]; op != nil {
		rc.Update = withTarget(op)
	}
	if u := r.Op(ir.Update); u != nil && rc.Update != nil && rc.Get && u.MergePatch() {
		for _, fc := range bodyColumns(r, u.Body.Schema.Named) {
			if f, c := fc[0].(*ir.Field), fc[1].(*ir.Column); !c.NotNull && !f.Required && c.Type != ir.ColJSON {
				rc.Clear = f.Name
				break
			}
		}
	}
	if u := r.Op(ir.Update); u != nil && rc.Update != nil && rc.Get && versionField(r, u.Body.Schema.Named) != nil &&
		strings.Contains(rc.Update.Body, `"`+r.Version.Field.Name+`"`) {
		rc.Versioned = true
	}
	if !rc.Get && !rc.Delete && rc.Replace == nil && rc.Update == nil {
		rc.Item = "" // no request of the walk addresses the row
	}
	if rc.Item == "" && rc.List == nil {
		return nil // nothing reads the row back
	}
	seen := make(map[string]bool)
	for _, crud := range slices.Sorted(maps.Keys(r.Ops)) {
		if oc := ops[r.Ops[crud]]; oc != nil && oc.Valid != nil {
			for _, h := range oc.Valid.Headers {
				if k := strings.ToLower(h[0]); !seen[k] {
					seen[k] = true
					rc.Headers = append(rc.Headers, h)
				}
			}
		}
	}
	slices.SortFunc(rc.Headers, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return rc
}

func pathParams(op *ir.Operation) []*ir.Param {
	var out []*ir.Param
	for _, p := range op.Params {
		if p.In == "path" {
			out = append(out, p)
		}
	}
	return out
}

// missingID is an id the item path accepts and the test's rows do not have,
// "" when the parameter's constraints leave none to pick.
func missingID(r *ir.Resource, item *ir.Operation) string {
	var s *ir.Schema
	for _, p := range pathParams(item) {
		if p.Name == r.IDParam {
			s = p.Schema
		}
	}
	if s == nil {
		return ""
	}
	switch s.Kind {
	case ir.KindInt32, ir.KindInt64:
		switch {
		case s.Maximum == nil:
			return "999999999"
		case *s.Maximum >= 3: // the walk makes at most two rows
			return strconv.FormatInt(int64(*s.Maximum), 10)
		}
	case ir.KindString:
		const zero = "00000000-0000-4000-8000-000000000000"
		if s.Pattern == "" && (s.MaxLength == nil || *s.MaxLength >= int64(len(zero))) && (s.MinLength == nil || *s.MinLength <= int64(len(zero))) {
			return zero
		}
	}
	return ""
}
