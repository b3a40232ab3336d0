package generator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// buildResources recognises resources: a collection path (/pets) and its
// item path (/pets/{id}), whose operations become list, create, get,
// replace, update and delete on a table (DESIGN.md, "From spec to working code").
func (b *builder) buildResources() {
	// Paths are compared without a trailing slash (/api/v2/ability/ is a collection).
	byPath := make(map[string][]*ir.Operation)
	for _, op := range b.svc.Operations {
		if op.Session != nil {
			continue // a login or logout is not a resource's
		}
		p := strings.TrimSuffix(op.Path, "/")
		byPath[p] = append(byPath[p], op)
	}
	// bkgen's own tables (API keys, sessions) and goose's are taken.
	tables, plurals := ir.NewNamer("bkgen_api_keys", "bkgen_sessions", "goose_db_version"), ir.NewNamer()
	tableGoNames := ir.NewNamer()
	paths := sortedKeys(byPath)
	for i, coll := range paths {
		if coll == "" || isParamSegment(lastSegment(coll)) {
			continue
		}
		// The item path is the first of coll's one-segment children, whatever
		// the map's order: they sort right after coll and before any path
		// that does not start with coll+"/" (or with coll and a byte below
		// '/', which the loop steps over).
		var item string
		for _, p := range paths[i+1:] {
			if !strings.HasPrefix(p, coll) {
				break
			}
			if strings.HasPrefix(p, coll+"/") && strings.Count(p[len(coll)+1:], "/") == 0 && isParamSegment(lastSegment(p)) {
				item = p
				break
			}
		}
		r := b.inferResource(coll, item, byPath)
		if r == nil {
			continue
		}
		b.svc.Resources = append(b.svc.Resources, r)
	}
	// One table per entity: when several collections return the same entity
	// (/pet and /pet/findByStatus), the one with the most operations keeps
	// it; the others are queries bkgen cannot infer and stay 501.
	owner := make(map[*ir.Type]*ir.Resource)
	for _, r := range b.svc.Resources {
		if o := owner[r.Entity]; o == nil || len(r.Ops) > len(o.Ops) {
			owner[r.Entity] = r
		}
	}
	kept := b.svc.Resources[:0]
	for _, r := range b.svc.Resources {
		if owner[r.Entity] != r {
			for crud, op := range r.Ops {
				op.Resource, op.CRUD = nil, ""
				_ = crud
				op.Kept501 = fmt.Sprintf("it returns %s, which the %s resource stores; bkgen infers no query for it", r.Entity.Name, owner[r.Entity].Table.Name)
				b.diags.Warnf(op.Pos, op.Pointer, "%s keeps its 501 default: %s", op.ID, op.Kept501)
			}
			continue
		}
		r.Table.Name = takeSQLName(tables, tableGoNames, tableName(r.Table.Name))
		r.Plural = plurals.Take(qualifiedPlural(r, plurals))
		kept = append(kept, r)
	}
	b.svc.Resources = kept
	// Nested collections: /owners/{ownerId}/pets under the owners resource.
	byColl := make(map[string]*ir.Resource)
	for _, r := range b.svc.Resources {
		byColl[resourcePath(r)] = r
	}
	for _, r := range b.svc.Resources {
		b.linkParent(r, byColl)
		r.OwnerColumn = ownerColumn(r)
		if c := r.OwnerColumn; c != nil && !slices.ContainsFunc(r.Table.Indexes, func(ix *ir.Index) bool { return slices.Equal(ix.Columns, []string{c.Name}) }) {
			r.Table.Indexes = append(r.Table.Indexes, &ir.Index{Columns: []string{c.Name}})
		}
	}
	nameIndexes(b.svc.Resources, b.svc.Database)
}

