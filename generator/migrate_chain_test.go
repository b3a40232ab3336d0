package generator_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/ncruces/go-sqlite3/driver"
	_ "github.com/ncruces/go-sqlite3/embed"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/render"
)

// chainSpecs are the versions of the spec TestMigrationChain migrates
// through, in order; each changes the data model (see their descriptions).
var chainSpecs = []string{"v1.yaml", "v2.yaml", "v3.yaml", "v4.yaml", "v5.yaml"}

// chainVersion is one version's data model and first migration.
type chainVersion struct {
	name  string
	model *render.Model
	init  []byte // migrations/0001_init.sql
}

// TestMigrationChain migrates a database, per engine, through every
// version of testdata/regen/chain with the migrations render.Migration
// writes, and checks that it ends with the catalog the last version's
// 0001_init.sql creates, then that the Down sections bring it back to the
// first version's. One row per table, seeded at the first version, must
// survive every step that keeps its table. Without AllowDestructive the
// chain must apply too, and the pending destructive steps then bring it to
// the same end.
func TestMigrationChain(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			versions := loadChain(t, engine)
			last := versions[len(versions)-1]
			fresh := openChainDB(t, engine)
			applyUp(t, fresh, last.init)
			want := schemaCatalog(t, fresh)

			t.Run("destructive", func(t *testing.T) {
				t.Parallel()
				db := openChainDB(t, engine)
				first, counts := startChain(t, db, versions[0])
				var files []*render.MigrationFile
				for i := 1; i < len(versions); i++ {
					f := mustMigration(t, versions[i-1].model, versions[i].model, true)
					if len(f.Destructive) > 0 {
						t.Errorf("%s: with AllowDestructive, steps are commented out: %q", versions[i].name, f.Destructive)
					}
					applyUp(t, db, f.SQL)
					counts = checkRows(t, db, versions[i-1].model, versions[i].model, counts)
					files = append(files, f)
				}
				compareCatalogs(t, "after the migrations", schemaCatalog(t, db), want)
				for i, file := range slices.Backward(files) {
					applyDown(t, db, file.SQL)
					counts = checkRows(t, db, versions[i+1].model, versions[i].model, counts)
				}
				compareCatalogs(t, "after the Down sections", schemaCatalog(t, db), first)
			})

			t.Run("non-destructive", func(t *testing.T) {
				t.Parallel()
				db := openChainDB(t, engine)
				first, counts := startChain(t, db, versions[0])
				cur := versions[0].model
				var files []*render.MigrationFile
				var models []*render.Model
				deferred := false
				for i := 1; i < len(versions); i++ {
					f := mustMigration(t, cur, versions[i].model, false)
					deferred = deferred || len(f.Destructive) > 0
					applyUp(t, db, f.SQL)
					counts = checkRows(t, db, cur, f.Applied, counts)
					files, models = append(files, f), append(models, cur)
					cur = f.Applied
				}
				if !deferred {
					t.Fatal("no step was commented out: the chain does not test the non-destructive path")
				}
				// The pending steps, once allowed, reach the last version.
				f := mustMigration(t, cur, last.model, true)
				applyUp(t, db, f.SQL)
				counts = checkRows(t, db, cur, last.model, counts)
				files, models = append(files, f), append(models, cur)
				compareCatalogs(t, "after the migrations and the pending steps", schemaCatalog(t, db), want)
				for i, file := range slices.Backward(files) {
					to := last.model
					if i+1 < len(models) {
						to = models[i+1]
					}
					applyDown(t, db, file.SQL)
					counts = checkRows(t, db, to, models[i], counts)
				}
				compareCatalogs(t, "after the Down sections", schemaCatalog(t, db), first)
			})

			t.Run("from nothing", func(t *testing.T) {
				t.Parallel()
				// The model alone spells the tables as 0001_init.sql does.
				db := openChainDB(t, engine)
				applyUp(t, db, mustMigration(t, nil, last.model, true).SQL)
				compareCatalogs(t, "after creating the last model", schemaCatalog(t, db), want)
			})
		})
	}
}

