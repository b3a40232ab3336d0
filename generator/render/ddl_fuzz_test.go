package render

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

// FuzzDDL builds tables from fuzzed names, types and constraints, as the
// builder does (names through SnakeName, or raw, to try the quoting; enum
// values an SQL literal cannot hold safely dropped), or keywords of the
// engines (which must be quoted where they are reserved), and writes their
// 0001_init.sql as ddlUp and ddlDown do. goose's parser must find one
// statement per CREATE TABLE, CREATE INDEX and DROP TABLE; a lexer of each
// dialect must find every quote closed, ";" only at the end, no comment, and
// each column's name, unquoted, where the CREATE TABLE defines it. SQLite
// itself (ncruces/go-sqlite3) runs the SQLite file: the tables it then
// lists have the columns asked for, and the Down section drops them.
func FuzzDDL(f *testing.F) {
	f.Add(uint8(0), []byte("pets\x00name\x01tag\x02age\x03"))
	f.Add(uint8(1), []byte("\x80order\x00\x80select\x01\x80a\x02x--y\x04"))
	f.Add(uint8(2), []byte("Users\x00\x80id\x05\x80\"\x06; DROP TABLE x; --\x07\x81\x00kind\x08"))
	f.Add(uint8(2), []byte(strings.Repeat("long_table_name_", 8)+"\x00"+strings.Repeat("c", 70)+"\x01"+strings.Repeat("c", 70)+"\x02"))
	f.Fuzz(func(t *testing.T, engine uint8, data []byte) {
		svc := fuzzService(migrateEngines[int(engine)%len(migrateEngines)], data)
		file := []byte("-- +goose Up\n" + ddlUp(svc) + "\n\n-- +goose Down\n" + ddlDown(svc) + "\n")
		up, down := gooseSplit(t, file)
		want := 0
		for _, r := range svc.Resources {
			want++
			names := map[string]bool{}
			for _, ix := range r.Table.Indexes {
				if !names[ix.Name] {
					names[ix.Name] = true
					want++
				}
			}
		}
		if len(up) != want || len(down) != len(svc.Resources) {
			t.Fatalf("goose finds %d Up and %d Down statements, want %d and %d:\n%s", len(up), len(down), want, len(svc.Resources), file)
		}
		d := dialectOf(svc)
		for _, s := range slices.Concat(up, down) {
			toks, err := lexSQL(s, svc.Database)
			if err != nil {
				t.Fatalf("%v in:\n%s", err, s)
			}
			for i, tok := range toks {
				if tok.text == ";" && tok.kind == tokOther && i != len(toks)-1 {
					t.Fatalf("';' before the end of the statement:\n%s", s)
				}
			}
			if toks[len(toks)-1].text != ";" {
				t.Fatalf("no ';' at the end:\n%s", s)
			}
		}
		for i, r := range orderTables(svc.Resources) {
			if got, want := definedColumns(t, up, i, svc.Database), columnNames(r.Table); !slices.Equal(got, want) {
				t.Fatalf("CREATE TABLE %s defines the columns %q, want %q:\n%s", d.ident(r.Table.Name), got, want, file)
			}
		}
		if svc.Database == "sqlite" {
			runSQLite(t, svc, up, down, file)
		}
	})
}

