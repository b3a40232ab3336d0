// Package selfcheck runs a generated repository's own checks and reports them.
//
// The generated Taskfile.yml defines one task per step (see [Steps]); Run
// executes them in-process with go-task's library, one [task.Executor.Run]
// per step, so each step is timed and its output captured rather than printed.
// The result is a [report.Check], also written, indented, to
// .bkgen/check.json: the only file a self-check writes inside the repository.
//
// Every task gets the variables GOTEST_FLAGS=-json (the test tasks run
// `go test {{.GOTEST_FLAGS}} …`, and tests are counted from the JSON events),
// COVERPROFILE (a file in a temporary folder outside the repository),
// COVERDIR (that folder: the test tasks write their coverage profiles
// there, and the coverage task merges them rather than run the tests again) and,
// when a database is available, DATABASE_URL, which is also put in the
// tasks' environment. go-task leaves a variable of bkgen's own environment
// as it is, whatever the Taskfile's env says, so a task that needs the
// database must pass the variable itself:
// `DATABASE_URL={{shellQuote .DATABASE_URL}} go test …` (or
// `DATABASE_URL='{{.DATABASE_URL}}'`), not rely on $DATABASE_URL.
// REDIS_URL is put in the tasks' environment when a Redis server is found
// (see redisURL), for the generated tests of what replicas share.
//
// The database comes from a [DatabaseProvider]; [NewProvider]'s by default:
// a fresh database on a server it finds, or on a throwaway server it
// starts, dropped when the self-check ends.
package selfcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-task/task/v3"
	taskerrors "github.com/go-task/task/v3/errors"
	"github.com/go-task/task/v3/taskfile/ast"

	"github.com/bkgen/bkgen/generator/report"
)

// DefaultTimeout bounds each step when [Options.Timeout] is zero.
const DefaultTimeout = 15 * time.Minute

// TailLines is how many of a failed step's last output lines [StepFailure] keeps.
const TailLines = 40

// ReportPath is where Run writes the report, relative to the repository.
const ReportPath = ".bkgen/check.json"

// Engines a generated repository may use; [Options.Engine] is one of them.
const (
	EnginePostgres = "postgres"
	EngineMySQL    = "mysql"
	EngineSQLite   = "sqlite"
	EngineNone     = "none"
)

// Step names: the Taskfile tasks Run executes, in order.
const (
	StepDeps            = "deps"
	StepFmtCheck        = "fmt:check"
	StepVet             = "vet"
	StepBuild           = "build"
	StepTestUnit        = "test:unit"
	StepTestIntegration = "test:integration"
	StepTestContract    = "test:contract"
	StepCoverage        = "coverage"
)

// step is one self-check step and what it needs.
type step struct {
	name string
	// needs lists the steps that must not have failed for this one to run:
	// when one failed (or could not run because of a failure), this step is
	// not_run. A need that was skipped, or not_run for want of a database,
	// does not block.
	needs []string
	// tests marks a `go test {{.GOTEST_FLAGS}}` step: its JSON events are
	// counted, and a failed test or package fails the step even when the
	// task's exit status does not say so (a pipe, say).
	tests bool
}

// steps is the order of the self-check. fmt:check needs nothing; vet and
// build need the modules; the tests need a build; coverage needs the tests
// to pass, since the coverage of a failing run means nothing.
var steps = []step{
	{name: StepDeps},
	{name: StepFmtCheck},
	{name: StepVet, needs: []string{StepDeps}},
	{name: StepBuild, needs: []string{StepDeps}},
	{name: StepTestUnit, needs: []string{StepBuild}, tests: true},
	{name: StepTestIntegration, needs: []string{StepBuild}, tests: true},
	{name: StepTestContract, needs: []string{StepBuild}, tests: true},
	{name: StepCoverage, needs: []string{StepBuild, StepTestUnit, StepTestIntegration, StepTestContract}},
}

// Steps returns the names of the self-check's steps, in the order they run.
func Steps() []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.name
	}
	return names
}

// An Observer is told about each step as it starts and ends. Run calls it
// from its own goroutine, one event at a time.
type Observer func(Event)

// Event reports progress of one step. A step that runs gives two events: one
// with Started set, then its result; a step that is skipped or not run gives
// only its result.
type Event struct {
	Step     string
	Started  bool          // the step is starting; the other fields are empty
	Status   string        // the step's status in the report: passed | failed | skipped | not_run
	Duration time.Duration // how long the step ran
	Detail   string        // the step's detail in the report
	// Failure is set on the result of a failed step: the task, its folder and
	// the last lines of its output, for a person to read.
	Failure *StepFailure
}

// StepFailure is what a person needs to see of a failed step: the task, the
// folder it ran in and the last [TailLines] lines of its output (stdout and
// stderr together; test output is rendered from the JSON events as
// `go test -v` would print it).
type StepFailure struct {
	Step string
	Dir  string
	Tail []string
}