// nameIndexes names every index, unique constraint, foreign key, primary key
// and CHECK constraint, once the tables have their final names (tables are
// renamed when two entities want one name): after the table and columns, an
// index once per column set. Names are unique in the schema, as PostgreSQL
// wants index names and MySQL constraint names, and within PostgreSQL's 63
// bytes, past which it cuts them (so "ck_a_b_c" of table a_b's column c and
// of table a's column b_c, or of a column's range and of a column named
// <column>_range, are told apart). It is the one place these names are made.
func nameIndexes(resources []*ir.Resource, database string) {
	used := make(map[string]bool)
	take := func(base string) string {
		base = base[:min(len(base), 63)]
		n := base
		for i := 2; used[n]; i++ {
			suffix := "_" + strconv.Itoa(i)
			n = base[:min(len(base), 63-len(suffix))] + suffix
		}
		used[n] = true
		return n
	}
	name := func(prefix, table string, cols []string) string {
		return take(ir.ConstraintName(prefix, table, strings.Join(cols, "_")))
	}
	for _, r := range resources {
		t := r.Table
		t.PrimaryKeyName = take("pk_" + t.Name)
		seen := make(map[string]bool)
		dedupe := func(prefix string, idx []*ir.Index) []*ir.Index {
			out := idx[:0]
			for _, ix := range idx {
				key := strings.Join(ix.Columns, ",")
				if seen[key] {
					continue
				}
				seen[key] = true
				ix.Name = name(prefix, t.Name, ix.Columns)
				out = append(out, ix)
			}
			return out
		}
		// A unique constraint is an index too: an index on its columns is redundant.
		t.Uniques = dedupe("uq", t.Uniques)
		t.Indexes = dedupe("idx", t.Indexes)
		for _, fk := range t.ForeignKeys {
			fk.Name = name("fk", t.Name, []string{fk.Column})
		}
		// The checks the DDL writes (render's ddlUp): a varchar's length on
		// SQLite, whose types do not enforce it, enums and bounds.
		for _, c := range t.Columns {
			if database == "sqlite" && c.Type == ir.ColVarchar && c.Length > 0 {
				c.Checks.Length = name("ck", t.Name, []string{c.Name + "_len"})
			}
			if len(c.Enum) > 0 {
				c.Checks.Enum = name("ck", t.Name, []string{c.Name})
			}
			if c.Min != nil || c.Max != nil {
				c.Checks.Range = name("ck", t.Name, []string{c.Name + "_range"})
			}
		}
	}
}

// tableName keeps a table clear of the names SQLite reserves for itself
// (sqlite_sequence, sqlite_stat1…: it refuses any name starting sqlite_).
func tableName(name string) string {
	if strings.HasPrefix(name, "sqlite_") {
		return "t_" + name
	}
	return name
}

func resourcePath(r *ir.Resource) string {
	for _, op := range r.Ops {
		if op.CRUD == ir.List || op.CRUD == ir.Create {
			return strings.TrimSuffix(op.Path, "/")
		}
	}
	for _, op := range r.Ops {
		p := strings.TrimSuffix(op.Path, "/")
		return p[:strings.LastIndex(p, "/")]
	}
	return ""
}

// qualifiedPlural is the resource's Go collection name, made distinct when
// another resource already has it by the static path segment before it:
// /v1/accounts and /v1/financial_connections/accounts become Accounts and
// FinancialConnectionsAccounts. What is still taken gets a number from the
// Namer.
func qualifiedPlural(r *ir.Resource, taken *ir.Namer) string {
	if !taken.Has(r.Plural) {
		return r.Plural
	}
	segs := strings.Split(strings.Trim(resourcePath(r), "/"), "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if !isParamSegment(segs[i]) {
			return ir.GoName(segs[i]) + r.Plural
		}
	}
	return r.Plural
}

