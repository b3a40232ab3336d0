package generator

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/ir"
)

// methods lists the HTTP methods in the order operations are emitted.
var methods = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
}

var pathParamRE = regexp.MustCompile(`\{([^{}]+)\}`)

// buildOperations turns every path and method into an ir.Operation, grouped
// by the first static segment of its path.
func (b *builder) buildOperations() {
	paths := b.doc.Paths.Map()
	opNames := ir.NewNamer()
	groups := make(map[string]*ir.Group)
	// Group files share internal/service with services_gen.go and db_gen.go.
	// Reserved: the service package's own files (services_gen.go, db_gen.go, crud_gen.go).
	groupNames := ir.NewNamer("Services", "DB", "Crud")
	groupFiles := ir.NewNamer(serviceFiles...)
	routes := newRouteNames()
	prefix := groupPrefix(sortedKeys(paths))
	for _, path := range sortedKeys(paths) {
		item := paths[path]
		if item == nil {
			continue
		}
		if rp := routablePath(path); rp != path {
			pointer := "/paths/" + ir.EscapePointer(path)
			b.diags.Warnf(b.pos(pointer), pointer, "path %q holds '#', which starts a URL's fragment: clients never send what follows it, so its operations are routed on %s", path, rp)
		}
		ops := item.Operations()
		for _, method := range methods {
			op := ops[method]
			if op == nil {
				continue
			}
			pointer := "/paths/" + ir.EscapePointer(path) + "/" + strings.ToLower(method)
			o := &ir.Operation{
				ID:          op.OperationID,
				Method:      method,
				Path:        routablePath(path),
				SpecPath:    path,
				Summary:     oneLine(op.Summary),
				Description: op.Description,
				Pointer:     pointer,
				Pos:         b.pos(pointer),
			}
			if o.ID == "" {
				o.ID = derivedOperationID(method, path)
			}
			o.GoName = b.operationName(opNames, o.ID)
			o.SkipCRUD = b.boolExt(op.Extensions, "x-bkgen-skip", pointer)
			o.Route = routes.route(o.Path)
			o.Security = b.security.requirements(op, pointer)
			b.buildParams(o, item, op)
			b.buildBody(o, op)
			b.buildResponses(o, op)
			key := groupKey(strings.TrimPrefix(path, prefix))
			g, ok := groups[key]
			if !ok {
				name := b.groupName(groupNames, key)
				g = &ir.Group{Name: name, File: groupFile(groupFiles, name)}
				groups[key] = g
				b.svc.Groups = append(b.svc.Groups, g)
			}
			o.Group = g
			g.Operations = append(g.Operations, o)
			b.svc.Operations = append(b.svc.Operations, o)
		}
	}
	b.shareRoutes()
}

func (b *builder) buildParams(o *ir.Operation, item *openapi3.PathItem, op *openapi3.Operation) {
	type key struct{ in, name string }
	merged := make(map[key]*openapi3.Parameter)
	var order []key
	add := func(params openapi3.Parameters) {
		for _, p := range params {
			if p == nil || p.Value == nil {
				continue
			}
			k := key{p.Value.In, p.Value.Name}
			if _, ok := merged[k]; !ok {
				order = append(order, k)
			}
			merged[k] = p.Value
		}
	}
	add(item.Parameters)
	add(op.Parameters)
	names := ir.NewNamer("Body", "Files")
	for i, k := range order {
		p := merged[k]
		if k.in == "header" && ignoredHeader(k.name) {
			continue
		}
		if k.in != "path" && k.in != "query" && k.in != "header" && k.in != "cookie" {
			continue
		}
		pointer := o.Pointer + "/parameters/" + strconv.Itoa(i)
		var use *ir.Schema
		if p.Schema != nil {
			use = b.schemaUse(p.Schema, o.GoName+ir.GoName(p.Name), pointer+"/schema")
		} else {
			use = &ir.Schema{Kind: ir.KindString}
		}
		style := p.Style
		if style == "" {
			style = "simple"
			if k.in == "query" || k.in == "cookie" {
				style = "form"
			}
		}
		deep := style == "deepObject" && k.in == "query"
		use = paramSchema(use, deep)
		explode := style == "form" || deep
		if p.Explode != nil {
			explode = *p.Explode
		}
		o.Params = append(o.Params, &ir.Param{
			Name:     p.Name,
			GoName:   names.Take(ir.GoName(p.Name)),
			In:       k.in,
			Required: p.Required || k.in == "path",
			Explode:  explode && k.in == "query",
			Style:    style,
			Schema:   use,
			Pointer:  pointer,
		})
	}
	// A path parameter the operation forgets to declare is still in the path.
	for _, m := range pathParamRE.FindAllStringSubmatch(o.Path, -1) {
		if !slices.ContainsFunc(o.Params, func(p *ir.Param) bool { return p.In == "path" && p.Name == m[1] }) {
			b.diags.Warnf(o.Pos, o.Pointer, "path parameter %q is not declared; taking it as a string", m[1])
			o.Params = append(o.Params, &ir.Param{Name: m[1], GoName: names.Take(ir.GoName(m[1])), In: "path", Required: true, Schema: &ir.Schema{Kind: ir.KindString}})
		}
	}
	for _, p := range o.Params {
		if p.In == "path" {
			p.RouteName = o.Route.Params[p.Name]
			if p.RouteName == "" {
				p.RouteName = p.Name
			}
		}
	}
}

