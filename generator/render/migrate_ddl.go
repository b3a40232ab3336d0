package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// migrator spells a migration's statements in one SQL engine's dialect.
type migrator struct {
	name string
	d    dialect // for its ident
}

// newEngine is the engine named name (postgres, mysql or sqlite).
func newEngine(name string) migrator {
	switch name {
	case "mysql":
		return migrator{name, mysql{}}
	case "sqlite":
		return migrator{name, sqlite{}}
	}
	return migrator{"postgres", postgres{}}
}

// id quotes an identifier where the engine needs it.
func (e migrator) id(name string) string { return e.d.ident(name) }

// ids is a parenthesised list of quoted identifiers' inside.
func (e migrator) ids(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = e.id(n)
	}
	return strings.Join(out, ", ")
}

// columnDef is a column's definition, as ddlUp writes it.
func (e migrator) columnDef(c ModelColumn) string {
	s := e.id(c.Name) + " " + c.Type
	if c.Generated != "" {
		s += " " + c.Generated
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	if c.NotNull {
		s += " NOT NULL"
	}
	return s
}

// createTable is the CREATE TABLE of t, named as, then its CREATE INDEXes
// (on t's name), spelled as ddlUp spells them.
func (e migrator) createTable(t ModelTable, as string) []string {
	var lines []string
	for _, c := range t.Columns {
		lines = append(lines, "    "+e.columnDef(c))
	}
	if t.PrimaryKey.Name != "" {
		lines = append(lines, fmt.Sprintf("    CONSTRAINT %s PRIMARY KEY (%s)", e.id(t.PrimaryKey.Name), e.ids(t.PrimaryKey.Columns)))
	}
	for _, c := range t.Columns {
		for _, ck := range c.Checks {
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s CHECK (%s)", e.id(ck.Name), ck.Expr))
		}
	}
	for _, u := range t.Uniques {
		lines = append(lines, fmt.Sprintf("    CONSTRAINT %s UNIQUE (%s)", e.id(u.Name), e.ids(u.Columns)))
	}
	for _, fk := range t.ForeignKeys {
		lines = append(lines, "    "+e.foreignKey(fk))
	}
	out := []string{fmt.Sprintf("CREATE TABLE %s (\n%s\n);", e.id(as), strings.Join(lines, ",\n"))}
	for _, ix := range t.Indexes {
		out = append(out, e.addIndex(t.Name, ix))
	}
	return out
}

// foreignKey is a foreign key's table constraint.
func (e migrator) foreignKey(fk ModelForeignKey) string {
	s := fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s)", e.id(fk.Name), e.id(fk.Column), e.id(fk.RefTable), e.id(fk.RefColumn))
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	return s
}

// alterTable starts an ALTER TABLE statement.
func (e migrator) alterTable(table string) string { return "ALTER TABLE " + e.id(table) + " " }

func (e migrator) addCheck(table string, ck ModelCheck) string {
	return e.alterTable(table) + fmt.Sprintf("ADD CONSTRAINT %s CHECK (%s);", e.id(ck.Name), ck.Expr)
}

// dropCheck: MySQL 8.0.19+ and MariaDB both take DROP CONSTRAINT.
func (e migrator) dropCheck(table string, ck ModelCheck) string {
	return e.alterTable(table) + "DROP CONSTRAINT " + e.id(ck.Name) + ";"
}

func (e migrator) addUnique(table string, u ModelKey) string {
	return e.alterTable(table) + fmt.Sprintf("ADD CONSTRAINT %s UNIQUE (%s);", e.id(u.Name), e.ids(u.Columns))
}

func (e migrator) dropUnique(table string, u ModelKey) string {
	if e.name == "mysql" {
		return e.alterTable(table) + "DROP INDEX " + e.id(u.Name) + ";"
	}
	return e.alterTable(table) + "DROP CONSTRAINT " + e.id(u.Name) + ";"
}

