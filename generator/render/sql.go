package render

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// dialect spells the data model and the CRUD queries in one SQL engine's
// terms: every difference between the engines lives behind it (and in the
// engine's blueprint folder, for the Go that talks to the driver).
type dialect interface {
	// columnType is the column's type in CREATE TABLE.
	columnType(c *ir.Column) string
	// identity is what follows the type of a column the database fills
	// (an id), and whether it also makes the column the primary key.
	identity(c *ir.Column) (clause string, primaryKey bool)
	// now is the current time, for defaults and touched columns.
	now() string
	// zero is the literal of the column's zero value (see zeroValue).
	zero(c *ir.Column) string
	// checks are the column's constraints beyond its type (a varchar's
	// length where the type does not enforce it).
	checks(c *ir.Column) []string
	// param is a query argument holding a value of column c; typed asks for
	// an explicit type where the engine needs one to type the argument.
	param(name string, c *ir.Column, nullable, typed bool) string
	// typedParam is an argument of an SQL type that is no column's: "text",
	// "boolean", "bigint" or "int" (a LIMIT or OFFSET).
	typedParam(name, sqlType string, nullable bool) string
	// inList is the condition "col is one of the list argument, or the
	// argument is null".
	inList(col, name string, c *ir.Column) string
	// sortKey is how the ORDER BY refers to the sort argument, and the
	// WITH clause and FROM item (empty when none) that bring it in.
	sortKey() (ref, with, from string)
	// asText casts an expression to text, for the seed rows' ids.
	asText(expr string) string
	// ident quotes an identifier where the engine needs it.
	ident(name string) string
	// defaultExpr is the DEFAULT clause's expression of column c for expr.
	defaultExpr(c *ir.Column, expr string) string
	// inFilter says whether an "is one of" filter on column c has a flag
	// argument saying it applies (inFlagArg), and whether the list's
	// items are pointers (as the column's values are, when nullable).
	inFilter(c *ir.Column) (flag, ptrElems bool)
	// returning reports whether INSERT and UPDATE can return the row;
	// without, the row is read back with the item's get (execThenFetch).
	returning() bool
	// pageArgs are the names of the LIMIT and OFFSET arguments.
	pageArgs() (limit, offset string)
	// emptyInsert follows the table's name in an INSERT of no column.
	emptyInsert() string
}

// dialectOf is the dialect of the service's database.
func dialectOf(svc *ir.Service) dialect {
	switch svc.Database {
	case "sqlite":
		return sqlite{}
	case "mysql":
		return newMySQL(svc)
	}
	return postgres{}
}

// standard is what PostgreSQL and SQLite spell alike.
type standard struct{}

func (standard) ident(name string) string                     { return quoteIdent(name) }
func (standard) defaultExpr(_ *ir.Column, expr string) string { return expr }
func (standard) inFilter(*ir.Column) (bool, bool)             { return false, false }
func (standard) returning() bool                              { return true }
func (standard) pageArgs() (string, string)                   { return argLimit, argOffset }
func (standard) emptyInsert() string                          { return " DEFAULT VALUES" }

// postgres spells the data model in PostgreSQL's dialect.
type postgres struct{ standard }

