package generator

import (
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// Names (lower case, without '-' and '_') that mark login and logout paths
// and the members of their bodies.
var (
	loginSegments    = []string{"login", "signin", "logon", "session", "sessions"}
	logoutSegments   = []string{"logout", "signout", "logoff"}
	userMembers      = []string{"username", "user", "login", "email", "name", "userid", "account"}
	passwordMembers  = []string{"password", "passwd", "pass", "passphrase"}
	subjectMembers   = []string{"username", "user", "login", "subject", "sub", "name", "email", "userid", "id", "account"}
	scopesMembers    = []string{"scopes", "roles", "permissions", "scope"}
	expiresMembers   = []string{"expires", "expiresat", "expiry", "expiration", "validuntil"}
	csrfMemberMarker = "csrf"
)

// sessionOps finds the login and logout operations of a service with a
// session scheme, whose generated defaults start and end sessions: a POST
// to …/login (signin, session, sessions) with a user name and password in
// its body, and a POST to …/logout (signout) or a DELETE of …/session(s).
// Under auth: session a login is public, whatever the fallback puts on it.
// A service with sessions and no login gets a warning: its sessions can
// only be started by code of the owner's (auth.StartSession).
func (b *builder) sessionOps() {
	sc := b.svc.SessionScheme()
	if sc == nil {
		return
	}
	login := false
	for _, op := range b.svc.Operations {
		seg := normName(lastSegment(strings.TrimSuffix(op.Path, "/")))
		switch {
		case op.Method == "POST" && slices.Contains(loginSegments, seg) && op.Body != nil:
			so := b.loginOp(op)
			if so == nil {
				continue
			}
			op.Session, login = so, true
			if b.security.fallback != nil {
				op.Security = nil
			}
		case (op.Method == "POST" || op.Method == "DELETE") && slices.Contains(logoutSegments, seg),
			op.Method == "DELETE" && (seg == "session" || seg == "sessions"):
			if r := op.Success(); r != nil && r.IsJSON() && r.MediaType != "" && !fillable(r, nil) {
				op.Kept501 = "a logout whose success response has required members bkgen cannot fill (end the session with auth.EndSession in your override)"
				b.diags.Warnf(op.Pos, op.Pointer, "%s looks like a logout, but its success response has required members bkgen cannot fill: it keeps its 501 default (end the session with auth.EndSession in your override)", op.ID)
				continue
			}
			op.Session = &ir.SessionOp{Logout: true}
		}
	}
	if !login {
		b.diags.Warnf(sc.Pos, sc.Pointer, "session scheme %q: no login operation (a POST to …/login or …/sessions with a user name and password in its body), so sessions are started only by your code (auth.StartSession) or the `session` command", sc.Name)
	}
}

// loginOp reads the credentials and the response members of a login, nil
// (with a warning) when they do not fit.
func (b *builder) loginOp(op *ir.Operation) *ir.SessionOp {
	body := op.Body.Schema
	if (op.Body.Kind != ir.BodyJSON && op.Body.Kind != ir.BodyForm) || !body.IsStruct() {
		return nil
	}
	so := &ir.SessionOp{}
	for _, f := range body.Named.Fields {
		name := normName(f.Name)
		switch {
		case f.Schema.Kind != ir.KindString:
		case so.Password == nil && (slices.Contains(passwordMembers, name) || f.Schema.Format == "password"):
			so.Password = f
		case so.User == nil && slices.Contains(userMembers, name):
			so.User = f
		}
	}
	if so.User == nil || so.Password == nil {
		op.Kept501 = "a login whose body has no user name and password members"
		b.diags.Warnf(op.Pos, op.Pointer, "%s looks like a login, but its body has no user name and password members (such as username and password): it keeps its 501 default", op.ID)
		return nil
	}
	r := op.Success()
	if r == nil || (r.MediaType != "" && (!r.IsJSON() || !fillable(r, so))) {
		op.Kept501 = "a login whose success response bkgen cannot build from a session (start the session with auth.Login in your override)"
		b.diags.Warnf(op.Pos, op.Pointer, "%s looks like a login, but bkgen cannot build its success response from a session (a body with required members other than the subject, scopes, CSRF token and expiry): it keeps its 501 default (start the session with auth.Login in your override)", op.ID)
		return nil
	}
	return so
}

// fillable reports whether the success response's body can be built from a
// session: no body, or a struct each of whose required members is one a
// session fills. It records those members in so, when so is not nil.
func fillable(r *ir.Response, so *ir.SessionOp) bool {
	if r.Schema == nil || !r.Schema.IsStruct() {
		return false
	}
	if so == nil {
		so = &ir.SessionOp{}
	}
	ok := true
	for _, f := range r.Schema.Named.Fields {
		name := normName(f.Name)
		k := f.Schema.Kind
		switch {
		case so.CSRF == nil && k == ir.KindString && strings.Contains(name, csrfMemberMarker):
			so.CSRF = f
		case so.Scopes == nil && slices.Contains(scopesMembers, name) && (k == ir.KindString || k == ir.KindSlice && f.Schema.Elem.Kind == ir.KindString):
			so.Scopes = f
		case so.Expires == nil && k == ir.KindTime && slices.Contains(expiresMembers, name):
			so.Expires = f
		case so.Subject == nil && k == ir.KindString && f.Schema.Format == "" && slices.Contains(subjectMembers, name):
			so.Subject = f
		case f.Required:
			ok = false
		}
	}
	return ok
}

// normName is a name in lower case without '-' and '_', for matching.
func normName(s string) string {
	return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s))
}
