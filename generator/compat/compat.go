// Package compat lists the API changes between two versions of a service's
// spec, as built into [ir.Service] values, and marks those that break
// existing clients. bkgen regen prints the list before it writes anything.
//
// A change is judged from the point of view of a client written against the
// OLD spec: a request it sends must still be accepted, a response it receives
// must still decode and keep what it relied on. Changes to a schema are
// therefore judged by the direction the schema travels in: a field removed
// from a request is harmless, one removed from a response breaks readers.
// A component schema is compared once, at "components.schemas.<Name>", in
// the directions the old spec's operations use it; inline schemas are
// compared where they are used ("POST /pets body: name").
//
// # Kinds
//
// Each [Change] has a stable Kind. Breaking ones are marked (B); (B req) and
// (B resp) break only when the schema is used in requests or responses.
//
// Operations and servers:
//   - operation-removed (B): a method and path are gone; calls get 404/405.
//   - operation-added: a new method and path.
//   - operation-renamed: same method and path, new operationId; Go method
//     names change, HTTP does not. Recorded in [Report.Operations].
//   - base-path-changed (B): the server's base path moved; every call misses.
//
// Parameters (sent by the client):
//   - required-param-added (B): a new required parameter.
//   - param-now-required (B): an optional parameter became required.
//   - param-added: a new optional parameter.
//   - param-removed: the server no longer reads it; a client sending it is unaffected.
//   - param-now-optional: a required parameter became optional.
//   - param-style-changed (B): an array or object parameter is serialized differently.
//
// Request bodies:
//   - required-body-added (B): an operation without a body now requires one.
//   - body-now-required (B): an optional body became required.
//   - body-added: a new optional body.
//   - body-removed: the operation no longer reads a body.
//   - media-type-removed (B): a request content type is refused (415).
//   - media-type-added: a new accepted request content type.
//
// Responses:
//   - response-removed (B): a documented status (2xx, an error, a range or
//     default) is gone: clients handling it can no longer rely on it.
//   - response-added: a new documented status.
//   - response-body-removed (B): a response no longer has a body.
//   - response-body-added: a response gained a body.
//   - response-media-type-changed (B): a response body has another content type.
//
// Schemas (fields, parameters, bodies, items):
//   - required-field-added (B req): a new required field; outside requests
//     (or readOnly) the same change is a field-added.
//   - field-added: a new optional field, or a required one only responses carry.
//   - field-now-required (B req): an optional field became required.
//   - field-now-optional (B resp): a required field became optional.
//   - field-removed (B resp; B req when the object is closed by
//     additionalProperties: false, which refuses the old field).
//   - type-narrowed (B req): fewer values are valid: number→integer,
//     int64→int32, any→typed, a string format added, maxLength/maxItems
//     lowered, minLength/minItems/minimum raised, maximum lowered, pattern
//     added or changed, multipleOf, const or uniqueItems added, nullable
//     removed, a union variant removed, a map became an object.
//   - type-widened: more values are valid. (B resp) when a client's decoder
//     may not hold the new values: integer→number, int32→int64, a string
//     format removed, nullable added, a union variant added, typed→any, an
//     object became a map. Loosened constraints (lengths, bounds, pattern
//     removed) do not break: clients do not validate what they receive.
//   - type-changed (B): the type changed in a way that is neither
//     (string→integer, a format replaced by another, a const changed, a
//     union's discriminator changed).
//   - enum-narrowed (B req): enum values removed, or a plain value became an enum.
//   - enum-widened: enum values added, or an enum became a plain value.
//     Not breaking in responses either, by the common rule that clients must
//     tolerate unknown enum values; the Summary says so, as it is notable.
//   - default-changed: a request value's default changed: a client omitting
//     it gets another behaviour, but its requests stay valid.
//   - schema-added, schema-removed: a component schema no other one matches;
//     its uses are compared where they are.
//   - schema-renamed: a component schema with a new name and the same shape
//     (the same properties with the same types) where exactly one candidate
//     matches each way. Recorded in [Report.Schemas].
//
// Security:
//   - auth-added (B): a public operation now requires a credential.
//   - auth-removed: a protected operation became public.
//   - auth-changed (B): some way of authenticating the old spec accepted
//     (a scheme, or a combination of schemes) is no longer accepted.
//   - scope-added (B): the same schemes now need more scopes.
//   - auth-relaxed: requirements changed and every old one still suffices
//     (an alternative added, a scope dropped).
//   - security-scheme-changed (B): a scheme of the same name is checked
//     differently (bearer→api key, an api key moved from header to query).
package compat

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// Change is one difference between two versions of a spec.
type Change struct {
	// Breaking is set when a client written against the old spec may fail.
	Breaking bool `json:"breaking"`
	// Kind is a stable slug naming the sort of change (see the package doc).
	Kind string `json:"kind"`
	// Where names the place a person recognises: "GET /pets/{id}",
	// "GET /pets/{id} response 200", "POST /pets body: name",
	// "components.schemas.Pet.tag".
	Where string `json:"where"`
	// Summary is one sentence: what changed and, for a breaking change, why
	// a client breaks.
	Summary string `json:"summary"`
}

