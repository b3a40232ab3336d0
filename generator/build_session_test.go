package generator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
)

const sessionSpec = `openapi: 3.1.0
info: {title: sessions, version: "1"}
security:
  - sid: []
paths:
  /sessions:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email, password]
              properties:
                email: {type: string}
                password: {type: string}
                remember: {type: boolean}
      responses:
        '201':
          description: logged in
          content:
            application/json:
              schema:
                type: object
                required: [user]
                properties:
                  user: {type: string}
                  scope: {type: string}
                  csrf_token: {type: string}
                  expires_at: {type: string, format: date-time}
                  note: {type: string}
    delete:
      responses: {'204': {description: logged out}}
  /sessions/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: a session
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
  /signin:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {username: {type: string}}}
      responses: {'204': {description: signed in}}
  /login:
    post:
      security: []
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {user: {type: string}, pass: {type: string}}}
      responses:
        '200':
          description: a token is required, which a session has not
          content:
            application/json:
              schema: {type: object, required: [token], properties: {token: {type: string}}}
  /auth/logout:
    post:
      responses:
        '200':
          description: logged out
          content:
            application/json:
              schema: {type: object, required: [goodbye], properties: {goodbye: {type: string}}}
components:
  securitySchemes:
    sid: {type: apiKey, in: cookie, name: sid}
`

// sessionRole describes what sessionOps made of an operation.
func sessionRole(op *ir.Operation) string {
	so := op.Session
	name := func(f *ir.Field) string {
		if f == nil {
			return "-"
		}
		return f.Name
	}
	switch {
	case so == nil:
		return ""
	case so.Logout:
		return "logout"
	}
	return fmt.Sprintf("login user=%s password=%s subject=%s scopes=%s csrf=%s expires=%s",
		name(so.User), name(so.Password), name(so.Subject), name(so.Scopes), name(so.CSRF), name(so.Expires))
}

func TestSessionOperations(t *testing.T) {
	t.Parallel()
	svc, d := buildYAML(t, sessionSpec, func(cfg *config.Config) { cfg.Database = "postgres" })
	want := map[string]string{
		"POST /sessions":     "login user=email password=password subject=user scopes=scope csrf=csrf_token expires=expires_at",
		"DELETE /sessions":   "logout",
		"GET /sessions/{id}": "",
		"POST /signin":       "",
		"POST /login":        "",
		"POST /auth/logout":  "",
	}
	for _, op := range svc.Operations {
		key := op.Method + " " + op.Path
		if got := sessionRole(op); got != want[key] {
			t.Errorf("%s: %q, want %q", key, got, want[key])
		}
		if op.Session != nil && op.Resource != nil {
			t.Errorf("%s is both a session operation and %s's %s", key, op.Resource.Name, op.CRUD)
		}
	}
	if sc := svc.SessionScheme(); sc == nil || sc.Kind != ir.SchemeSession || sc.Param != "sid" {
		t.Errorf("session scheme %+v", sc)
	}
	if svc.Login() == nil || svc.Login().Path != "/sessions" {
		t.Errorf("Login() = %v", svc.Login())
	}
	for _, w := range []string{
		"#/paths/~1signin/post: post signin looks like a login, but its body has no user name and password members",
		"#/paths/~1login/post: post login looks like a login, but bkgen cannot build its success response",
		"#/paths/~1auth~1logout/post: post auth logout looks like a logout, but its success response has required members",
	} {
		if !strings.Contains(fmt.Sprint(d), w) {
			t.Errorf("diagnostics lack %q:\n%s", w, d)
		}
	}
	for _, name := range []string{"SESSION_SECRET", "SESSION_TTL", "BASIC_AUTH_FILE"} {
		found := false
		for _, e := range svc.Env {
			found = found || e.Name == name
		}
		if !found {
			t.Errorf("the env table lacks %s", name)
		}
	}
}

// TestSessionFallbackLoginIsPublic checks that auth: session protects every
// operation but the login, which could not be reached otherwise.
func TestSessionFallbackLoginIsPublic(t *testing.T) {
	t.Parallel()
	const spec = `openapi: 3.0.3
info: {title: bare, version: "1"}
paths:
  /login:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {username: {type: string}, password: {type: string, format: password}}}
      responses: {'204': {description: ok}}
  /logout:
    post:
      responses: {'204': {description: ok}}
  /things:
    get:
      responses: {'200': {description: ok}}
`
	svc, d := buildYAML(t, spec, func(cfg *config.Config) { cfg.Auth = "session" })
	want := map[string]string{"/login": "", "/logout": "session(session)", "/things": "session(session)"}
	for _, op := range svc.Operations {
		if got := requirementsOf(op); got != want[op.Path] {
			t.Errorf("%s: %q, want %q", op.Path, got, want[op.Path])
		}
	}
	if strings.Contains(fmt.Sprint(d), "no login operation") {
		t.Errorf("warned of a missing login:\n%s", d)
	}
	if svc.SessionsInDatabase() {
		t.Error("sessions in a database the service does not have")
	}
}