// inferResource builds the resource of a collection path, nil when the paths
// hold no entity bkgen can store.
func (b *builder) inferResource(coll, item string, byPath map[string][]*ir.Operation) *ir.Resource {
	ops := make(map[ir.CRUD]*ir.Operation)
	for _, op := range byPath[coll] {
		switch op.Method {
		case "GET":
			ops[ir.List] = op
		case "POST":
			ops[ir.Create] = op
		}
	}
	if item != "" {
		for _, op := range byPath[item] {
			switch op.Method {
			case "GET":
				ops[ir.Get] = op
			case "PUT":
				ops[ir.Replace] = op
			case "PATCH":
				ops[ir.Update] = op
			case "DELETE":
				ops[ir.Delete] = op
			}
		}
	}
	entity := entityOf(ops)
	if entity == nil || len(entity.Fields) == 0 {
		return nil
	}
	seg := lastSegment(coll)
	r := &ir.Resource{
		Name:   entity.Name,
		Plural: ir.GoName(seg),
		Entity: entity,
		Ops:    make(map[ir.CRUD]*ir.Operation),
	}
	if item != "" {
		r.IDParam = strings.Trim(lastSegment(item), "{}")
	}
	r.Table = b.tableOf(entity, ir.SnakeName(seg), r.IDParam)
	if entity.Table != "" && entity.Table != r.Table.Name {
		r.Table.Name = entity.Table
	}
	r.ID = idField(entity, r.IDParam)
	for crud, op := range ops {
		if op.SkipCRUD {
			r.NotCRUD = append(r.NotCRUD, ir.Unsupported{Operation: op, Reason: "x-bkgen-skip"})
			op.Kept501 = "x-bkgen-skip"
			continue
		}
		if reason := b.crudProblem(r, crud, op); reason != "" {
			r.NotCRUD = append(r.NotCRUD, ir.Unsupported{Operation: op, Reason: reason})
			op.Kept501 = reason
			continue
		}
		r.Ops[crud] = op
		op.Resource, op.CRUD = r, crud
	}
	slices.SortFunc(r.NotCRUD, func(a, c ir.Unsupported) int { return strings.Compare(a.Operation.GoName, c.Operation.GoName) })
	if len(r.Ops) == 0 {
		for _, u := range r.NotCRUD {
			b.diags.Warnf(u.Operation.Pos, u.Operation.Pointer, "%s keeps its 501 default: %s", u.Operation.ID, u.Reason)
		}
		return nil
	}
	// The id is generated by the database unless clients send it on create.
	if pk := r.Table.Column(r.Table.PrimaryKey); pk != nil && !pk.Identity {
		create := r.Ops[ir.Create]
		if create == nil || create.Body == nil || !create.Body.Schema.IsStruct() || idField(create.Body.Schema.Named, r.IDParam) == nil {
			pk.Identity = true
		}
	}
	// An integer version member makes updates optimistic.
	for _, c := range r.Table.Columns {
		switch ir.SnakeName(c.Name) {
		case "version", "lock_version", "revision", "row_version":
			if (c.Type == ir.ColInt || c.Type == ir.ColBigint) && c.Field != nil && c.Name != r.Table.PrimaryKey {
				c.Default, c.NotNull = "1", true
				r.Version = c
			}
		}
		if r.Version != nil {
			break
		}
	}
	if op := r.Ops[ir.List]; op != nil {
		if s := successSchema(op); s.IsStruct() {
			r.Envelope = envelopeField(s.Named)
		}
		b.listParams(r, op)
	}
	return r
}

// entityOf is the schema a resource stores: what the item GET returns, else
// the items of the list response (a bare array, or an envelope's data), else
// what create returns.
func entityOf(ops map[ir.CRUD]*ir.Operation) *ir.Type {
	if op := ops[ir.Get]; op != nil {
		if s := successSchema(op); s.IsStruct() {
			return s.Named
		}
	}
	if op := ops[ir.List]; op != nil {
		if t := listItemType(successSchema(op)); t != nil {
			return t
		}
	}
	if op := ops[ir.Create]; op != nil {
		if s := successSchema(op); s.IsStruct() {
			return s.Named
		}
	}
	return nil
}

func successSchema(op *ir.Operation) *ir.Schema {
	if r := op.Success(); r != nil && r.Schema != nil {
		return r.Schema
	}
	return &ir.Schema{}
}

// listItemType is the struct a list response holds: []T, a named list of T,
// or an envelope {data|items|results|...: []T}.
func listItemType(s *ir.Schema) *ir.Type {
	if t := s.ListItem(); t != nil {
		return t
	}
	if s.IsStruct() {
		if f := envelopeField(s.Named); f != nil {
			return f.Schema.ListItem()
		}
	}
	return nil
}

