package generator

import (
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/ir"
)

// security reads the security schemes and requirements (auth: auto), or
// applies one method to every operation of a spec that declares none
// (auth: jwt, oauth2, session, api-key, basic). It returns the requirements of an
// operation from its own security, or the document's.
type security struct {
	b       *builder
	method  string
	schemes map[string]*ir.SecurityScheme
	// fallback is the scheme auth: <method> applies when the spec declares none.
	fallback *ir.SecurityScheme
	used     map[*ir.SecurityScheme]bool
	warned   map[string]bool
}

func (b *builder) newSecurity(method string) *security {
	s := &security{b: b, method: method, schemes: make(map[string]*ir.SecurityScheme), used: make(map[*ir.SecurityScheme]bool), warned: make(map[string]bool)}
	declared := b.doc.Components != nil && len(b.doc.Components.SecuritySchemes) > 0
	switch {
	case method == "none":
		if declared {
			b.diags.Warnf(b.pos("/components/securitySchemes"), "/components/securitySchemes", "auth: none: the spec's security requirements are not enforced; every operation is public")
		}
		return s
	case method != "auto" && method != "" && declared:
		b.diags.Warnf(b.pos("/components/securitySchemes"), "/components/securitySchemes", "auth: %s applies only to specs that declare no security schemes; this one declares its own, and they are enforced as written", method)
	case method != "auto" && method != "":
		s.fallback = fallbackScheme(method)
		return s
	}
	if !declared {
		return s
	}
	for _, name := range sortedKeys(b.doc.Components.SecuritySchemes) {
		ref := b.doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		pointer := "/components/securitySchemes/" + ir.EscapePointer(name)
		sc := &ir.SecurityScheme{Name: name, Pointer: pointer, Pos: b.pos(pointer)}
		s.classify(sc, ref.Value)
		s.schemes[name] = sc
	}
	return s
}

// fallbackScheme is the scheme auth: <method> puts on every operation.
func fallbackScheme(method string) *ir.SecurityScheme {
	sc := &ir.SecurityScheme{Name: method}
	switch method {
	case "jwt":
		sc.Kind, sc.Type = ir.SchemeJWT, "http bearer"
	case "oauth2":
		sc.Kind, sc.Type = ir.SchemeOAuth2, "oauth2"
	case "api-key":
		sc.Kind, sc.Type, sc.In, sc.Param = ir.SchemeAPIKey, "apiKey", "header", "X-API-Key"
	case "basic":
		sc.Kind, sc.Type = ir.SchemeBasic, "http basic"
	case "session":
		sc.Kind, sc.Type, sc.In, sc.Param = ir.SchemeSession, "apiKey", "cookie", "session"
	default:
		sc.Kind, sc.Type = ir.SchemeUnsupported, method
	}
	return sc
}

// classify decides how the service checks a scheme, and warns of those it cannot.
func (s *security) classify(sc *ir.SecurityScheme, v *openapi3.SecurityScheme) {
	sc.Type = v.Type
	switch strings.ToLower(v.Type) {
	case "http":
		sc.Type += " " + strings.ToLower(v.Scheme)
		switch strings.ToLower(v.Scheme) {
		case "bearer":
			sc.Kind = ir.SchemeJWT
		case "basic":
			sc.Kind = ir.SchemeBasic
		}
	case "oauth2", "openidconnect":
		sc.Kind = ir.SchemeOAuth2
	case "apikey":
		switch v.In {
		case "header", "query":
			sc.Kind, sc.In, sc.Param = ir.SchemeAPIKey, v.In, v.Name
		case "cookie":
			// A credential in a cookie is what a browser session is.
			sc.Kind, sc.In, sc.Param = ir.SchemeSession, v.In, v.Name
		}
	}
	if sc.Kind == "" {
		sc.Kind = ir.SchemeUnsupported
		s.b.diags.Warnf(sc.Pos, sc.Pointer, "security scheme %q (%s) is not supported: operations that require it answer 401 to every request; bkgen checks http bearer and basic, oauth2, openIdConnect, apiKey in a header or query, and cookie sessions (apiKey in a cookie)", sc.Name, sc.Type)
	}
}

