package selfcheck_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/bkgen/bkgen/internal/selfcheck"
)

// The local servers the tests use, as the provider's defaults reach them.
const (
	localPG = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	localMy = "mysql://root@127.0.0.1:3306/"
)

// env is an environment holding only kv (KEY, VALUE, ...).
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// withoutDatabaseVars is the process environment without the variables
// that name a database.
func withoutDatabaseVars(k string) string {
	switch k {
	case "BKGEN_POSTGRES_URL", "BKGEN_MYSQL_URL", "DATABASE_URL":
		return ""
	}
	return os.Getenv(k)
}

// closed is a local address where nothing answers.
func closed(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func randomName(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// pgConnect connects to a PostgreSQL URL, closing at the end of the test.
func pgConnect(t *testing.T, rawURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", rawURL, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// needPostgres is a connection to the local PostgreSQL server; the test is
// skipped without one.
func needPostgres(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, localPG)
	if err != nil {
		t.Skipf("needs PostgreSQL on 127.0.0.1:5432 as user postgres without a password: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pgExists(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// myConnect opens a mysql:// URL, closing at the end of the test.
func myConnect(t *testing.T, rawURL string) *sql.DB {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.Timeout = 5 * time.Second
	cfg.Logger = &mysql.NopLogger{} // the provider kills leftover connections
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatalf("connect to %s: %v", rawURL, err)
	}
	return db
}

// needMySQL is a connection to the local MariaDB or MySQL server; the test
// is skipped without one.
func needMySQL(t *testing.T) *sql.DB {
	t.Helper()
	c, err := mysql.NewConnector(&mysql.Config{User: "root", Net: "tcp", Addr: "127.0.0.1:3306", Timeout: 5 * time.Second, AllowNativePasswords: true, Logger: &mysql.NopLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	if err := db.PingContext(t.Context()); err != nil {
		t.Skipf("needs MariaDB or MySQL on 127.0.0.1:3306 as root with an empty password: %v", err)
	}
	return db
}

func myExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// provide asks p for a database of engine, closing it at the end of the
// test if the test has not.
func provide(t *testing.T, p selfcheck.DatabaseProvider, engine string) *selfcheck.Database {
	t.Helper()
	start := time.Now()
	db, err := p.Provide(t.Context(), engine, t.TempDir())
	if err != nil {
		t.Fatalf("Provide(%s): %v", engine, err)
	}
	t.Logf("%s database from %s in %s", engine, db.Source, time.Since(start).Round(time.Millisecond))
	if db.Close == nil {
		t.Fatalf("database %+v has no Close", db)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

// databaseOf is the database a URL names, checked to be a fresh one.
func databaseOf(t *testing.T, rawURL string) (*url.URL, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := selfcheck.CheckDatabaseName(name); err != nil {
		t.Fatalf("URL %s: %v", rawURL, err)
	}
	return u, name
}

func closeDB(t *testing.T, db *selfcheck.Database) {
	t.Helper()
	start := time.Now()
	if err := db.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Logf("closed in %s", time.Since(start).Round(time.Millisecond))
	if err := db.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestProviderPostgresPrecedence(t *testing.T) {
	t.Parallel()
	admin := needPostgres(t)
	for _, tc := range []struct {
		name       string
		env        func(string) string
		wantSource string
		wantApp    string // application_name kept from the URL used
	}{
		{"BKGEN_POSTGRES_URL over DATABASE_URL", env(
			"BKGEN_POSTGRES_URL", localPG+"&application_name=from_bkgen",
			"DATABASE_URL", localPG+"&application_name=from_database_url",
		), "BKGEN_POSTGRES_URL", "from_bkgen"},
		{"DATABASE_URL over local", env(
			"DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable&application_name=from_database_url",
		), "DATABASE_URL", "from_database_url"},
		{"DATABASE_URL of another engine", env("DATABASE_URL", localMy), "local", ""},
		{"empty means unset", env("BKGEN_POSTGRES_URL", "", "DATABASE_URL", ""), "local", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := provide(t, selfcheck.NewProvider(tc.env), "postgres")
			u, name := databaseOf(t, db.URL)
			if db.Source != tc.wantSource || u.Query().Get("application_name") != tc.wantApp {
				t.Errorf("database %s from %s; want source %s, application_name %q", db.URL, db.Source, tc.wantSource, tc.wantApp)
			}
			conn := pgConnect(t, db.URL)
			var app string
			if err := conn.QueryRow(t.Context(), "SELECT current_setting('application_name')").Scan(&app); err != nil {
				t.Fatal(err)
			}
			if app != tc.wantApp {
				t.Errorf("application_name = %q, want %q", app, tc.wantApp)
			}
			closeDB(t, db)
			if pgExists(t, admin, name) {
				t.Errorf("database %s still exists after Close", name)
			}
		})
	}
}

// TestProviderPostgresFreshDatabase: the provider creates a database next
// to the one its URL names, drops it (and only it) on Close, even with a
// session still connected.
func TestProviderPostgresFreshDatabase(t *testing.T) {
	t.Parallel()
	admin := needPostgres(t)
	named := randomName(t, "bkgen_named_")
	if _, err := admin.Exec(t.Context(), "CREATE DATABASE "+named); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+named+" WITH (FORCE)")
	})
	namedURL := "postgres://postgres@127.0.0.1:5432/" + named + "?sslmode=disable"
	marker := pgConnect(t, namedURL)
	if _, err := marker.Exec(t.Context(), "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}

	db := provide(t, selfcheck.NewProvider(env("BKGEN_POSTGRES_URL", namedURL)), "postgres")
	u, name := databaseOf(t, db.URL)
	if db.Source != "BKGEN_POSTGRES_URL" || u.Host != "127.0.0.1:5432" || u.User.Username() != "postgres" || u.RawQuery != "sslmode=disable" {
		t.Errorf("database %s from %s", db.URL, db.Source)
	}
	if !pgExists(t, admin, name) {
		t.Fatalf("database %s does not exist", name)
	}
	// A session the tests leave open must not keep the database alive.
	conn := pgConnect(t, db.URL)
	var one int
	var current string
	var markers int
	if err := conn.QueryRow(t.Context(), "SELECT 1, current_database(), (SELECT count(*) FROM pg_tables WHERE tablename = 'marker')").Scan(&one, &current, &markers); err != nil {
		t.Fatal(err)
	}
	if one != 1 || current != name || markers != 0 {
		t.Errorf("SELECT 1, current_database(), markers = %d, %s, %d; want 1, %s, 0", one, current, markers, name)
	}
	if _, err := conn.Exec(t.Context(), "CREATE TABLE t (id int)"); err != nil {
		t.Fatal(err)
	}

	closeDB(t, db)
	if pgExists(t, admin, name) {
		t.Errorf("database %s still exists after Close", name)
	}
	var v string
	if err := marker.QueryRow(t.Context(), "SELECT v FROM marker").Scan(&v); err != nil || v != "kept" {
		t.Errorf("the named database's marker: %q, %v", v, err)
	}
}

func TestProviderMySQLPrecedence(t *testing.T) {
	t.Parallel()
	admin := needMySQL(t)
	for _, tc := range []struct {
		name        string
		env         func(string) string
		wantSource  string
		wantTimeout string // a parameter kept from the URL used
	}{
		{"BKGEN_MYSQL_URL over DATABASE_URL", env(
			"BKGEN_MYSQL_URL", localMy+"?timeout=7s",
			"DATABASE_URL", localMy+"?timeout=8s",
		), "BKGEN_MYSQL_URL", "7s"},
		{"DATABASE_URL over local", env("DATABASE_URL", localMy+"?timeout=8s"), "DATABASE_URL", "8s"},
		{"DATABASE_URL of another engine", env("DATABASE_URL", localPG), "local", ""},
		{"empty means unset", env("BKGEN_MYSQL_URL", "", "DATABASE_URL", ""), "local", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := provide(t, selfcheck.NewProvider(tc.env), "mysql")
			u, name := databaseOf(t, db.URL)
			if db.Source != tc.wantSource || u.Query().Get("timeout") != tc.wantTimeout || u.Scheme != "mysql" {
				t.Errorf("database %s from %s; want source %s, timeout %q", db.URL, db.Source, tc.wantSource, tc.wantTimeout)
			}
			var one int
			if err := myConnect(t, db.URL).QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("SELECT 1 = %d, %v", one, err)
			}
			closeDB(t, db)
			if myExists(t, admin, name) {
				t.Errorf("database %s still exists after Close", name)
			}
		})
	}
}

// TestProviderMySQLFreshDatabase: as for PostgreSQL, with a transaction
// left open on the fresh database holding a lock.
func TestProviderMySQLFreshDatabase(t *testing.T) {
	t.Parallel()
	admin := needMySQL(t)
	named := randomName(t, "bkgen_named_")
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+named); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+named) })
	for _, q := range []string{"CREATE TABLE " + named + ".marker (v text)", "INSERT INTO " + named + ".marker VALUES ('kept')"} {
		if _, err := admin.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	namedURL := "mysql://root@127.0.0.1:3306/" + named + "?charset=utf8mb4"

	db := provide(t, selfcheck.NewProvider(env("BKGEN_MYSQL_URL", namedURL)), "mysql")
	u, name := databaseOf(t, db.URL)
	if db.Source != "BKGEN_MYSQL_URL" || u.Host != "127.0.0.1:3306" || u.User.Username() != "root" || u.RawQuery != "charset=utf8mb4" {
		t.Errorf("database %s from %s", db.URL, db.Source)
	}
	if !myExists(t, admin, name) {
		t.Fatalf("database %s does not exist", name)
	}
	conn := myConnect(t, db.URL)
	var current string
	var markers int
	if err := conn.QueryRowContext(t.Context(), "SELECT DATABASE(), (SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'marker')").Scan(&current, &markers); err != nil {
		t.Fatal(err)
	}
	if current != name || markers != 0 {
		t.Errorf("DATABASE(), markers = %s, %d; want %s, 0", current, markers, name)
	}
	var charset string
	if err := conn.QueryRowContext(t.Context(), "SELECT @@character_set_database").Scan(&charset); err != nil || charset != "utf8mb4" {
		t.Errorf("character set %q, %v; want utf8mb4", charset, err)
	}
	// An open transaction holding a metadata lock on a table of the
	// database would make DROP DATABASE wait.
	if _, err := conn.ExecContext(t.Context(), "CREATE TABLE t (id int)"); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // the connection is killed
	if _, err := tx.ExecContext(t.Context(), "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}

	closeDB(t, db)
	if myExists(t, admin, name) {
		t.Errorf("database %s still exists after Close", name)
	}
	var v string
	if err := admin.QueryRowContext(t.Context(), "SELECT v FROM "+named+".marker").Scan(&v); err != nil || v != "kept" {
		t.Errorf("the named database's marker: %q, %v", v, err)
	}
}

// TestProviderBadURLs: a URL set in the environment that does not work is
// the error, with no fallback to another server, and no password shown.
func TestProviderBadURLs(t *testing.T) {
	t.Parallel()
	down := closed(t)
	for _, tc := range []struct {
		name, engine string
		env          func(string) string
		want         []string
	}{
		{
			"postgres unreachable", "postgres",
			env("BKGEN_POSTGRES_URL", "postgres://postgres:s3cret@"+down+"/postgres"),
			[]string{"BKGEN_POSTGRES_URL: postgres://postgres:xxxxx@" + down + "/postgres: connect:", "fix or unset BKGEN_POSTGRES_URL"},
		},
		{
			"DATABASE_URL unreachable", "postgres",
			env("DATABASE_URL", "postgres://postgres:s3cret@"+down+"/postgres"),
			[]string{"DATABASE_URL: ", "fix or unset DATABASE_URL"},
		},
		{
			"postgres keyword form", "postgres",
			env("BKGEN_POSTGRES_URL", "host=127.0.0.1 user=postgres password=s3cret"),
			[]string{"BKGEN_POSTGRES_URL: not a postgres:// URL"},
		},
		{
			"postgres bad parameter", "postgres",
			env("BKGEN_POSTGRES_URL", "postgres://postgres:s3cret@127.0.0.1:5432/postgres?sslmode=sometimes"),
			[]string{"BKGEN_POSTGRES_URL: postgres://postgres:xxxxx@127.0.0.1:5432/postgres?sslmode=sometimes: "},
		},
		{
			"mysql unreachable", "mysql",
			env("BKGEN_MYSQL_URL", "mysql://root:s3cret@"+down+"/"),
			[]string{"BKGEN_MYSQL_URL: mysql://root:xxxxx@" + down + "/: connect:", "fix or unset BKGEN_MYSQL_URL"},
		},
		{
			"mysql bad parameter", "mysql",
			env("BKGEN_MYSQL_URL", "mysql://root:s3cret@"+down+"/?tls=sometimes"),
			[]string{"BKGEN_MYSQL_URL: mysql://root:xxxxx@" + down + "/?tls=sometimes: not a usable MySQL URL"},
		},
		{
			"mysql as a postgres URL", "mysql",
			env("BKGEN_MYSQL_URL", "postgres://root@"+down+"/"),
			[]string{"BKGEN_MYSQL_URL: not a mysql:// URL"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			db, err := selfcheck.NewProvider(tc.env).Provide(t.Context(), tc.engine, t.TempDir())
			if db != nil || !errors.Is(err, selfcheck.ErrNoDatabase) {
				t.Fatalf("Provide = %+v, %v; want ErrNoDatabase", db, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			msg := err.Error()
			t.Log(msg)
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error lacks %q:\n%s", s, msg)
				}
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error shows the password:\n%s", msg)
			}
		})
	}
}

// TestProviderMySQLAccessDenied: a server that refuses the user named in
// the environment is the error, though the local server would do.
func TestProviderMySQLAccessDenied(t *testing.T) {
	t.Parallel()
	needMySQL(t)
	_, err := selfcheck.NewProvider(env("BKGEN_MYSQL_URL", "mysql://bkgen_nobody:wrong@127.0.0.1:3306/")).Provide(t.Context(), "mysql", t.TempDir())
	if !errors.Is(err, selfcheck.ErrNoDatabase) || !strings.Contains(err.Error(), "Access denied") {
		t.Errorf("err = %v, want access denied", err)
	}
}

// TestProviderNothingAvailable: no URL, nothing local, no binaries: the
// error says what a person can do.
func TestProviderNothingAvailable(t *testing.T) {
	t.Parallel()
	down := closed(t)
	p := selfcheck.NewTestProvider(env(), map[string]string{"postgres": down, "mysql": down}, map[string][]string{})
	for engine, want := range map[string][]string{
		"postgres": {
			"set BKGEN_POSTGRES_URL=postgres://USER:PASSWORD@HOST:5432/postgres (a server where bkgen may create and drop databases), run PostgreSQL on " + down + " reachable as user postgres without a password, or install the PostgreSQL server",
			"nothing answers on " + down, "initdb not found on PATH)",
		},
		"mysql": {
			"set BKGEN_MYSQL_URL=mysql://USER:PASSWORD@HOST:3306/mysql",
			"apt-get install mariadb-server", "mariadbd or mysqld not found on PATH)",
		},
	} {
		_, err := p.Provide(t.Context(), engine, t.TempDir())
		if !errors.Is(err, selfcheck.ErrNoDatabase) {
			t.Fatalf("%s: err = %v, want ErrNoDatabase", engine, err)
		}
		t.Logf("%s: %v", engine, err)
		for _, s := range want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error lacks %q:\n%v", engine, s, err)
			}
		}
	}
}

func TestProviderSQLite(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	db, err := selfcheck.NewProvider(env()).Provide(t.Context(), "sqlite", tmp)
	if err != nil {
		t.Fatal(err)
	}
	if db.Source != "file" || db.URL != "file:"+filepath.ToSlash(filepath.Join(tmp, "bkgen_check.db")) {
		t.Errorf("sqlite database = %+v", db)
	}
}

func TestCheckDatabaseName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"bkgen_check_0a1b2c3d4e5f":               true,
		"bkgen_check_x_1":                        true,
		"bkgen_check_":                           false,
		"bkgen_check_ABC":                        false,
		"bkgen_check_x; DROP":                    false,
		`bkgen_check_x"`:                         false,
		"bkgen_check_x`":                         false,
		"postgres":                               false,
		"bkgen_check_" + strings.Repeat("a", 41): false,
	} {
		if _, err := selfcheck.CheckDatabaseName(name); (err == nil) != ok {
			t.Errorf("CheckDatabaseName(%q) = %v", name, err)
		}
	}
}
