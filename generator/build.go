package generator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
)

// builder turns a loaded document and a config into an ir.Service.
type builder struct {
	doc       *openapi3.T
	pos       func(pointer string) diag.Pos
	diags     diag.List
	svc       *ir.Service
	byValue   map[*openapi3.Schema]*ir.Type
	compNames map[*openapi3.Schema]string
	typeNames *ir.Namer
	types     []*ir.Type
	// unenforced records the schema pointers already warned of for keywords bkgen does not check.
	unenforced map[string]bool
	// warned records the (pointer, message) pairs already warned of by warnOnce.
	warned   map[string]bool
	security *security
}

// reservedTypeNames are the names the generated api package declares itself.
var reservedTypeNames = []string{
	"Services", "Options", "NewRouter", "BasePath", "Spec", "SpecContentType",
	"InputError", "InputProblem", "StatusError", "NewStatusError", "ErrNotImplemented", "OperationSecurity",
}

// buildService builds the IR. pos maps a JSON pointer of the spec to its place.
func buildService(doc *openapi3.T, cfg *config.Config, specFile string, pos func(string) diag.Pos) (*ir.Service, diag.List) {
	b := &builder{
		doc:        doc,
		pos:        pos,
		byValue:    make(map[*openapi3.Schema]*ir.Type),
		unenforced: make(map[string]bool),
		warned:     make(map[string]bool),
		compNames:  make(map[*openapi3.Schema]string),
		typeNames:  ir.NewNamer(reservedNames(doc)...),
	}
	title := ""
	version := ""
	desc := ""
	if doc.Info != nil {
		title, version, desc = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	name := ir.Slug(title)
	if title == "" {
		name = "service"
	}
	b.svc = &ir.Service{
		Name:         name,
		Cmd:          name,
		MetricPrefix: strings.ReplaceAll(name, "-", "_"),
		Title:        oneLine(title),
		Version:      version,
		Description:  desc,
		Module:       cfg.Module,
		SpecFile:     specFile,
		Coverage:     cfg.Coverage,
	}
	if b.svc.Module == "" {
		b.svc.Module = "example.com/" + name
	}
	b.checkNames()
	if cfg.BasePath != nil {
		b.svc.BasePath = strings.TrimRight(*cfg.BasePath, "/")
	} else {
		b.svc.BasePath = serverBasePath(doc)
	}
	// Components first, so a component keeps its own name wherever it is used.
	if doc.Components != nil {
		for _, name := range sortedKeys(doc.Components.Schemas) {
			if ref := doc.Components.Schemas[name]; ref != nil && ref.Value != nil {
				if _, dup := b.compNames[ref.Value]; !dup {
					b.compNames[ref.Value] = b.typeNames.Take(ir.GoName(name))
				}
			}
		}
		built := make(map[string]bool)
		for _, name := range sortedKeys(doc.Components.Schemas) {
			b.buildComponent(name, built)
		}
	}
	b.security = b.newSecurity(cfg.Auth)
	if doc.Paths != nil {
		b.buildOperations()
	}
	b.security.finish(b.svc)
	b.sessionOps()
	b.svc.Database = cfg.Database
	if b.svc.Database == "" {
		b.svc.Database = "none"
	}
	if b.svc.Database == "postgres" || b.svc.Database == "sqlite" || b.svc.Database == "mysql" {
		b.buildResources()
	}
	b.buildWebhooks()
	b.svc.Env = runtimeEnv(b.svc)
	b.finish()
	return b.svc, b.diags
}

// buildComponent builds a component schema, after the components its allOf
// extends: the inline types of a base schema are named after the base.
func (b *builder) buildComponent(name string, built map[string]bool) {
	if built[name] {
		return
	}
	built[name] = true
	ref := b.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return
	}
	for _, m := range ref.Value.AllOf {
		if m != nil && strings.HasPrefix(m.Ref, "#/components/schemas/") {
			b.buildComponent(strings.TrimPrefix(m.Ref, "#/components/schemas/"), built)
		}
	}
	b.schemaUse(&openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: ref.Value}, ir.GoName(name), "/components/schemas/"+ir.EscapePointer(name))
}

// warnOnce adds a warning at pointer, unless the same one was added before
// (a schema is built once but may be stored by several tables).
func (b *builder) warnOnce(pointer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if b.warned[pointer+"\x00"+msg] {
		return
	}
	b.warned[pointer+"\x00"+msg] = true
	b.diags.Warnf(b.pos(pointer), pointer, "%s", msg)
}

// finish orders the types and decides which fields are pointers.
func (b *builder) finish() {
	b.svc.Types = slices.Clone(b.types)
	slices.SortFunc(b.svc.Types, func(x, y *ir.Type) int { return strings.Compare(x.Name, y.Name) })
	for _, t := range b.svc.Types {
		for _, f := range t.Fields {
			f.Ptr = pointerField(f)
		}
	}
	markSecrets(b.svc.Types)
	// A struct that holds itself by value (through required fields) cannot be
	// declared in Go: break every such cycle with a pointer.
	for _, t := range b.svc.Types {
		for _, f := range t.Fields {
			if !f.Ptr && f.Schema.IsStruct() && reaches(f.Schema.Named, t, map[*ir.Type]bool{}) {
				f.Ptr = true
			}
		}
	}
}

