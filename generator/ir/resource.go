package ir

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Resource is a collection and item path pair backed by a table: the
// operations on it get working CRUD defaults instead of 501.
type Resource struct {
	Name   string // Go name of the entity: "Pet"
	Plural string // Go name of the collection: "Pets"
	Entity *Type
	Table  *Table
	// ID is the entity's identifier field; IDParam the item path's parameter.
	ID      *Field
	IDParam string
	// Parent is the resource a nested collection belongs to
	// (/owners/{ownerId}/pets), with the column holding the parent's id.
	Parent       *Resource
	ParentParam  string
	ParentColumn *Column
	// OwnerColumn holds the subject of the principal that created a row
	// (x-bkgen-owner, or an evident ownerId / userId), when every operation
	// of the resource is protected: each principal reads and writes its own
	// rows only, and another's are 404 (OWASP API1). Nil otherwise.
	OwnerColumn *Column
	Ops         map[CRUD]*Operation
	Filters     []*Filter
	// Envelope is the member of the list response's object holding the page
	// ({data: [...], next: ...}), nil when the response is the list itself.
	Envelope *Field
	// Version is the column of optimistic updates (an integer "version"),
	// nil when the entity has none.
	Version *Column
	// Sort is the list's sort parameter, nil when it has none.
	Sort *Sort
	Page Pagination
	// NotCRUD lists operations on the paths that keep their 501 default, with why.
	NotCRUD []Unsupported
}

// CRUD names a resource operation.
type CRUD string

// The resource operations.
const (
	List    CRUD = "list"
	Create  CRUD = "create"
	Get     CRUD = "get"
	Replace CRUD = "replace"
	Update  CRUD = "update"
	Delete  CRUD = "delete"
)

// Unsupported is an operation that stays 501, and the reason.
type Unsupported struct {
	Operation *Operation
	Reason    string
}

// Filter is a list query parameter that names a column.
type Filter struct {
	Param  *Param
	Column *Column
	// In is true for an array parameter on a scalar column: column IN (...).
	In bool
}

// Sort is a list parameter whose values name the order of the rows
// (sort=name, sort=-created_at): a whitelist, since sqlc has no dynamic SQL.
type Sort struct {
	Param *Param
	Keys  []SortKey
}

// SortKey is one allowed value of the sort parameter.
type SortKey struct {
	Value  string
	Column *Column
	Desc   bool
}

// PageStyle is how a list operation pages.
type PageStyle string

// The pagination styles.
const (
	PageNone   PageStyle = ""
	PageOffset PageStyle = "offset" // limit/offset
	PagePage   PageStyle = "page"   // page/size
	PageCursor PageStyle = "cursor" // cursor/limit (after the last id)
)

// Pagination is a list operation's paging parameters.
type Pagination struct {
	Style  PageStyle
	Limit  *Param // limit, size, per_page, page_size
	Offset *Param // offset, page, cursor, after
	// MaxLimit caps the page size (the parameter's maximum, else 100).
	MaxLimit int64
	// DefaultLimit is used when the client sends none.
	DefaultLimit int64
}

// Table is a database table of the data model. Its JSON form is recorded in
// .bkgen/lock.json, for regen to diff.
type Table struct {
	Name        string        `json:"name"`
	Columns     []*Column     `json:"columns"`
	PrimaryKey  string        `json:"primary_key"`
	Indexes     []*Index      `json:"indexes,omitempty"`
	ForeignKeys []*ForeignKey `json:"foreign_keys,omitempty"`
	Uniques     []*Index      `json:"uniques,omitempty"`
	// PrimaryKeyName names the primary key constraint (see PKName).
	PrimaryKeyName string `json:"-"`
}

// PKName is the name of the table's primary key constraint: "pk_" and the
// table's name, unless the builder had to make it shorter or distinct.
func (t *Table) PKName() string {
	if t.PrimaryKeyName != "" {
		return t.PrimaryKeyName
	}
	return "pk_" + t.Name
}

// ColumnType is a dialect-neutral column type; the DDL writer spells it.
type ColumnType string

// The column types.
const (
	ColText      ColumnType = "text"
	ColVarchar   ColumnType = "varchar"
	ColInt       ColumnType = "integer"
	ColBigint    ColumnType = "bigint"
	ColReal      ColumnType = "real"
	ColDouble    ColumnType = "double"
	ColBool      ColumnType = "boolean"
	ColUUID      ColumnType = "uuid"
	ColDate      ColumnType = "date"
	ColTimestamp ColumnType = "timestamptz"
	ColBytes     ColumnType = "bytes"
	ColJSON      ColumnType = "json"
)

