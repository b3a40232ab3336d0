package selfcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envMap is an environment holding only m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// closedAddr is an address where nothing listens.
const closedAddr = "127.0.0.1:1"

func TestLocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, engine string
		env          map[string]string
		local        string // the engine's local address; "" for the default
		noBinaries   bool   // no throwaway server: nothing on PATH or in binDirs
		source       string
		server       string // a prefix of Server
		err          string // a part of Err; "" for none
	}{
		{
			name: "postgres from BKGEN_POSTGRES_URL", engine: EnginePostgres,
			env:    map[string]string{"BKGEN_POSTGRES_URL": "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"},
			source: SourcePostgresURL, server: "postgres://postgres@127.0.0.1:5432/test",
		},
		{
			name: "a URL that does not answer is reported, not passed over", engine: EnginePostgres,
			env:    map[string]string{"BKGEN_POSTGRES_URL": "postgres://postgres:s3cret@" + closedAddr + "/postgres"},
			source: SourcePostgresURL, server: "postgres://postgres:xxxxx@" + closedAddr, err: "connect: ",
		},
		{
			name: "mysql from DATABASE_URL", engine: EngineMySQL,
			env:    map[string]string{"DATABASE_URL": "mysql://root@127.0.0.1:3306/"},
			source: SourceDatabaseURL, server: "mysql://root@127.0.0.1:3306/",
		},
		{
			name: "DATABASE_URL of another engine is passed over", engine: EngineMySQL,
			env:    map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"},
			source: SourceLocal, server: "mysql://root@127.0.0.1:3306/",
		},
		{name: "local postgres", engine: EnginePostgres, source: SourceLocal, server: "postgres://postgres@127.0.0.1:5432/postgres"},
		{
			name: "throwaway mysql", engine: EngineMySQL, local: closedAddr,
			env:    map[string]string{"PATH": os.Getenv("PATH")},
			source: SourceThrowaway, server: "/",
		},
		{
			name: "none", engine: EnginePostgres, local: closedAddr, noBinaries: true,
			source: SourceNone, err: "set BKGEN_POSTGRES_URL=postgres://USER:", // the example URL follows
		},
		{name: "sqlite", engine: EngineSQLite, source: SourceFile},
		{name: "unknown", engine: "oracle", source: SourceNone, err: `unknown engine "oracle"`},
	}
	for _, tt := range tests {
		p, _ := NewProvider(envMap(tt.env)).(*provider)
		if tt.local != "" {
			p.local = map[string]string{EnginePostgres: tt.local, EngineMySQL: tt.local}
		}
		if tt.noBinaries {
			p.binDirs = map[string][]string{}
		}
		loc := p.locate(t.Context(), tt.engine)
		if loc.Engine != tt.engine || loc.Source != tt.source || !strings.HasPrefix(loc.Server, tt.server) {
			t.Errorf("%s: %+v, want source %s, server %s...", tt.name, loc, tt.source, tt.server)
		}
		switch {
		case tt.err == "" && loc.Err != nil:
			t.Errorf("%s: %v", tt.name, loc.Err)
		case tt.err != "" && (loc.Err == nil || !strings.Contains(loc.Err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, loc.Err, tt.err)
		case loc.Err != nil && strings.Contains(loc.Err.Error(), "s3cret"):
			t.Errorf("%s: the error shows the password: %v", tt.name, loc.Err)
		case loc.Source == SourceNone && loc.Err != nil && !errors.Is(loc.Err, ErrNoDatabase):
			t.Errorf("%s: %v does not wrap ErrNoDatabase", tt.name, loc.Err)
		}
	}
}

// TestLocateThrowawayPostgres finds initdb and postgres as the throwaway
// server would, in a folder of PATH.
func TestLocateThrowawayPostgres(t *testing.T) {
	t.Parallel()
	p, _ := NewProvider(nil).(*provider)
	initdb, err := p.binary(EnginePostgres, "initdb")
	if err != nil {
		t.Fatalf("this test needs PostgreSQL's initdb: %v", err)
	}
	p, _ = NewProvider(envMap(map[string]string{"PATH": filepath.Dir(initdb)})).(*provider)
	p.local = map[string]string{EnginePostgres: closedAddr}
	p.binDirs = map[string][]string{}
	loc := p.locate(t.Context(), EnginePostgres)
	if loc.Source != SourceThrowaway || filepath.Base(loc.Server) != "postgres" || loc.Err != nil {
		t.Errorf("%+v, want a throwaway server from postgres beside %s", loc, initdb)
	}
}

func TestLocateRedis(t *testing.T) {
	t.Parallel()
	u, ok := LocateRedis(t.Context(), envMap(nil))
	if u != "redis://127.0.0.1:6379/0" || !ok {
		t.Errorf("local: %q %v", u, ok)
	}
	u, ok = LocateRedis(t.Context(), envMap(map[string]string{"BKGEN_REDIS_URL": "redis://:s3cret@" + closedAddr + "/0"}))
	if u != "redis://:xxxxx@"+closedAddr+"/0" || ok {
		t.Errorf("closed: %q %v", u, ok)
	}
	u, ok = LocateRedis(t.Context(), envMap(map[string]string{"REDIS_URL": "127.0.0.1:6379"}))
	if strings.Contains(u, "6379") || ok {
		t.Errorf("not a URL: %q %v", u, ok)
	}
}