// operationName picks the Go name of an operation such that the types
// derived from it (<Name>Request, <Name>Response) collide with no schema.
func (b *builder) operationName(opNames *ir.Namer, id string) string {
	base := ir.GoName(id)
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = base + "Op" + strconv.Itoa(i-1)
		}
		if opNames.Has(name) || b.typeNames.Has(name+"Request") || b.typeNames.Has(name+"Response") {
			continue
		}
		opNames.Take(name)
		b.typeNames.Take(name + "Request")
		b.typeNames.Take(name + "Response")
		return name
	}
}

// groupName picks the Go name of a group such that its interface,
// <Name>Service, collides with no schema.
func (b *builder) groupName(groupNames *ir.Namer, key string) string {
	base := ir.GoName(key)
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = base + strconv.Itoa(i)
		}
		if groupNames.Has(name) || b.typeNames.Has(name+"Service") {
			continue
		}
		groupNames.Take(name)
		b.typeNames.Take(name + "Service")
		return name
	}
}

// paramSchema keeps what a parameter can carry: scalars, enums and arrays of
// them. Objects and unions arrive as their raw string, except in deepObject
// style (deep), whose bracketed keys carry any shape: those keep their type.
func paramSchema(use *ir.Schema, deep bool) *ir.Schema {
	switch use.Kind {
	case ir.KindSlice:
		if deep || scalarKind(use.Elem) {
			return use
		}
	case ir.KindNamed:
		if use.Named.Kind == ir.TypeEnum {
			return use
		}
		if use.Named.Kind == ir.TypeSlice && (deep || scalarKind(use.Named.Elem)) {
			c := *use.Named.Schema
			c.Kind, c.Elem, c.Pointer = ir.KindSlice, use.Named.Elem, use.Pointer
			return &c
		}
		if deep {
			return use
		}
	case ir.KindAny, ir.KindMap:
		if deep {
			return use
		}
	default:
		if use.Kind != ir.KindBytes {
			return use
		}
	}
	return &ir.Schema{Kind: ir.KindString, Pointer: use.Pointer}
}

func scalarKind(s *ir.Schema) bool {
	switch s.Kind {
	case ir.KindString, ir.KindInt32, ir.KindInt64, ir.KindFloat32, ir.KindFloat64, ir.KindBool, ir.KindTime:
		return true
	case ir.KindNamed:
		return s.Named.Kind == ir.TypeEnum
	}
	return false
}

// ignoredHeader: OpenAPI says header parameters with these names are ignored.
func ignoredHeader(name string) bool {
	switch strings.ToLower(name) {
	case "accept", "content-type", "authorization":
		return true
	}
	return false
}

func (b *builder) buildBody(o *ir.Operation, op *openapi3.Operation) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return
	}
	rb := op.RequestBody.Value
	mt, kind, media := chooseContent(rb.Content)
	if media == nil {
		return
	}
	pointer := o.Pointer + "/requestBody/content/" + ir.EscapePointer(mt)
	if mt == "*/*" && jsonSchema(media) {
		// Any media type, and a schema only JSON can carry (Swagger 2.0
		// documents without "consumes" convert to this).
		kind = ir.BodyJSON
	}
	body := &ir.Body{Required: rb.Required, Kind: kind, Pointer: pointer}
	for _, m := range sortedKeys(rb.Content) {
		if k, _ := mediaKind(m); k == kind || m == "*/*" && kind == ir.BodyJSON {
			body.MediaTypes = append(body.MediaTypes, m)
		}
	}
	switch kind {
	case ir.BodyJSON, ir.BodyForm, ir.BodyMultipart:
		body.Schema = b.schemaUse(media.Schema, o.GoName+"Body", pointer+"/schema")
		if (kind == ir.BodyForm || kind == ir.BodyMultipart) && !body.Schema.IsStruct() {
			// A form is a set of named fields; anything else arrives as raw bytes.
			body.Kind, body.Schema = ir.BodyBinary, nil
		}
	}
	o.Body = body
}