// Options configure [Run].
type Options struct {
	Dir            string  // the generated repository (where its Taskfile.yml is)
	Engine         string  // database of bkgen.yaml: postgres | mysql | sqlite | none
	CoverageTarget float64 // coverage of bkgen.yaml, in percent
	// Strict is carried for the caller and does not change the report: a
	// step that could not run leaves the status incomplete, as check.json's
	// contract says. [Succeeded] applies it.
	Strict  bool
	Timeout time.Duration // per step; 0 means [DefaultTimeout]
	Observe Observer      // may be nil
	Env     []string      // extra KEY=VALUE environment for the tasks
	// Database provides the integration tests' database; nil means
	// NewProvider(os.Getenv).
	Database DatabaseProvider
}

// Succeeded reports whether a check counts as a success: it passed, or it is
// incomplete (a step could not run) and strict is false.
func Succeeded(c *report.Check, strict bool) bool {
	return c.Status == report.Passed || (c.Status == report.Incomplete && !strict)
}

// Run runs the self-check of the repository in opts.Dir, writes the report
// to .bkgen/check.json and returns it.
//
// A failing step is a report with status failed, not an error: the error is
// for internal failures (no folder or an unknown engine, both with a nil
// report; a temporary folder, the report or the database's release that
// fails, with the report). When ctx is cancelled, Run stops, marks the steps
// left not_run ("not run: canceled"), still writes the report, and returns
// it with ctx's error.
//
// Run reports progress to opts.Observe; the result event of a failed step
// carries its [StepFailure] (the task, its folder and its last lines), which
// the report does not hold.
func Run(ctx context.Context, opts Options) (*report.Check, error) {
	start := time.Now()
	if opts.Dir == "" {
		return nil, errors.New("self-check: no repository folder given")
	}
	switch opts.Engine {
	case EnginePostgres, EngineMySQL, EngineSQLite, EngineNone:
	default:
		return nil, fmt.Errorf("self-check: unknown database engine %q (want postgres, mysql, sqlite or none)", opts.Engine)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("self-check %s: %w", opts.Dir, err)
	}
	tmp, err := os.MkdirTemp("", "bkgen-check-")
	if err != nil {
		return nil, fmt.Errorf("self-check: create temporary folder: %w", err)
	}
	defer os.RemoveAll(tmp) //nolint:errcheck // best effort: it is in the temp folder

	r := &runner{
		opts:    opts,
		dir:     dir,
		tmp:     tmp,
		timeout: opts.Timeout,
		check: &report.Check{
			Version:  report.Version,
			Database: report.Database{Engine: opts.Engine, Source: SourceNone},
			Steps:    make([]report.Step, 0, len(steps)),
		},
		broken: map[string]bool{},
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}

	closeDB := r.provideDatabase(ctx)
	r.setup()
	for _, s := range steps {
		r.step(ctx, s)
	}
	if closeDB != nil {
		if err := closeDB(context.WithoutCancel(ctx)); err != nil {
			// The tests ran; a database left behind is worth saying but
			// does not change their result.
			r.cleanupErr = fmt.Errorf("self-check: release the %s database: %w", opts.Engine, err)
		}
	}

	r.check.Status = status(r.check.Steps)
	r.check.DurationMS = time.Since(start).Milliseconds()
	if err := writeReport(dir, r.check); err != nil {
		return r.check, err
	}
	if err := ctx.Err(); err != nil {
		return r.check, fmt.Errorf("self-check: %w", err)
	}
	return r.check, r.cleanupErr
}

// status is the status of a whole check from its steps: failed if one
// failed, else incomplete if one could not run, else passed.
func status(ss []report.Step) string {
	st := report.Passed
	for _, s := range ss {
		switch s.Status {
		case report.Failed:
			return report.Failed
		case report.NotRun:
			st = report.Incomplete
		}
	}
	return st
}

