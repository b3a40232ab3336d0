package ir

import (
	"slices"

	"github.com/bkgen/bkgen/generator/diag"
)

// SchemeKind is how the generated service checks one security scheme.
type SchemeKind string

const (
	// SchemeJWT is an http bearer scheme: a signed JWT checked with the
	// configured key (JWT_* variables).
	SchemeJWT SchemeKind = "jwt"
	// SchemeOAuth2 is an oauth2 or openIdConnect scheme: the service is a
	// resource server taking JWT access tokens, and the spec's scopes are
	// enforced per operation.
	SchemeOAuth2 SchemeKind = "oauth2"
	// SchemeAPIKey is an apiKey scheme: a key in a header, query parameter
	// or cookie, kept hashed in the key store.
	SchemeAPIKey SchemeKind = "api-key"
	// SchemeBasic is an http basic scheme: users in BASIC_AUTH_FILE.
	SchemeBasic SchemeKind = "basic"
	// SchemeSession is an apiKey scheme in a cookie (or auth: session): a
	// server-side session the login operation starts, with a CSRF token
	// required on unsafe methods.
	SchemeSession SchemeKind = "session"
	// SchemeUnsupported is a scheme bkgen cannot check (http digest,
	// mutualTLS): a requirement naming it is never met.
	SchemeUnsupported SchemeKind = "unsupported"
)

// SecurityScheme is one entry of components.securitySchemes the operations use.
type SecurityScheme struct {
	Name string // the key in components.securitySchemes
	Kind SchemeKind
	// In and Param say where an api key travels: header, query or cookie,
	// and its name; for a session, the cookie.
	In, Param string
	// Type is the spec's type (and http scheme), for messages and docs: "http bearer", "apiKey".
	Type    string
	Pointer string
	Pos     diag.Pos
}

// SchemeUse is one scheme of a security requirement with the scopes it needs.
type SchemeUse struct {
	Scheme *SecurityScheme
	Scopes []string
}

// SecurityRequirement is one requirement object of the spec: every scheme in
// it must be met (AND).
type SecurityRequirement []SchemeUse

// Protected reports whether a request needs a credential: the operation has
// requirements and none of them is empty (an empty one allows anonymous access).
func (o *Operation) Protected() bool {
	for _, req := range o.Security {
		if len(req) == 0 {
			return false
		}
	}
	return len(o.Security) > 0
}

// Authenticated reports whether the operation checks credentials: it has a
// requirement naming a scheme. With an empty requirement beside it (optional
// auth) a request without a credential is served anonymously, and one with a
// bad credential is 401.
func (o *Operation) Authenticated() bool {
	for _, req := range o.Security {
		if len(req) > 0 {
			return true
		}
	}
	return false
}

// Satisfiable is the first requirement of a protected operation whose every
// scheme bkgen can check, nil when there is none.
func (o *Operation) Satisfiable() SecurityRequirement {
	for _, req := range o.Security {
		ok := len(req) > 0
		for _, u := range req {
			ok = ok && u.Scheme.Kind != SchemeUnsupported
		}
		if ok {
			return req
		}
	}
	return nil
}

// Scopes lists the scopes a protected operation names, for tests of 403.
func (o *Operation) Scopes() []string {
	var out []string
	for _, u := range o.Satisfiable() {
		out = append(out, u.Scopes...)
	}
	return out
}

// HasAuth reports whether any operation checks credentials.
func (s *Service) HasAuth() bool {
	for _, op := range s.Operations {
		if op.Authenticated() {
			return true
		}
	}
	return false
}

// UsesScheme reports whether an operation needs a scheme of the kind.
func (s *Service) UsesScheme(kind SchemeKind) bool {
	if !s.HasAuth() {
		return false
	}
	for _, sc := range s.SecuritySchemes {
		if sc.Kind == kind {
			return true
		}
	}
	return false
}

// Scopes lists every scope the operations require, sorted.
func (s *Service) Scopes() []string {
	seen := make(map[string]bool)
	var out []string
	for _, op := range s.Operations {
		for _, req := range op.Security {
			for _, u := range req {
				for _, sc := range u.Scopes {
					if !seen[sc] {
						seen[sc] = true
						out = append(out, sc)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// KeysInDatabase reports whether API keys live in the service's database
// (else in API_KEYS_FILE).
func (s *Service) KeysInDatabase() bool {
	return s.UsesScheme(SchemeAPIKey) && s.HasDatabase()
}

// SessionsInDatabase reports whether sessions live in the service's
// database (else in the memory of the serving process).
func (s *Service) SessionsInDatabase() bool {
	return s.UsesScheme(SchemeSession) && s.HasDatabase()
}

// SessionScheme is the session scheme whose cookie login sets, nil when the
// service has none.
func (s *Service) SessionScheme() *SecurityScheme {
	if !s.HasAuth() {
		return nil
	}
	for _, sc := range s.SecuritySchemes {
		if sc.Kind == SchemeSession {
			return sc
		}
	}
	return nil
}

// SessionOp is a login or logout operation, whose generated default starts
// or ends a session.
type SessionOp struct {
	Logout bool
	// User and Password are the login body's members with the credentials.
	User, Password *Field
	// The login response's members filled from the new session, nil when
	// the response has none of the kind.
	Subject, Scopes, CSRF, Expires *Field
}

// UsesTokens reports whether an operation needs a bearer token the JWT_*
// settings check: an http bearer, oauth2 or openIdConnect scheme.
func (s *Service) UsesTokens() bool {
	return s.UsesScheme(SchemeJWT) || s.UsesScheme(SchemeOAuth2)
}

// HasSessionOps reports whether a login or logout of the group starts or
// ends sessions.
func (g *Group) HasSessionOps() bool {
	for _, op := range g.Operations {
		if op.Session != nil {
			return true
		}
	}
	return false
}

// Login is the first login operation whose default starts sessions, nil
// when there is none.
func (s *Service) Login() *Operation {
	for _, op := range s.Operations {
		if op.Session != nil && !op.Session.Logout {
			return op
		}
	}
	return nil
}
