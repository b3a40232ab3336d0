package generator

import (
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/ir"
)

// webhookTypeNames are the names the generated webhooks file declares in
// package api; they are reserved only when the spec sends webhooks, so that
// no other spec's type names change.
var webhookTypeNames = []string{
	"WebhookSender", "NewWebhookSender", "WebhookResponse", "WebhookError",
	"VerifyWebhookSignature", "ErrWebhookSignature",
}

// reservedNames are the type names taken before any schema is named.
func reservedNames(doc *openapi3.T) []string {
	if !declaresWebhooks(doc) {
		return reservedTypeNames
	}
	return slices.Concat(reservedTypeNames, webhookTypeNames)
}

// declaresWebhooks reports whether doc has webhooks or an operation with callbacks.
func declaresWebhooks(doc *openapi3.T) bool {
	if len(doc.Webhooks) > 0 {
		return true
	}
	if doc.Paths == nil {
		return false
	}
	for _, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		for _, op := range item.Operations() {
			if op != nil && len(op.Callbacks) > 0 {
				return true
			}
		}
	}
	return false
}

// webhookSite is where a webhook's Path Item is declared.
type webhookSite struct {
	kind       ir.WebhookKind
	name       string
	expression string
	// operation declares a callback; nil for a webhook.
	operation *ir.Operation
	// many is true when the callback has several expressions, whose
	// senders are then told apart by a number.
	many    bool
	index   int
	pointer string
}

// buildWebhooks builds the requests the service sends: the top-level
// webhooks, then the callbacks of each operation in the operations' order.
// They are kept out of svc.Operations: the router does not serve them.
func (b *builder) buildWebhooks() {
	names := ir.NewNamer()
	for _, name := range sortedKeys(b.doc.Webhooks) {
		b.webhookItem(names, webhookSite{
			kind: ir.WebhookEvent, name: name, pointer: "/webhooks/" + ir.EscapePointer(name),
		}, b.doc.Webhooks[name])
	}
	byPointer := make(map[string]*ir.Operation, len(b.svc.Operations))
	for _, o := range b.svc.Operations {
		byPointer[o.Pointer] = o
	}
	var paths map[string]*openapi3.PathItem
	if b.doc.Paths != nil {
		paths = b.doc.Paths.Map()
	}
	for _, path := range sortedKeys(paths) {
		for _, method := range methods {
			o := byPointer["/paths/"+ir.EscapePointer(path)+"/"+strings.ToLower(method)]
			if paths[path] == nil || o == nil {
				continue
			}
			b.buildCallbacks(names, o, paths[path].GetOperation(method))
		}
	}
}

// buildCallbacks builds the callbacks operation o declares (op in the document).
func (b *builder) buildCallbacks(names *ir.Namer, o *ir.Operation, op *openapi3.Operation) {
	if op == nil {
		return
	}
	for _, name := range sortedKeys(op.Callbacks) {
		cb := op.Callbacks[name]
		pointer := o.Pointer + "/callbacks/" + ir.EscapePointer(name)
		if cb == nil || cb.Value == nil || cb.Value.Len() == 0 {
			b.diags.Warnf(b.pos(pointer), pointer, "callback %q of %s declares no request: nothing to send", name, o.ID)
			continue
		}
		exprs := cb.Value.Map()
		for i, expr := range sortedKeys(exprs) {
			b.webhookItem(names, webhookSite{
				kind: ir.WebhookCallback, name: name, expression: expr, operation: o,
				many: len(exprs) > 1, index: i + 1,
				pointer: pointer + "/" + ir.EscapePointer(expr),
			}, exprs[expr])
		}
	}
}

// webhookItem builds one webhook per method of a webhook's or callback's Path Item.
func (b *builder) webhookItem(names *ir.Namer, site webhookSite, item *openapi3.PathItem) {
	what := site.kind.String() + " " + strconv.Quote(site.name)
	if site.operation != nil {
		what += " of " + site.operation.ID
	}
	if item == nil {
		b.diags.Warnf(b.pos(site.pointer), site.pointer, "%s has no Path Item: nothing to send", what)
		return
	}
	ops := item.Operations()
	var present []string
	for _, method := range methods {
		if ops[method] != nil {
			present = append(present, method)
		}
	}
	if len(present) == 0 {
		b.diags.Warnf(b.pos(site.pointer), site.pointer, "%s declares no operation: nothing to send", what)
		return
	}
	for _, method := range present {
		op := ops[method]
		pointer := site.pointer + "/" + strings.ToLower(method)
		w := &ir.Webhook{
			Name:       site.name,
			Kind:       site.kind,
			Expression: site.expression,
			Operation:  site.operation,
			Pointer:    pointer,
			Pos:        b.pos(pointer),
		}
		w.GoName = b.webhookName(names, site, op, method, len(present) > 1)
		req := &ir.Operation{
			ID:          op.OperationID,
			GoName:      w.GoName + "Webhook",
			Method:      method,
			Summary:     oneLine(op.Summary),
			Description: op.Description,
			Pointer:     pointer,
			Pos:         w.Pos,
		}
		if req.ID == "" {
			req.ID = site.name
		}
		if req.Summary == "" {
			req.Summary = oneLine(item.Summary)
		}
		w.Request = req
		b.buildParams(req, item, op)
		req.Params = b.sendableParams(what, req.Params)
		b.buildBody(req, op)
		b.buildResponses(req, op)
		b.webhookBody(w, what)
		b.svc.Webhooks = append(b.svc.Webhooks, w)
	}
}