func (b *builder) buildResponses(o *ir.Operation, op *openapi3.Operation) {
	if op.Responses == nil {
		return
	}
	resps := op.Responses.Map()
	keys := sortedKeys(resps)
	// "default" last, after the numbered codes and ranges.
	slices.SortStableFunc(keys, func(a, c string) int {
		if (a == "default") != (c == "default") {
			if a == "default" {
				return 1
			}
			return -1
		}
		return 0
	})
	for _, k := range keys {
		ref := resps[k]
		if ref == nil || ref.Value == nil {
			continue
		}
		r := &ir.Response{StatusKey: k, GoName: b.typeNames.Take(o.GoName + statusSuffix(k) + "Response")}
		if n, err := strconv.Atoi(k); err == nil && n >= 100 && n <= 599 {
			r.Status = n
		}
		if ref.Value.Description != nil {
			r.Description = oneLine(*ref.Value.Description)
		}
		if mt, kind, media := chooseContent(ref.Value.Content); media != nil {
			if mt == "*/*" && jsonSchema(media) {
				mt, kind = "application/json", ir.BodyJSON
			}
			r.MediaType, r.Kind = mt, kind
			if kind == ir.BodyJSON {
				r.Schema = b.schemaUse(media.Schema, o.GoName+statusSuffix(k)+"Body", o.Pointer+"/responses/"+ir.EscapePointer(k)+"/content/"+ir.EscapePointer(mt)+"/schema")
			}
			if kind == ir.BodyForm || kind == ir.BodyMultipart {
				r.Kind = ir.BodyBinary
			}
		}
		o.Responses = append(o.Responses, r)
	}
	o.InvalidStatus = http.StatusBadRequest
	if findResponse(o, "422") != nil && findResponse(o, "400") == nil {
		o.InvalidStatus = http.StatusUnprocessableEntity
	}
	o.Error = declaredError(o, strconv.Itoa(o.InvalidStatus))
	if o.Authenticated() {
		o.Unauthorized, o.Forbidden = declaredError(o, "401"), declaredError(o, "403")
	}
}

// declaredError is the error body the operation declares for a status: its
// own response, else 4XX, else default; nil when there is none bkgen can fill.
func declaredError(o *ir.Operation, status string) *ir.ErrorResponse {
	for _, k := range []string{status, "4XX", "default"} {
		if r := findResponse(o, k); r != nil {
			return errorShape(r)
		}
	}
	return nil
}

func findResponse(o *ir.Operation, key string) *ir.Response {
	for _, r := range o.Responses {
		if strings.EqualFold(r.StatusKey, key) {
			return r
		}
	}
	return nil
}

// errorShape decides whether bkgen can fill a declared error body: a JSON
// object whose required fields are all ones it recognises.
func errorShape(r *ir.Response) *ir.ErrorResponse {
	if r.Kind != ir.BodyJSON || !r.Schema.IsStruct() {
		return nil
	}
	t := r.Schema.Named
	e := &ir.ErrorResponse{Response: r, Type: t}
	for _, f := range t.Fields {
		switch {
		case statusField(f):
			e.StatusFields = append(e.StatusFields, f)
		case messageField(f):
			e.MessageFields = append(e.MessageFields, f)
		case f.Required:
			return nil
		}
	}
	if len(e.StatusFields)+len(e.MessageFields) == 0 {
		return nil
	}
	return e
}

func statusField(f *ir.Field) bool {
	switch strings.ToLower(f.Name) {
	case "code", "status", "status_code", "statuscode":
		switch f.Schema.Kind {
		case ir.KindInt32, ir.KindInt64, ir.KindString:
			return f.Schema.Pattern == "" && !f.Schema.HasConst && f.Schema.Minimum == nil && f.Schema.Maximum == nil && f.Schema.MaxLength == nil
		}
	}
	return false
}

func messageField(f *ir.Field) bool {
	switch strings.ToLower(f.Name) {
	case "message", "detail", "error", "title", "description", "error_description", "msg":
		return f.Schema.Kind == ir.KindString && f.Schema.Pattern == "" && !f.Schema.HasConst && f.Schema.MaxLength == nil && f.Schema.MinLength == nil
	}
	return false
}

