package selfcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Timeouts of the provider's own work on a database server.
const (
	// connectTimeout bounds connecting to a server, and each statement
	// (CREATE DATABASE, DROP DATABASE) run on it.
	connectTimeout = 10 * time.Second
	// localProbeTimeout bounds the check that something answers on an
	// engine's default local address.
	localProbeTimeout = time.Second
)

// NewProvider returns the [DatabaseProvider] of a real self-check. For
// sqlite it is [FileOnly]. For postgres and mysql it looks, in order, at
//
//   - BKGEN_POSTGRES_URL or BKGEN_MYSQL_URL (by engine),
//   - DATABASE_URL, if its scheme is the engine's (postgres:// or
//     postgresql://; mysql://),
//   - the engine's default local address, 127.0.0.1:5432 as user postgres
//     or 127.0.0.1:3306 as root with an empty password, if it answers
//     within a second,
//
// and treats the first it finds as a server: it creates a fresh database
// bkgen_check_<random hex> there, hands out its URL, and drops it on Close,
// never touching the named database. A URL set in the environment that does
// not work is an error, not a reason to look further. With none of them, it
// starts a throwaway server from the binaries on PATH or in the usual
// places (initdb and postgres; mariadbd or mysqld), as an unprivileged user
// when bkgen runs as root, and stops it on Close. Failing that, its error
// wraps [ErrNoDatabase] and says what a person can do.
//
// getenv reads the environment (os.Getenv when nil); an empty value counts
// as unset. PATH is read through it too. Provide's tmp serves sqlite only:
// a throwaway server gets a folder of its own, which the user it runs as
// can reach, removed on Close.
func NewProvider(getenv func(string) string) DatabaseProvider {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &provider{
		getenv: getenv,
		local: map[string]string{
			EnginePostgres: "127.0.0.1:5432",
			EngineMySQL:    "127.0.0.1:3306",
		},
		binDirs: defaultBinDirs,
	}
}

// provider is the [DatabaseProvider] NewProvider returns.
type provider struct {
	getenv func(string) string
	// local is the default local address of each server engine.
	local map[string]string
	// binDirs lists the folders, besides PATH, searched for a throwaway
	// server's binaries (globs allowed; by engine).
	binDirs map[string][]string
}

var _ DatabaseProvider = (*provider)(nil)

// engine is what the provider knows of a server engine.
type engine struct {
	name    string   // EnginePostgres or EngineMySQL
	title   string   // for people: PostgreSQL, MySQL
	envVar  string   // BKGEN_POSTGRES_URL; also its Source
	schemes []string // URL schemes DATABASE_URL may use for it
	example string   // a URL to show in messages
	// localURL is the URL of the default local server at addr.
	localURL  func(addr string) string
	localUser string // who localURL connects as, for people
	// open parses a server URL; it connects only when asked.
	open func(rawURL string) (server, error)
	// throwaway starts a server of this engine in a new folder.
	throwaway func(ctx context.Context, p *provider) (*proc, error)
	install   string // what to install for a throwaway server
}

// server is a database server the provider may create databases on.
type server interface {
	// create makes the database name and returns its URL, in the form of
	// the server's URL.
	create(ctx context.Context, name string) (string, error)
	// drop drops the database name, if it exists.
	drop(ctx context.Context, name string) error
	// String is the server's URL without its password.
	String() string
}

var engines = map[string]*engine{
	EnginePostgres: { //nolint:gosec // example holds a placeholder, no password
		name:    EnginePostgres,
		title:   "PostgreSQL",
		envVar:  SourcePostgresURL,
		schemes: []string{"postgres", "postgresql"},
		example: "postgres://USER:PASSWORD@HOST:5432/postgres",
		localURL: func(addr string) string {
			return "postgres://postgres@" + addr + "/postgres?sslmode=disable"
		},
		localUser: "user postgres without a password",
		open:      openPostgres,
		throwaway: startPostgres,
		install:   "install the PostgreSQL server (initdb and postgres; Debian and Ubuntu: apt-get install postgresql)",
	},
	EngineMySQL: { //nolint:gosec // as above
		name:    EngineMySQL,
		title:   "MySQL or MariaDB",
		envVar:  SourceMySQLURL,
		schemes: []string{"mysql"},
		example: "mysql://USER:PASSWORD@HOST:3306/mysql",
		localURL: func(addr string) string {
			return "mysql://root@" + addr + "/"
		},
		localUser: "root with an empty password",
		open:      openMySQL,
		throwaway: startMySQL,
		install:   "install MariaDB or MySQL (mariadbd or mysqld; Debian and Ubuntu: apt-get install mariadb-server)",
	},
}