// webhookName picks a webhook's Go name: its operationId, else its name
// (with the method when its Path Item has several, and a number when its
// callback has several expressions). A callback whose name is taken is
// prefixed with its operation's name. The name of its parameters type,
// <Name>WebhookParams, is reserved with it.
func (b *builder) webhookName(names *ir.Namer, site webhookSite, op *openapi3.Operation, method string, manyMethods bool) string {
	base := ir.GoName(op.OperationID)
	if op.OperationID == "" {
		base = ir.GoName(site.name)
		if manyMethods {
			base += ir.GoName(strings.ToLower(method))
		}
		if site.many {
			base += strconv.Itoa(site.index)
		}
	}
	candidates := []string{base}
	if site.operation != nil {
		candidates = append(candidates, site.operation.GoName+base)
	}
	for i := 1; ; i++ {
		for _, c := range candidates {
			name := c
			if i > 1 {
				name += strconv.Itoa(i)
			}
			if names.Has(name) || b.typeNames.Has(name+"WebhookParams") || b.typeNames.Has(name+"WebhookBody") {
				continue
			}
			names.Take(name)
			b.typeNames.Take(name + "WebhookParams")
			return name
		}
	}
}

// sendableParams keeps the header and query parameters of scalars and lists
// of them: a webhook has no path of its own, cookies belong to a browser,
// and objects have more than one way to be written in a URL.
func (b *builder) sendableParams(what string, params []*ir.Param) []*ir.Param {
	return slices.DeleteFunc(params, func(p *ir.Param) bool {
		switch {
		case p.In != "header" && p.In != "query":
			b.diags.Warnf(b.pos(p.Pointer), p.Pointer, "%s: the %s parameter %q is not sent: senders set header and query parameters only", what, p.In, p.Name)
		case !scalarKind(p.Schema) && (p.Schema.Kind != ir.KindSlice || !scalarKind(p.Schema.Elem)):
			b.diags.Warnf(b.pos(p.Pointer), p.Pointer, "%s: the %s parameter %q is not sent: senders write scalars and lists of them only", what, p.In, p.Name)
		default:
			return false
		}
		return true
	})
}

// webhookBody decides how the sender takes the body: a typed value it
// validates and encodes as JSON, or bytes and a content type from the
// caller when bkgen cannot type the body (XML, forms, multipart, binary).
func (b *builder) webhookBody(w *ir.Webhook, what string) {
	body := w.Request.Body
	if body == nil {
		return
	}
	if body.Kind == ir.BodyJSON && body.Schema != nil && !patternOutsideTypes(body.Schema) {
		w.ContentType = "application/json"
		for _, mt := range body.MediaTypes {
			if !strings.Contains(mt, "*") {
				w.ContentType = mt
				break
			}
		}
		return
	}
	reason := "bkgen types JSON bodies only"
	if body.Kind == ir.BodyJSON {
		// Patterns are compiled once, with the types; a bare string body
		// holding one has no type to carry it.
		reason = "its pattern applies to no generated type"
	}
	body.Schema = nil
	b.diags.Warnf(b.pos(body.Pointer), body.Pointer, "%s: the %s body is sent as raw bytes with the caller's content type: %s",
		what, strings.Join(body.MediaTypes, ", "), reason)
}

// patternOutsideTypes reports whether s, or the items it holds outside any
// named type, carries a pattern.
func patternOutsideTypes(s *ir.Schema) bool {
	for ; s != nil && s.Kind != ir.KindNamed; s = s.Elem {
		if s.Pattern != "" {
			return true
		}
	}
	return false
}

// webhookEnv is the runtime configuration of the webhook senders.
func webhookEnv(svc *ir.Service) []ir.EnvVar {
	if !svc.HasWebhooks() {
		return nil
	}
	return []ir.EnvVar{
		{Name: "WEBHOOK_SECRET", Description: "key signing webhook deliveries (Standard Webhooks); whsec_<base64> or raw; unsigned when unset", Secret: true},
		{Name: "WEBHOOK_TIMEOUT", Default: "10s", Description: "deadline of each webhook delivery"},
	}
}