// markSecrets sets Type.Secret on every type whose values can hold a
// sensitive field, through members, items and variants: repeated until
// nothing changes, as types may refer to each other in cycles.
func markSecrets(types []*ir.Type) {
	for changed := true; changed; {
		changed = false
		for _, t := range types {
			if t.Secret {
				continue
			}
			secret := t.Elem.HoldsSecret() || t.Additional.HoldsSecret()
			for _, f := range t.Fields {
				secret = secret || f.Sensitive || f.Schema.HoldsSecret()
			}
			for _, v := range t.Variants {
				secret = secret || v.Schema.HoldsSecret()
			}
			if secret {
				t.Secret, changed = true, true
			}
		}
	}
}

func pointerField(f *ir.Field) bool {
	switch f.Schema.Kind {
	case ir.KindAny, ir.KindSlice, ir.KindMap, ir.KindBytes:
		return false
	case ir.KindNamed:
		if k := f.Schema.Named.Kind; k == ir.TypeSlice || k == ir.TypeMap {
			return false
		}
	}
	return !f.Required || f.Nullable
}

// reaches reports whether from holds target by value, directly or through other structs.
func reaches(from, target *ir.Type, seen map[*ir.Type]bool) bool {
	if from == target {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, f := range from.Fields {
		if !f.Ptr && f.Schema.IsStruct() && reaches(f.Schema.Named, target, seen) {
			return true
		}
	}
	return false
}

// serverBasePath is the path of servers[0].url with variables at their defaults.
func serverBasePath(doc *openapi3.T) string {
	if len(doc.Servers) == 0 || doc.Servers[0] == nil {
		return ""
	}
	s := doc.Servers[0]
	raw := s.URL
	for name, v := range s.Variables {
		if v != nil {
			raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	if strings.ContainsAny(p, "{}") || !strings.HasPrefix(p, "/") {
		return ""
	}
	return p
}

// runtimeEnv is the runtime configuration of DESIGN.md that this service
// reads: the table every deploy file and doc renders from.
func runtimeEnv(svc *ir.Service) []ir.EnvVar {
	env := envTable(svc)
	env = append(env, authEnv(svc)...)
	return append(env, webhookEnv(svc)...)
}

// envTable is the runtime configuration every service reads, and its
// database's.
func envTable(svc *ir.Service) []ir.EnvVar {
	env := []ir.EnvVar{
		{Name: "PORT", Default: "8080", Description: "API listener port"},
		{Name: "HOST", Default: "0.0.0.0", Description: "API and admin listener address"},
		{Name: "ADMIN_PORT", Default: "9090", Description: "admin listener port: /metrics, /healthz, /readyz"},
		{Name: "LOG_LEVEL", Default: "info", Description: "debug, info, warn or error"},
		{Name: "LOG_FORMAT", Default: "json", Description: "json or text"},
		{Name: "REQUEST_TIMEOUT", Default: "30s", Description: "per-request deadline"},
		{Name: "SHUTDOWN_TIMEOUT", Default: "20s", Description: "time to drain in-flight requests on shutdown"},
		{Name: "BODY_LIMIT", Default: "1MiB", Description: "request body cap (413 above it)"},
		{Name: "MAX_IN_FLIGHT", Default: "0", Description: "concurrent request cap, 503 above it; 0 disables"},
		{Name: "RATE_LIMIT", Default: "50", Description: "requests per second per client, 429 above it; 0 disables"},
		{Name: "RATE_BURST", Default: "100", Description: "requests a client may send at once before RATE_LIMIT applies"},
		{Name: "REDIS_URL", Description: "redis:// URL; rate limits are shared by the replicas through it (else kept per replica)", Secret: true},
		{Name: "TRUSTED_PROXIES", Description: "comma-separated proxy networks whose X-Forwarded-For names the client"},
		{Name: "CORS_ALLOWED_ORIGINS", Description: "comma-separated origins; CORS is off when unset"},
		{Name: "CORS_ALLOW_CREDENTIALS", Default: "false", Description: "let browsers send credentials cross-origin (not with *)"},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Description: "OTLP/HTTP endpoint of the trace collector; no traces are exported when unset"},
		{Name: "OTEL_SERVICE_NAME", Default: svc.Name, Description: "service.name of the traces"},
		{Name: "VALIDATE_RESPONSES", Default: "off", Description: "off, log or strict: check responses against the spec"},
	}
	if svc.HasIdempotency() {
		env = append(env, ir.EnvVar{Name: "IDEMPOTENCY_TTL", Default: "24h", Description: "how long a response is kept for a repeated Idempotency-Key (in Redis with REDIS_URL, else per replica)"})
	}
	switch {
	case svc.HasDatabase() && svc.Database == "sqlite":
		env = append(env, ir.EnvVar{Name: "DATABASE_URL", Default: "file:data/" + svc.Name + ".db", Description: "the SQLite database file, file:path.db"})
	case svc.HasDatabase():
		env = append(env, ir.EnvVar{Name: "DATABASE_URL", Description: "database connection URL (required)", Secret: true, Required: true})
	}
	if svc.HasDatabase() {
		env = append(env,
			ir.EnvVar{Name: "MIGRATE", Default: "off", Description: "auto applies the migrations at start-up; otherwise run `migrate up`"},
			ir.EnvVar{Name: "DB_MAX_CONNS", Default: "0", Description: "connection pool size; 0 is 4 per CPU"},
			ir.EnvVar{Name: "DB_STATEMENT_TIMEOUT", Default: "10s", Description: "per-statement timeout"},
		)
	}
	return env
}
