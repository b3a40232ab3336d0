package generator

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/write"
	"github.com/bkgen/bkgen/internal/spec"
)

// buildYAML builds the IR of a spec given as text, with its diagnostics.
func buildYAML(t *testing.T, src string, configure ...func(*config.Config)) (*ir.Service, diag.List) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, d := spec.Load(path)
	if d.HasErrors() {
		t.Fatalf("load: %v", d)
	}
	cfg := config.Default()
	cfg.Database = "none"
	for _, c := range configure {
		c(&cfg)
	}
	svc, d := buildService(doc.OpenAPI, &cfg, "openapi.yaml", doc.Pos)
	if d.HasErrors() {
		t.Fatalf("build: %v", d)
	}
	return svc, d
}

func webhookNamed(t *testing.T, svc *ir.Service, goName string) *ir.Webhook {
	t.Helper()
	for _, w := range svc.Webhooks {
		if w.GoName == goName {
			return w
		}
	}
	var names []string
	for _, w := range svc.Webhooks {
		names = append(names, w.GoName)
	}
	t.Fatalf("no webhook %s in %v", goName, names)
	return nil
}

func TestBuildWebhooks(t *testing.T) {
	t.Parallel()
	svc := buildSpec(t, "webhooks.yaml")

	var got []string
	for _, w := range svc.Webhooks {
		got = append(got, w.Kind.String()+" "+w.Name+" "+w.Request.Method+" "+w.GoName)
	}
	want := []string{
		"webhook auditExport PUT AuditExport",
		"webhook inventoryLow POST InventoryLow",
		"webhook newPet POST NewPet",
		"webhook ping POST Ping",
		"callback orderUpdated POST OrderUpdated",
	}
	if !slices.Equal(got, want) {
		t.Errorf("webhooks:\n got %q\nwant %q", got, want)
	}
	// Webhooks are no routes.
	if len(svc.Operations) != 2 {
		t.Errorf("%d operations, want 2 (webhooks are not served)", len(svc.Operations))
	}
	for _, g := range svc.Groups {
		for _, op := range g.Operations {
			if strings.HasSuffix(op.GoName, "Webhook") {
				t.Errorf("group %s serves webhook %s", g.Name, op.GoName)
			}
		}
	}

	pet := webhookNamed(t, svc, "NewPet")
	if pet.IsCallback() || pet.Expression != "" || pet.Operation != nil || pet.Pointer != "/webhooks/newPet/post" || !pet.Pos.IsValid() {
		t.Errorf("newPet = %+v", pet)
	}
	if !pet.JSONBody() || pet.ContentType != "application/json" || pet.Request.Body.Schema.Named.Name != "Pet" || !pet.Request.Body.Required {
		t.Errorf("newPet body = %+v", pet.Request.Body)
	}
	if pet.HasParams() || len(pet.Request.Responses) != 1 || pet.Request.Responses[0].Status != 200 {
		t.Errorf("newPet request = %+v", pet.Request)
	}

	low := webhookNamed(t, svc, "InventoryLow")
	if body := low.Request.Body.Schema; !body.IsStruct() || body.Named.Name != "InventoryLowWebhookBody" {
		t.Errorf("inventoryLow body = %+v, want the inline type InventoryLowWebhookBody", body)
	}
	typeNamed(t, svc, "InventoryLowWebhookBody")
	var params []string
	for _, p := range low.Request.Params {
		params = append(params, p.In+" "+p.Name+" "+p.GoName)
	}
	if !slices.Equal(params, []string{"header X-Delivery-Attempt XDeliveryAttempt", "query tags Tags"}) {
		t.Errorf("inventoryLow params %q", params)
	}

	cb := webhookNamed(t, svc, "OrderUpdated")
	if !cb.IsCallback() || cb.Expression != "{$request.body#/callbackUrl}" || cb.Operation == nil || cb.Operation.ID != "createSubscription" {
		t.Errorf("orderUpdated = %+v", cb)
	}
	if want := "/paths/~1subscriptions/post/callbacks/orderUpdated/{$request.body#~1callbackUrl}/post"; cb.Pointer != want {
		t.Errorf("orderUpdated pointer %s, want %s", cb.Pointer, want)
	}
	if len(cb.Request.Params) != 2 { // the cookie parameter is not sent
		t.Errorf("orderUpdated params %+v", cb.Request.Params)
	}

	ping := webhookNamed(t, svc, "Ping")
	if ping.Request.Body.Required || len(ping.Request.Params) != 1 || ping.Request.Params[0].Explode {
		t.Errorf("ping = %+v, want an optional body and an unexploded query list", ping.Request)
	}

	audit := webhookNamed(t, svc, "AuditExport")
	if !audit.RawBody() || audit.JSONBody() || audit.ContentType != "" || !slices.Equal(audit.Request.Body.MediaTypes, []string{"application/xml"}) {
		t.Errorf("auditExport body = %+v", audit.Request.Body)
	}

	var env []string
	for _, e := range svc.Env {
		env = append(env, e.Name)
	}
	if !slices.Contains(env, "WEBHOOK_SECRET") || !slices.Contains(env, "WEBHOOK_TIMEOUT") {
		t.Errorf("env %v lacks the webhook settings", env)
	}
}

const webhookHead = `openapi: 3.1.0
info: {title: t, version: "1"}
`

