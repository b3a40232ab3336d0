package generator

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/write"
)

// ExplainOptions configure Explain: the inputs of New that decide what it
// builds.
type ExplainOptions struct {
	SpecPath string
	Config   config.Config
	// Explicit lists the bkgen.yaml keys the user chose (see Options).
	Explicit []string
}

// Explanation is what New would build from a spec and a config, and why:
// the resources and their tables, the default of every operation, who may
// call it, and the files by owner. It is computed without rendering, so it
// is cheap enough to run on every edit of the spec.
type Explanation struct {
	Service  string `json:"service"`
	Title    string `json:"title"`
	Module   string `json:"module"`
	Stack    string `json:"stack"`
	Database string `json:"database"`
	// BasePath is where the API is mounted ("" for the root).
	BasePath string `json:"base_path,omitempty"`
	// BlueprintDefaults are the config keys the blueprint overlays set.
	BlueprintDefaults []string `json:"blueprint_defaults,omitempty"`
	// Schemes are the security schemes the operations use, and how the
	// service checks each.
	Schemes    []ExplainedScheme    `json:"security_schemes,omitempty"`
	Resources  []ExplainedResource  `json:"resources"`
	Operations []ExplainedOperation `json:"operations"`
	// Files are the files New writes, sorted by path, and Owners how many
	// each owner class has (DESIGN.md, "Output ownership").
	Files  []ExplainedFile     `json:"files"`
	Owners map[write.Owner]int `json:"owners"`
	Stats  Stats               `json:"stats"`
	// Diagnostics are the warnings New would print; Warnings the same,
	// formatted compiler-style for JSON.
	Diagnostics diag.List `json:"-"`
	Warnings    []string  `json:"warnings,omitempty"`
}

// ExplainedScheme is one security scheme and how it is checked.
type ExplainedScheme struct {
	Name string `json:"name"`
	// Type is the spec's type: "http bearer", "apiKey", "oauth2".
	Type string `json:"type"`
	// Method is how the generated service checks it: jwt, oauth2, api-key,
	// basic, session, unsupported.
	Method string `json:"method"`
}

// ExplainedResource is an entity stored in a table.
type ExplainedResource struct {
	Name string `json:"name"`
	// Collection and Item are the paths that made it a resource; Item is
	// empty for a collection without one.
	Collection string `json:"collection"`
	Item       string `json:"item,omitempty"`
	// Entity is the schema stored, and EntityFrom the response it was taken from.
	Entity     string `json:"entity"`
	EntityFrom string `json:"entity_from"`
	Table      string `json:"table"`
	TableFrom  string `json:"table_from"`
	PrimaryKey string `json:"primary_key"`
	// Parent is the table of the resource a nested collection belongs to.
	Parent     string             `json:"parent,omitempty"`
	Columns    []ExplainedColumn  `json:"columns"`
	Indexes    []string           `json:"indexes,omitempty"`
	Uniques    []string           `json:"uniques,omitempty"`
	Pagination string             `json:"pagination,omitempty"`
	Sort       string             `json:"sort,omitempty"`
	Filters    []string           `json:"filters,omitempty"`
	Operations map[ir.CRUD]string `json:"operations"`
}

// ExplainedColumn is one column and the rules that shaped it.
type ExplainedColumn struct {
	Name string `json:"name"`
	// Type is the dialect-neutral type, as DESIGN.md names them: text,
	// varchar(64), bigint, uuid, timestamptz, json…
	Type    string `json:"type"`
	NotNull bool   `json:"not_null"`
	// Property is the entity's property the column stores; empty for a key
	// bkgen adds (the parent's id, an id the entity lacks).
	Property string `json:"property,omitempty"`
	// Why lists the rules and x-bkgen-* extensions that decided the column.
	Why []string `json:"why"`
}

// ExplainedOperation is one operation of the spec and what its handler does.
type ExplainedOperation struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Default is what the generated code does before anyone edits it:
	// "crud" (a working default on a table), "session" (login or logout)
	// or "501" (left to its owners).
	Default string `json:"default"`
	// Resource and CRUD are set for a crud default.
	Resource string  `json:"resource,omitempty"`
	CRUD     ir.CRUD `json:"crud,omitempty"`
	// Why says why the operation gets its default.
	Why string `json:"why"`
	// Auth is "public", or the requirements a request must meet, any one
	// of them: "bearerAuth", "oauth2[read:pets] and apiKey".
	Auth []string `json:"auth"`
}