func (e migrator) addIndex(table string, ix ModelKey) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s);", e.id(ix.Name), e.id(table), e.ids(ix.Columns))
}

func (e migrator) dropIndex(table string, ix ModelKey) string {
	if e.name == "mysql" {
		return "DROP INDEX " + e.id(ix.Name) + " ON " + e.id(table) + ";"
	}
	return "DROP INDEX " + e.id(ix.Name) + ";"
}

func (e migrator) addForeignKey(table string, fk ModelForeignKey) string {
	return e.alterTable(table) + "ADD " + e.foreignKey(fk) + ";"
}

func (e migrator) dropForeignKey(table string, fk ModelForeignKey) string {
	if e.name == "mysql" {
		return e.alterTable(table) + "DROP FOREIGN KEY " + e.id(fk.Name) + ";"
	}
	return e.alterTable(table) + "DROP CONSTRAINT " + e.id(fk.Name) + ";"
}

func (e migrator) addPrimaryKey(table string, k ModelKey) string {
	if k.Name == "" {
		return e.alterTable(table) + "ADD PRIMARY KEY (" + e.ids(k.Columns) + ");"
	}
	return e.alterTable(table) + fmt.Sprintf("ADD CONSTRAINT %s PRIMARY KEY (%s);", e.id(k.Name), e.ids(k.Columns))
}

func (e migrator) dropPrimaryKey(table string, k ModelKey) string {
	if e.name == "mysql" {
		return e.alterTable(table) + "DROP PRIMARY KEY;"
	}
	return e.alterTable(table) + "DROP CONSTRAINT " + e.id(k.Name) + ";"
}

// addColumn adds c; a NOT NULL column without default gets its zero value
// as a default for the existing rows, dropped at once (on SQLite, which
// cannot drop a default, such a column makes the table rebuilt instead).
func (e migrator) addColumn(table string, c ModelColumn) (stmts, notes []string) {
	if needsValue(c) && e.name != "sqlite" {
		tmp := c
		tmp.Default = c.Zero
		stmts = []string{
			e.alterTable(table) + "ADD COLUMN " + e.columnDef(tmp) + ";",
			e.alterTable(table) + "ALTER COLUMN " + e.id(c.Name) + " DROP DEFAULT;",
		}
		note := fmt.Sprintf("Existing rows get the zero value of %s.%s, %s, as a default dropped at once: "+
			"backfill them with real values (UPDATE %s SET %s = ... WHERE ...).", table, c.Name, c.Zero, e.id(table), e.id(c.Name))
		return stmts, []string{note}
	}
	return []string{e.alterTable(table) + "ADD COLUMN " + e.columnDef(c) + ";"}, nil
}

func (e migrator) dropColumn(table string, c ModelColumn) string {
	return e.alterTable(table) + "DROP COLUMN " + e.id(c.Name) + ";"
}

// alterColumn changes column a into b (PostgreSQL, MySQL; SQLite rebuilds).
// A column made NOT NULL first gets its zero value where it is NULL.
func (e migrator) alterColumn(table string, a, b ModelColumn) []string {
	var out []string
	fill := fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IS NULL;", e.id(table), e.id(b.Name), b.Zero, e.id(b.Name))
	if e.name == "mysql" {
		if !a.NotNull && b.NotNull {
			out = append(out, fill)
		}
		return append(out, e.alterTable(table)+"MODIFY COLUMN "+e.columnDef(b)+";")
	}
	col := e.alterTable(table) + "ALTER COLUMN " + e.id(b.Name) + " "
	retype := a.Type != b.Type
	if a.Generated != "" && a.Generated != b.Generated {
		out = append(out, col+"DROP IDENTITY;")
	}
	// The old default may not cast to the new type: it goes first.
	if retype && a.Default != "" {
		out = append(out, col+"DROP DEFAULT;")
	}
	if retype {
		out = append(out, col+"TYPE "+b.Type+e.using(b.Name, a.Type, b.Type)+";")
	}
	switch {
	case b.Default != "" && (b.Default != a.Default || retype):
		out = append(out, col+"SET DEFAULT "+b.Default+";")
	case b.Default == "" && a.Default != "" && !retype:
		out = append(out, col+"DROP DEFAULT;")
	}
	switch {
	case !a.NotNull && b.NotNull:
		out = append(out, fill, col+"SET NOT NULL;")
	case a.NotNull && !b.NotNull:
		out = append(out, col+"DROP NOT NULL;")
	}
	if b.Generated != "" && a.Generated != b.Generated {
		out = append(out, col+"ADD "+b.Generated+";")
	}
	return out
}

