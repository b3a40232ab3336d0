package ir

import "github.com/bkgen/bkgen/generator/diag"

// WebhookKind says where a request the service sends is declared.
type WebhookKind int

const (
	// WebhookEvent is an entry of the spec's top-level webhooks (OpenAPI 3.1).
	WebhookEvent WebhookKind = iota
	// WebhookCallback is an entry of an operation's callbacks.
	WebhookCallback
)

// String names the kind as the docs do.
func (k WebhookKind) String() string {
	if k == WebhookCallback {
		return "callback"
	}
	return "webhook"
}

// Webhook is one request the service sends to its subscribers: a method of
// a webhook's Path Item, or of a callback's. The generated WebhookSender has
// a Send<GoName> method per webhook.
type Webhook struct {
	// Name is the webhook's name, or the callback's name, as in the spec.
	Name string
	// GoName is unique among webhooks; the sender method is Send<GoName>
	// and the types derived from it are named <GoName>Webhook….
	GoName string
	Kind   WebhookKind
	// Expression is a callback's runtime expression of the URL to call
	// ("{$request.body#/callbackUrl}"); "" for a webhook.
	Expression string
	// Operation is the operation declaring a callback; nil for a webhook.
	Operation *Operation
	// Request describes what is sent: method, header and query parameters,
	// body and the responses the receiver may answer with. It is no route:
	// it has no path, group or resource.
	Request *Operation
	// ContentType is the media type of a typed (JSON) body, "" otherwise.
	ContentType string
	Pointer     string
	Pos         diag.Pos
}

// IsCallback reports whether the webhook is an operation's callback.
func (w *Webhook) IsCallback() bool { return w.Kind == WebhookCallback }

// JSONBody reports whether the sender takes a typed body it encodes as JSON.
func (w *Webhook) JSONBody() bool {
	return w.Request.Body != nil && w.Request.Body.Kind == BodyJSON && w.Request.Body.Schema != nil
}

// RawBody reports whether the sender takes the body as bytes plus a content type.
func (w *Webhook) RawBody() bool { return w.Request.Body != nil && !w.JSONBody() }

// HasParams reports whether the sender takes header or query parameters.
func (w *Webhook) HasParams() bool { return len(w.Request.Params) > 0 }

// HasWebhooks reports whether the service sends webhooks or callbacks.
func (s *Service) HasWebhooks() bool { return len(s.Webhooks) > 0 }

// IsHeader reports whether the parameter is sent in a header.
func (p *Param) IsHeader() bool { return p.In == "header" }
