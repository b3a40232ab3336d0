// Package ir is bkgen's stack-neutral model of a service: the types, operations
// and settings the blueprints render. It is pure data built by package
// generator from the spec and the config; it does no I/O and knows nothing of
// OpenAPI's document structure, only what the generated code needs.
package ir

import (
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/diag"
)

// Service is the whole model of one generated service.
type Service struct {
	// Name is the service's slug ("swagger-petstore"): the repo, binary and
	// metric names derive from it.
	Name string
	// Cmd is the folder under cmd/ and the binary name (equals Name).
	Cmd          string
	MetricPrefix string // Name in snake case, for Prometheus
	Title        string
	Version      string
	Description  string
	Module       string
	// BasePath is where API routes are mounted ("" for the root, else "/v2").
	BasePath string
	// SpecFile is the repo's copy of the spec under api/ ("openapi.yaml" or "openapi.json").
	SpecFile string
	// EmbeddedSpec is the generated copy of the spec embedded in package api.
	EmbeddedSpec string
	// SpecRoute is where the API serves the spec ("/openapi.yaml").
	SpecRoute       string
	SpecContentType string
	Coverage        int

	Types  []*Type
	Groups []*Group
	// Resources are the collections backed by tables (empty with database: none).
	Resources []*Resource
	// Database is the engine: postgres, mysql, sqlite, or none.
	Database   string
	Operations []*Operation
	// Webhooks are the requests the service sends: the spec's webhooks and
	// its operations' callbacks. They are not routes: none is in Operations.
	Webhooks []*Webhook
	// SecuritySchemes are the schemes the operations' requirements name,
	// in the order of components.securitySchemes.
	SecuritySchemes []*SecurityScheme
	Env             []EnvVar
	// Deploy, SLOs and Alerts are what the deploy, CI and monitoring files
	// render from.
	Deploy Deploy
	SLOs   []*SLO
	Alerts []*Alert
}

// EnvVar is one row of the runtime configuration table (DESIGN.md); deploy
// manifests and docs render from it.
type EnvVar struct {
	Name        string
	Default     string
	Description string
	// Secret marks a value deploy files reference (a Kubernetes Secret, an
	// env file only the service reads) and never write.
	Secret bool
	// File marks a variable holding the path of a file the deploy provides
	// (mounted from a Secret in Kubernetes): keys, users.
	File bool
	// Required marks a variable the service refuses to start without.
	Required bool
}

// Group is a set of operations served by one service interface; one
// internal/service file pair per group.
type Group struct {
	Name       string // Go name: "Pets"
	File       string // file stem: "pets"
	Operations []*Operation
}

// Operation is one path + method.
type Operation struct {
	ID          string // operationId as written, or derived from method and path
	GoName      string // "ListPets"
	Method      string // "GET"
	Path        string // route path under BasePath, in OpenAPI syntax: "/pets/{petId}"
	SpecPath    string // the paths key as the spec writes it: Path, or Path and a "#…" suffix
	Route       Route
	Summary     string
	Description string
	Group       *Group
	Params      []*Param
	Body        *Body
	Responses   []*Response
	// Error is the response used for request errors (400/422), nil for the
	// default problem+json shape.
	Error *ErrorResponse
	// Unauthorized and Forbidden are the responses of a missing or bad
	// credential (401) and of a missing scope (403), nil for problem+json.
	Unauthorized, Forbidden *ErrorResponse
	// SkipCRUD is x-bkgen-skip on the operation: it keeps its 501 default.
	SkipCRUD bool
	// Resource and CRUD are set when the operation gets a working default.
	Resource *Resource
	CRUD     CRUD
	// Kept501 says why the builder left the operation at its 501 default
	// when it considered a working default for it; empty otherwise.
	Kept501 string
	// Session is set on a login or logout operation of the session scheme.
	Session *SessionOp
	// InvalidStatus is 400, or 422 when the operation declares 422 and not 400.
	InvalidStatus int
	// Shared lists, in the order they are tried, the operations sharing this
	// one's method and route pattern (paths that differ only in a parameter
	// name: /files/{FileId} and /files/{FolderId}); nil when the route is the
	// operation's alone. A request goes to the first whose path parameters
	// it satisfies, else to the last.
	Shared []*Operation
	// Unreachable is set when an operation tried earlier on the shared route
	// takes every request this one could.
	Unreachable bool
	// Security is the operation's requirements, any one of which a request
	// must meet (OR); nil when the operation is public.
	Security []SecurityRequirement
	Pointer  string
	Pos      diag.Pos
}

// IdempotencyKeyHeader is the request header (draft-ietf-httpapi-idempotency-key-header)
// that makes a retried POST or PATCH safe.
const IdempotencyKeyHeader = "Idempotency-Key"