// loadChain generates every version of the chain for engine, and checks
// that the lock's table model reads back as the model of the service.
func loadChain(t *testing.T, engine string) []chainVersion {
	t.Helper()
	var out []chainVersion
	for _, name := range chainSpecs {
		cfg := testConfig()
		cfg.Database = engine
		p, svc, diags, err := generator.Generate(context.Background(), filepath.Join("..", "testdata", "regen", "chain", name), cfg)
		if err != nil {
			t.Fatalf("generate %s: %v\n%v", name, err, diags)
		}
		v := chainVersion{name: name, model: render.ModelOf(svc)}
		if v.model == nil {
			t.Fatalf("%s: no data model", name)
		}
		for _, f := range p.Files {
			if f.Path == "migrations/0001_init.sql" {
				v.init = f.Data
			}
		}
		if v.init == nil {
			t.Fatalf("%s: no migrations/0001_init.sql in the plan", name)
		}
		parsed, err := render.ParseModel(p.Lock.Tables)
		if err != nil {
			t.Fatalf("%s: ParseModel of the lock: %v", name, err)
		}
		wantModel := *v.model
		wantModel.APIKeys, wantModel.Sessions = parsed.APIKeys, parsed.Sessions // not in a lock of the old format
		if got, want := modelJSON(t, parsed), modelJSON(t, &wantModel); got != want {
			t.Errorf("%s: ParseModel(lock) = %s\nwant %s", name, got, want)
		}
		out = append(out, v)
	}
	return out
}

// modelJSON is a model's JSON, to compare models.
func modelJSON(t *testing.T, m *render.Model) string {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mustMigration writes the migration from → to, which must change something.
func mustMigration(t *testing.T, from, to *render.Model, destructive bool) *render.MigrationFile {
	t.Helper()
	f, err := render.Migration(from, to, render.MigrationOptions{AllowDestructive: destructive})
	if err != nil {
		t.Fatalf("Migration: %v", err)
	}
	if f == nil {
		t.Fatal("Migration: nil for models that differ")
	}
	if f.Applied == nil {
		t.Fatal("Migration: no Applied model")
	}
	return f
}

// startChain creates the first version's tables, seeds a row in each, and
// returns the catalog and the row counts.
func startChain(t *testing.T, db *chainDB, v chainVersion) ([]string, map[string]int) {
	t.Helper()
	applyUp(t, db, v.init)
	seedRows(t, db, v.model)
	counts := make(map[string]int)
	for _, tb := range v.model.Tables {
		counts[tb.Name] = 1
	}
	return schemaCatalog(t, db), counts
}

// seedRows inserts a row in every table, referenced tables first: the zero
// value in every column that needs a value, an existing row's key in a
// foreign key.
func seedRows(t *testing.T, db *chainDB, m *render.Model) {
	t.Helper()
	done := make(map[string]bool)
	for len(done) < len(m.Tables) {
		progress := false
		for _, tb := range m.Tables {
			ready := !done[tb.Name]
			for _, fk := range tb.ForeignKeys {
				ready = ready && (done[fk.RefTable] || fk.RefTable == tb.Name)
			}
			if !ready {
				continue
			}
			var cols, vals []string
			for _, c := range tb.Columns {
				if !c.NotNull || c.Default != "" || c.Generated != "" {
					continue
				}
				val := c.Zero
				for _, fk := range tb.ForeignKeys {
					if fk.Column == c.Name {
						val = fmt.Sprintf("(SELECT %s FROM %s LIMIT 1)", fk.RefColumn, fk.RefTable)
					}
				}
				cols, vals = append(cols, c.Name), append(vals, val)
			}
			q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", tb.Name, strings.Join(cols, ", "), strings.Join(vals, ", ")) //nolint:gosec // names and zero values of the chain's own model
			if len(cols) == 0 && db.engine != "mysql" {
				q = "INSERT INTO " + tb.Name + " DEFAULT VALUES"
			}
			if _, err := db.conn.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("seed %s: %v\n%s", tb.Name, err, q)
			}
			done[tb.Name], progress = true, true
		}
		if !progress {
			t.Fatal("seed: the tables reference each other in a cycle")
		}
	}
}

// checkRows checks that the rows carried from → to are all there: a kept
// or renamed table keeps its rows, a new table has none. It returns the
// counts of to's tables.
func checkRows(t *testing.T, db *chainDB, from, to *render.Model, counts map[string]int) map[string]int {
	t.Helper()
	next := make(map[string]int)
	for _, tb := range to.Tables {
		src := tb.Name
		if !slices.ContainsFunc(from.Tables, func(x render.ModelTable) bool { return x.Name == src }) {
			src = renamedFrom(from, to, tb)
		}
		next[tb.Name] = counts[src]
		var n int
		if err := db.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM "+tb.Name).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tb.Name, err)
		}
		if n != next[tb.Name] {
			t.Errorf("%s has %d rows, want %d", tb.Name, n, next[tb.Name])
		}
	}
	return next
}

// renamedFrom is the table of from that to renamed tb from (same columns
// and types, gone from to), or "".
func renamedFrom(from, to *render.Model, tb render.ModelTable) string {
	sig := func(x render.ModelTable) string {
		var cols []string
		for _, c := range x.Columns {
			cols = append(cols, c.Name+" "+c.Type)
		}
		slices.Sort(cols)
		return strings.Join(cols, ",")
	}
	for _, x := range from.Tables {
		gone := !slices.ContainsFunc(to.Tables, func(y render.ModelTable) bool { return y.Name == x.Name })
		if gone && sig(x) == sig(tb) {
			return x.Name
		}
	}
	return ""
}