// jsonSchema reports whether a media type's schema is an object or array,
// which only a structured format such as JSON carries.
func jsonSchema(m *openapi3.MediaType) bool {
	if m.Schema == nil || m.Schema.Value == nil {
		return false
	}
	s := m.Schema.Value
	return len(s.Properties) > 0 || len(s.AllOf) > 0 || len(s.OneOf) > 0 || len(s.AnyOf) > 0 ||
		slices.ContainsFunc(schemaTypes(s), func(t string) bool { return t == "object" || t == "array" })
}

// chooseContent picks the media type bkgen implements for a body: JSON first,
// then forms, multipart, binary and text.
func chooseContent(c openapi3.Content) (string, ir.BodyKind, *openapi3.MediaType) {
	best, bestRank := "", 99
	var bestKind ir.BodyKind
	for _, mt := range sortedKeys(c) {
		kind, rank := mediaKind(mt)
		if rank < bestRank {
			best, bestRank, bestKind = mt, rank, kind
		}
	}
	if best == "" {
		return "", 0, nil
	}
	m := c[best]
	if m == nil {
		m = &openapi3.MediaType{}
	}
	return best, bestKind, m
}

// mediaKind classifies a media type and ranks it (lower is preferred).
func mediaKind(mt string) (ir.BodyKind, int) {
	m := strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
	switch {
	case m == "application/json" || strings.HasSuffix(m, "+json") || m == "text/json":
		return ir.BodyJSON, 0
	case m == "application/x-www-form-urlencoded":
		return ir.BodyForm, 1
	case strings.HasPrefix(m, "multipart/"):
		return ir.BodyMultipart, 2
	case strings.HasPrefix(m, "text/") && m != "text/xml":
		return ir.BodyText, 4
	default:
		return ir.BodyBinary, 3
	}
}

func statusSuffix(key string) string {
	if key == "default" {
		return "Default"
	}
	return strings.ToUpper(key)
}

// derivedOperationID names an operation that has no operationId from its
// method and path: GET /pets/{id} -> "get pets by id".
func derivedOperationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			continue
		}
		if m := pathParamRE.FindStringSubmatch(seg); m != nil && m[0] == seg {
			parts = append(parts, "by", m[1])
			continue
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, " ")
}

// groupKey is the first static path segment, which names the operation's group.
func groupKey(path string) string {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" || strings.HasPrefix(seg, "{") {
			continue
		}
		if key := ir.GoName(seg); key != "X" {
			return seg
		}
	}
	return "root"
}

// groupPrefix is the leading static segments every path shares ("/api/v1"),
// which say nothing about which resource a path is for, short of the last
// static segment of any path ("/pets" alone names the resource).
func groupPrefix(paths []string) string {
	prefix := commonStaticPrefix(paths)
	for prefix != "" {
		ok := true
		for _, p := range paths {
			if groupKey(strings.TrimPrefix(p, prefix)) == "root" {
				ok = false
				break
			}
		}
		if ok {
			return prefix
		}
		prefix = prefix[:strings.LastIndex(prefix, "/")]
	}
	return ""
}

// commonStaticPrefix is the leading static segments every path shares.
func commonStaticPrefix(paths []string) string {
	if len(paths) < 2 {
		return ""
	}
	var common []string
	for i, path := range paths {
		segs := strings.Split(strings.Trim(path, "/"), "/")
		if i == 0 {
			common = segs
			continue
		}
		n := 0
		for n < len(common) && n < len(segs) && common[n] == segs[n] && !strings.Contains(segs[n], "{") {
			n++
		}
		common = common[:n]
	}
	if len(common) == 0 {
		return ""
	}
	return "/" + strings.Join(common, "/")
}

// oneLine is the first line of s, for one-line comments and titles: cut
// at any line break (a carriage return ends an SQL comment too), with other
// control characters (NUL, which PostgreSQL refuses even in a comment,
// escape sequences) made spaces.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\n\r\u0085\u2028\u2029"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\uFEFF': // a byte order mark, which Go refuses past a file's start
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.ToValidUTF8(s, "\uFFFD")
}

// routablePath is a paths key as requests can reach it: without a "#…"
// suffix, which some specs use to tell apart operations on one path.
func routablePath(key string) string {
	p, _, _ := strings.Cut(key, "#")
	if p == "" {
		return "/"
	}
	return p
}
