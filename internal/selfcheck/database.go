package selfcheck

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// Sources of the integration tests' database, as check.json reports them
// (DESIGN.md, "The self-check").
const (
	SourcePostgresURL = "BKGEN_POSTGRES_URL"
	SourceMySQLURL    = "BKGEN_MYSQL_URL"
	SourceDatabaseURL = "DATABASE_URL"
	SourceLocal       = "local"
	SourceThrowaway   = "throwaway"
	SourceFile        = "file"
	SourceNone        = "none"
)

// ErrNoDatabase is wrapped by a [DatabaseProvider]'s error when it has no
// database to offer for an engine.
var ErrNoDatabase = errors.New("no database available")

// A DatabaseProvider supplies the database the integration tests run
// against. Run asks it once, before the first step, unless the engine is
// none; the URL of the database it returns is given to every task as the
// variable and environment variable DATABASE_URL.
type DatabaseProvider interface {
	// Provide returns a fresh database for engine (postgres, mysql or
	// sqlite). tmp is a folder outside the repository, removed when the
	// self-check ends, for files the database needs. An error means the
	// integration tests cannot run: the step is not_run and the report
	// shows the error's text, so it should say what a person can do.
	Provide(ctx context.Context, engine, tmp string) (*Database, error)
}

// Database is a database provided for one self-check.
type Database struct {
	URL    string // DATABASE_URL for the tasks
	Source string // how it was found: one of the Source constants
	// Close releases the database (drops it, stops its server) when the
	// self-check ends; nil when there is nothing to release.
	Close func(context.Context) error
}

// FileOnly provides the databases that need no server: SQLite, as a file in
// the self-check's temporary folder. It has no server engine to offer.
type FileOnly struct{}

var _ DatabaseProvider = FileOnly{}

// Provide implements [DatabaseProvider].
func (FileOnly) Provide(_ context.Context, engine, tmp string) (*Database, error) {
	if engine == EngineSQLite {
		path := filepath.ToSlash(filepath.Join(tmp, "bkgen_check.db"))
		return &Database{URL: "file:" + path, Source: SourceFile}, nil
	}
	return nil, fmt.Errorf("%w: %s needs a server, and this self-check was given none", ErrNoDatabase, engine)
}
