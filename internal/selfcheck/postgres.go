package selfcheck

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgServer is a PostgreSQL server reached through a postgres:// URL. The
// database the URL names is only connected to, to create and drop others.
type pgServer struct {
	u   *url.URL
	cfg *pgx.ConnConfig
}

var _ server = (*pgServer)(nil)

// openPostgres parses a postgres:// or postgresql:// URL.
func openPostgres(rawURL string) (server, error) {
	u, err := parseServerURL(rawURL, "postgres", "postgresql")
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx redacts passwords from its errors as best it can; make sure.
		msg := err.Error()
		if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(msg, pw) {
			msg = "not a usable PostgreSQL URL"
		}
		return nil, fmt.Errorf("%s: %s", u.Redacted(), msg)
	}
	cfg.ConnectTimeout = connectTimeout
	// Pool settings (pgxpool's) are no server parameters.
	for k := range cfg.RuntimeParams {
		if strings.HasPrefix(k, "pool_") {
			delete(cfg.RuntimeParams, k)
		}
	}
	return &pgServer{u: u, cfg: cfg}, nil
}

func (s *pgServer) String() string { return s.u.Redacted() }

// connect connects to the database of the server's URL.
func (s *pgServer) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", pgError(err))
	}
	return conn, nil
}

// pgExec runs one statement with [connectTimeout].
func pgExec(ctx context.Context, conn *pgx.Conn, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	_, err := conn.Exec(ctx, sql, args...)
	return err //nolint:wrapcheck // callers name the statement
}

func (s *pgServer) create(ctx context.Context, name string) (string, error) {
	if _, err := checkDatabaseName(name); err != nil {
		return "", err
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // nothing to do about it
	if err := pgExec(ctx, conn, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		err = pgError(err)
		if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "42501" {
			return "", fmt.Errorf("create database %s: %w (the user needs the CREATEDB privilege)", name, err)
		}
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return withDatabase(s.u, name).String(), nil
}

// drop drops the database, ending the sessions still connected to it
// (tests that leaked a connection must not keep it alive).
func (s *pgServer) drop(ctx context.Context, name string) error {
	if _, err := checkDatabaseName(name); err != nil {
		return err
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // nothing to do about it
	ident := pgx.Identifier{name}.Sanitize()
	err = pgExec(ctx, conn, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "42601" {
		// Before PostgreSQL 13 there is no WITH (FORCE): end the sessions
		// by hand.
		err = pgExec(ctx, conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
		if err == nil {
			err = pgExec(ctx, conn, "DROP DATABASE IF EXISTS "+ident)
		}
	}
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, pgError(err))
	}
	return nil
}

// pgError shortens pgx's errors to the server's, when there is one.
// Otherwise it puts on one line what pgx writes on one line per attempt
// (TLS, then plain, for each address), dropping repeats: it ends up in a
// one-line report.
func pgError(err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe
	}
	msg := err.Error()
	if !strings.Contains(msg, "\n") {
		return err
	}
	var lines []string
	for line := range strings.SplitSeq(msg, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return errors.New(strings.Join(lines, " "))
}

// startPostgres starts a throwaway PostgreSQL server: initdb into a new
// folder, then postgres on a free port of 127.0.0.1, with its socket in
// that folder, trusting every local connection.
func startPostgres(ctx context.Context, p *provider) (*proc, error) {
	initdb, err := p.binary(EnginePostgres, "initdb")
	if err != nil {
		return nil, err
	}
	// postgres is initdb's sibling (initdb looks for it there too); on
	// PATH initdb is often a link into the version's folder.
	postgres := filepath.Join(filepath.Dir(initdb), "postgres")
	if target, err := filepath.EvalSymlinks(initdb); err == nil {
		postgres = filepath.Join(filepath.Dir(target), "postgres")
	}
	acct, err := serverAccount("initdb", "postgres", "nobody")
	if err != nil {
		return nil, err
	}
	dir, err := newServerDir("bkgen-pg-", acct)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	err = p.initialize(ctx, acct, dir, initdb, "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	args := func(port int) []string {
		return []string{
			"-D", data, "-p", strconv.Itoa(port), "-h", "127.0.0.1", "-k", dir,
			// Durability is no concern for a database thrown away.
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		}
	}
	pgURL := func(port int) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	}
	ready := func(ctx context.Context, port int) error {
		conn, err := pgx.Connect(ctx, pgURL(port))
		if err != nil {
			return err //nolint:wrapcheck // the last one is reported, wrapped
		}
		return conn.Close(ctx)
	}
	pr, port, err := p.start(ctx, acct, dir, postgres, pgStopSignal, args, ready)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	pr.url = pgURL(port)
	return pr, nil
}