// requirements are an operation's security: its own when it has any
// (security: [] makes it public), else the document's.
func (s *security) requirements(op *openapi3.Operation, pointer string) []ir.SecurityRequirement {
	if s.method == "none" {
		return nil
	}
	if s.fallback != nil {
		if op.Security != nil && len(*op.Security) == 0 {
			return nil
		}
		s.used[s.fallback] = true
		return []ir.SecurityRequirement{{{Scheme: s.fallback}}}
	}
	reqs := s.b.doc.Security
	at := "/security"
	if op.Security != nil {
		reqs, at = *op.Security, pointer+"/security"
	}
	var out []ir.SecurityRequirement
	for i, req := range reqs {
		set := ir.SecurityRequirement{}
		for _, name := range sortedKeys(req) {
			sc := s.schemes[name]
			if sc == nil {
				p := at + "/" + strconv.Itoa(i) + "/" + ir.EscapePointer(name)
				if !s.warned[p] {
					s.warned[p] = true
					s.b.diags.Warnf(s.b.pos(p), p, "security requirement names %q, which components.securitySchemes does not declare: no credential can meet it", name)
				}
				sc = &ir.SecurityScheme{Name: name, Kind: ir.SchemeUnsupported, Type: "undeclared", Pointer: p, Pos: s.b.pos(p)}
				s.schemes[name] = sc
			}
			s.used[sc] = true
			set = append(set, ir.SchemeUse{Scheme: sc, Scopes: slices.Clone(req[name])})
		}
		out = append(out, set)
	}
	return out
}

// finish records the schemes the operations use, in name order.
func (s *security) finish(svc *ir.Service) {
	for sc := range s.used {
		svc.SecuritySchemes = append(svc.SecuritySchemes, sc)
	}
	slices.SortFunc(svc.SecuritySchemes, func(a, b *ir.SecurityScheme) int { return strings.Compare(a.Name, b.Name) })
}

// authEnv are the runtime settings of the schemes the service checks.
func authEnv(svc *ir.Service) []ir.EnvVar {
	if !svc.HasAuth() {
		return nil
	}
	var env []ir.EnvVar
	if svc.UsesTokens() {
		env = append(env,
			ir.EnvVar{Name: "JWT_ALG", Default: "RS256", Description: "the one signing algorithm accepted (RS256, ES256, EdDSA; HS256 only with JWT_SECRET); never read from the token"},
			ir.EnvVar{Name: "JWT_JWKS_URL", Description: "JWKS endpoint of the token issuer (keys cached and refreshed)"},
			ir.EnvVar{Name: "JWT_PUBLIC_KEY_FILE", Description: "PEM public key checking token signatures", File: true},
			ir.EnvVar{Name: "JWT_SECRET", Description: "HS256 key, at least 32 bytes", Secret: true},
			ir.EnvVar{Name: "JWT_ISSUER", Description: "required iss claim"},
			ir.EnvVar{Name: "JWT_AUDIENCE", Description: "required aud claim"},
		)
	}
	if svc.UsesScheme(ir.SchemeOAuth2) {
		env = append(env,
			ir.EnvVar{Name: "OIDC_ISSUER_URL", Description: "OpenID issuer: its discovery document names the token keys (and the introspection endpoint)"},
			ir.EnvVar{Name: "OAUTH2_INTROSPECTION_URL", Description: "RFC 7662 endpoint checking opaque access tokens"},
			ir.EnvVar{Name: "OAUTH2_CLIENT_ID", Description: "the service's client id at the introspection endpoint"},
			ir.EnvVar{Name: "OAUTH2_CLIENT_SECRET", Description: "the service's client secret at the introspection endpoint", Secret: true},
		)
	}
	if svc.UsesScheme(ir.SchemeAPIKey) && !svc.KeysInDatabase() {
		env = append(env, ir.EnvVar{Name: "API_KEYS_FILE", Default: "api-keys.json", Description: "the hashed API keys `keys create` writes", File: true})
	}
	if svc.UsesScheme(ir.SchemeSession) {
		env = append(env,
			ir.EnvVar{Name: "SESSION_SECRET", Description: "at least 32 bytes keying session ids and CSRF tokens; required", Secret: true, Required: true},
			ir.EnvVar{Name: "SESSION_TTL", Default: "12h", Description: "how long a session lasts after login"},
		)
	}
	switch {
	case svc.UsesScheme(ir.SchemeBasic) && svc.UsesScheme(ir.SchemeSession):
		env = append(env, ir.EnvVar{Name: "BASIC_AUTH_FILE", Description: "user:hash[:scopes] lines (bcrypt or argon2id): the users of basic auth and of login", File: true})
	case svc.UsesScheme(ir.SchemeBasic):
		env = append(env, ir.EnvVar{Name: "BASIC_AUTH_FILE", Description: "user:hash[:scopes] lines (bcrypt or argon2id) for basic auth", File: true})
	case svc.UsesScheme(ir.SchemeSession):
		env = append(env, ir.EnvVar{Name: "BASIC_AUTH_FILE", Description: "user:hash[:scopes] lines (bcrypt or argon2id): the users login accepts", File: true})
	}
	return env
}
