package generator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
)

const securitySpec = `openapi: 3.0.3
info: {title: secured, version: "1"}
security:
  - bearer: []
  - key: []
paths:
  /open:
    get:
      security: []
      responses: {'200': {description: ok}}
  /both:
    post:
      security:
        - key: []
          tenant: []
        - oauth: [notes.write, notes.read]
      responses: {'200': {description: ok}}
  /default:
    get:
      responses: {'200': {description: ok}}
  /optional:
    get:
      security:
        - {}
        - bearer: []
      responses: {'200': {description: ok}}
  /digest:
    get:
      security:
        - digest: []
      responses: {'200': {description: ok}}
  /ghost:
    get:
      security:
        - ghost: []
        - bearer: []
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-API-Key}
    tenant: {type: apiKey, in: cookie, name: tenant}
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {notes.read: read, notes.write: write}
    digest: {type: http, scheme: digest}
    unused: {type: http, scheme: basic}
`

// requirementsOf renders an operation's security as "a+b[scope] | c".
func requirementsOf(op *ir.Operation) string {
	var sets []string
	for _, req := range op.Security {
		var uses []string
		for _, u := range req {
			s := u.Scheme.Name + "(" + string(u.Scheme.Kind) + ")"
			if len(u.Scopes) > 0 {
				s += fmt.Sprint(u.Scopes)
			}
			uses = append(uses, s)
		}
		sets = append(sets, strings.Join(uses, "+"))
	}
	return strings.Join(sets, " | ")
}

func TestSecurityRequirementsAsTheSpecWritesThem(t *testing.T) {
	t.Parallel()
	svc, d := buildYAML(t, securitySpec)
	want := map[string]string{
		"/open":     "",
		"/both":     "key(api-key)+tenant(session) | oauth(oauth2)[notes.write notes.read]",
		"/default":  "bearer(jwt) | key(api-key)",
		"/digest":   "digest(unsupported)",
		"/optional": " | bearer(jwt)",
		"/ghost":    "ghost(unsupported) | bearer(jwt)",
	}
	for _, op := range svc.Operations {
		if got := requirementsOf(op); got != want[op.Path] {
			t.Errorf("%s: %q, want %q", op.Path, got, want[op.Path])
		}
	}
	byPath := func(p string) *ir.Operation {
		for _, op := range svc.Operations {
			if op.Path == p {
				return op
			}
		}
		t.Fatalf("no operation %s", p)
		return nil
	}
	if byPath("/open").Protected() || !byPath("/default").Protected() {
		t.Error("security: [] must make an operation public, and the document's security protect the others")
	}
	if opt := byPath("/optional"); opt.Protected() || !opt.Authenticated() {
		t.Error("an empty requirement beside another must make credentials optional but checked")
	}
	if byPath("/digest").Satisfiable() != nil {
		t.Error("a requirement naming an unsupported scheme can be met")
	}
	if got := byPath("/ghost").Satisfiable(); len(got) != 1 || got[0].Scheme.Name != "bearer" {
		t.Errorf("ghost: satisfiable %v, want the bearer requirement", got)
	}
	if got := fmt.Sprint(svc.Scopes()); got != "[notes.read notes.write]" {
		t.Errorf("scopes %s", got)
	}
	var names []string
	for _, sc := range svc.SecuritySchemes {
		names = append(names, sc.Name)
	}
	if got := strings.Join(names, ","); got != "bearer,digest,ghost,key,oauth,tenant" {
		t.Errorf("schemes in use %s; the unused one must be left out", got)
	}
	msgs := fmt.Sprint(d)
	for _, w := range []string{
		`/components/securitySchemes/digest`, `"digest" (http digest) is not supported`,
		`/paths/~1ghost/get/security/0/ghost`, `names "ghost", which components.securitySchemes does not declare`,
	} {
		if !strings.Contains(msgs, w) {
			t.Errorf("diagnostics lack %q:\n%s", w, msgs)
		}
	}
	var env []string
	for _, e := range svc.Env {
		env = append(env, e.Name)
	}
	for _, name := range []string{"JWT_ALG", "JWT_SECRET", "API_KEYS_FILE"} {
		if !strings.Contains(strings.Join(env, " "), name) {
			t.Errorf("env table lacks %s: %v", name, env)
		}
	}
}

func TestAuthMethodOfTheConfig(t *testing.T) {
	t.Parallel()
	const bare = `openapi: 3.0.3
info: {title: bare, version: "1"}
paths:
  /a:
    get:
      responses: {'200': {description: ok}}
  /health:
    get:
      security: []
      responses: {'200': {description: ok}}
`
	for _, c := range []struct {
		method, spec, want, warning string
	}{
		{"jwt", bare, "jwt(jwt)", ""},
		{"api-key", bare, "api-key(api-key)", ""},
		{"basic", bare, "basic(basic)", ""},
		{"oauth2", bare, "oauth2(oauth2)", ""},
		{"session", bare, "session(session)", "no login operation"},
		{"auto", bare, "", ""},
		{"none", securitySpec, "", "auth: none: the spec's security requirements are not enforced"},
		{"basic", securitySpec, "bearer(jwt) | key(api-key)", "auth: basic applies only to specs that declare no security schemes"},
	} {
		t.Run(c.method, func(t *testing.T) {
			t.Parallel()
			svc, d := buildYAML(t, c.spec, func(cfg *config.Config) { cfg.Auth = c.method })
			for _, op := range svc.Operations {
				want := c.want
				if op.Path == "/health" || op.Path == "/open" {
					want = ""
				} else if op.Path != "/a" && op.Path != "/default" {
					continue
				}
				if got := requirementsOf(op); got != want {
					t.Errorf("%s: %q, want %q", op.Path, got, want)
				}
			}
			if c.warning != "" && !strings.Contains(fmt.Sprint(d), c.warning) {
				t.Errorf("diagnostics lack %q:\n%s", c.warning, d)
			}
		})
	}
}