// envelopeField is the member of a list envelope holding the page.
func envelopeField(t *ir.Type) *ir.Field {
	var arrays []*ir.Field
	for _, f := range t.Fields {
		if f.Schema.Kind == ir.KindSlice || f.Schema.Kind == ir.KindNamed && f.Schema.Named.Kind == ir.TypeSlice {
			arrays = append(arrays, f)
		}
	}
	for _, f := range arrays {
		switch strings.ToLower(f.Name) {
		case "data", "items", "results", "records", "content", "entries", "values":
			return f
		}
	}
	if len(arrays) == 1 {
		return arrays[0]
	}
	return nil
}

// idField is the entity's identifier: the field the item parameter names
// (petId → id or pet_id), else "id".
func idField(t *ir.Type, param string) *ir.Field {
	candidates := []string{"id"}
	if param != "" {
		candidates = append([]string{param, ir.SnakeName(param)}, candidates...)
	}
	for _, c := range candidates {
		for _, f := range t.Fields {
			if strings.EqualFold(f.Name, c) || ir.SnakeName(f.Name) == ir.SnakeName(c) {
				return f
			}
		}
	}
	return nil
}

// crudProblem says why op cannot get a CRUD default, "" when it can.
func (b *builder) crudProblem(r *ir.Resource, crud ir.CRUD, op *ir.Operation) string {
	item := crud == ir.Get || crud == ir.Replace || crud == ir.Update || crud == ir.Delete
	if item || crud == ir.Create {
		if r.ID == nil {
			return fmt.Sprintf("%s has no id field to address items by", r.Entity.Name)
		}
		if !storableID(r.ID) {
			return fmt.Sprintf("%s.%s is not a string or integer id", r.Entity.Name, r.ID.Name)
		}
	}
	if item {
		p := pathParam(op, r.IDParam)
		if p == nil {
			return "the item path has no id parameter"
		}
		if !sameIDKind(p.Schema, r.ID.Schema) {
			return fmt.Sprintf("path parameter %s (%s) cannot address the %s id column (%s)", p.Name, jsonTypeName(p.Schema), r.Table.Name, jsonTypeName(r.ID.Schema))
		}
	}
	if op.Success() == nil {
		return "it declares no 2XX response to answer with"
	}
	if (crud == ir.Create || crud == ir.Replace || crud == ir.Update) && (op.Body == nil || !op.Body.Schema.IsStruct() || op.Body.Kind != ir.BodyJSON) {
		return "its request body is not a JSON object"
	}
	if (crud == ir.Create || crud == ir.Replace || crud == ir.Update) && op.Body != nil && op.Body.Schema.IsStruct() {
		for _, f := range op.Body.Schema.Named.Fields {
			if f.ReadOnly || f.Store.Skip {
				continue
			}
			col := entityColumn(r, f.Name)
			if col == nil {
				return fmt.Sprintf("request body member %q is not a column of %s", f.Name, r.Table.Name)
			}
			if !sameType(f.Schema, col.Field.Schema) {
				return fmt.Sprintf("request body member %q is not of the type of %s.%s", f.Name, r.Entity.Name, col.Field.Name)
			}
		}
	}
	switch crud {
	case ir.Get, ir.Create, ir.Replace, ir.Update:
		s := successSchema(op)
		if s.Kind != ir.KindAny && (!s.IsStruct() || s.Named != r.Entity) && op.Success() != nil && op.Success().Schema != nil {
			return fmt.Sprintf("its success response is not a %s", r.Entity.Name)
		}
	case ir.List:
		if listItemType(successSchema(op)) != r.Entity {
			return fmt.Sprintf("its success response is not a list of %s", r.Entity.Name)
		}
	}
	return ""
}

// entityColumn is the column storing the entity's property name.
func entityColumn(r *ir.Resource, name string) *ir.Column {
	for _, c := range r.Table.Columns {
		if c.Field != nil && c.Field.Name == name {
			return c
		}
	}
	return nil
}

