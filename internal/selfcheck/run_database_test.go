package selfcheck_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/report"
	"github.com/bkgen/bkgen/internal/selfcheck"
)

// recorder remembers the databases a provider hands out.
type recorder struct {
	selfcheck.DatabaseProvider
	urls []string
}

func (r *recorder) Provide(ctx context.Context, engine, tmp string) (*selfcheck.Database, error) {
	db, err := r.DatabaseProvider.Provide(ctx, engine, tmp)
	if err == nil {
		r.urls = append(r.urls, db.URL)
	}
	return db, err
}

// TestRunOnLocalPostgres: the self-check of a repository whose integration
// test needs PostgreSQL runs it on a fresh database of the local server,
// and drops that afterwards.
func TestRunOnLocalPostgres(t *testing.T) {
	t.Parallel()
	admin := needPostgres(t)
	dir := fixture(t, "postgres")
	rec := &recorder{DatabaseProvider: selfcheck.NewProvider(withoutDatabaseVars)}
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "postgres", CoverageTarget: 75, Database: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Steps {
		if s.Status != report.Passed {
			t.Errorf("step %+v, want passed", s)
		}
	}
	if c.Status != report.Passed || c.Database != (report.Database{Engine: "postgres", Source: "local"}) {
		t.Errorf("status %s, database %+v", c.Status, c.Database)
	}
	if want := (report.Tests{Passed: 7, Skipped: 1}); c.Tests != want {
		t.Errorf("tests = %+v, want %+v", c.Tests, want)
	}
	if len(rec.urls) != 1 {
		t.Fatalf("databases provided: %q", rec.urls)
	}
	if _, name := databaseOf(t, rec.urls[0]); pgExists(t, admin, name) {
		t.Errorf("database %s still exists after the self-check", name)
	}
}

// TestRunDefaultProvider: without Options.Database, Run looks for a
// server as NewProvider(os.Getenv) does, not as FileOnly.
func TestRunDefaultProvider(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	dir := fixture(t, "postgres")
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "postgres", CoverageTarget: 75})
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Source == "none" {
		// Only a URL in this process's environment that does not work
		// stops NewProvider from using the local server.
		if detail := c.Steps[5].Detail; strings.Contains(detail, "given none") || !strings.Contains(detail, "fix or unset") {
			t.Errorf("test:integration = %+v", c.Steps[5])
		}
		return
	}
	if c.Status != report.Passed {
		t.Errorf("status %s, database %+v, steps %+v", c.Status, c.Database, c.Steps)
	}
}

// TestTaskSeesProvidedDatabaseURL: go-task gives a task's commands the
// process's DATABASE_URL over the one bkgen sets in the Taskfile's env, so
// the generated tasks pass the variable explicitly; with that, the
// provided database wins. Not parallel: it sets the process environment.
func TestTaskSeesProvidedDatabaseURL(t *testing.T) {
	const (
		wrong = "postgres://wrong@127.0.0.1:1/wrong"
		// With characters a shell would split or act on, unquoted.
		provided = "postgres://check:p%40ss@127.0.0.1:5432/bkgen_check_x?sslmode=disable&application_name=bkgen check" //nolint:gosec // no real password
	)
	t.Setenv("DATABASE_URL", wrong)
	dir := taskfile(t, `version: '3'
tasks:
  test:unit:
    cmds:
      # The trap itself: should this fail, go-task lets the Taskfile's env
      # win now, and the explicit DATABASE_URL= below is no longer needed.
      - test "$DATABASE_URL" = '`+wrong+`'
  test:integration:
    env:
      WANT: '`+provided+`'
    cmds:
      - DATABASE_URL={{shellQuote (.DATABASE_URL | default "")}} sh -c 'test "$DATABASE_URL" = "$WANT"'
      - DATABASE_URL='{{.DATABASE_URL}}' sh -c 'test "$DATABASE_URL" = "$WANT"'
      - DATABASE_URL="{{.DATABASE_URL | default "$DATABASE_URL"}}" sh -c 'test "$DATABASE_URL" = "$WANT"'
  test:contract:
    # Without the variable (a person's "task check"), the quoted form
    # still renders: shellQuote alone fails on a missing variable.
    cmds:
      - DATABASE_URL={{shellQuote (.NO_SUCH_URL | default "")}} sh -c 'test -z "$DATABASE_URL"'
`)
	db := &fakeProvider{db: selfcheck.Database{URL: provided, Source: "local"}}
	c, events, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "postgres", Database: db})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Failure != nil {
			t.Errorf("%s failed: %s\n%s", ev.Step, ev.Detail, strings.Join(ev.Failure.Tail, "\n"))
		}
	}
	if c.Status != report.Passed || c.Steps[4].Status != report.Passed || c.Steps[5].Status != report.Passed || c.Steps[6].Status != report.Passed {
		t.Errorf("status %s, steps %+v", c.Status, c.Steps)
	}
}

// TestRunNoDatabaseSaysWhatToDo: with no database anywhere, the
// integration step is not run, and its detail says what a person can do.
func TestRunNoDatabaseSaysWhatToDo(t *testing.T) {
	t.Parallel()
	dir := taskfile(t, "version: '3'\ntasks:\n  test:integration: exit 1\n")
	down := closed(t)
	p := selfcheck.NewTestProvider(env(), map[string]string{"postgres": down}, map[string][]string{})
	c, _, err := run(t, t.Context(), selfcheck.Options{Dir: dir, Engine: "postgres", Database: p})
	if err != nil {
		t.Fatal(err)
	}
	want := "NOT RUN: the integration tests need a postgres database and none is available: " +
		"set BKGEN_POSTGRES_URL=postgres://USER:PASSWORD@HOST:5432/postgres (a server where bkgen may create and drop databases), " +
		"run PostgreSQL on " + down + " reachable as user postgres without a password, " +
		"or install the PostgreSQL server (initdb and postgres; Debian and Ubuntu: apt-get install postgresql) so bkgen can start a throwaway server " +
		"(tried: nothing answers on " + down + "; throwaway server: initdb not found on PATH)"
	if s := c.Steps[5]; s.Status != report.NotRun || s.Detail != want {
		t.Errorf("test:integration = %+v\nwant detail %q", s, want)
	}
	if c.Status != report.Incomplete || c.Database.Source != "none" {
		t.Errorf("status %s, database %+v", c.Status, c.Database)
	}
}