// Provide implements [DatabaseProvider].
func (p *provider) Provide(ctx context.Context, engineName, tmp string) (*Database, error) {
	if engineName == EngineSQLite {
		return FileOnly{}.Provide(ctx, engineName, tmp)
	}
	e, ok := engines[engineName]
	if !ok {
		return nil, fmt.Errorf("%w: unknown engine %q", ErrNoDatabase, engineName)
	}

	// A URL someone set is used or reported, never passed over.
	if u := p.getenv(e.envVar); u != "" {
		return p.fromEnv(ctx, e, e.envVar, u)
	}
	var tried []string
	if u := p.getenv("DATABASE_URL"); u != "" {
		if slices.Contains(e.schemes, scheme(u)) {
			return p.fromEnv(ctx, e, SourceDatabaseURL, u)
		}
		tried = append(tried, "DATABASE_URL is not a "+e.schemes[0]+":// URL")
	}

	addr := p.local[e.name]
	if err := probe(ctx, addr); err != nil {
		tried = append(tried, fmt.Sprintf("nothing answers on %s", addr))
	} else {
		db, err := p.onServer(ctx, e, e.localURL(addr), SourceLocal)
		if err == nil {
			return db, nil
		}
		tried = append(tried, fmt.Sprintf("local %s: %v", addr, err))
	}

	db, err := p.onThrowaway(ctx, e)
	if err == nil {
		return db, nil
	}
	tried = append(tried, "throwaway server: "+err.Error())

	return nil, &noDatabase{noDatabaseAdvice(e, addr, tried)}
}

// fromEnv provides a database on the server of a URL read from the
// environment variable name.
func (p *provider) fromEnv(ctx context.Context, e *engine, name, rawURL string) (*Database, error) {
	db, err := p.onServer(ctx, e, rawURL, name)
	if err != nil {
		return nil, &noDatabase{fmt.Errorf("%s: %w; fix or unset %s", name, err, name)}
	}
	return db, nil
}

// onServer creates a fresh database on the server at rawURL; the
// Database's Close drops it.
func (p *provider) onServer(ctx context.Context, e *engine, rawURL, source string) (*Database, error) {
	srv, err := e.open(rawURL)
	if err != nil {
		return nil, err
	}
	name, err := newDatabaseName()
	if err != nil {
		return nil, err
	}
	u, err := srv.create(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srv, err)
	}
	return &Database{
		URL:    u,
		Source: source,
		Close: once(func(ctx context.Context) error {
			if err := srv.drop(ctx, name); err != nil {
				return fmt.Errorf("%s: %w", srv, err)
			}
			return nil
		}),
	}, nil
}

// onThrowaway starts a throwaway server and creates a database on it; the
// Database's Close stops the server and removes its files.
func (p *provider) onThrowaway(ctx context.Context, e *engine) (*Database, error) {
	pr, err := e.throwaway(ctx, p)
	if err != nil {
		return nil, err
	}
	db, err := p.onServer(ctx, e, pr.url, SourceThrowaway)
	if err != nil {
		return nil, errors.Join(err, pr.stop())
	}
	db.Close = once(func(context.Context) error { return pr.stop() })
	return db, nil
}

// noDatabase is the provider's error when it has no database to offer: it
// matches [ErrNoDatabase] without starting with its text, since the
// report's detail already says as much ("none is available: ...").
type noDatabase struct{ err error }

func (e *noDatabase) Error() string   { return e.err.Error() }
func (e *noDatabase) Unwrap() []error { return []error{ErrNoDatabase, e.err} }

// probe reports whether something accepts TCP connections on addr within
// [localProbeTimeout].
func probe(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: localProbeTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err //nolint:wrapcheck // the caller says what it probed
	}
	return c.Close() //nolint:wrapcheck // as above
}

// scheme is the scheme of rawURL, lowercased; "" when it has none.
func scheme(rawURL string) string {
	s, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return ""
	}
	return strings.ToLower(s)
}

// parseServerURL parses a server URL of one of schemes.
func parseServerURL(rawURL string, schemes ...string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's error quotes the URL, password included.
		return nil, fmt.Errorf("not a URL of the form %s://USER:PASSWORD@HOST:PORT/DATABASE", schemes[0])
	}
	if !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
		// Not echoed: a keyword=value string may hold a password.
		return nil, fmt.Errorf("not a %s:// URL", schemes[0])
	}
	return u, nil
}

// withDatabase is u naming the database name instead of its own; its query
// is kept.
func withDatabase(u *url.URL, name string) *url.URL {
	v := *u
	v.Path = "/" + name
	v.RawPath = ""
	return &v
}

// databaseName is what a database the provider creates is called: the
// names are built here and checked before they reach SQL, even quoted.
var databaseName = regexp.MustCompile(`^bkgen_check_[a-z0-9_]{1,40}$`)

// databasePrefix starts the name of every database the provider creates.
const databasePrefix = "bkgen_check_"

// newDatabaseName returns bkgen_check_ and 12 random hex digits.
func newDatabaseName() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random database name: %w", err)
	}
	return checkDatabaseName(databasePrefix + hex.EncodeToString(b))
}

func checkDatabaseName(name string) (string, error) {
	if !databaseName.MatchString(name) {
		return "", fmt.Errorf("refusing the database name %q: want %s followed by [a-z0-9_]", name, databasePrefix)
	}
	return name, nil
}

// once makes release idempotent: the first call does the work, later calls
// return its error.
func once(release func(context.Context) error) func(context.Context) error {
	var (
		mu   sync.Mutex
		done bool
		err  error
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			done, err = true, release(ctx)
		}
		return err
	}
}
