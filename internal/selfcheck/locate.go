package selfcheck

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Location is where a self-check would get the database for an engine, as
// [Locate] finds it.
type Location struct {
	// Engine is postgres, mysql or sqlite.
	Engine string
	// Source is how the self-check would get its database: one of the
	// Source constants, SourceNone when it would have none.
	Source string
	// Server is the server's URL without its password for a URL from the
	// environment or the local server, the server program for a throwaway
	// server, "" otherwise.
	Server string
	// Err is nil when the self-check would get a database. Otherwise either
	// the URL of the environment variable Source does not work (the
	// self-check reports it rather than look further), or Source is
	// SourceNone and Err, which wraps [ErrNoDatabase], says what a person
	// can do and what was tried.
	Err error
}

// Locate tells where [NewProvider]'s provider would get the database for
// engine, looking in the same order, without creating a database or
// starting a server: a server named by a URL, or at the local address, must
// accept a connection (within ctx); a throwaway server needs its programs
// and a user to run them as. getenv is as for NewProvider.
func Locate(ctx context.Context, engineName string, getenv func(string) string) Location {
	p, _ := NewProvider(getenv).(*provider)
	return p.locate(ctx, engineName)
}

func (p *provider) locate(ctx context.Context, engineName string) Location {
	loc := Location{Engine: engineName, Source: SourceNone}
	if engineName == EngineSQLite {
		loc.Source = SourceFile
		return loc
	}
	e, ok := engines[engineName]
	if !ok {
		loc.Err = fmt.Errorf("%w: unknown engine %q", ErrNoDatabase, engineName)
		return loc
	}
	if u := p.getenv(e.envVar); u != "" {
		return locateURL(ctx, e, e.envVar, u)
	}
	var tried []string
	if u := p.getenv("DATABASE_URL"); u != "" {
		if slices.Contains(e.schemes, scheme(u)) {
			return locateURL(ctx, e, SourceDatabaseURL, u)
		}
		tried = append(tried, "DATABASE_URL is not a "+e.schemes[0]+":// URL")
	}
	addr := p.local[e.name]
	if err := probe(ctx, addr); err != nil {
		tried = append(tried, fmt.Sprintf("nothing answers on %s", addr))
	} else {
		srv, err := e.open(e.localURL(addr))
		if err == nil {
			err = ping(ctx, srv)
		}
		if err == nil {
			return Location{Engine: e.name, Source: SourceLocal, Server: srv.String()}
		}
		tried = append(tried, fmt.Sprintf("local %s: %v", addr, err))
	}
	bin, err := p.throwawayProgram(ctx, e)
	if err == nil {
		return Location{Engine: e.name, Source: SourceThrowaway, Server: bin}
	}
	tried = append(tried, "throwaway server: "+err.Error())
	loc.Err = &noDatabase{noDatabaseAdvice(e, addr, tried)}
	return loc
}

// noDatabaseAdvice is the error of a provider that found no database for
// e: what a person can do, then what was tried.
func noDatabaseAdvice(e *engine, addr string, tried []string) error {
	return fmt.Errorf("set %s=%s (a server where bkgen may create and drop databases), "+
		"run %s on %s reachable as %s, or %s so bkgen can start a throwaway server (tried: %s)",
		e.envVar, e.example, e.title, addr, e.localUser, e.install, strings.Join(tried, "; "))
}

// locateURL checks the server of a URL read from the environment variable
// name.
func locateURL(ctx context.Context, e *engine, name, rawURL string) Location {
	loc := Location{Engine: e.name, Source: name}
	srv, err := e.open(rawURL)
	if err == nil {
		loc.Server = srv.String()
		err = ping(ctx, srv)
	}
	loc.Err = err
	return loc
}

// pinger is a server that can check it accepts connections.
type pinger interface {
	ping(ctx context.Context) error
}

// ping connects to srv and disconnects.
func ping(ctx context.Context, srv server) error {
	p, ok := srv.(pinger)
	if !ok {
		return nil
	}
	if err := p.ping(ctx); err != nil {
		return fmt.Errorf("%s: %w", srv, err)
	}
	return nil
}

func (s *pgServer) ping(ctx context.Context) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	return conn.Close(ctx) //nolint:wrapcheck // ping's caller names the server
}

func (s *myServer) ping(ctx context.Context) error {
	db, err := s.connect(ctx)
	if err != nil {
		return err
	}
	return db.Close() //nolint:wrapcheck // as above
}

// throwawayProgram finds what startPostgres or startMySQL would start a
// server with, and returns the server program's path.
func (p *provider) throwawayProgram(ctx context.Context, e *engine) (string, error) {
	switch e.name {
	case EnginePostgres:
		initdb, err := p.binary(EnginePostgres, "initdb")
		if err != nil {
			return "", err
		}
		postgres := filepath.Join(filepath.Dir(initdb), "postgres")
		if target, err := filepath.EvalSymlinks(initdb); err == nil {
			postgres = filepath.Join(filepath.Dir(target), "postgres")
		}
		if _, err := os.Stat(postgres); err != nil {
			return "", fmt.Errorf("%s found, but not postgres beside it", initdb)
		}
		if _, err := serverAccount("initdb", "postgres", "nobody"); err != nil {
			return "", err
		}
		return postgres, nil
	case EngineMySQL:
		bin, err := p.binary(EngineMySQL, "mariadbd", "mysqld")
		if err != nil {
			return "", err
		}
		mariadb := filepath.Base(bin) == "mariadbd"
		if !mariadb {
			vctx, cancel := context.WithTimeout(ctx, localProbeTimeout)
			out, _ := exec.CommandContext(vctx, bin, "--version").Output() //nolint:gosec // found by name in known folders
			cancel()
			mariadb = bytes.Contains(out, []byte("MariaDB"))
		}
		if mariadb {
			if _, err := p.binary(EngineMySQL, "mariadb-install-db", "mysql_install_db"); err != nil {
				return "", err
			}
		}
		if _, err := serverAccount(filepath.Base(bin), "mysql", "nobody"); err != nil {
			return "", err
		}
		return bin, nil
	}
	return "", fmt.Errorf("no throwaway server for %s", e.name)
}

// LocateRedis tells which Redis server the self-check would give the
// generated tests (BKGEN_REDIS_URL, else REDIS_URL, else the local server
// when it answers PING), and whether it answers PING. url is "" when there
// is none; those tests then skip.
func LocateRedis(ctx context.Context, getenv func(string) string) (rawURL string, answers bool) {
	rawURL = redisURL(ctx, getenv)
	if rawURL == "" {
		return "", false
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "a URL that is not redis://HOST:PORT", false // not echoed: it may hold a password
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "6379")
	}
	return u.Redacted(), pingRedis(ctx, addr)
}
