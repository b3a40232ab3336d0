package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// sqlite spells the data model in SQLite's dialect.
//
// SQLite's types are affinities, and sqlc types a query argument only from a
// CAST around it: every argument is cast, to a type name sqlc.yaml maps to
// the Go type the PostgreSQL store uses (INT to int32, FLOAT to float32), so
// that the service code is the same for both engines. Casting changes values
// to the affinity of the type name, so time and JSON arguments are cast to
// names of TEXT affinity (TIMETEXT, JSONTEXT) that sqlc.yaml maps to
// time.Time and []byte: a CAST to DATETIME would turn "2026-01-02 …" into
// the number 2026.
type sqlite struct{ standard }

// ident quotes the words PostgreSQL reserves and the ones only SQLite does
// (a table named commit or index is a syntax error there).
func (sqlite) ident(name string) string {
	if sqliteReserved[name] {
		return `"` + name + `"`
	}
	return quoteIdent(name)
}

// sqliteReserved are the keywords SQLite takes as no bare name of a table,
// column or index that sqlReserved leaves out (sqlite.org/lang_keywords.html,
// those without a fallback to an identifier in its grammar). FuzzDDL tries
// every engine's keywords on SQLite itself.
var sqliteReserved = map[string]bool{
	"add": true, "alter": true, "autoincrement": true, "between": true, "commit": true, "delete": true,
	"drop": true, "escape": true, "exists": true, "if": true, "index": true, "insert": true, "nothing": true,
	"raise": true, "set": true, "transaction": true, "update": true, "values": true,
}

// uuidV4 makes a random version 4 UUID in SQL.
const uuidV4 = "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
	"substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))"

func (sqlite) columnType(c *ir.Column) string {
	switch c.Type {
	case ir.ColVarchar:
		return "VARCHAR(" + strconv.FormatInt(c.Length, 10) + ")"
	case ir.ColInt:
		if c.Identity {
			return "INTEGER" // an alias of the rowid only when spelled so
		}
		return "INT"
	case ir.ColBigint:
		return "INTEGER"
	case ir.ColReal:
		return "FLOAT"
	case ir.ColDouble:
		return "REAL"
	case ir.ColBool:
		return "BOOLEAN"
	case ir.ColDate:
		return "DATE"
	case ir.ColTimestamp:
		return "DATETIME"
	case ir.ColBytes:
		return "BLOB"
	case ir.ColJSON:
		return "JSON"
	}
	return "TEXT"
}

// castType is the type name an argument of column c is cast to.
func (d sqlite) castType(c *ir.Column) string {
	switch c.Type {
	case ir.ColVarchar, ir.ColUUID:
		return "TEXT"
	case ir.ColDate, ir.ColTimestamp:
		return "TIMETEXT"
	case ir.ColJSON:
		return "JSONTEXT"
	case ir.ColInt:
		return "INT"
	}
	return d.columnType(c)
}

func (sqlite) identity(c *ir.Column) (string, bool) {
	switch c.Type {
	case ir.ColBigint, ir.ColInt:
		// AUTOINCREMENT: an id is never reused, so a deleted item stays 404.
		return " PRIMARY KEY AUTOINCREMENT", true
	case ir.ColUUID, ir.ColText, ir.ColVarchar:
		return " DEFAULT " + uuidV4, false
	}
	return "", false
}

func (sqlite) now() string { return "CURRENT_TIMESTAMP" }

func (sqlite) zero(c *ir.Column) string {
	switch {
	case len(c.Enum) > 0:
	case c.Type == ir.ColUUID:
		return uuidV4
	case c.Type == ir.ColBytes:
		return "X''"
	}
	return zeroLiteral(c)
}

// checks enforce a varchar's length, which SQLite's types do not.
func (sqlite) checks(c *ir.Column) []string {
	if c.Type == ir.ColVarchar && c.Length > 0 {
		return []string{fmt.Sprintf("length(%s) <= %d", sqlite{}.ident(c.Name), c.Length)}
	}
	return nil
}

func (d sqlite) param(name string, c *ir.Column, nullable, _ bool) string {
	return d.cast(name, d.castType(c), nullable)
}

func (d sqlite) typedParam(name, sqlType string, nullable bool) string {
	switch sqlType {
	case "text":
		sqlType = "TEXT"
	case "boolean":
		sqlType = "BOOLEAN"
	case "bigint":
		sqlType = "INTEGER"
	case "int":
		sqlType = "INT"
	}
	return d.cast(name, sqlType, nullable)
}

func (sqlite) cast(name, sqlType string, nullable bool) string {
	fn := "sqlc.arg"
	if nullable {
		fn = "sqlc.narg"
	}
	return "CAST(" + fn + "(" + sqlString(name) + ") AS " + sqlType + ")"
}

// inList takes the list as a JSON array (see inArg in the service's
// db_gen.go): sqlc.slice cannot be used, since SQLite numbers its
// unnumbered placeholders after the numbered ones before them.
func (d sqlite) inList(col, name string, _ *ir.Column) string {
	a := d.cast(name, "TEXT", true)
	return fmt.Sprintf("(%s IS NULL OR %s IN (SELECT value FROM json_each(%s)))", a, col, a)
}

// sortKey comes from a WITH clause: sqlc leaves arguments in an ORDER BY
// unnumbered with SQLite.
func (d sqlite) sortKey() (string, string, string) {
	return "bkgen_args.sort_key", "WITH bkgen_args AS (SELECT " + d.typedParam(argSort, "text", false) + " AS sort_key)\n", ", bkgen_args"
}

func (sqlite) asText(expr string) string { return "CAST(" + expr + " AS TEXT)" }

// sqliteColumnTypes are the sqlc.yaml overrides giving each column whose
// SQLite type sqlc maps to another Go type than storeType the Go type of
// storeType: [table.column, go_type] pairs.
func sqliteColumnTypes(rs []*ir.Resource) [][2]string {
	var out [][2]string
	for _, r := range rs {
		for _, c := range r.Table.Columns {
			var goType string
			switch {
			case c.Type == ir.ColJSON:
				goType = `{type: "[]byte"}`
			case c.Type != ir.ColInt && c.Type != ir.ColReal:
				continue
			case c.NotNull:
				goType = strings.TrimPrefix(storeType(c), "*")
			default:
				goType = "{type: " + strings.TrimPrefix(storeType(c), "*") + ", pointer: true}"
			}
			out = append(out, [2]string{r.Table.Name + "." + c.Name, goType})
		}
	}
	return out
}