// using is PostgreSQL's USING clause converting a column of type from to
// type to: none within a kind (the assignment cast refuses what does not
// fit rather than cut it), a cast where one exists, else through text.
func (e migrator) using(column, from, to string) string {
	cf, nf := typeClass(e.name, from)
	ct, nt := typeClass(e.name, to)
	switch {
	case cf == ct:
		return ""
	case cf == "text" || ct == "text",
		(cf == "int" || cf == "float") && (ct == "int" || ct == "float"),
		cf == "int" && nf == 4 && ct == "bool", cf == "bool" && ct == "int" && nt == 4,
		cf == "date" && ct == "time", cf == "time" && ct == "date",
		cf == "json" && (ct == "int" || ct == "float" || ct == "bool"):
		return " USING " + e.id(column) + "::" + to
	}
	return " USING " + e.id(column) + "::text::" + to
}

// renameTable renames table from to to's name, and the constraints and
// indexes matching to's (by kind and columns) that the engine can rename
// in place; after is from as the statements leave it. PostgreSQL renames
// them all, and the identity sequences; MySQL its indexes (its primary key
// is always PRIMARY); SQLite none (a rebuild renames what the table holds).
func (e migrator) renameTable(from, to ModelTable) ([]string, ModelTable) {
	after := from.clone()
	after.Name = to.Name
	stmts := []string{e.alterTable(from.Name) + "RENAME TO " + e.id(to.Name) + ";"}
	renameKeys := func(keys []ModelKey, in []ModelKey, stmt func(a, b string) string) {
		for i, k := range keys {
			for _, n := range in {
				if slices.Equal(k.Columns, n.Columns) && k.Name != n.Name {
					stmts = append(stmts, stmt(k.Name, n.Name))
					keys[i].Name = n.Name
					break
				}
			}
		}
	}
	renameIndex := func(a, b string) string {
		if e.name == "mysql" {
			return e.alterTable(to.Name) + "RENAME INDEX " + e.id(a) + " TO " + e.id(b) + ";"
		}
		return "ALTER INDEX " + e.id(a) + " RENAME TO " + e.id(b) + ";"
	}
	renameConstraint := func(a, b string) string {
		return e.alterTable(to.Name) + "RENAME CONSTRAINT " + e.id(a) + " TO " + e.id(b) + ";"
	}
	switch e.name {
	case "mysql":
		if after.PrimaryKey.Name != "" && to.PrimaryKey.Name != "" {
			after.PrimaryKey.Name = to.PrimaryKey.Name
		}
		renameKeys(after.Uniques, to.Uniques, renameIndex)
		renameKeys(after.Indexes, to.Indexes, renameIndex)
	case "postgres":
		pk := []ModelKey{after.PrimaryKey}
		if after.PrimaryKey.Name != "" && to.PrimaryKey.Name != "" {
			renameKeys(pk, []ModelKey{to.PrimaryKey}, renameConstraint)
		}
		after.PrimaryKey = pk[0]
		renameKeys(after.Uniques, to.Uniques, renameConstraint)
		for i := range after.Columns {
			c := &after.Columns[i]
			tc := to.column(c.Name)
			for j := range c.Checks {
				ck := &c.Checks[j]
				if tc == nil {
					continue
				}
				for _, n := range tc.Checks {
					if n.Kind == ck.Kind && n.Name != ck.Name {
						stmts = append(stmts, renameConstraint(ck.Name, n.Name))
						ck.Name = n.Name
					}
				}
			}
		}
		for i := range after.ForeignKeys {
			fk := &after.ForeignKeys[i]
			for _, n := range to.ForeignKeys {
				if n.Column == fk.Column && n.Name != fk.Name {
					stmts = append(stmts, renameConstraint(fk.Name, n.Name))
					fk.Name = n.Name
				}
			}
		}
		renameKeys(after.Indexes, to.Indexes, renameIndex)
		for _, c := range after.Columns {
			oldSeq, newSeq := from.Name+"_"+c.Name+"_seq", to.Name+"_"+c.Name+"_seq"
			if c.Generated != "" && len(oldSeq) <= 63 && len(newSeq) <= 63 {
				stmts = append(stmts, "ALTER SEQUENCE IF EXISTS "+e.id(oldSeq)+" RENAME TO "+e.id(newSeq)+";")
			}
		}
	}
	return stmts, after
}