// sameType reports whether two schema uses have the same Go type.
func sameType(a, b *ir.Schema) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case ir.KindNamed:
		return a.Named == b.Named
	case ir.KindSlice, ir.KindMap:
		return sameType(a.Elem, b.Elem)
	}
	return true
}

func storableID(f *ir.Field) bool {
	switch f.Schema.Kind {
	case ir.KindString, ir.KindInt32, ir.KindInt64:
		return true
	}
	return false
}

func sameIDKind(param, id *ir.Schema) bool {
	isInt := func(s *ir.Schema) bool { return s.Kind == ir.KindInt32 || s.Kind == ir.KindInt64 }
	return isInt(param) && isInt(id) || param.Kind == ir.KindString && id.Kind == ir.KindString
}

func pathParam(op *ir.Operation, name string) *ir.Param {
	for _, p := range op.Params {
		if p.In == "path" && p.Name == name {
			return p
		}
	}
	return nil
}

func (b *builder) linkParent(r *ir.Resource, byColl map[string]*ir.Resource) {
	path := resourcePath(r)
	segs := strings.Split(path, "/")
	if len(segs) < 3 || !isParamSegment(segs[len(segs)-2]) {
		return
	}
	parentPath := strings.Join(segs[:len(segs)-2], "/")
	parent := byColl[parentPath]
	if parent == nil || parent == r || parent.ID == nil {
		return
	}
	param := strings.Trim(segs[len(segs)-2], "{}")
	name := ir.SnakeName(ir.GoName(parent.Name))
	name = name[:min(len(name), 60)] + "_id" // within PostgreSQL's 63 bytes
	col := r.Table.Column(name)
	if col == nil {
		col = &ir.Column{Name: name, Type: idColumnType(parent.ID), NotNull: true}
		r.Table.Columns = append(r.Table.Columns, col)
	}
	r.Parent, r.ParentParam, r.ParentColumn = parent, param, col
	// nameIndexes names the key and its index once the tables are final.
	r.Table.ForeignKeys = append(r.Table.ForeignKeys, &ir.ForeignKey{Column: col.Name, RefTable: parent.Table.Name, RefColumn: parent.Table.PrimaryKey})
	r.Table.Indexes = append(r.Table.Indexes, &ir.Index{Columns: []string{col.Name}})
}

func idColumnType(f *ir.Field) ir.ColumnType {
	switch {
	case f.Schema.Kind == ir.KindString && f.Schema.Format == "uuid":
		return ir.ColUUID
	case f.Schema.Kind == ir.KindString:
		return ir.ColText
	case f.Schema.Kind == ir.KindInt32:
		return ir.ColInt
	}
	return ir.ColBigint
}

func lastSegment(path string) string { return path[strings.LastIndex(path, "/")+1:] }

func isParamSegment(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// jsonTypeName names a schema's JSON type, for messages.
func jsonTypeName(s *ir.Schema) string {
	switch s.Kind {
	case ir.KindString:
		return "string"
	case ir.KindInt32, ir.KindInt64:
		return "integer"
	case ir.KindFloat32, ir.KindFloat64:
		return "number"
	case ir.KindBool:
		return "boolean"
	}
	return "object"
}

// evidentOwners are the property names taken as the owner without x-bkgen-owner.
var evidentOwners = []string{"ownerId", "owner_id", "userId", "user_id"}

// ownerColumn is the column scoping a resource's rows to the principal: a
// string property marked x-bkgen-owner, else one named ownerId or userId;
// only when every operation of the resource needs a credential, so that
// there always is a principal. The parent's key is never the owner.
func ownerColumn(r *ir.Resource) *ir.Column {
	for _, op := range r.Ops {
		if !op.Protected() {
			return nil
		}
	}
	var evident *ir.Column
	for _, c := range r.Table.Columns {
		// A subject is any string: a uuid column could not hold "alice".
		if c.Field == nil || c.Type != ir.ColText && c.Type != ir.ColVarchar || c == r.ParentColumn || c.Name == r.Table.PrimaryKey {
			continue
		}
		if c.Field.Store.Owner {
			return c
		}
		if evident == nil && slices.Contains(evidentOwners, c.Field.Name) {
			evident = c
		}
	}
	return evident
}