// Idempotent reports whether the operation honours an Idempotency-Key: a
// POST or PATCH that declares the header. A request repeated with the same
// key gets the first one's response instead of running again.
func (o *Operation) Idempotent() bool {
	if o.Method != "POST" && o.Method != "PATCH" {
		return false
	}
	for _, p := range o.Params {
		if p.In == "header" && strings.EqualFold(p.Name, IdempotencyKeyHeader) {
			return true
		}
	}
	return false
}

// HasIdempotency reports whether an operation of the service honours an
// Idempotency-Key.
func (s *Service) HasIdempotency() bool {
	return slices.ContainsFunc(s.Operations, (*Operation).Idempotent)
}

// Alternatives are the reachable operations of a shared route, in the order
// they are tried.
func (o *Operation) Alternatives() []*Operation {
	var out []*Operation
	for _, op := range o.Shared {
		if !op.Unreachable {
			out = append(out, op)
		}
	}
	return out
}

// Matched reports whether requests on a shared route are matched against the
// operation's path parameters: it is tried, and not last.
func (o *Operation) Matched() bool {
	alts := o.Alternatives()
	return len(alts) > 1 && !o.Unreachable && alts[len(alts)-1] != o
}

// MatchParams are the parameters a request on a shared route is matched
// against: the path's, and the required others.
func (o *Operation) MatchParams() []*Param {
	var out []*Param
	for _, p := range o.Params {
		if p.In == "path" || p.Required {
			out = append(out, p)
		}
	}
	return out
}

// MatchesQuery reports whether MatchParams holds a query parameter.
func (o *Operation) MatchesQuery() bool {
	for _, p := range o.MatchParams() {
		if p.In == "query" {
			return true
		}
	}
	return false
}

// ServesRoute reports whether the operation registers its route: it is the
// route's only operation, or the first of those sharing it.
func (o *Operation) ServesRoute() bool { return len(o.Shared) == 0 || o.Shared[0] == o }

// Route is an operation's path as the router sees it.
type Route struct {
	// Pattern is the path with router-safe parameter names: "/pets/{petId}".
	Pattern string
	// Params maps each spec parameter name to its name in Pattern.
	Params map[string]string
}

// Param is a path, query, header or cookie parameter.
type Param struct {
	Name   string // as in the spec
	GoName string
	// RouteName is the name of a path parameter in Route.Pattern.
	RouteName string
	In        string // path | query | header | cookie
	Required  bool
	Explode   bool
	// Style is the serialization style the spec gives (or the default of
	// its location): form, simple, deepObject, ...
	Style   string
	Schema  *Schema
	Pointer string
}

// BodyKind says how a request or response body is encoded.
type BodyKind int

const (
	BodyJSON BodyKind = iota
	BodyForm
	BodyMultipart
	BodyBinary
	BodyText
)

// Body is an operation's request body.
type Body struct {
	Required bool
	Kind     BodyKind
	// MediaTypes lists the accepted content types of this kind; others answer 415.
	MediaTypes []string
	Schema     *Schema
	Pointer    string
}

// Response is one declared response.
type Response struct {
	Status    int    // 0 for default and ranges
	StatusKey string // "200", "4XX", "default" as in the spec
	GoName    string // "ListPets200Response"
	// MediaType is the content type written, "" when there is no body.
	MediaType   string
	Kind        BodyKind
	Schema      *Schema
	Description string
}

// ErrorResponse is a spec-declared error body that bkgen fills.
type ErrorResponse struct {
	Response *Response
	Type     *Type
	// Fields the generator fills: StatusFields get the HTTP status, MessageFields the text.
	StatusFields  []*Field
	MessageFields []*Field
}

// TypeKind is the kind of a named Go type.
type TypeKind int

const (
	TypeStruct TypeKind = iota
	TypeEnum
	TypeUnion
	TypeSlice
	TypeMap
)

// Type is a named Go type the spec defines (a component schema, or an inline
// object, enum or union given a derived name).
type Type struct {
	Name   string
	Kind   TypeKind
	Doc    string
	Fields []*Field // TypeStruct
	// Additional is the schema of additionalProperties on a struct, kept in a
	// map field; nil when extra properties are ignored.
	Additional *Schema
	// Closed is true when additionalProperties is false: unknown keys are rejected.
	Closed bool
	Elem   *Schema // TypeSlice, TypeMap
	// Enum: the base kind and values.
	Base   Kind
	Values []EnumValue
	// Union: the variants and how to tell them apart.
	Variants      []*Variant
	Discriminator string
	OneOf         bool
	Schema        *Schema // constraints of the type itself (slice bounds, ...)
	// Table is x-bkgen-table: the table storing this schema as a resource entity.
	Table string
	// Secret is true when a value of the type holds a sensitive field
	// ([Field.Sensitive]), directly or in a member: the type gets a LogValue
	// that keeps it out of logs.
	Secret  bool
	Pointer string
	Pos     diag.Pos
}

// EnumValue is one value of an enum.
type EnumValue struct {
	GoName string
	Value  any // string, int64 or float64
}

// Variant is one member of a oneOf/anyOf union.
type Variant struct {
	GoName string   // field name in the union struct
	Schema *Schema  // the variant's schema
	Tags   []string // discriminator values selecting it
}