// ExplainedFile is one file New writes and its owner.
type ExplainedFile struct {
	Path  string      `json:"path"`
	Owner write.Owner `json:"owner"`
}

// Explain says what New would build from opts, without rendering or
// writing anything. Input problems come back as an error holding a
// diag.List, exactly as from New.
func Explain(ctx context.Context, opts ExplainOptions) (*Explanation, error) {
	m, applied, diags, err := loadModel(ctx, opts.SpecPath, opts.Config, opts.Explicit)
	if err != nil {
		return &Explanation{Diagnostics: diags}, err
	}
	svc := m.svc
	l, err := layoutOf(svc, m.stack, m.spec, m.overlays)
	if err != nil {
		return &Explanation{Diagnostics: diags}, err
	}
	e := &Explanation{
		Service: svc.Name, Title: svc.Title, Module: svc.Module,
		Stack: m.stack.Name, Database: svc.Database, BasePath: svc.BasePath,
		BlueprintDefaults: applied,
		Owners:            make(map[write.Owner]int),
		Stats:             statsOf(svc),
		Diagnostics:       diags,
	}
	for _, d := range diags {
		e.Warnings = append(e.Warnings, d.String())
	}
	for _, r := range svc.Resources {
		e.Resources = append(e.Resources, explainResource(r))
	}
	schemes := make(map[string]*ir.SecurityScheme)
	for _, op := range svc.Operations {
		e.Operations = append(e.Operations, explainOperation(op))
		for _, req := range op.Security {
			for _, use := range req {
				schemes[use.Scheme.Name] = use.Scheme
			}
		}
	}
	for _, name := range sortedKeys(schemes) {
		s := schemes[name]
		e.Schemes = append(e.Schemes, ExplainedScheme{Name: s.Name, Type: s.Type, Method: string(s.Kind)})
	}
	var files []write.File
	for _, j := range l.jobs {
		files = append(files, write.File{Path: j.out, Owner: j.owner})
	}
	if svc.HasDatabase() {
		files = append(files, sqlcOutputs(l.jobs)...)
	}
	files = append(files, fixedFiles(svc, &m.cfg, m.stack, nil, false)...)
	slices.SortFunc(files, func(a, b write.File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range files {
		e.Files = append(e.Files, ExplainedFile{Path: f.Path, Owner: f.Owner})
		e.Owners[f.Owner]++
	}
	return e, nil
}

// sqlcOutputs are the files sqlc writes into internal/store for the
// rendered jobs: its three shared files and one per queries file (see
// internal/sqlc and the sqlc.yaml template).
func sqlcOutputs(jobs []planJob) []write.File {
	files := []write.File{
		{Path: "internal/store/db.go", Owner: write.Generated},
		{Path: "internal/store/models.go", Owner: write.Generated},
		{Path: "internal/store/querier.go", Owner: write.Generated},
	}
	for _, j := range jobs {
		if strings.HasPrefix(j.out, "internal/store/") && strings.HasSuffix(j.out, ".sql") {
			files = append(files, write.File{Path: j.out + ".go", Owner: write.Generated})
		}
	}
	return files
}

func explainResource(r *ir.Resource) ExplainedResource {
	t := r.Table
	er := ExplainedResource{
		Name:       r.Name,
		Collection: resourcePath(r),
		Entity:     r.Entity.Name,
		EntityFrom: entityFrom(r),
		Table:      t.Name,
		TableFrom:  tableFrom(r),
		PrimaryKey: t.PrimaryKey,
		Operations: make(map[ir.CRUD]string, len(r.Ops)),
	}
	if op := r.Ops[ir.Get]; op != nil {
		er.Item = op.Path
	} else {
		for _, crud := range []ir.CRUD{ir.Update, ir.Replace, ir.Delete} {
			if op := r.Ops[crud]; op != nil {
				er.Item = op.Path
				break
			}
		}
	}
	if r.Parent != nil {
		er.Parent = r.Parent.Table.Name
	}
	for crud, op := range r.Ops {
		er.Operations[crud] = op.Method + " " + op.Path
	}
	for _, c := range t.Columns {
		er.Columns = append(er.Columns, explainColumn(r, c))
	}
	for _, ix := range t.Indexes {
		er.Indexes = append(er.Indexes, ix.Name+" ("+strings.Join(ix.Columns, ", ")+")")
	}
	for _, ix := range t.Uniques {
		er.Uniques = append(er.Uniques, ix.Name+" ("+strings.Join(ix.Columns, ", ")+")")
	}
	if p := r.Page; p.Limit != nil || p.Offset != nil {
		var params []string
		for _, q := range []*ir.Param{p.Limit, p.Offset} {
			if q != nil {
				params = append(params, q.Name)
			}
		}
		er.Pagination = fmt.Sprintf("%s by %s, at most %d a page", p.Style, strings.Join(params, "/"), p.MaxLimit)
	}
	if s := r.Sort; s != nil {
		var keys []string
		for _, k := range s.Keys {
			keys = append(keys, k.Value)
		}
		er.Sort = fmt.Sprintf("?%s=%s", s.Param.Name, strings.Join(keys, "|"))
	}
	for _, f := range r.Filters {
		in := ""
		if f.In {
			in = " (IN)"
		}
		er.Filters = append(er.Filters, fmt.Sprintf("?%s on %s%s", f.Param.Name, f.Column.Name, in))
	}
	return er
}

// entityFrom says which response gave the resource its entity, as entityOf
// chose it.
func entityFrom(r *ir.Resource) string {
	if op := r.Ops[ir.Get]; op != nil && successSchema(op).IsStruct() && successSchema(op).Named == r.Entity {
		return "the response of " + op.Method + " " + op.Path
	}
	if op := r.Ops[ir.List]; op != nil && listItemType(successSchema(op)) == r.Entity {
		return "the items of " + op.Method + " " + op.Path
	}
	if op := r.Ops[ir.Create]; op != nil {
		return "the response of " + op.Method + " " + op.Path
	}
	return "the responses of the resource's operations"
}

func tableFrom(r *ir.Resource) string {
	if r.Entity.Table != "" {
		if r.Entity.Table == r.Table.Name {
			return "x-bkgen-table on " + r.Entity.Name
		}
		return "x-bkgen-table on " + r.Entity.Name + " (" + r.Entity.Table + " was taken)"
	}
	seg := lastSegment(resourcePath(r))
	if want := tableName(ir.SnakeName(seg)); want != r.Table.Name {
		return fmt.Sprintf("the collection path's last segment %q in snake case (%s was taken)", seg, want)
	}
	return fmt.Sprintf("the collection path's last segment %q in snake case", seg)
}

// columnType spells a column's dialect-neutral type.
func columnType(c *ir.Column) string {
	if c.Type == ir.ColVarchar && c.Length > 0 {
		return "varchar(" + strconv.FormatInt(c.Length, 10) + ")"
	}
	return string(c.Type)
}

func explainColumn(r *ir.Resource, c *ir.Column) ExplainedColumn {
	ec := ExplainedColumn{Name: c.Name, Type: columnType(c), NotNull: c.NotNull}
	why := func(format string, args ...any) { ec.Why = append(ec.Why, fmt.Sprintf(format, args...)) }
	f := c.Field
	t := r.Table
	switch {
	case f != nil:
		ec.Property = f.Name
		if f.Store.Column != "" {
			why("x-bkgen-column: %s", f.Store.Column)
		}
		if want := columnName(f); want != c.Name {
			why("named %s: %s was taken", c.Name, want)
		}
		why("%s → %s", schemaShape(f.Schema), ec.Type)
	case r.ParentColumn == c:
		why("the parent's id: /%s is nested under %s", lastSegment(resourcePath(r)), resourcePath(r.Parent))
	case c.Name == t.PrimaryKey:
		why("added: %s has no id property", r.Entity.Name)
	}
	if c.Name == t.PrimaryKey {
		switch {
		case f != nil && r.IDParam != "" && (f.Name == r.IDParam || ir.SnakeName(f.Name) == ir.SnakeName(r.IDParam)):
			why("primary key: the item path's {%s}", r.IDParam)
		case f != nil:
			why("primary key: the id property")
		default:
			why("primary key")
		}
		if c.Identity {
			why("made by the database (clients do not send it on create)")
		}
	}
	switch {
	case c.Name == t.PrimaryKey:
	case f != nil && c.NotNull && c.Default == "1" && r.Version == c:
	case f != nil && f.Required && !f.Nullable:
		why("NOT NULL: required")
	case f != nil && f.Nullable:
		why("nullable")
	}
	switch {
	case r.Version == c:
		why("version: updates are optimistic (starts at 1, a stale version answers 409)")
	case c.Default == ir.DefaultNow && c.Touch:
		why("kept by the database: now() on insert and on every update")
	case c.Default == ir.DefaultNow:
		why("kept by the database: now() on insert")
	case c.Default == ir.DefaultZero:
		why("read-only and required: the zero value until the service sets it")
	}
	if len(c.Enum) > 0 {
		why("CHECK: one of %d enum values", len(c.Enum))
	} else if f != nil && f.Schema.Kind == ir.KindNamed && f.Schema.Named.Kind == ir.TypeEnum && f.Schema.Named.Base == ir.KindString {
		why("no CHECK: an enum value cannot be written as an SQL literal safely")
	}
	if c.Min != nil || c.Max != nil {
		why("CHECK: %s", bounds(c.Min, c.Max))
	}
	if f != nil && f.Store.Unique {
		why("x-bkgen-unique: a duplicate answers 409")
	}
	if f != nil && f.Store.Index {
		why("x-bkgen-index")
	}
	for _, fl := range r.Filters {
		if fl.Column == c {
			why("filters the list: ?%s, indexed", fl.Param.Name)
		}
	}
	if r.OwnerColumn == c {
		if f != nil && f.Store.Owner {
			why("x-bkgen-owner: each principal reads and writes its own rows")
		} else {
			why("owner (an evident name, every operation protected): each principal reads and writes its own rows")
		}
	}
	if r.ParentColumn == c && r.Parent != nil {
		why("foreign key to %s(%s)", r.Parent.Table.Name, r.Parent.Table.PrimaryKey)
	}
	return ec
}

func bounds(lo, hi *float64) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch {
	case lo != nil && hi != nil:
		return "between " + num(*lo) + " and " + num(*hi)
	case lo != nil:
		return "at least " + num(*lo)
	default:
		return "at most " + num(*hi)
	}
}

// schemaShape describes a property's schema the way the column rules read
// it: "string (maxLength 64)", "integer (int64)", "object".
func schemaShape(s *ir.Schema) string {
	var shape string
	switch s.Kind {
	case ir.KindString:
		shape = "string"
		switch {
		case s.Format != "":
			shape += " (format " + s.Format + ")"
		case s.MaxLength != nil:
			shape += " (maxLength " + strconv.FormatInt(*s.MaxLength, 10) + ")"
		}
	case ir.KindInt32:
		shape = "integer (int32)"
	case ir.KindInt64:
		shape = "integer (int64)"
	case ir.KindFloat32:
		shape = "number (float)"
	case ir.KindFloat64:
		shape = "number"
	case ir.KindBool:
		shape = "boolean"
	case ir.KindTime:
		shape = "string (date-time)"
	case ir.KindBytes:
		shape = "string (byte)"
	case ir.KindNamed:
		switch s.Named.Kind {
		case ir.TypeEnum:
			shape = "enum " + s.Named.Name
		default:
			shape = "object " + s.Named.Name
		}
	default:
		shape = "array or any"
	}
	return shape
}

func explainOperation(op *ir.Operation) ExplainedOperation {
	eo := ExplainedOperation{ID: op.ID, Method: op.Method, Path: op.Path, Auth: authOf(op)}
	switch {
	case op.CRUD != "":
		eo.Default, eo.Resource, eo.CRUD = "crud", op.Resource.Name, op.CRUD
		eo.Why = fmt.Sprintf("%s of %s on table %s", op.CRUD, op.Resource.Name, op.Resource.Table.Name)
	case op.Session != nil:
		eo.Default = "session"
		eo.Why = "the session scheme's login or logout"
	default:
		eo.Default = "501"
		eo.Why = notCRUDReason(op)
	}
	return eo
}

// notCRUDReason says why an operation keeps its 501 default.
func notCRUDReason(op *ir.Operation) string {
	if op.Kept501 != "" {
		return op.Kept501
	}
	if op.SkipCRUD {
		return "x-bkgen-skip"
	}
	return "not a list, create, get, replace, update or delete of a resource bkgen could infer (a collection path and its item path returning one schema)"
}

// authOf lists the requirements of an operation, any one of which a
// request must meet.
func authOf(op *ir.Operation) []string {
	if len(op.Security) == 0 {
		return []string{"public"}
	}
	var out []string
	for _, req := range op.Security {
		if len(req) == 0 {
			out = append(out, "anonymous")
			continue
		}
		var all []string
		for _, use := range req {
			s := use.Scheme.Name
			if len(use.Scopes) > 0 {
				s += "[" + strings.Join(use.Scopes, " ") + "]"
			}
			all = append(all, s)
		}
		out = append(out, strings.Join(all, " and "))
	}
	return out
}