// rebuild is SQLite's rebuild of table x into y (same name): create the
// new table, copy the rows, drop the old one, rename the new one, create
// the indexes (https://www.sqlite.org/lang_altertable.html, section 7).
func (e migrator) rebuild(x, y ModelTable) []string {
	tmp := "bkgen_new_" + y.Name
	created := e.createTable(y, tmp)
	out := []string{created[0]}
	var cols, exprs []string
	for _, c := range y.Columns {
		xc := x.column(c.Name)
		switch {
		case xc != nil && c.NotNull && !xc.NotNull:
			cols, exprs = append(cols, e.id(c.Name)), append(exprs, "COALESCE("+e.id(c.Name)+", "+c.Zero+")")
		case xc != nil:
			cols, exprs = append(cols, e.id(c.Name)), append(exprs, e.id(c.Name))
		case needsValue(c):
			cols, exprs = append(cols, e.id(c.Name)), append(exprs, c.Zero)
		}
	}
	if len(cols) > 0 {
		out = append(out, fmt.Sprintf("INSERT INTO %s (%s)\n    SELECT %s FROM %s;", e.id(tmp), strings.Join(cols, ", "), strings.Join(exprs, ", "), e.id(x.Name)))
	}
	if autoincrement(x) && autoincrement(y) {
		// AUTOINCREMENT never reuses an id: the new table goes on from the
		// old one's highest, even of deleted rows.
		out = append(out,
			"DELETE FROM sqlite_sequence WHERE name = "+sqlString(tmp)+";",
			fmt.Sprintf("INSERT INTO sqlite_sequence (name, seq) SELECT %s, seq FROM sqlite_sequence WHERE name = %s;", sqlString(tmp), sqlString(x.Name)))
	}
	out = append(out, "DROP TABLE "+e.id(x.Name)+";", e.alterTable(tmp)+"RENAME TO "+e.id(y.Name)+";")
	return append(out, created[1:]...)
}

// autoincrement reports whether t's key is SQLite's INTEGER PRIMARY KEY AUTOINCREMENT.
func autoincrement(t ModelTable) bool {
	return slices.ContainsFunc(t.Columns, func(c ModelColumn) bool { return strings.Contains(c.Generated, "AUTOINCREMENT") })
}

// unbounded is the size of a text type without a length.
const unbounded = int64(1) << 62