func TestBuildWebhookWarnings(t *testing.T) {
	t.Parallel()
	svc, d := buildYAML(t, webhookHead+`paths:
  /jobs:
    post:
      operationId: startJob
      responses: {'202': {description: ok}}
      callbacks:
        done:
          '{$request.body#/doneUrl}':
            post:
              requestBody:
                content:
                  application/json:
                    schema: {type: string, pattern: '^[a-z]+$'}
              responses: {'200': {description: ok}}
        empty: {}
webhooks:
  xmlOnly:
    post:
      requestBody:
        content:
          application/xml:
            schema: {type: object}
      responses: {'200': {description: ok}}
  form:
    post:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: sid, in: cookie, schema: {type: string}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {a: {type: string}}}
      responses: {'200': {description: ok}}
  nothing:
    summary: no operation
`)
	wants := map[string]string{ // pointer -> a part of the warning
		"/webhooks/xmlOnly/post/requestBody/content/application~1xml":                "the application/xml body is sent as raw bytes",
		"/webhooks/form/post/requestBody/content/application~1x-www-form-urlencoded": "bkgen types JSON bodies only",
		"/webhooks/form/post/parameters/0":                                           `the path parameter "id" is not sent`,
		"/webhooks/form/post/parameters/1":                                           `the cookie parameter "sid" is not sent`,
		"/webhooks/nothing":                                                          "declares no operation",
		"/paths/~1jobs/post/callbacks/empty":                                         `callback "empty" of startJob declares no request`,
		"/paths/~1jobs/post/callbacks/done/{$request.body#~1doneUrl}/post/requestBody/content/application~1json": "its pattern applies to no generated type",
	}
	for pointer, text := range wants {
		if !slices.ContainsFunc(d, func(g diag.Diagnostic) bool {
			return g.Severity == diag.Warning && g.Pointer == pointer && strings.Contains(g.Summary, text) && g.Pos.IsValid()
		}) {
			t.Errorf("no warning at %s saying %q in:\n%v", pointer, text, d)
		}
	}
	// What cannot be typed is still sent, as raw bytes.
	for _, name := range []string{"XMLOnly", "Form", "Done"} {
		if w := webhookNamed(t, svc, name); !w.RawBody() || w.Request.Body.Schema != nil {
			t.Errorf("%s: body %+v, want a raw body", name, w.Request.Body)
		}
	}
	if w := webhookNamed(t, svc, "Form"); w.HasParams() {
		t.Errorf("form keeps %+v, want no parameters", w.Request.Params)
	}
}

func TestBuildWebhookNames(t *testing.T) {
	t.Parallel()
	svc, _ := buildYAML(t, webhookHead+`paths:
  /a:
    post:
      operationId: createA
      responses: {'201': {description: ok}}
      callbacks:
        event:
          '{$request.body#/one}':
            post:
              responses: {'200': {description: ok}}
          '{$request.body#/two}':
            post:
              responses: {'200': {description: ok}}
        ping:
          '{$request.body#/url}':
            post:
              responses: {'200': {description: ok}}
webhooks:
  ping:
    post:
      responses: {'200': {description: ok}}
  status:
    put:
      responses: {'200': {description: ok}}
    post:
      operationId: statusPosted
      responses: {'200': {description: ok}}
    delete:
      responses: {'200': {description: ok}}
  order.shipped:
    post:
      responses: {'200': {description: ok}}
components:
  schemas:
    WebhookSender: {type: object, properties: {a: {type: string}}}
`)
	var got []string
	for _, w := range svc.Webhooks {
		got = append(got, w.GoName)
	}
	want := []string{"OrderShipped", "Ping", "StatusPut", "StatusPosted", "StatusDelete", "Event1", "Event2", "CreateAPing"}
	if !slices.Equal(got, want) {
		t.Errorf("names:\n got %q\nwant %q", got, want)
	}
	// The generated sender's own names are reserved when the spec sends webhooks.
	if slices.ContainsFunc(svc.Types, func(ty *ir.Type) bool { return ty.Name == "WebhookSender" }) {
		t.Error("the schema WebhookSender keeps a name the webhooks file declares")
	}
	typeNamed(t, svc, "WebhookSender2")
}

func TestBuildWithoutWebhooks(t *testing.T) {
	t.Parallel()
	svc, _ := buildYAML(t, webhookHead+`paths:
  /a:
    get:
      responses: {'200': {description: ok}}
components:
  schemas:
    WebhookSender: {type: object, properties: {a: {type: string}}}
`)
	if svc.HasWebhooks() {
		t.Errorf("webhooks %+v", svc.Webhooks)
	}
	typeNamed(t, svc, "WebhookSender")
	for _, e := range svc.Env {
		if strings.HasPrefix(e.Name, "WEBHOOK_") {
			t.Errorf("env has %s without webhooks", e.Name)
		}
	}
}

func TestPlanWebhookFiles(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Database = "none"
	for spec, want := range map[string]bool{"webhooks.yaml": true, "constructs.yaml": false} {
		p, _, _, err := Generate(context.Background(), "../testdata/specs/"+spec, cfg)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		for _, f := range []string{"internal/api/webhooks_gen.go", "internal/api/webhooks_gen_test.go"} {
			has := slices.ContainsFunc(p.Files, func(x write.File) bool { return x.Path == f })
			if has != want {
				t.Errorf("%s: %s in the plan = %t, want %t", spec, f, has, want)
			}
		}
	}
}