// writeReport writes c, indented, to .bkgen/check.json under dir, through a
// temporary file and a rename so that no reader sees half a report.
func writeReport(dir string, c *report.Check) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode self-check report: %w", err)
	}
	data = append(data, '\n')
	path := filepath.Join(dir, filepath.FromSlash(ReportPath))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { //nolint:gosec // a repository folder, read by its owner's tools
		return fmt.Errorf("write self-check report: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".check-*.json")
	if err != nil {
		return fmt.Errorf("write self-check report: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write self-check report %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil { //nolint:gosec // the report is meant to be read
		_ = os.Remove(f.Name())
		return fmt.Errorf("write self-check report %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write self-check report %s: %w", path, err)
	}
	return nil
}

// runner holds the state of one Run.
type runner struct {
	opts    Options
	dir     string // absolute
	tmp     string // outside the repository; removed when Run returns
	timeout time.Duration
	check   *report.Check

	exec      *task.Executor
	out       *sink
	setupErr  error
	setupTail []string

	db       *Database // nil when there is none
	dbDetail string    // why there is none, for the integration step

	// broken holds the steps that failed, or did not run because a step
	// they need failed: the steps that need them do not run either.
	broken     map[string]bool
	cleanupErr error
}

// provideDatabase asks the provider for the integration tests' database and
// returns what releases it (nil when there is nothing to release).
func (r *runner) provideDatabase(ctx context.Context) func(context.Context) error {
	if r.opts.Engine == EngineNone {
		return nil
	}
	p := r.opts.Database
	if p == nil {
		p = NewProvider(os.Getenv)
	}
	db, err := p.Provide(ctx, r.opts.Engine, r.tmp)
	if err != nil {
		r.dbDetail = fmt.Sprintf("NOT RUN: the integration tests need a %s database and none is available: %v", r.opts.Engine, err)
		return nil
	}
	r.db = db
	r.check.Database.Source = db.Source
	return db.Close
}

// setup reads the Taskfile. A Taskfile that cannot be read fails the first
// step; see step.
func (r *runner) setup() {
	r.out = &sink{}
	e := task.NewExecutor(
		task.WithDir(r.dir),
		// The folder itself as entrypoint: go-task looks for Taskfile.yml
		// (or its other names) there only, not in the folders above.
		task.WithEntrypoint(r.dir),
		task.WithStdin(eof{}), // never read the caller's stdin
		task.WithStdout(r.out.stdout()),
		task.WithStderr(r.out.stderr()),
		task.WithColor(false),
		// Fingerprints (checksums of sources) go outside the repository, and
		// start empty, so every step runs and the tree stays as it was.
		task.WithTempDir(task.TempDir{
			Remote:      filepath.Join(r.tmp, "task"),
			Fingerprint: filepath.Join(r.tmp, "task"),
		}),
	)
	e.UserWorkingDir = r.dir
	setupOut := newCapture()
	r.out.set(setupOut)
	if err := e.Setup(); err != nil {
		r.out.set(nil)
		setupOut.flush()
		r.setupErr = err
		r.setupTail = append(setupOut.tail(), strings.Split(err.Error(), "\n")...)
		return
	}
	r.out.set(nil)
	env := e.Taskfile.Env
	for _, kv := range r.opts.Env {
		k, v, _ := strings.Cut(kv, "=")
		env.Set(k, ast.Var{Value: v})
	}
	if r.db != nil {
		env.Set("DATABASE_URL", ast.Var{Value: r.db.URL})
	}
	if u := redisURL(context.Background(), os.Getenv); u != "" {
		env.Set("REDIS_URL", ast.Var{Value: u})
	}
	r.exec = e
}

// vars are the variables of every task call, fresh each time (go-task
// writes into a call's Vars).
func (r *runner) vars() *ast.Vars {
	vs := ast.NewVars()
	vs.Set("GOTEST_FLAGS", ast.Var{Value: "-json"})
	vs.Set("COVERPROFILE", ast.Var{Value: filepath.Join(r.tmp, "coverage.out")})
	// The test steps write their coverage profiles here and the coverage
	// step merges them: the tests are compiled and run once, not twice.
	vs.Set("COVERDIR", ast.Var{Value: r.tmp})
	if r.db != nil {
		vs.Set("DATABASE_URL", ast.Var{Value: r.db.URL})
	}
	return vs
}

// step decides whether s runs, runs it, and records its result.
func (r *runner) step(ctx context.Context, s step) {
	switch {
	case r.setupErr != nil && len(r.check.Steps) == 0:
		r.record(s, report.Failed, 0, "Taskfile: "+firstLine(trimTask(r.setupErr.Error())), lastN(r.setupTail, TailLines))
	case r.setupErr != nil:
		r.record(s, report.NotRun, 0, "not run: the Taskfile could not be read", nil)
	case ctx.Err() != nil:
		r.record(s, report.NotRun, 0, "not run: canceled", nil)
	case s.name == StepTestIntegration && r.opts.Engine == EngineNone:
		r.record(s, report.Skipped, 0, "no database layer", nil)
	case !r.hasTask(s.name):
		r.record(s, report.Skipped, 0, "no such task", nil)
	case r.blockedBy(s) != "":
		r.record(s, report.NotRun, 0, "not run: "+r.blockedBy(s)+" failed", nil)
	case s.name == StepTestIntegration && r.db == nil:
		r.record(s, report.NotRun, 0, r.dbDetail, nil)
	default:
		r.run(ctx, s)
	}
}

func (r *runner) hasTask(name string) bool {
	_, err := r.exec.GetTask(&task.Call{Task: name})
	return err == nil
}

// blockedBy returns the first step s needs that is broken, or "".
func (r *runner) blockedBy(s step) string {
	for _, n := range s.needs {
		if r.broken[n] {
			return n
		}
	}
	return ""
}

// run executes the task of s and records the result.
func (r *runner) run(ctx context.Context, s step) {
	r.observe(Event{Step: s.name, Started: true})
	out := newCapture()
	r.out.set(out)
	stepCtx, cancel := context.WithTimeout(ctx, r.timeout)
	start := time.Now()
	err := r.exec.Run(stepCtx, &task.Call{Task: s.name, Vars: r.vars()})
	d := time.Since(start)
	timedOut := errors.Is(stepCtx.Err(), context.DeadlineExceeded)
	cancel()
	r.out.set(nil)
	out.flush()

	st, detail := report.Passed, ""
	fail := func(reason string) {
		if st == report.Passed {
			st, detail = report.Failed, reason
		}
	}
	switch {
	case ctx.Err() != nil:
		r.record(s, report.NotRun, d, "not run: canceled", nil)
		return
	case timedOut:
		fail(fmt.Sprintf("timed out after %s", r.timeout))
	}
	if s.tests {
		t := out.tests
		r.check.Tests.Passed += t.passed
		r.check.Tests.Failed += t.failed
		r.check.Tests.Skipped += t.skipped
		if reason := t.failure(); reason != "" {
			fail(reason)
		}
	}
	if s.name == StepCoverage {
		if out.coverage != nil {
			r.check.Coverage = &report.Coverage{Percent: *out.coverage, Target: r.opts.CoverageTarget}
		}
		switch {
		case err != nil:
		case out.coverage == nil:
			fail("no total in the output (the `go tool cover -func` line `total: (statements) N%`)")
		case *out.coverage < r.opts.CoverageTarget:
			fail(fmt.Sprintf("coverage %.1f%% is below the target %g%%", *out.coverage, r.opts.CoverageTarget))
		}
	}
	if err != nil {
		fail(reason(err, out))
	}
	var tail []string
	if st == report.Failed {
		tail = out.tail()
	}
	r.record(s, st, d, detail, tail)
}

// record appends the result of s to the report and tells the observer.
func (r *runner) record(s step, status string, d time.Duration, detail string, tail []string) {
	r.check.Steps = append(r.check.Steps, report.Step{
		Name:       s.name,
		Status:     status,
		DurationMS: d.Milliseconds(),
		Detail:     detail,
	})
	if status == report.Failed || (status == report.NotRun && r.blockedBy(s) != "") {
		r.broken[s.name] = true
	}
	ev := Event{Step: s.name, Status: status, Duration: d, Detail: detail}
	if status == report.Failed {
		ev.Failure = &StepFailure{Step: s.name, Dir: r.taskDir(s.name), Tail: tail}
	}
	r.observe(ev)
}

func (r *runner) observe(ev Event) {
	if r.opts.Observe != nil {
		r.opts.Observe(ev)
	}
}

// taskDir is the folder the task of step runs in: the repository, or the
// task's own dir.
func (r *runner) taskDir(name string) string {
	if r.exec == nil {
		return r.dir
	}
	t, err := r.exec.FastCompiledTask(&task.Call{Task: name, Vars: r.vars()})
	if err != nil || t.Dir == "" {
		return r.dir
	}
	return t.Dir
}

// reason is the short reason of a failed task: go-task's error (an exit
// status, mostly) and the last line the task printed, which is usually the
// error itself.
func reason(err error, out *capture) string {
	msg := err.Error()
	if re, ok := errors.AsType[*taskerrors.TaskRunError](err); ok {
		msg = re.Err.Error()
	}
	msg = trimTask(msg)
	if last := out.lastLine(); last != "" && !strings.Contains(msg, last) {
		msg += ": " + last
	}
	return clip(msg, 300)
}

// trimTask drops the "task: " prefix of go-task's messages.
func trimTask(s string) string {
	return strings.TrimPrefix(s, "task: ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func lastN(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

// eof is an empty stdin for the tasks. Stateless: mvdan/sh copies stdin in
// a goroutine per command, so a shared strings.Reader would race.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// sink is the executor's stdout and stderr: it forwards to the capture of
// the step running, or drops output between steps. Stdout and stderr stay
// separate streams so that a JSON line on stdout is never cut by stderr.
type sink struct {
	mu  sync.Mutex
	cur *capture
}

func (s *sink) set(c *capture) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = c
}

func (s *sink) stdout() *sinkWriter { return &sinkWriter{s: s, stderr: false} }
func (s *sink) stderr() *sinkWriter { return &sinkWriter{s: s, stderr: true} }

type sinkWriter struct {
	s      *sink
	stderr bool
}

func (w *sinkWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if c := w.s.cur; c != nil {
		if w.stderr {
			c.err.write(p)
		} else {
			c.out.write(p)
		}
	}
	return len(p), nil
}
