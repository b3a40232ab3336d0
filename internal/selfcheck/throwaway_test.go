package selfcheck_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/internal/selfcheck"
)

// throwawayEnv is the environment a throwaway test runs with: an empty
// PATH when the binaries are in a folder the provider knows of anyway
// (Debian keeps PostgreSQL's off PATH), or the process's. It skips the test
// when the binaries are nowhere.
func throwawayEnv(t *testing.T, known string, names ...string) func(string) string {
	t.Helper()
	if matches, _ := filepath.Glob(known); len(matches) > 0 {
		return env()
	}
	for _, name := range names {
		if _, err := exec.LookPath(name); err == nil {
			return env("PATH", os.Getenv("PATH"))
		}
	}
	t.Skipf("%s is not installed (not on PATH, nor %s): no throwaway server to start", strings.Join(names, " or "), known)
	return nil
}

// stopped checks that nothing answers at addr any more and that dir is
// gone.
func stopped(t *testing.T, addr, dir string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = c.Close()
		t.Errorf("the throwaway server still answers on %s", addr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the throwaway server's folder %s: %v, want it removed", dir, err)
	}
}

func TestProviderThrowawayPostgres(t *testing.T) {
	t.Parallel()
	getenv := throwawayEnv(t, "/usr/lib/postgresql/*/bin/initdb", "initdb")
	p := selfcheck.NewTestProvider(getenv, map[string]string{"postgres": closed(t)}, nil)
	db := provide(t, p, "postgres")
	u, name := databaseOf(t, db.URL)
	if db.Source != "throwaway" || u.Hostname() != "127.0.0.1" {
		t.Errorf("database %s from %s", db.URL, db.Source)
	}
	conn := pgConnect(t, db.URL)
	var one int
	var current, dataDir string
	if err := conn.QueryRow(t.Context(), "SELECT 1, current_database(), current_setting('data_directory')").Scan(&one, &current, &dataDir); err != nil {
		t.Fatal(err)
	}
	if one != 1 || current != name {
		t.Errorf("SELECT 1, current_database() = %d, %s", one, current)
	}
	closeDB(t, db) // with conn still open
	stopped(t, u.Host, filepath.Dir(dataDir))
}

func TestProviderThrowawayMySQL(t *testing.T) {
	t.Parallel()
	getenv := throwawayEnv(t, "/usr/sbin/mariadbd", "mariadbd", "mysqld")
	p := selfcheck.NewTestProvider(getenv, map[string]string{"mysql": closed(t)}, nil)
	db := provide(t, p, "mysql")
	u, name := databaseOf(t, db.URL)
	if db.Source != "throwaway" || u.Hostname() != "127.0.0.1" {
		t.Errorf("database %s from %s", db.URL, db.Source)
	}
	conn := myConnect(t, db.URL)
	var current, dataDir string
	if err := conn.QueryRowContext(t.Context(), "SELECT DATABASE(), @@datadir").Scan(&current, &dataDir); err != nil {
		t.Fatal(err)
	}
	if current != name {
		t.Errorf("DATABASE() = %s, want %s", current, name)
	}
	closeDB(t, db)
	stopped(t, u.Host, filepath.Dir(filepath.Clean(dataDir)))
}

// fakeBinaries writes shell scripts named like a server's programs into a
// folder anyone may read, for the throwaway server run as another user.
func fakeBinaries(t *testing.T, scripts map[string]string) string {
	t.Helper()
	// Not t.TempDir: its top folder is private to this user.
	dir, err := os.MkdirTemp("", "bkgen-fake-bin-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, script := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestProviderThrowawayFailures: a throwaway server that cannot be
// created or started is reported with its own last words.
func TestProviderThrowawayFailures(t *testing.T) {
	t.Parallel()
	as := ""
	if os.Geteuid() == 0 {
		as = " (as user postgres)"
	}
	for _, tc := range []struct {
		name    string
		scripts map[string]string
		want    string
	}{
		{"initdb fails", map[string]string{
			"initdb":   `echo "initdb: no room on device" >&2; exit 1`,
			"postgres": "exit 0",
		}, "throwaway server: initdb" + as + ": exit status 1: initdb: no room on device)"},
		{"postgres exits", map[string]string{
			"initdb":   "exit 0",
			"postgres": `echo "FATAL:  could not open shared memory segment"; exit 1`,
		}, "throwaway server: postgres" + as + ": exited before accepting connections: FATAL:  could not open shared memory segment)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := fakeBinaries(t, tc.scripts)
			p := selfcheck.NewTestProvider(env(), map[string]string{"postgres": closed(t)}, map[string][]string{"postgres": {bin}})
			_, err := p.Provide(t.Context(), "postgres", t.TempDir())
			if !errors.Is(err, selfcheck.ErrNoDatabase) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant ErrNoDatabase with %q", err, tc.want)
			}
		})
	}
}