// fuzzService decodes data into a service of one to three tables on
// engine: each table a name, then columns, each a name (see fuzzName) and a
// byte choosing its type and constraints.
func fuzzService(engine string, data []byte) *ir.Service {
	svc := &ir.Service{Database: engine}
	tables := ir.NewNamer("bkgen_api_keys", "bkgen_sessions", "goose_db_version")
	indexNames := ir.NewNamer()
	fields := bytes.Split(data, []byte{0})
	types := []ir.ColumnType{ir.ColText, ir.ColVarchar, ir.ColInt, ir.ColBigint, ir.ColReal, ir.ColDouble, ir.ColBool, ir.ColUUID, ir.ColDate, ir.ColTimestamp, ir.ColBytes, ir.ColJSON}
	var prev *ir.Resource
	for ti, part := range fields[:min(len(fields), 3)] {
		cols := splitControl(part)
		if len(cols) == 0 {
			continue
		}
		t := &ir.Table{Name: tables.TakeWithin(fuzzName(cols[0].name), 63)}
		names := ir.NewNamer()
		id := &ir.Column{Name: names.TakeWithin("id", 63), Type: ir.ColBigint, NotNull: true, Identity: true}
		t.Columns = append(t.Columns, id)
		t.PrimaryKey = id.Name
		for i, c := range cols[1:] {
			col := &ir.Column{Name: names.TakeWithin(fuzzName(c.name), 63), Type: types[int(c.code)%len(types)], NotNull: c.code&0x10 != 0}
			switch col.Type {
			case ir.ColVarchar:
				col.Length = int64(c.code)%300 + 1
			case ir.ColText:
				if c.code&0x20 != 0 {
					col.Enum = []string{c.name, strings.ToUpper(c.name), "", "a'b", "x;y"}
					if slices.ContainsFunc(col.Enum, func(v string) bool { return !ir.SQLText(v) }) {
						col.Enum = nil // build_table's rule
					}
				}
			case ir.ColInt, ir.ColBigint, ir.ColDouble:
				lo, hi := float64(i)-float64(c.code), float64(c.code)*1.5
				col.Min, col.Max = &lo, &hi
			case ir.ColTimestamp:
				if c.code&0x20 != 0 {
					col.Default = ir.DefaultNow
				}
			}
			if col.NotNull && c.code&0x40 != 0 {
				col.Default = ir.DefaultZero
			}
			t.Columns = append(t.Columns, col)
			if c.code&0x80 != 0 {
				ix := &ir.Index{Name: indexNames.TakeWithin(ir.ConstraintName("idx", t.Name, col.Name), 63), Columns: []string{col.Name}}
				if ti%2 == 0 && col.Type != ir.ColJSON && col.Type != ir.ColBytes && col.Type != ir.ColText {
					ix.Name = indexNames.TakeWithin(ir.ConstraintName("uq", t.Name, col.Name), 63)
					t.Uniques = append(t.Uniques, ix)
				} else if col.Type != ir.ColJSON && col.Type != ir.ColBytes && col.Type != ir.ColText {
					t.Indexes = append(t.Indexes, ix)
				}
			}
		}
		r := &ir.Resource{Table: t}
		if prev != nil {
			fk := &ir.Column{Name: names.TakeWithin("parent_id", 63), Type: ir.ColBigint, NotNull: true}
			t.Columns = append(t.Columns, fk)
			t.ForeignKeys = append(t.ForeignKeys, &ir.ForeignKey{Name: indexNames.TakeWithin(ir.ConstraintName("fk", t.Name, fk.Name), 63), Column: fk.Name, RefTable: prev.Table.Name, RefColumn: prev.Table.PrimaryKey})
			r.Parent = prev
		}
		svc.Resources = append(svc.Resources, r)
		prev = r
	}
	if len(svc.Resources) == 0 {
		svc.Resources = []*ir.Resource{{Table: &ir.Table{Name: "t", PrimaryKey: "id", Columns: []*ir.Column{{Name: "id", Type: ir.ColBigint, NotNull: true, Identity: true}}}}}
	}
	return svc
}

type fuzzColumn struct {
	name string
	code byte
}

// splitControl splits b at its control bytes (1–31): the text before each
// is a name, the byte its code.
func splitControl(b []byte) []fuzzColumn {
	var out []fuzzColumn
	start := 0
	for i, c := range b {
		if c > 0 && c < 32 {
			out = append(out, fuzzColumn{string(b[start:i]), c * 37})
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, fuzzColumn{string(b[start:]), 0})
	}
	return out
}

// fuzzName is SnakeName(s), as the builder names tables and columns (or
// their x-bkgen-table and x-bkgen-column, which must be such names); when s
// starts with 0x80, the next byte picks a keyword of one of the engines, to
// try the quoting.
func fuzzName(s string) string {
	raw, ok := strings.CutPrefix(s, "\x80")
	if !ok {
		return ir.SnakeName(s)
	}
	words := sqlKeywords()
	if raw == "" {
		return words[0]
	}
	return words[int(raw[0])%len(words)]
}

// sqlKeywords are the words any of the engines reserves or knows as a
// keyword: PostgreSQL's and MySQL's lists of the dialects, and SQLite's
// (sqlite.org/lang_keywords.html), sorted.
func sqlKeywords() []string {
	words := strings.Fields(`abort action add after all alter always analyze and as asc attach autoincrement
	before begin between by cascade case cast check collate column commit conflict constraint create cross
	current current_date current_time current_timestamp database default deferrable deferred delete desc
	detach distinct do drop each else end escape except exclude exclusive exists explain fail filter first
	following for foreign from full generated glob group groups having if ignore immediate in index indexed
	initially inner insert instead intersect into is isnull join key last left like limit match materialized
	natural no not nothing notnull null nulls of offset on or order others outer over partition plan pragma
	preceding primary query raise range recursive references regexp reindex release rename replace restrict
	returning right rollback row rows savepoint select set table temp temporary then ties to transaction
	trigger unbounded union unique update using vacuum values view virtual when where window with without
	rowid oid _rowid_ id`)
	for w := range sqlReserved {
		words = append(words, w)
	}
	for w := range mysqlReserved {
		words = append(words, w)
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// gooseSplit splits a goose file into its Up and Down statements as goose's
// parser (pressly/goose/v3 internal/sqlparser) does: annotations are
// comment lines holding "+goose"; comment and empty lines before a
// statement are dropped; a statement ends at a line whose last word before
// a word starting "--" ends in ";".
func gooseSplit(t *testing.T, file []byte) (up, down []string) {
	t.Helper()
	part := 0
	var buf strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(file))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && strings.Contains(line, "+goose") {
			switch strings.TrimSpace(strings.TrimPrefix(trimmed, "--")) {
			case "+goose Up":
				part = 1
			case "+goose Down":
				part = 2
			default:
				t.Fatalf("annotation %q in:\n%s", line, file)
			}
			continue
		}
		if part == 0 || buf.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")) {
			continue
		}
		buf.WriteString(line + "\n")
		last := ""
		for w := range strings.FieldsSeq(line) {
			if strings.HasPrefix(w, "--") {
				break
			}
			last = w
		}
		if strings.HasSuffix(last, ";") {
			if part == 1 {
				up = append(up, strings.TrimSpace(buf.String()))
			} else {
				down = append(down, strings.TrimSpace(buf.String()))
			}
			buf.Reset()
		}
	}
	if part != 2 || strings.TrimSpace(buf.String()) != "" {
		t.Fatalf("not a goose file (an unfinished statement):\n%s", file)
	}
	return up, down
}