// Field is a property of a struct.
type Field struct {
	Name      string // JSON name
	GoName    string
	Doc       string
	Required  bool
	Nullable  bool
	ReadOnly  bool
	WriteOnly bool
	// Sensitive marks a value that must never be logged: x-bkgen-sensitive,
	// writeOnly (passwords sent, never returned) or format: password.
	Sensitive bool
	// Store holds the x-bkgen-* settings of the property for its column.
	Store StoreExt
	// Ptr is true when the Go field is a pointer (optional or nullable
	// scalars and structs, and structs that would otherwise hold themselves).
	Ptr    bool
	Schema *Schema
}

// StoreExt are the x-bkgen-* extensions of a property (docs/extensions.md).
type StoreExt struct {
	Column string // x-bkgen-column: the column name
	Unique bool   // x-bkgen-unique: a unique constraint (409 on a duplicate)
	Index  bool   // x-bkgen-index: an index
	Skip   bool   // x-bkgen-skip: not stored
	Owner  bool   // x-bkgen-owner: the principal's subject, scoping reads and writes
}

// Kind is the Go shape of a schema use.
type Kind int

const (
	KindAny Kind = iota
	KindString
	KindInt32
	KindInt64
	KindFloat32
	KindFloat64
	KindBool
	KindTime  // date-time
	KindBytes // format: byte (base64)
	KindNamed // a named Type
	KindSlice
	KindMap
)

// Schema is a use of a type with the constraints the spec puts on it.
type Schema struct {
	Kind     Kind
	Named    *Type   // KindNamed
	Elem     *Schema // KindSlice, KindMap
	Nullable bool
	Format   string

	MinLength, MaxLength *int64
	Pattern              string
	Minimum, Maximum     *float64
	ExclusiveMin         bool
	ExclusiveMax         bool
	MultipleOf           *float64
	MinItems, MaxItems   *int64
	UniqueItems          bool
	MinProps, MaxProps   *int64
	// Const is the single allowed value, when the spec says const (or a one-value enum on a use).
	Const    any
	HasConst bool
	// Example is a value from the spec (example/examples/default), used to build test data.
	Example any
	Default any
	Pointer string
}

// HoldsSecret reports whether a value of s can hold a sensitive field: a
// named type marked Secret, or a list or map of values that can.
func (s *Schema) HoldsSecret() bool {
	switch {
	case s == nil:
		return false
	case s.Kind == KindNamed:
		return s.Named.Secret
	case s.Kind == KindSlice || s.Kind == KindMap:
		return s.Elem.HoldsSecret()
	}
	return false
}

// IsString reports whether s is a plain string (no format Go types apart).
func (s *Schema) IsString() bool {
	return s != nil && s.Kind == KindString
}

// IsStruct reports whether s is a named struct type.
func (s *Schema) IsStruct() bool {
	return s != nil && s.Kind == KindNamed && s.Named.Kind == TypeStruct
}

// HasSecrets reports whether a type of the service holds a sensitive field.
func (s *Service) HasSecrets() bool {
	for _, t := range s.Types {
		if t.Secret {
			return true
		}
	}
	return false
}

// IsStruct reports whether t is a struct.
func (t *Type) IsStruct() bool { return t.Kind == TypeStruct }

// IsEnum reports whether t is an enumeration.
func (t *Type) IsEnum() bool { return t.Kind == TypeEnum }

// IsUnion reports whether t is a oneOf/anyOf union.
func (t *Type) IsUnion() bool { return t.Kind == TypeUnion }

// IsSlice reports whether t is a named list.
func (t *Type) IsSlice() bool { return t.Kind == TypeSlice }

// IsMultipart reports whether the body is multipart/form-data.
func (b *Body) IsMultipart() bool { return b.Kind == BodyMultipart }

// IsJSON reports whether the response body is JSON.
func (r *Response) IsJSON() bool { return r.Kind == BodyJSON }

// HasQuery reports whether the operation reads query parameters.
func (o *Operation) HasQuery() bool {
	for _, p := range o.Params {
		if p.In == "query" {
			return true
		}
	}
	return false
}

// Success is the first 2xx response, or nil.
func (o *Operation) Success() *Response {
	for _, r := range o.Responses {
		if r.Status >= 200 && r.Status < 300 || r.StatusKey == "2XX" || r.StatusKey == "2xx" {
			return r
		}
	}
	return nil
}

// ListItem is the struct a list schema holds ([]T, or a named list of T), nil otherwise.
func (s *Schema) ListItem() *Type {
	switch {
	case s.Kind == KindSlice && s.Elem.IsStruct():
		return s.Elem.Named
	case s.Kind == KindNamed && s.Named.Kind == TypeSlice && s.Named.Elem.IsStruct():
		return s.Named.Elem.Named
	}
	return nil
}

// EscapePointer escapes a JSON pointer token ("a/b" → "a~1b").
func EscapePointer(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}