// chainDB is a fresh database of one engine, on one connection (as goose
// runs migrations).
type chainDB struct {
	engine string
	conn   *sql.Conn
}

// openChainDB creates a database with a random name on the local server of
// engine (a file for SQLite), dropped when the test ends.
func openChainDB(t *testing.T, engine string) *chainDB {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	switch engine {
	case "sqlite":
		var err error
		// foreign_keys on, as the generated service opens SQLite.
		db, err = sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "chain.db")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
	default:
		driver, adminDSN, dsn := "pgx", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable"
		if engine == "mysql" {
			driver, adminDSN, dsn = "mysql", "root@tcp(127.0.0.1:3306)/", "root@tcp(127.0.0.1:3306)/%s"
		}
		admin, err := sql.Open(driver, adminDSN)
		if err == nil {
			err = admin.PingContext(ctx)
		}
		if err != nil {
			t.Skipf("needs the local %s server (see helpers' common.md): %v", engine, err)
		}
		name := randomDBName(t)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() {
			drop := "DROP DATABASE IF EXISTS " + name //nolint:gosec // randomDBName: a fixed prefix and hex
			if engine == "postgres" {
				drop += " WITH (FORCE)"
			}
			if _, err := admin.ExecContext(context.Background(), drop); err != nil {
				t.Errorf("drop database %s: %v", name, err)
			}
			_ = admin.Close()
		})
		if db, err = sql.Open(driver, fmt.Sprintf(dsn, name)); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("connect to %s: %v", engine, err)
	}
	t.Cleanup(func() { _ = conn.Close(); _ = db.Close() })
	return &chainDB{engine: engine, conn: conn}
}

// randomDBName is a fresh database name.
func randomDBName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "bkgen_chain_" + hex.EncodeToString(b)
}

// applyUp runs a goose file's Up section as goose does.
func applyUp(t *testing.T, db *chainDB, file []byte) {
	t.Helper()
	up, _, useTx := gooseSections(t, file)
	execStatements(t, db, up, useTx, file)
}

// applyDown runs a goose file's Down section as goose does.
func applyDown(t *testing.T, db *chainDB, file []byte) {
	t.Helper()
	_, down, useTx := gooseSections(t, file)
	execStatements(t, db, down, useTx, file)
}