// Kinds of token lexSQL finds.
const (
	tokOther  = iota // a word, number, operator or punctuation
	tokIdent         // a quoted identifier, unquoted
	tokString        // a string literal, unquoted
)

type sqlToken struct {
	kind int
	text string
}

// lexSQL splits an SQL statement of engine into tokens, failing on an
// unclosed quote, a comment (the DDL writes none inside statements) or,
// for MySQL, a backslash in a string (an escape there, elsewhere not).
func lexSQL(s, engine string) ([]sqlToken, error) {
	identQuote := byte('"')
	if engine == "mysql" {
		identQuote = '`'
	}
	var toks []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '\'' || c == identQuote:
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unclosed %c at %d", c, i)
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				if c == '\'' && engine == "mysql" && s[j] == '\\' {
					return nil, fmt.Errorf("a backslash in a MySQL string at %d", j)
				}
				b.WriteByte(s[j])
				j++
			}
			kind := tokString
			if c == identQuote {
				kind = tokIdent
			}
			toks = append(toks, sqlToken{kind, b.String()})
			i = j + 1
		case strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "/*") || c == '#' && engine == "mysql":
			return nil, fmt.Errorf("a comment at %d", i)
		case c == '"' || c == '`':
			return nil, fmt.Errorf("a stray %c at %d", c, i)
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, sqlToken{tokOther, s[i:j]})
			i = j
		default:
			toks = append(toks, sqlToken{tokOther, s[i : i+1]})
			i++
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("no token")
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// definedColumns are the names the i-th CREATE TABLE of up defines
// columns with: the first token of each element of its list that is no
// constraint, unquoted.
func definedColumns(t *testing.T, up []string, i int, engine string) []string {
	t.Helper()
	var creates []string
	for _, s := range up {
		if strings.HasPrefix(s, "CREATE TABLE") {
			creates = append(creates, s)
		}
	}
	if i >= len(creates) {
		t.Fatalf("%d CREATE TABLE statements, want more", len(creates))
	}
	toks, err := lexSQL(creates[i], engine)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	depth, start := 0, true
	for _, tok := range toks {
		switch {
		case tok.kind == tokOther && tok.text == "(":
			depth++
			if depth == 1 {
				start = true
				continue
			}
		case tok.kind == tokOther && tok.text == ")":
			depth--
		case tok.kind == tokOther && tok.text == "," && depth == 1:
			start = true
			continue
		}
		if depth == 1 && start {
			start = false
			if tok.kind == tokOther && strings.EqualFold(tok.text, "CONSTRAINT") {
				continue
			}
			names = append(names, tok.text)
		}
	}
	return names
}

// columnNames are t's columns' names in the order ddlUp writes them.
func columnNames(t *ir.Table) []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// runSQLite runs the Up statements on a fresh in-memory SQLite database,
// checks the columns of each table, then runs the Down statements.
func runSQLite(t *testing.T, svc *ir.Service, up, down []string, file []byte) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file::memory:?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close() //nolint:errcheck // an in-memory database
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // as db
	for _, s := range up {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%v in:\n%s\nof:\n%s", err, s, file)
		}
	}
	for _, r := range svc.Resources {
		rows, err := conn.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", r.Table.Name)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if want := columnNames(r.Table); !slices.Equal(got, want) {
			t.Fatalf("SQLite's table %q has the columns %q, want %q", r.Table.Name, got, want)
		}
	}
	for _, s := range down {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%v in:\n%s", err, s)
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d tables left after the Down section", n)
	}
}
