package selfcheck

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// myServer is a MySQL or MariaDB server reached through a mysql:// URL
// (mysql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMS, the runtime form of
// DESIGN.md; PARAMS are the driver's DSN parameters). The provider connects
// without selecting a database, so the named one is never touched.
type myServer struct {
	u   *url.URL
	cfg *mysql.Config
}

var _ server = (*myServer)(nil)

// openMySQL parses a mysql:// URL into the driver's configuration.
func openMySQL(rawURL string) (server, error) {
	u, err := parseServerURL(rawURL, "mysql")
	if err != nil {
		return nil, err
	}
	cfg, err := mysqlConfig(u)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.Redacted(), err)
	}
	return &myServer{u: u, cfg: cfg}, nil
}

// mysqlConfig is the driver configuration of a mysql:// URL, without its
// database.
func mysqlConfig(u *url.URL) (*mysql.Config, error) {
	host := u.Host
	if host == "" {
		host = "127.0.0.1"
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(strings.Trim(host, "[]"), "3306")
	}
	// The query goes through the driver's DSN parser, re-encoded so that a
	// '/' in a value cannot be taken for the DSN's database separator.
	dsn := "tcp(" + host + ")/"
	if q := u.Query(); len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("not a usable MySQL URL: %w", err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	if cfg.Timeout == 0 {
		cfg.Timeout = connectTimeout
	}
	// The driver logs to stderr what the errors returned already say
	// (while a throwaway server starts, say); bkgen's output is its own.
	cfg.Logger = &mysql.NopLogger{}
	return cfg, nil
}

func (s *myServer) String() string { return s.u.Redacted() }

// connect opens one connection to the server, checked with a ping.
func (s *myServer) connect(ctx context.Context) (*sql.DB, error) {
	c, err := mysql.NewConnector(s.cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	return db, nil
}

// myExec runs one statement with [connectTimeout].
func myExec(ctx context.Context, db *sql.DB, query string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	_, err := db.ExecContext(ctx, query, args...)
	return err //nolint:wrapcheck // callers name the statement
}

// quoteMySQL quotes an identifier for MySQL.
func quoteMySQL(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (s *myServer) create(ctx context.Context, name string) (string, error) {
	if _, err := checkDatabaseName(name); err != nil {
		return "", err
	}
	db, err := s.connect(ctx)
	if err != nil {
		return "", err
	}
	defer db.Close() //nolint:errcheck // nothing to do about it
	// utf8mb4 whatever the server's default (latin1 on older MySQL).
	if err := myExec(ctx, db, "CREATE DATABASE "+quoteMySQL(name)+" CHARACTER SET utf8mb4"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return withDatabase(s.u, name).String(), nil
}

// drop drops the database, first ending the connections still using it:
// one that holds a lock would make DROP DATABASE wait.
func (s *myServer) drop(ctx context.Context, name string) error {
	if _, err := checkDatabaseName(name); err != nil {
		return err
	}
	db, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer db.Close() //nolint:errcheck // nothing to do about it
	s.killSessions(ctx, db, name)
	if err := myExec(ctx, db, "DROP DATABASE IF EXISTS "+quoteMySQL(name)); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// killSessions ends the other connections whose current database is name.
// Best effort: the user may not be allowed to see or end them, and DROP
// DATABASE then reports what it can.
func (s *myServer) killSessions(ctx context.Context, db *sql.DB, name string) {
	qctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	rows, err := db.QueryContext(qctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", name)
	if err != nil {
		return
	}
	var ids []uint64
	for rows.Next() {
		var id uint64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	_ = rows.Close()
	for _, id := range ids {
		_ = myExec(ctx, db, fmt.Sprintf("KILL %d", id))
	}
}

// startMySQL starts a throwaway MariaDB or MySQL server: its data folder
// initialised into a new folder (mariadb-install-db, or mysqld
// --initialize-insecure), then the server on a free port of 127.0.0.1,
// with root and an empty password.
func startMySQL(ctx context.Context, p *provider) (*proc, error) {
	bin, err := p.binary(EngineMySQL, "mariadbd", "mysqld")
	if err != nil {
		return nil, err
	}
	mariadb := filepath.Base(bin) == "mariadbd"
	if !mariadb {
		vctx, cancel := context.WithTimeout(ctx, connectTimeout)
		out, _ := exec.CommandContext(vctx, bin, "--version").Output() //nolint:gosec // found by name in known folders
		cancel()
		mariadb = bytes.Contains(out, []byte("MariaDB"))
	}
	var install string
	if mariadb {
		// mysqld of MariaDB has no --initialize.
		if install, err = p.binary(EngineMySQL, "mariadb-install-db", "mysql_install_db"); err != nil {
			return nil, err
		}
	}
	acct, err := serverAccount(filepath.Base(bin), "mysql", "nobody")
	if err != nil {
		return nil, err
	}
	dir, err := newServerDir("bkgen-my-", acct)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if mariadb {
		err = p.initialize(ctx, acct, dir, install, "--no-defaults", "--datadir="+data,
			"--auth-root-authentication-method=normal", "--skip-name-resolve")
	} else {
		err = p.initialize(ctx, acct, dir, bin, "--no-defaults", "--initialize-insecure", "--datadir="+data)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	args := func(port int) []string {
		a := []string{
			"--no-defaults", "--datadir=" + data, "--tmpdir=" + dir,
			"--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
			"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
			"--skip-name-resolve", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0",
		}
		if !mariadb {
			a = append(a, "--mysqlx=OFF") // it would listen on 33060 too
		}
		return a
	}
	myURL := func(port int) string { return fmt.Sprintf("mysql://root@127.0.0.1:%d/", port) }
	ready := func(ctx context.Context, port int) error {
		srv, err := openMySQL(myURL(port))
		if err != nil {
			return err
		}
		db, err := srv.(*myServer).connect(ctx)
		if err != nil {
			return err
		}
		return db.Close()
	}
	pr, port, err := p.start(ctx, acct, dir, bin, myStopSignal, args, ready)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	pr.url = myURL(port)
	return pr, nil
}
