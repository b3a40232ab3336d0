package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// mysql spells the data model in the dialect MySQL 8 and MariaDB share.
//
// MySQL 8 has no RETURNING (MariaDB 10.5 has), so a create runs an INSERT
// (:execlastid for an integer id, which the database numbers; a text id is
// a UUID made in Go) and an update an UPDATE (:execrows), each followed by
// the item's get; see execThenFetch.
//
// sqlc's MySQL engine types an argument from the column it is compared with
// or assigned to; where there is none, from a CAST, whose type names
// sqlc.yaml maps to Go types: CHAR (sqlc's "var_string") to string, and
// UNSIGNED (sqlc's "bigint unsigned", which no column has) to bool. MySQL
// cannot index a TEXT column without a prefix length, so a text column
// that is a key or indexed is VARCHAR(255).
type mysql struct {
	// keys are the columns that are part of a key or index.
	keys map[*ir.Column]bool
}

// newMySQL is the dialect for the service's tables.
func newMySQL(svc *ir.Service) mysql {
	keys := make(map[*ir.Column]bool)
	for _, r := range svc.Resources {
		t := r.Table
		mark := func(names ...string) {
			for _, n := range names {
				if c := t.Column(n); c != nil {
					keys[c] = true
				}
			}
		}
		mark(t.PrimaryKey)
		for _, ix := range t.Indexes {
			mark(ix.Columns...)
		}
		for _, u := range t.Uniques {
			mark(u.Columns...)
		}
		for _, fk := range t.ForeignKeys {
			mark(fk.Column)
		}
		for _, f := range r.Filters {
			keys[f.Column] = true
		}
	}
	return mysql{keys: keys}
}