// execStatements executes statements on the connection, in a transaction unless the
// file said NO TRANSACTION.
func execStatements(t *testing.T, db *chainDB, stmts []string, useTx bool, file []byte) {
	t.Helper()
	ctx := context.Background()
	exec := db.conn.ExecContext
	var tx *sql.Tx
	if useTx {
		var err error
		if tx, err = db.conn.BeginTx(ctx, nil); err != nil {
			t.Fatal(err)
		}
		exec = tx.ExecContext
	}
	for _, s := range stmts {
		if _, err := exec(ctx, s); err != nil {
			if tx != nil {
				_ = tx.Rollback()
			}
			t.Fatalf("%v\nin statement:\n%s\nof the file:\n%s", err, s, file)
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// gooseSections splits a goose SQL file into its Up and Down statements as
// goose's parser does: a statement ends at a line ending in ";" (outside
// StatementBegin/End), comment lines before a statement are dropped, and
// "-- +goose NO TRANSACTION" turns the transaction off.
func gooseSections(t *testing.T, file []byte) (up, down []string, useTx bool) {
	t.Helper()
	useTx = true
	section := 0 // 1 Up, 2 Down
	block := false
	var buf strings.Builder
	flush := func() {
		s := strings.TrimSpace(buf.String())
		buf.Reset()
		if s == "" {
			return
		}
		if section == 1 {
			up = append(up, s)
		} else {
			down = append(down, s)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line := sc.Text()
		if comment, ok := strings.CutPrefix(line, "--"); ok {
			switch strings.TrimSpace(comment) {
			case "+goose Up":
				section = 1
				continue
			case "+goose Down":
				if strings.TrimSpace(buf.String()) != "" {
					t.Fatalf("an Up statement does not end with ;:\n%s", buf.String())
				}
				section = 2
				continue
			case "+goose StatementBegin":
				block = true
				continue
			case "+goose StatementEnd":
				block = false
				flush()
				continue
			case "+goose NO TRANSACTION":
				useTx = false
				continue
			}
		}
		if section == 0 || buf.Len() == 0 && (strings.HasPrefix(strings.TrimSpace(line), "--") || strings.TrimSpace(line) == "") {
			continue
		}
		buf.WriteString(line + "\n")
		if !block && endsStatement(line) {
			flush()
		}
	}
	if strings.TrimSpace(buf.String()) != "" || section != 2 {
		t.Fatalf("not a goose file (unfinished statement or no Down):\n%s", file)
	}
	return up, down, useTx
}

// endsStatement reports whether a line's last word before a comment ends in ";".
func endsStatement(line string) bool {
	last := ""
	for w := range strings.FieldsSeq(line) {
		if strings.HasPrefix(w, "--") {
			break
		}
		last = w
	}
	return strings.HasSuffix(last, ";")
}

// compareCatalogs reports the differences of two catalogs, as sets.
func compareCatalogs(t *testing.T, when string, got, want []string) {
	t.Helper()
	var missing, extra []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s, the catalog differs:\nmissing:\n  %s\nunexpected:\n  %s", when, strings.Join(missing, "\n  "), strings.Join(extra, "\n  "))
	}
}

// schemaCatalog describes the database's schema, one line per fact, sorted.
func schemaCatalog(t *testing.T, db *chainDB) []string {
	t.Helper()
	var queries []string
	switch db.engine {
	case "postgres":
		queries = []string{
			`SELECT 'table ' || table_name FROM information_schema.tables WHERE table_schema = 'public'`,
			`SELECT format('column %s.%s %s(%s) nullable=%s default=%s identity=%s %s', table_name, column_name, data_type,
				coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, ''), is_identity, coalesce(identity_generation, ''))
			 FROM information_schema.columns WHERE table_schema = 'public'`,
			// NOT NULL constraints (PostgreSQL 18) are compared as the columns' nullability.
			`SELECT format('constraint %s %s %s %s', c.conrelid::regclass, c.conname, c.contype, pg_get_constraintdef(c.oid))
			 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype <> 'n'`,
			`SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'`,
			`SELECT 'sequence ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S'`,
		}
	case "mysql":
		queries = []string{
			`SELECT CONCAT_WS(' ', 'table', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'column', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '<none>'), EXTRA)
			 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'constraint', TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE)
			 FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'check', CONSTRAINT_NAME, CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'key', TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, IFNULL(REFERENCED_TABLE_NAME, ''), IFNULL(REFERENCED_COLUMN_NAME, ''))
			 FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'index', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()`,
			`SELECT CONCAT_WS(' ', 'fk', TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE)
			 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`,
		}
	case "sqlite":
		return sqliteCatalog(t, db)
	}
	var out []string
	for _, q := range queries {
		out = append(out, queryStrings(t, db, q)...)
	}
	slices.Sort(out)
	return out
}

// sqliteCatalog describes a SQLite schema: each table's definition as a set
// of its items (columns and constraints: ALTER TABLE ADD COLUMN appends to
// the text, RENAME quotes the name), each index's SQL, and the pragmas'
// view of columns, indexes and foreign keys.
func sqliteCatalog(t *testing.T, db *chainDB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.conn.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema`)
	if err != nil {
		t.Fatal(err)
	}
	type object struct{ typ, name, table, sql string }
	var objects []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.name, &o.table, &o.sql); err != nil {
			t.Fatal(err)
		}
		objects = append(objects, o)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, `"`, "")), " ") }
	var out []string
	for _, o := range objects {
		if o.typ != "table" {
			out = append(out, fmt.Sprintf("%s %s on %s: %s", o.typ, o.name, o.table, norm(o.sql)))
			continue
		}
		out = append(out, "table "+o.name)
		if open, end := strings.Index(o.sql, "("), strings.LastIndex(o.sql, ")"); open >= 0 && end > open {
			for _, item := range splitTopLevel(o.sql[open+1 : end]) {
				out = append(out, fmt.Sprintf("table %s item %s", o.name, norm(item)))
			}
		}
		out = append(out, queryStrings(t, db, `SELECT format('column %s.%s %s notnull=%d default=%s pk=%d', ?, name, type, "notnull", coalesce(dflt_value, '<none>'), pk) FROM pragma_table_info(?)`, o.name, o.name)...)
		out = append(out, queryStrings(t, db, `SELECT format('index of %s: %s unique=%d origin=%s', ?, name, "unique", origin) FROM pragma_index_list(?)`, o.name, o.name)...)
		out = append(out, queryStrings(t, db, `SELECT format('fk of %s: %s -> %s(%s) on delete %s', ?, "from", "table", "to", on_delete) FROM pragma_foreign_key_list(?)`, o.name, o.name)...)
	}
	slices.Sort(out)
	return out
}

// splitTopLevel splits a table definition's inside at its top-level commas.
func splitTopLevel(s string) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// queryStrings runs a query of one text column.
func queryStrings(t *testing.T, db *chainDB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.conn.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer func() {
		if err := rows.Close(); err != nil {
			t.Errorf("close the rows of %s: %v", q, err)
		}
	}()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