// Report is the result of [Compare].
type Report struct {
	// Changes are sorted: breaking first, then by Where.
	Changes []Change
	// Operations maps an old operationId to the new one, for operations
	// with the same method and path and a new operationId.
	Operations map[string]string
	// Schemas maps an old schema's type name to the new one, for component
	// schemas renamed with the same shape, where exactly one candidate matched.
	Schemas map[string]string
}

// Breaking returns the breaking changes, in report order.
func (r *Report) Breaking() []Change {
	if r == nil {
		return nil
	}
	var out []Change
	for _, c := range r.Changes {
		if c.Breaking {
			out = append(out, c)
		}
	}
	return out
}

// Compare lists the changes from old to new. A nil service counts as one
// with no operations and no schemas. Neither service is modified.
func Compare(old, new *ir.Service) *Report {
	if old == nil {
		old = &ir.Service{}
	}
	if new == nil {
		new = &ir.Service{}
	}
	c := newComparer(old, new)
	c.run()
	return c.report()
}

// dir is the set of directions a schema travels in.
type dir uint8

const (
	inRequest dir = 1 << iota
	inResponse
)

// comparer holds the state of one Compare call.
type comparer struct {
	old, new *ir.Service
	changes  []Change
	// ops are the operations present in both, old first.
	ops            [][2]*ir.Operation
	removed, added []*ir.Operation
	renamedOps     map[string]string
	// oldComps and newComps are the component schemas by spec name; pair
	// maps an old component type to its counterpart (same name or renamed).
	oldComps, newComps map[string]*ir.Type
	pair               map[*ir.Type]*ir.Type
	renamedSchemas     map[string]string
	// dirs are the directions the old spec's surviving operations use each
	// old type in.
	dirs map[*ir.Type]dir
	// active guards the structural comparison of unpaired types against
	// recursion; done keeps it from repeating at one place.
	active map[[2]*ir.Type]bool
	done   map[doneKey]bool
}

// doneKey identifies one structural comparison.
type doneKey struct {
	o, n  *ir.Type
	where string
	d     dir
}

func newComparer(old, new *ir.Service) *comparer {
	return &comparer{
		old: old, new: new,
		renamedOps:     make(map[string]string),
		oldComps:       components(old),
		newComps:       components(new),
		pair:           make(map[*ir.Type]*ir.Type),
		renamedSchemas: make(map[string]string),
		dirs:           make(map[*ir.Type]dir),
		active:         make(map[[2]*ir.Type]bool),
		done:           make(map[doneKey]bool),
	}
}