// quoteIdent quotes an identifier when it is not a plain lower-case name or is reserved.
func quoteIdent(name string) string {
	plain := name != "" && (name[0] < '0' || name[0] > '9')
	for _, c := range name {
		if c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			plain = false
		}
	}
	if plain && !sqlReserved[name] {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// sqlReserved are words PostgreSQL (or sqlc's parser) will not take as a bare column name.
var sqlReserved = map[string]bool{
	"all": true, "analyse": true, "analyze": true, "and": true, "any": true, "array": true, "as": true, "asc": true,
	"asymmetric": true, "both": true, "case": true, "cast": true, "check": true, "collate": true, "column": true,
	"constraint": true, "create": true, "current_date": true, "current_role": true, "current_time": true,
	"current_timestamp": true, "current_user": true, "default": true, "deferrable": true, "desc": true,
	"distinct": true, "do": true, "else": true, "end": true, "except": true, "false": true, "fetch": true, "for": true,
	"foreign": true, "from": true, "grant": true, "group": true, "having": true, "in": true, "initially": true,
	"intersect": true, "into": true, "lateral": true, "leading": true, "limit": true, "localtime": true,
	"localtimestamp": true, "not": true, "null": true, "offset": true, "on": true, "only": true, "or": true,
	"order": true, "placing": true, "primary": true, "references": true, "returning": true, "select": true,
	"session_user": true, "some": true, "symmetric": true, "table": true, "then": true, "to": true, "trailing": true,
	"true": true, "union": true, "unique": true, "user": true, "using": true, "variadic": true, "when": true,
	"where": true, "window": true, "with": true, "type": true, "key": true, "value": true,
	// PostgreSQL's type_func_name keywords, reserved as column names too.
	"authorization": true, "binary": true, "collation": true, "concurrently": true, "cross": true,
	"current_schema": true, "freeze": true, "full": true, "ilike": true, "inner": true, "is": true,
	"isnull": true, "join": true, "left": true, "like": true, "natural": true, "notnull": true,
	"outer": true, "overlaps": true, "right": true, "similar": true, "tablesample": true, "verbose": true,
}

func (postgres) columnType(c *ir.Column) string {
	switch c.Type {
	case ir.ColVarchar:
		return "varchar(" + strconv.FormatInt(c.Length, 10) + ")"
	case ir.ColInt:
		return "integer"
	case ir.ColBigint:
		return "bigint"
	case ir.ColReal:
		return "real"
	case ir.ColDouble:
		return "double precision"
	case ir.ColBool:
		return "boolean"
	case ir.ColUUID:
		return "uuid"
	case ir.ColDate:
		return "date"
	case ir.ColTimestamp:
		return "timestamptz"
	case ir.ColBytes:
		return "bytea"
	case ir.ColJSON:
		return "jsonb"
	}
	return "text"
}

func (postgres) identity(c *ir.Column) (string, bool) {
	switch c.Type {
	case ir.ColBigint, ir.ColInt:
		return " GENERATED BY DEFAULT AS IDENTITY", false
	case ir.ColUUID:
		return " DEFAULT gen_random_uuid()", false
	case ir.ColText, ir.ColVarchar:
		return " DEFAULT gen_random_uuid()::text", false
	}
	return "", false
}

func (postgres) now() string { return "now()" }

func (postgres) checks(*ir.Column) []string { return nil }

func (d postgres) param(name string, c *ir.Column, nullable, typed bool) string {
	fn := "sqlc.arg"
	if nullable {
		fn = "sqlc.narg"
	}
	p := fn + "(" + sqlString(name) + ")"
	if typed {
		p += "::" + d.columnType(c)
	}
	return p
}

func (postgres) typedParam(name, sqlType string, nullable bool) string {
	fn := "sqlc.arg"
	if nullable {
		fn = "sqlc.narg"
	}
	p := fn + "(" + sqlString(name) + ")"
	if sqlType == "int" {
		return p // LIMIT and OFFSET arguments are typed by their place
	}
	return p + "::" + sqlType
}

func (d postgres) inList(col, name string, c *ir.Column) string {
	typ := d.columnType(c)
	a := sqlString(name)
	return fmt.Sprintf("(sqlc.narg(%s)::%s[] IS NULL OR %s = ANY(sqlc.narg(%s)::%s[]))", a, typ, col, a, typ)
}

func (d postgres) sortKey() (string, string, string) {
	return d.typedParam(argSort, "text", false), "", ""
}

func (postgres) asText(expr string) string { return expr + "::text" }

// sqlString quotes a string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// orderTables puts every table after the tables it references.
func orderTables(rs []*ir.Resource) []*ir.Resource {
	var out []*ir.Resource
	done := make(map[*ir.Resource]bool)
	var visit func(r *ir.Resource, depth int)
	visit = func(r *ir.Resource, depth int) {
		if done[r] || depth > len(rs) {
			return
		}
		if r.Parent != nil && r.Parent != r {
			visit(r.Parent, depth+1)
		}
		if !done[r] {
			done[r] = true
			out = append(out, r)
		}
	}
	for _, r := range rs {
		visit(r, 0)
	}
	return out
}

// ddlUp is the goose "Up" section creating every table, index and constraint.
func ddlUp(svc *ir.Service) string {
	var b strings.Builder
	d := dialectOf(svc)
	for _, r := range orderTables(svc.Resources) {
		t := r.Table
		fmt.Fprintf(&b, "CREATE TABLE %s (\n", d.ident(t.Name))
		var lines []string
		inlinePK := false
		for _, c := range t.Columns {
			line := "    " + d.ident(c.Name) + " " + d.columnType(c)
			switch {
			case c.Identity:
				clause, pk := d.identity(c)
				line += clause
				inlinePK = inlinePK || pk
			case c.Default == ir.DefaultNow:
				line += " DEFAULT " + d.defaultExpr(c, d.now())
			case c.Default == ir.DefaultZero:
				line += " DEFAULT " + d.defaultExpr(c, d.zero(c))
			case c.Default != "":
				line += " DEFAULT " + d.defaultExpr(c, c.Default)
			}
			if c.NotNull {
				line += " NOT NULL"
			}
			lines = append(lines, line)
		}
		if !inlinePK {
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s PRIMARY KEY (%s)", d.ident(t.PKName()), d.ident(t.PrimaryKey)))
		}
		for _, c := range t.Columns {
			for i, check := range d.checks(c) {
				lines = append(lines, fmt.Sprintf("    CONSTRAINT %s CHECK (%s)", d.ident(lengthCheckName(t.Name, c, i)), check))
			}
			if len(c.Enum) > 0 {
				vals := make([]string, len(c.Enum))
				for i, v := range c.Enum {
					vals[i] = sqlString(v)
				}
				lines = append(lines, fmt.Sprintf("    CONSTRAINT %s CHECK (%s IN (%s))", d.ident(c.CheckName(t.Name, ir.CheckEnum)), d.ident(c.Name), strings.Join(vals, ", ")))
			}
			if c.Min != nil || c.Max != nil {
				var conds []string
				if c.Min != nil {
					conds = append(conds, fmt.Sprintf("%s >= %s", d.ident(c.Name), number(*c.Min)))
				}
				if c.Max != nil {
					conds = append(conds, fmt.Sprintf("%s <= %s", d.ident(c.Name), number(*c.Max)))
				}
				lines = append(lines, fmt.Sprintf("    CONSTRAINT %s CHECK (%s)", d.ident(c.CheckName(t.Name, ir.CheckRange)), strings.Join(conds, " AND ")))
			}
		}
		for _, u := range t.Uniques {
			cols := make([]string, len(u.Columns))
			for i, c := range u.Columns {
				cols[i] = d.ident(c)
			}
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s UNIQUE (%s)", d.ident(u.Name), strings.Join(cols, ", ")))
		}
		for _, fk := range t.ForeignKeys {
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE CASCADE",
				d.ident(fk.Name), d.ident(fk.Column), d.ident(fk.RefTable), d.ident(fk.RefColumn)))
		}
		b.WriteString(strings.Join(lines, ",\n"))
		b.WriteString("\n);\n")
		seen := make(map[string]bool)
		for _, ix := range t.Indexes {
			if seen[ix.Name] {
				continue
			}
			seen[ix.Name] = true
			cols := make([]string, len(ix.Columns))
			for i, c := range ix.Columns {
				cols[i] = d.ident(c)
			}
			fmt.Fprintf(&b, "CREATE INDEX %s ON %s (%s);\n", d.ident(ix.Name), d.ident(t.Name), strings.Join(cols, ", "))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// lengthCheckName names the i-th of a column's checks beyond its type
// (dialect.checks): the builder's name for the first, "_len1"… after the
// column for the others.
func lengthCheckName(table string, c *ir.Column, i int) string {
	if i == 0 {
		return c.CheckName(table, ir.CheckLength)
	}
	return ir.ConstraintName("ck", table, c.Name+"_len"+strconv.Itoa(i))
}

// ddlDown drops the tables in reverse order.
func ddlDown(svc *ir.Service) string {
	d := dialectOf(svc)
	ordered := orderTables(svc.Resources)
	slices.Reverse(ordered)
	var lines []string
	for _, r := range ordered {
		lines = append(lines, "DROP TABLE IF EXISTS "+d.ident(r.Table.Name)+";")
	}
	return strings.Join(lines, "\n")
}

// zero is the SQL literal of the zero value of a column.
func (postgres) zero(c *ir.Column) string {
	switch {
	case len(c.Enum) > 0:
	case c.Type == ir.ColTimestamp:
		return "now()"
	case c.Type == ir.ColUUID:
		return "gen_random_uuid()"
	case c.Type == ir.ColBytes:
		return "''::bytea"
	}
	return zeroLiteral(c)
}

// zeroLiteral is the literal of the zero value of a column in standard SQL:
// its first enum value, or the bound nearest 0 of a range that excludes 0.
func zeroLiteral(c *ir.Column) string {
	if len(c.Enum) > 0 {
		return sqlString(c.Enum[0])
	}
	switch c.Type {
	case ir.ColText, ir.ColVarchar, ir.ColBytes:
		return "''"
	case ir.ColBool:
		return "false"
	case ir.ColDate:
		return "CURRENT_DATE"
	case ir.ColTimestamp:
		return "CURRENT_TIMESTAMP"
	case ir.ColJSON:
		if c.Field != nil && c.Field.Schema.Kind == ir.KindSlice {
			return "'[]'"
		}
		return "'{}'"
	}
	n := 0.0
	if c.Min != nil && *c.Min > n {
		n = *c.Min
	}
	if c.Max != nil && *c.Max < n {
		n = *c.Max
	}
	return strconv.FormatFloat(n, 'g', -1, 64)
}

// seedRow is the SQL inserting an example row of r's table, built from a
// valid example of the entity, and returning its id as text; false when no
// example could be built.
func seedRow(d dialect, r *ir.Resource) (string, bool) {
	v, ok := newExamples().value(&ir.Schema{Kind: ir.KindNamed, Named: r.Entity})
	obj, isObj := v.(map[string]any)
	if !ok || !isObj {
		return "", false
	}
	var cols, vals []string
	for _, c := range r.Table.Columns {
		if c.Identity || c.Field == nil {
			continue
		}
		x, present := obj[c.Field.Name]
		var lit string
		switch {
		case present && x != nil:
			lit = sqlLiteral(c, x)
		case c.NotNull && c.Default == "":
			lit = d.zero(c)
		default:
			continue
		}
		cols = append(cols, d.ident(c.Name))
		vals = append(vals, lit)
	}
	table := d.ident(r.Table.Name)
	if !d.returning() {
		// The engine's seedRow reads the id back: the database's, or the
		// one it passes for the placeholder of a text id.
		if madeID(d, r) {
			cols = append([]string{d.ident(r.Table.PrimaryKey)}, cols...)
			vals = append([]string{"?"}, vals...)
		}
		if len(cols) == 0 {
			return "INSERT INTO " + table + d.emptyInsert(), true
		}
		return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "), strings.Join(vals, ", ")), true
	}
	id := d.asText(d.ident(r.Table.PrimaryKey))
	if len(cols) == 0 {
		return fmt.Sprintf("INSERT INTO %s%s RETURNING %s", table, d.emptyInsert(), id), true
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING %s", table,
		strings.Join(cols, ", "), strings.Join(vals, ", "), id), true
}

// sqlLiteral writes an example value as a literal of column c.
func sqlLiteral(c *ir.Column, v any) string {
	switch c.Type {
	case ir.ColJSON:
		data, _ := json.Marshal(v)
		return sqlString(string(data))
	case ir.ColBool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b)
		}
	case ir.ColInt, ir.ColBigint, ir.ColReal, ir.ColDouble:
		if f, ok := v.(float64); ok {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	case ir.ColBytes:
		return "''"
	}
	if s, ok := v.(string); ok {
		return sqlString(s)
	}
	data, _ := json.Marshal(v)
	return sqlString(string(data))
}