// mysqlReserved are words MySQL 8, MariaDB (or sqlc's parser of MySQL) will
// not take as a bare column or table name.
var mysqlReserved = map[string]bool{
	// (The words sqlc's parser refuses bare, and sqlc's own list of them.)
	"array": true, "tablesample": true, "sql_big_result": true, "ilike": true, "float4": true, "float8": true,
	"int1": true, "int2": true, "int3": true, "int4": true, "int8": true, "io_after_gtids": true,
	"io_before_gtids": true, "master_bind": true, "master_ssl_verify_server_cert": true, "middleint": true,
	"no_write_to_binlog": true, "optimizer_costs": true, "read_write": true, "sql_calc_found_rows": true,
	"sql_small_result": true,
	"accessible":       true, "add": true, "all": true, "alter": true, "analyze": true, "and": true, "as": true, "asc": true,
	"asensitive": true, "before": true, "between": true, "bigint": true, "binary": true, "blob": true, "both": true,
	"by": true, "call": true, "cascade": true, "case": true, "change": true, "char": true, "character": true,
	"check": true, "collate": true, "column": true, "condition": true, "constraint": true, "continue": true,
	"convert": true, "create": true, "cross": true, "cube": true, "cume_dist": true, "current_date": true,
	"current_role": true, "current_time": true, "current_timestamp": true, "current_user": true, "cursor": true,
	"database": true, "databases": true, "day_hour": true, "day_microsecond": true, "day_minute": true,
	"day_second": true, "dec": true, "decimal": true, "declare": true, "default": true, "delayed": true,
	"delete": true, "dense_rank": true, "desc": true, "describe": true, "deterministic": true, "distinct": true,
	"distinctrow": true, "div": true, "double": true, "drop": true, "dual": true, "each": true, "else": true,
	"elseif": true, "empty": true, "enclosed": true, "escaped": true, "except": true, "exists": true, "exit": true,
	"explain": true, "false": true, "fetch": true, "first_value": true, "float": true, "for": true, "force": true,
	"foreign": true, "from": true, "fulltext": true, "function": true, "generated": true, "get": true, "grant": true,
	"group": true, "grouping": true, "groups": true, "having": true, "high_priority": true, "hour_microsecond": true,
	"hour_minute": true, "hour_second": true, "if": true, "ignore": true, "in": true, "index": true, "infile": true,
	"inner": true, "inout": true, "insensitive": true, "insert": true, "int": true, "integer": true,
	"intersect": true, "interval": true, "into": true, "is": true, "iterate": true, "join": true, "json_table": true,
	"key": true, "keys": true, "kill": true, "lag": true, "last_value": true, "lateral": true, "lead": true,
	"leading": true, "leave": true, "left": true, "like": true, "limit": true, "linear": true, "lines": true,
	"load": true, "localtime": true, "localtimestamp": true, "lock": true, "long": true, "longblob": true,
	"longtext": true, "loop": true, "low_priority": true, "match": true, "maxvalue": true, "mediumblob": true,
	"mediumint": true, "mediumtext": true, "minute_microsecond": true, "minute_second": true, "mod": true,
	"modifies": true, "natural": true, "not": true, "nth_value": true, "ntile": true, "null": true,
	"numeric": true, "of": true, "offset": true, "on": true, "optimize": true, "option": true, "optionally": true,
	"or": true, "order": true, "out": true, "outer": true, "outfile": true, "over": true, "partition": true,
	"percent_rank": true, "precision": true, "primary": true, "procedure": true, "purge": true, "range": true,
	"rank": true, "read": true, "reads": true, "real": true, "recursive": true, "references": true, "regexp": true,
	"release": true, "rename": true, "repeat": true, "replace": true, "require": true, "resignal": true,
	"restrict": true, "return": true, "returning": true, "revoke": true, "right": true, "rlike": true, "row": true,
	"row_number": true, "rows": true, "schema": true, "schemas": true, "second_microsecond": true, "select": true,
	"sensitive": true, "separator": true, "set": true, "show": true, "signal": true, "smallint": true,
	"spatial": true, "specific": true, "sql": true, "sqlexception": true, "sqlstate": true, "sqlwarning": true,
	"ssl": true, "starting": true, "stored": true, "straight_join": true, "system": true, "table": true,
	"terminated": true, "then": true, "tinyblob": true, "tinyint": true, "tinytext": true, "to": true,
	"trailing": true, "trigger": true, "true": true, "undo": true, "union": true, "unique": true, "unlock": true,
	"unsigned": true, "update": true, "usage": true, "use": true, "using": true, "utc_date": true, "utc_time": true,
	"utc_timestamp": true, "values": true, "varbinary": true, "varchar": true, "varcharacter": true,
	"varying": true, "virtual": true, "when": true, "where": true, "while": true, "window": true, "with": true,
	"write": true, "xor": true, "year_month": true, "zerofill": true,
}