// run makes every comparison. Pairs (operations, then schemas) come first:
// directions and renames decide how the differences are judged.
func (c *comparer) run() {
	c.matchOperations()
	c.matchSchemas()
	for _, p := range c.ops {
		c.markOperation(p[0])
	}
	c.basePath()
	for _, op := range c.removed {
		c.add("operation-removed", true, opWhere(op),
			fmt.Sprintf("Operation %s was removed: clients calling it get 404 or 405.", opName(op)))
	}
	for _, op := range c.added {
		c.add("operation-added", false, opWhere(op), fmt.Sprintf("Operation %s was added.", opName(op)))
	}
	for _, p := range c.ops {
		c.operation(p[0], p[1])
	}
	c.compareComponents()
	c.securitySchemes()
}

// report sorts and deduplicates the changes into a Report.
func (c *comparer) report() *Report {
	slices.SortFunc(c.changes, func(a, b Change) int {
		if a.Breaking != b.Breaking {
			if a.Breaking {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Where, b.Where), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Summary, b.Summary))
	})
	return &Report{
		Changes:    slices.Compact(c.changes),
		Operations: c.renamedOps,
		Schemas:    c.renamedSchemas,
	}
}

// add records a change.
func (c *comparer) add(kind string, breaking bool, where, summary string) {
	c.changes = append(c.changes, Change{Breaking: breaking, Kind: kind, Where: where, Summary: summary})
}

// basePath reports a moved base path, which every route of the old spec misses.
func (c *comparer) basePath() {
	if c.old.BasePath == c.new.BasePath || len(c.ops) == 0 {
		return
	}
	c.add("base-path-changed", true, "servers", fmt.Sprintf("The base path changed from %q to %q: every call a client makes misses the routes.", c.old.BasePath, c.new.BasePath))
}

// matchOperations pairs operations by method and path as written, then the
// rest by method and path with parameter names ignored (renaming a path
// parameter changes no URL), when that pairs exactly one of each.
func (c *comparer) matchOperations() {
	byKey := make(map[string]*ir.Operation)
	for _, op := range c.new.Operations {
		byKey[op.Method+" "+op.SpecPath] = op
	}
	taken := make(map[*ir.Operation]bool)
	var rest []*ir.Operation
	for _, op := range c.old.Operations {
		if n := byKey[op.Method+" "+op.SpecPath]; n != nil && !taken[n] {
			taken[n] = true
			c.ops = append(c.ops, [2]*ir.Operation{op, n})
			continue
		}
		rest = append(rest, op)
	}
	oldByShape := make(map[string][]*ir.Operation)
	for _, op := range rest {
		k := shapeKey(op)
		oldByShape[k] = append(oldByShape[k], op)
	}
	newByShape := make(map[string][]*ir.Operation)
	for _, op := range c.new.Operations {
		if !taken[op] {
			k := shapeKey(op)
			newByShape[k] = append(newByShape[k], op)
		}
	}
	for _, op := range rest {
		k := shapeKey(op)
		if len(oldByShape[k]) == 1 && len(newByShape[k]) == 1 {
			n := newByShape[k][0]
			taken[n] = true
			c.ops = append(c.ops, [2]*ir.Operation{op, n})
			continue
		}
		c.removed = append(c.removed, op)
	}
	for _, op := range c.new.Operations {
		if !taken[op] {
			c.added = append(c.added, op)
		}
	}
	for _, p := range c.ops {
		if p[0].ID != p[1].ID {
			c.renamedOps[p[0].ID] = p[1].ID
		}
	}
}

// pathParamRE matches a path parameter: "{petId}".
var pathParamRE = regexp.MustCompile(`\{([^{}]*)\}`)

// shapeKey is an operation's method and path with its parameters unnamed:
// "GET /pets/{}".
func shapeKey(op *ir.Operation) string {
	return op.Method + " " + pathParamRE.ReplaceAllString(op.SpecPath, "{}")
}

// opWhere names an operation as a person reads it: "GET /pets/{id}".
func opWhere(op *ir.Operation) string { return op.Method + " " + op.SpecPath }

// opName is the operationId, or the method and path when the spec gives none.
func opName(op *ir.Operation) string {
	if op.ID == "" {
		return opWhere(op)
	}
	return op.ID
}

