package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-task/task/v3"
	"github.com/go-task/task/v3/taskfile/ast"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/internal/selfcheck"
)

// TestHardening generates petstore-expanded and runs the load and fault
// tests it ships, through its own Taskfile tasks (test:load, test:fault)
// run in-process as the self-check runs its steps, against real databases:
// under load every request succeeds, over the default rate limit the
// excess is 429 with Retry-After, and with the database cut off the service
// answers 503 at once and recovers without a restart. PostgreSQL on go-chi
// gets both tests, MySQL (MariaDB here) the fault test.
//
//nolint:paralleltest // whole services under load: faster one at a time on 2 cores, and the first sets the environment
func TestHardening(t *testing.T) {
	if testing.Short() {
		t.Skip("generates services and runs their load and fault tests against real databases for a minute or more; skipped with -short")
	}
	petstore := filepath.Join(specsDir(t), "oai-petstore-expanded.yaml")

	t.Run("postgres", func(t *testing.T) {
		dir := generateService(t, petstore, "go-chi", "postgres")
		url := provideDatabase(t, "postgres")
		reportPath := filepath.Join(t.TempDir(), "load-report.json")
		t.Setenv("LOAD_DURATION", "10s")
		t.Setenv("LOAD_REPORT", reportPath)
		runTask(t, dir, "test:load", url, 10*time.Minute)
		checkLoadReport(t, reportPath)
		runTask(t, dir, "test:fault", url, 10*time.Minute)
	})
	t.Run("mysql", func(t *testing.T) {
		dir := generateService(t, petstore, "go-chi", "mysql")
		runTask(t, dir, "test:fault", provideDatabase(t, "mysql"), 10*time.Minute)
	})
}

// checkLoadReport reads the report test:load wrote: the unlimited run
// without a single error, the rate-limited one with 429s and no error.
func checkLoadReport(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the load report: %v", err)
	}
	var rep struct {
		Runs []struct {
			Name       string         `json:"name"`
			Requests   int            `json:"requests"`
			Throughput float64        `json:"throughput_rps"`
			Errors     int            `json:"errors"`
			Status     map[string]int `json:"status"`
			Latency    struct {
				P50, P99 float64
			} `json:"latency_ms"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("the load report: %v\n%s", err, data)
	}
	if len(rep.Runs) != 2 {
		t.Fatalf("the load report has %d runs, want the unlimited and the rate-limited one:\n%s", len(rep.Runs), data)
	}
	for _, r := range rep.Runs {
		t.Logf("%s: %d requests, %.0f req/s, p50 %.1fms, p99 %.1fms, status %v, %d errors",
			r.Name, r.Requests, r.Throughput, r.Latency.P50, r.Latency.P99, r.Status, r.Errors)
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors; want requests and no error", r.Name, r.Requests, r.Errors)
		}
	}
	if rep.Runs[0].Status["429"] != 0 || rep.Runs[1].Status["429"] == 0 {
		t.Errorf("429s: %d with RATE_LIMIT=0, %d with the default limit; want none, then some",
			rep.Runs[0].Status["429"], rep.Runs[1].Status["429"])
	}
}

// generateService writes the service of spec on stack and database into a
// temporary folder, without its self-check.
func generateService(t *testing.T, spec, stack, database string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "svc")
	cfg := testConfig()
	cfg.Stack, cfg.Database = stack, database
	if _, err := generator.New(context.Background(), generator.Options{SpecPath: spec, OutDir: dir, Config: cfg, NoGit: true, NoCheck: true}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	return dir
}

// provideDatabase finds a database server for engine as the self-check
// does (BKGEN_POSTGRES_URL / BKGEN_MYSQL_URL, DATABASE_URL, the local
// default address, a throwaway server) and returns the URL of a fresh
// database on it, dropped when the test ends.
func provideDatabase(t *testing.T, engine string) string {
	t.Helper()
	db, err := selfcheck.NewProvider(os.Getenv).Provide(t.Context(), engine, t.TempDir())
	if err != nil {
		t.Fatalf("the load and fault tests need a %s server: %v", engine, err)
	}
	if db.Close != nil {
		t.Cleanup(func() {
			if err := db.Close(context.WithoutCancel(t.Context())); err != nil {
				t.Errorf("release the %s database: %v", engine, err)
			}
		})
	}
	return db.URL
}

// runTask runs a task of the generated Taskfile in-process with go-task,
// as the self-check does, with DATABASE_URL set to url; it fails the test
// with the end of the task's output when the task fails.
func runTask(t *testing.T, dir, name, url string, timeout time.Duration) {
	t.Helper()
	var out lockedBuffer
	tmp := t.TempDir()
	e := task.NewExecutor(
		task.WithDir(dir),
		task.WithEntrypoint(dir),
		task.WithStdin(strings.NewReader("")),
		task.WithStdout(&out),
		task.WithStderr(&out),
		task.WithColor(false),
		task.WithTempDir(task.TempDir{Remote: tmp, Fingerprint: tmp}),
	)
	e.UserWorkingDir = dir
	if err := e.Setup(); err != nil {
		t.Fatalf("read the Taskfile: %v\n%s", err, out.String())
	}
	vars := ast.NewVars()
	vars.Set("DATABASE_URL", ast.Var{Value: url})
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	err := e.Run(ctx, &task.Call{Task: name, Vars: vars})
	t.Logf("task %s: %s\n%s", name, time.Since(start).Round(time.Second), summaryLines(out.String()))
	if err != nil {
		t.Fatalf("task %s: %v\n%s", name, err, tail(out.String(), 60))
	}
}

// summaryLines are the lines of the tests' own logs (t.Log), which carry
// the figures: requests, throughput, latency and status counts.
func summaryLines(s string) string {
	var keep []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, "_test.go:") && !strings.Contains(line, "{\"time\"") {
			keep = append(keep, strings.TrimSpace(line))
		}
	}
	return strings.Join(keep, "\n")
}

// lockedBuffer is a bytes.Buffer that go-task's commands may write to from
// several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