func (mysql) ident(name string) string {
	plain := name != "" && (name[0] < '0' || name[0] > '9')
	for _, c := range name {
		if c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			plain = false
		}
	}
	if plain && !mysqlReserved[name] {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (d mysql) columnType(c *ir.Column) string {
	switch c.Type {
	case ir.ColVarchar:
		return "VARCHAR(" + strconv.FormatInt(c.Length, 10) + ")"
	case ir.ColText:
		if d.keys[c] {
			return "VARCHAR(255)"
		}
		return "TEXT"
	case ir.ColUUID:
		return "CHAR(36)"
	case ir.ColInt:
		return "INT"
	case ir.ColBigint:
		return "BIGINT"
	case ir.ColReal:
		return "FLOAT"
	case ir.ColDouble:
		return "DOUBLE"
	case ir.ColBool:
		return "BOOLEAN"
	case ir.ColDate:
		return "DATE"
	case ir.ColTimestamp:
		return "DATETIME(6)"
	case ir.ColBytes:
		return "LONGBLOB"
	case ir.ColJSON:
		return "JSON"
	}
	return "TEXT"
}

func (mysql) identity(c *ir.Column) (string, bool) {
	switch c.Type {
	case ir.ColBigint, ir.ColInt:
		return " AUTO_INCREMENT", false
	}
	return "", false // a text or uuid id is made in Go (newID)
}

func (mysql) now() string { return "CURRENT_TIMESTAMP(6)" }

func (mysql) zero(c *ir.Column) string {
	switch {
	case len(c.Enum) > 0:
	case c.Type == ir.ColTimestamp:
		return "CURRENT_TIMESTAMP(6)"
	case c.Type == ir.ColDate:
		return "(CURRENT_DATE)"
	case c.Type == ir.ColUUID:
		return "(UUID())"
	}
	return zeroLiteral(c)
}

// defaultExpr wraps a literal default of a TEXT, BLOB or JSON column in
// parentheses: MySQL takes only expression defaults there (8.0.13+).
func (d mysql) defaultExpr(c *ir.Column, expr string) string {
	switch d.columnType(c) {
	case "TEXT", "LONGBLOB", "JSON":
		if !strings.HasPrefix(expr, "(") {
			return "(" + expr + ")"
		}
	}
	return expr
}

func (mysql) checks(*ir.Column) []string { return nil }

func (mysql) param(name string, _ *ir.Column, nullable, _ bool) string {
	// The column the argument meets types it, even for a CASE in SET.
	return mysqlArg(name, nullable)
}

func mysqlArg(name string, nullable bool) string {
	if nullable {
		return "sqlc.narg(" + sqlString(name) + ")"
	}
	return "sqlc.arg(" + sqlString(name) + ")"
}

func (mysql) typedParam(name, sqlType string, nullable bool) string {
	switch sqlType {
	case "text":
		return "CAST(" + mysqlArg(name, nullable) + " AS CHAR)"
	case "boolean":
		return "CAST(" + mysqlArg(name, nullable) + " AS UNSIGNED)"
	case "int":
		return "?" // LIMIT and OFFSET take no sqlc.arg: sqlc names them limit and offset
	}
	return mysqlArg(name, nullable) // typed by the column it is compared with
}

// inList uses sqlc.slice, which sqlc expands to one placeholder per item (or
// NULL for none); the flag argument says whether the filter applies.
func (mysql) inList(col, name string, _ *ir.Column) string {
	return fmt.Sprintf("(CAST(%s AS UNSIGNED) = 0 OR %s IN (sqlc.slice(%s)))", mysqlArg(inFlagArg(name), false), col, sqlString(name))
}

// inFlagArg is the argument saying that the "is one of" filter name applies.
func inFlagArg(name string) string { return name + "_on" }

func (d mysql) inFilter(c *ir.Column) (flag, ptrElems bool) { return true, !c.NotNull }

func (d mysql) sortKey() (string, string, string) {
	return d.typedParam(argSort, "text", false), "", ""
}

func (mysql) asText(expr string) string { return "CAST(" + expr + " AS CHAR)" }

func (mysql) returning() bool { return false }

func (mysql) pageArgs() (string, string) { return "limit", "offset" }

func (mysql) emptyInsert() string { return " () VALUES ()" }

// mysqlRename are the sqlc.yaml renames of the arguments only MySQL's
// queries have: the flags of the "is one of" filters.
func mysqlRename(rs []*ir.Resource) map[string]string {
	m := make(map[string]string)
	for _, r := range rs {
		for _, f := range r.Filters {
			if f.In {
				m[inFlagArg(filterArg(f))] = ir.GoName(inFlagArg(filterArg(f)))
			}
		}
	}
	return m
}

// madeIDs reports whether a table's id is made in Go (newID) rather than by
// the database: a text or uuid id, on an engine without RETURNING.
func madeIDs(svc *ir.Service) bool {
	d := dialectOf(svc)
	for _, r := range svc.Resources {
		if r.Has(ir.Create) && madeID(d, r) {
			return true
		}
	}
	return false
}

// madeID reports whether r's create makes the id in Go.
func madeID(d dialect, r *ir.Resource) bool {
	pk := r.Table.Column(r.Table.PrimaryKey)
	return !d.returning() && pk.Identity && pk.Type != ir.ColInt && pk.Type != ir.ColBigint
}