// operation compares two versions of one operation.
func (c *comparer) operation(o, n *ir.Operation) {
	if o.ID != n.ID {
		c.add("operation-renamed", false, opWhere(o), fmt.Sprintf(
			"The operationId changed from %q to %q (Go method %s becomes %s); HTTP clients are unaffected.", o.ID, n.ID, o.GoName, n.GoName))
	}
	c.params(o, n)
	c.body(o, n)
	c.responses(o, n)
	c.security(o, n)
}

// paramKey identifies a parameter across versions: a path parameter by its
// position in the path (its name is not on the wire), a header by its
// case-insensitive name, others by location and name.
func paramKey(op *ir.Operation, p *ir.Param) string {
	switch p.In {
	case "path":
		for i, m := range pathParamRE.FindAllStringSubmatch(op.Path, -1) {
			if m[1] == p.Name {
				return fmt.Sprintf("path#%d", i)
			}
		}
		return "path:" + p.Name
	case "header":
		return "header:" + strings.ToLower(p.Name)
	}
	return p.In + ":" + p.Name
}

// params compares an operation's parameters, which clients send.
func (c *comparer) params(o, n *ir.Operation) {
	newParams := make(map[string]*ir.Param)
	for _, p := range n.Params {
		newParams[paramKey(n, p)] = p
	}
	seen := make(map[string]bool)
	for _, op := range o.Params {
		k := paramKey(o, op)
		seen[k] = true
		at := place{head: opWhere(o) + " " + op.In, path: op.Name}
		np := newParams[k]
		if np == nil {
			c.add("param-removed", false, at.String(), fmt.Sprintf("The %s parameter %q was removed; the server no longer reads it, so clients sending it are unaffected.", op.In, op.Name))
			continue
		}
		c.param(op, np, at)
	}
	for _, np := range n.Params {
		if seen[paramKey(n, np)] {
			continue
		}
		at := place{head: opWhere(o) + " " + np.In, path: np.Name}
		if np.Required {
			c.add("required-param-added", true, at.String(), fmt.Sprintf("A required %s parameter %q was added: requests from clients that do not send it are refused with 400.", np.In, np.Name))
		} else {
			c.add("param-added", false, at.String(), fmt.Sprintf("An optional %s parameter %q was added.", np.In, np.Name))
		}
	}
}

// param compares one parameter present in both versions.
func (c *comparer) param(o, n *ir.Param, at place) {
	switch {
	case !o.Required && n.Required:
		c.add("param-now-required", true, at.String(), fmt.Sprintf("The %s parameter %q became required: requests from clients that omit it are refused with 400.", o.In, o.Name))
	case o.Required && !n.Required:
		c.add("param-now-optional", false, at.String(), fmt.Sprintf("The %s parameter %q became optional.", o.In, o.Name))
	}
	if (o.Style != n.Style || o.Explode != n.Explode) && structured(o.Schema) {
		c.add("param-style-changed", true, at.String(), fmt.Sprintf(
			"The %s parameter %q is serialized as style %s (explode %t) instead of %s (explode %t): clients encode it the old way and the server misreads it.",
			o.In, o.Name, n.Style, n.Explode, o.Style, o.Explode))
	}
	c.schema(o.Schema, n.Schema, at, inRequest)
}

// structured reports whether a parameter's serialization depends on its
// style: an array or an object.
func structured(s *ir.Schema) bool {
	if s == nil {
		return false
	}
	switch s.Kind {
	case ir.KindSlice, ir.KindMap:
		return true
	case ir.KindNamed:
		return s.Named.Kind != ir.TypeEnum
	}
	return false
}