// typeClass is the kind of an engine's type and its size (bytes of a
// number, characters of a text).
func typeClass(engine, typ string) (string, int64) {
	s := strings.ToLower(strings.TrimSpace(typ))
	if n, ok := strings.CutPrefix(s, "varchar("); ok {
		if size, err := strconv.ParseInt(strings.TrimSuffix(n, ")"), 10, 64); err == nil {
			return "text", size
		}
	}
	switch s {
	case "text":
		return "text", unbounded
	case "char(36)", "uuid":
		return "uuid", 36
	case "integer", "int":
		if engine == "sqlite" {
			return "int", 8 // every SQLite integer is 64 bits
		}
		return "int", 4
	case "bigint":
		return "int", 8
	case "real", "float":
		if engine == "sqlite" {
			return "float", 8
		}
		return "float", 4
	case "double precision", "double":
		return "float", 8
	case "boolean":
		return "bool", 1
	case "date":
		return "date", 0
	case "timestamptz", "datetime(6)", "datetime":
		return "time", 0
	case "bytea", "longblob", "blob":
		return "bytes", 0
	case "jsonb", "json":
		return "json", 0
	}
	return s, 0
}

// widens reports whether every value of type from fits type to unchanged.
func (e migrator) widens(from, to string) bool {
	cf, nf := typeClass(e.name, from)
	ct, nt := typeClass(e.name, to)
	switch {
	case cf == ct:
		return nt >= nf
	case ct == "text" && nt == unbounded:
		return cf != "bytes"
	case ct == "text" && cf == "uuid":
		return nt >= 36
	case cf == "int" && ct == "float":
		return nf == 4 && nt == 8
	case cf == "date" && ct == "time":
		return true
	}
	return false
}

// bkgenTable is the DDL of a bkgen_* table, as 0001_init.sql writes it.
func (e migrator) bkgenTable(table string) []string {
	return bkgenDDL[e.name][table]
}

// bkgenDDL are the statements creating the bkgen_* tables, by engine: the
// same as blueprints/db/<engine>/migrations/0001_init.sql.tmpl's (a test
// holds them equal).
var bkgenDDL = map[string]map[string][]string{
	"postgres": {
		"bkgen_api_keys": {`CREATE TABLE bkgen_api_keys (
    id text PRIMARY KEY,
    name text NOT NULL,
    hash text NOT NULL,
    scopes text[] NOT NULL DEFAULT '{}',
    created timestamptz NOT NULL DEFAULT now()
);`},
		"bkgen_sessions": {`CREATE TABLE bkgen_sessions (
    id text PRIMARY KEY,
    subject text NOT NULL,
    scopes text[] NOT NULL DEFAULT '{}',
    created timestamptz NOT NULL DEFAULT now(),
    expires timestamptz NOT NULL
);`, `CREATE INDEX bkgen_sessions_expires ON bkgen_sessions (expires);`},
	},
	"mysql": {
		"bkgen_api_keys": {`CREATE TABLE bkgen_api_keys (
    id VARCHAR(255) NOT NULL,
    name TEXT NOT NULL,
    hash VARCHAR(255) NOT NULL,
    scopes JSON NOT NULL,
    created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_bkgen_api_keys PRIMARY KEY (id)
);`},
		"bkgen_sessions": {`CREATE TABLE bkgen_sessions (
    id VARCHAR(255) NOT NULL,
    subject TEXT NOT NULL,
    scopes JSON NOT NULL,
    created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires DATETIME(6) NOT NULL,
    CONSTRAINT pk_bkgen_sessions PRIMARY KEY (id)
);`, `CREATE INDEX bkgen_sessions_expires ON bkgen_sessions (expires);`},
	},
	"sqlite": {
		"bkgen_api_keys": {`CREATE TABLE bkgen_api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]' CHECK (json_type(scopes) = 'array'),
    created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);`},
		"bkgen_sessions": {`CREATE TABLE bkgen_sessions (
    id TEXT NOT NULL PRIMARY KEY,
    subject TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]' CHECK (json_type(scopes) = 'array'),
    created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires DATETIME NOT NULL
);`, `CREATE INDEX bkgen_sessions_expires ON bkgen_sessions (expires);`},
	},
}