// Column is one column of a table.
type Column struct {
	Name    string     `json:"name"`
	Type    ColumnType `json:"type"`
	Length  int64      `json:"length,omitempty"` // varchar(n)
	NotNull bool       `json:"not_null,omitempty"`
	// Identity: the database generates the value (an identity column, or a random uuid).
	Identity bool `json:"identity,omitempty"`
	// Default is DefaultNow for created/updated timestamps kept by the
	// database, DefaultZero for a required read-only member, "1" for a
	// version column.
	Default string `json:"default,omitempty"`
	// Check lists the allowed values (enum) or bounds, as the DDL writer spells them.
	Enum []string `json:"enum,omitempty"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	// Field is the entity field the column stores; nil for a parent key.
	Field *Field `json:"-"`
	// Touch is true for updated_at: every update sets it to now.
	Touch bool `json:"touch,omitempty"`
	// Checks name the column's CHECK constraints (see CheckName).
	Checks CheckNames `json:"-"`
}

// CheckNames are the names of a column's CHECK constraints, made unique in
// the schema (MySQL wants them so) by the builder; empty when it made none.
type CheckNames struct {
	Length, Enum, Range string
}

// The kinds of CHECK constraint of a column.
const (
	CheckLength = "len"
	CheckEnum   = "enum"
	CheckRange  = "range"
)

// CheckName is the name of the column's CHECK constraint of kind (CheckLength,
// CheckEnum, CheckRange) in table: the one the builder made, else
// "ck_<table>_<column>", with "_len" or "_range" after the column for those
// kinds.
func (c *Column) CheckName(table, kind string) string {
	switch kind {
	case CheckLength:
		if c.Checks.Length != "" {
			return c.Checks.Length
		}
		return ConstraintName("ck", table, c.Name+"_len")
	case CheckRange:
		if c.Checks.Range != "" {
			return c.Checks.Range
		}
		return ConstraintName("ck", table, c.Name+"_range")
	}
	if c.Checks.Enum != "" {
		return c.Checks.Enum
	}
	return ConstraintName("ck", table, c.Name)
}

// Symbolic column defaults, which each database's DDL spells its own way.
const (
	DefaultNow  = "now"
	DefaultZero = "zero"
)

// Index is a (unique) index on columns.
type Index struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

// ForeignKey references another table's primary key.
type ForeignKey struct {
	Name      string `json:"name"`
	Column    string `json:"column"`
	RefTable  string `json:"ref_table"`
	RefColumn string `json:"ref_column"`
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Has reports whether the resource serves op.
func (r *Resource) Has(op CRUD) bool { return r.Ops[op] != nil }

// HasResources reports whether any operation of the group has a CRUD default.
func (g *Group) HasResources() bool {
	for _, op := range g.Operations {
		if op.Resource != nil {
			return true
		}
	}
	return false
}

// HasDatabase reports whether the service stores resources in a database.
func (s *Service) HasDatabase() bool { return len(s.Resources) > 0 }

// UsesDatabaseSQL reports whether the data layer is on database/sql (a
// *sql.DB pool, sqlc's database/sql code): SQLite and MySQL, not PostgreSQL's pgx.
func (s *Service) UsesDatabaseSQL() bool {
	return s.HasDatabase() && (s.Database == "sqlite" || s.Database == "mysql")
}

// Op returns the operation serving op, or nil.
func (r *Resource) Op(op CRUD) *Operation { return r.Ops[op] }

// SQLText reports whether s can be written as an SQL string literal that
// every engine, sqlc and goose read back as s: quotes are doubled, but
// MySQL takes a backslash as an escape, PostgreSQL refuses NUL, goose splits
// a migration into statements line by line (a line break could end one
// early or start an annotation) and reads "--" as the start of a comment
// when it looks for a statement's end.
func SQLText(s string) bool {
	if !utf8.ValidString(s) || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\\' || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

// ConstraintName is the deterministic name of a constraint or index, within
// PostgreSQL's 63 bytes: "uq_books_isbn".
func ConstraintName(prefix, table, column string) string {
	n := prefix + "_" + table + "_" + column
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// MergePatch reports whether the operation is a resource update whose body
// is a JSON merge patch: it records which members the body sends.
func (o *Operation) MergePatch() bool {
	return o.CRUD == Update && o.Body != nil && o.Body.Kind == BodyJSON
}

// SharedRoutes reports whether operations share a route (see Operation.Shared).
func (s *Service) SharedRoutes() bool {
	return slices.ContainsFunc(s.Operations, func(o *Operation) bool { return len(o.Shared) > 0 })
}

// HasOwners reports whether a resource scopes its rows to their owner.
func (s *Service) HasOwners() bool {
	return slices.ContainsFunc(s.Resources, func(r *Resource) bool { return r.OwnerColumn != nil })
}