// body compares an operation's request body.
func (c *comparer) body(o, n *ir.Operation) {
	at := place{head: opWhere(o) + " body"}
	switch {
	case o.Body == nil && n.Body == nil:
		return
	case o.Body == nil && n.Body.Required:
		c.add("required-body-added", true, at.String(), "A required request body was added: requests from clients that send none are refused with 400.")
		return
	case o.Body == nil:
		c.add("body-added", false, at.String(), "An optional request body was added.")
		return
	case n.Body == nil:
		c.add("body-removed", false, at.String(), "The request body was removed; the server no longer reads it.")
		return
	}
	if !o.Body.Required && n.Body.Required {
		c.add("body-now-required", true, at.String(), "The request body became required: requests from clients that send none are refused with 400.")
	}
	for _, mt := range o.Body.MediaTypes {
		if !accepts(n.Body.MediaTypes, mt) {
			c.add("media-type-removed", true, at.String(), fmt.Sprintf("The request content type %s is no longer accepted: clients sending it get 415.", mt))
		}
	}
	for _, mt := range n.Body.MediaTypes {
		if !slices.Contains(o.Body.MediaTypes, mt) {
			c.add("media-type-added", false, at.String(), fmt.Sprintf("The request content type %s is now accepted.", mt))
		}
	}
	c.schema(o.Body.Schema, n.Body.Schema, at, inRequest)
}

// accepts reports whether a body accepting the media types takes mt: one
// of them is mt, or a wildcard covering it ("*/*", "application/*").
func accepts(types []string, mt string) bool {
	major, _, _ := strings.Cut(mt, "/")
	for _, t := range types {
		if strings.EqualFold(t, mt) || t == "*/*" || strings.EqualFold(t, major+"/*") {
			return true
		}
	}
	return false
}

// responses compares an operation's documented responses.
func (c *comparer) responses(o, n *ir.Operation) {
	newResp := make(map[string]*ir.Response)
	for _, r := range n.Responses {
		newResp[strings.ToLower(r.StatusKey)] = r
	}
	seen := make(map[string]bool)
	for _, or := range o.Responses {
		k := strings.ToLower(or.StatusKey)
		seen[k] = true
		at := place{head: opWhere(o) + " response " + or.StatusKey}
		nr := newResp[k]
		if nr == nil {
			c.add("response-removed", true, at.String(), fmt.Sprintf("Response %s was removed: clients that handle it can no longer rely on it or on its body.", or.StatusKey))
			continue
		}
		c.response(or, nr, at)
	}
	for _, nr := range n.Responses {
		if !seen[strings.ToLower(nr.StatusKey)] {
			c.add("response-added", false, place{head: opWhere(o) + " response " + nr.StatusKey}.String(), fmt.Sprintf("Response %s was added.", nr.StatusKey))
		}
	}
}

// response compares one response present in both versions.
func (c *comparer) response(o, n *ir.Response, at place) {
	switch {
	case o.MediaType != "" && n.MediaType == "":
		c.add("response-body-removed", true, at.String(), fmt.Sprintf("The body (%s) was removed: clients reading it get nothing.", o.MediaType))
		return
	case o.MediaType == "" && n.MediaType != "":
		c.add("response-body-added", false, at.String(), fmt.Sprintf("A body (%s) was added.", n.MediaType))
		return
	case o.MediaType != n.MediaType:
		c.add("response-media-type-changed", true, at.String(), fmt.Sprintf("The body's content type changed from %s to %s: clients expecting the old one may not decode it.", o.MediaType, n.MediaType))
	}
	c.schema(o.Schema, n.Schema, at, inResponse)
}

// place is where a change is, built up while descending into a schema: a
// head ("POST /pets body", "components.schemas.Pet") and a dotted path
// inside it ("owner.name").
type place struct {
	head, path string
	// component joins head and path with "." rather than ": ".
	component bool
}

// String renders the place: "POST /pets body: owner.name", "components.schemas.Pet.tag".
func (p place) String() string {
	switch {
	case p.path == "":
		return p.head
	case p.component:
		return p.head + "." + p.path
	}
	return p.head + ": " + p.path
}

// child is the place of a member: a field, "(Variant)" or "*" (a map value).
func (p place) child(name string) place {
	if p.path != "" {
		name = p.path + "." + name
	}
	p.path = name
	return p
}

// items is the place of an array's items: "tags[]".
func (p place) items() place {
	p.path += "[]"
	return p
}
