// Command gen measures how long `bkgen new --no-check` takes to write a
// service, beside two peer generators run in the same process on the same
// specs: oapi-codegen (chi server, strict server and models, one package)
// and ogen (its default settings). It prints a markdown table ready for
// BENCHMARKS.md and, with -json, the raw figures.
//
//	go run ./bench/gen [-n 10,40,160,640] [-runs 3] [-out file.md] [-json file.json]
//
// or `task bench:gen -- -runs 5`. Run it from bkgen's module (it builds
// ./cmd/bkgen with `go build`). The specs are synth-spec.py N (6N
// operations) from ../shared/tools and, unless -stripe "", Stripe's spec
// from ../shared/specs/large. The peers are installed once with
// `go install module@version` at their pinned versions into -tools (a
// folder of the user's cache by default), so anyone can repeat a run;
// building them is never timed.
//
// Each run starts the tool in a fresh empty folder and takes its wall time
// and, from wait4's rusage, its CPU time (user + system) and peak resident
// memory (the largest of the process and the children it waited for: sqlc
// runs in a child of bkgen). The table shows the median of -runs runs
// (-small-runs for specs of at most 240 operations, which finish too fast
// for 3 runs to be steady); the runs of one spec alternate between the
// tools, so that a burst of load on a shared machine hits them all alike.
// The load average is recorded before and after each spec.
//
// bkgen runs with its default config (PostgreSQL, so sqlc runs), --no-git,
// and BKGEN_CACHE=off so that every run formats all its Go (a first run);
// the row "bkgen (warm cache)" runs again with a primed gofmt cache (what
// a regen or a second new sees), and "bkgen (database: none)" skips the
// data layer and sqlc. A tool that refuses a spec is shown with the first
// error line it printed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Peer versions: change them here, and the table says which were measured.
const (
	oapiCodegenModule  = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	oapiCodegenVersion = "v2.8.2"
	ogenModule         = "github.com/ogen-go/ogen/cmd/ogen"
	ogenVersion        = "v1.24.0"
)

// Row names; bkgen and the peers are what the ratios compare.
const (
	rowBkgen      = "bkgen"
	rowBkgenWarm  = "bkgen (warm cache)"
	rowBkgenNoDB  = "bkgen (database: none)"
	rowOapiCodgen = "oapi-codegen"
	rowOgen       = "ogen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	sizes     []int
	runs      int
	smallRuns int
	out       string
	jsonOut   string
	shared    string
	stripe    string
	toolsDir  string
	only      []string
	timeout   time.Duration
	keep      string
	from      string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("n", "10,40,160,640", "the synth-spec.py sizes N (6N operations each), comma-separated; \"\" for none")
	fs.IntVar(&o.runs, "runs", 3, "runs per tool and spec; the median is shown")
	fs.IntVar(&o.smallRuns, "small-runs", 5, "runs per tool for specs of at most 240 operations (at least -runs)")
	fs.StringVar(&o.out, "out", "", "also write the markdown to this file")
	fs.StringVar(&o.jsonOut, "json", "", "write every run's figures as JSON to this file")
	fs.StringVar(&o.shared, "shared", "../shared", "the shared folder holding tools/synth-spec.py (relative to the module)")
	fs.StringVar(&o.stripe, "stripe", "specs/large/stripe-spec3.yaml", "the large spec, relative to -shared; \"\" to skip it")
	fs.StringVar(&o.toolsDir, "tools", "", "where the peers are installed (default: bkgen/bench-tools in the user's cache folder)")
	only := fs.String("tools-only", "", "measure only these rows, comma-separated: bkgen, warm, nodb, oapi-codegen, ogen (default: all)")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "give up on one run after this long")
	fs.StringVar(&o.keep, "keep", "", "keep the last run's output of each tool and spec under this folder")
	fs.StringVar(&o.from, "from", "", "measure nothing: print the markdown of a report that -json wrote")
	if err := fs.Parse(args); err != nil {
		return nil, err //nolint:wrapcheck // flag has printed it
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for f := range strings.SplitSeq(*sizes, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n: %q is not a positive size", f)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.runs < 1 {
		return nil, errors.New("-runs must be at least 1")
	}
	o.smallRuns = max(o.smallRuns, o.runs)
	for f := range strings.SplitSeq(*only, ",") {
		if f = strings.TrimSpace(f); f != "" {
			if !slices.Contains([]string{"bkgen", "warm", "nodb", "oapi-codegen", "ogen"}, f) {
				return nil, fmt.Errorf("-tools-only: unknown row %q", f)
			}
			o.only = append(o.only, f)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "gen:", err)
		}
		return 2
	}
	var rep *report
	if o.from != "" {
		rep, err = readReport(o.from)
	} else {
		rep, err = measureAll(ctx, o, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gen:", err)
		return 1
	}
	md := rep.markdown()
	fmt.Fprint(stdout, md)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(md), 0o644); err != nil { //nolint:gosec // a report the user asked for
			fmt.Fprintln(stderr, "gen:", err)
			return 1
		}
	}
	if o.jsonOut != "" {
		data, err := rep.json()
		if err == nil {
			err = os.WriteFile(o.jsonOut, data, 0o644) //nolint:gosec // a report the user asked for
		}
		if err != nil {
			fmt.Fprintln(stderr, "gen:", err)
			return 1
		}
	}
	return 0
}

// measureAll prepares the tools and the specs, then measures every spec.
func measureAll(ctx context.Context, o *options, log io.Writer) (*report, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "bkgen-bench-gen-")
	if err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	defer os.RemoveAll(work) //nolint:errcheck // best effort: a leftover temp folder is harmless
	shared := o.shared
	if !filepath.IsAbs(shared) {
		shared = filepath.Join(root, shared)
	}

	rep := &report{Started: time.Now().UTC(), Command: commandLine(os.Args[1:])}
	rep.Machine = describeMachine(ctx, root)
	tools, err := prepareTools(ctx, o, root, work, log)
	if err != nil {
		return nil, err
	}
	for _, t := range tools {
		rep.Tools = append(rep.Tools, toolInfo{Row: t.name, Version: t.version, Command: t.describe()})
	}
	specs, err := prepareSpecs(ctx, o, shared, filepath.Join(work, "specs"))
	if err != nil {
		return nil, err
	}
	// One unmeasured run of each tool first, so that the first measured run
	// does not pay for reading the binaries from disk.
	if len(specs) > 0 {
		fmt.Fprintf(log, "warming up on %s\n", specs[0].Name)
		for _, t := range tools {
			_ = measureOnce(ctx, t, specs[0], filepath.Join(work, "warmup-"+t.slug), o.timeout)
			_ = os.RemoveAll(filepath.Join(work, "warmup-"+t.slug)) //nolint:gosec // inside the run's own temporary folder
		}
	}
	for _, s := range specs {
		b := measureSpec(ctx, o, tools, s, work, log)
		rep.Batches = append(rep.Batches, b)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted: %w", ctx.Err())
		}
	}
	rep.Finished = time.Now().UTC()
	return rep, nil
}

// measureSpec measures every tool on s, alternating the tools run by run.
func measureSpec(ctx context.Context, o *options, tools []*tool, s specInfo, work string, log io.Writer) batch {
	b := batch{Spec: s, LoadBefore: loadAverage(ctx)}
	runs := o.runs
	if s.Ops > 0 && s.Ops <= 240 {
		runs = o.smallRuns
	}
	results := make([]*result, len(tools))
	for i, t := range tools {
		results[i] = &result{Row: t.name}
		if t.prime != nil {
			if err := t.prime(ctx, s, filepath.Join(work, "prime-"+t.slug), o.timeout); err != nil {
				results[i].Refused = err.Error()
			}
		}
	}
	for r := range runs {
		for i, t := range tools {
			res := results[i]
			if res.Refused != "" || ctx.Err() != nil {
				continue // a tool that refused the spec once refuses it again
			}
			out := filepath.Join(work, "out", t.slug)
			m := measureOnce(ctx, t, s, out, o.timeout)
			if m.err != nil {
				res.Refused = m.err.Error()
				fmt.Fprintf(log, "%-22s %-12s refused: %s\n", t.name, s.Name, res.Refused)
			} else {
				res.Runs = append(res.Runs, m.figures)
				if m.ops > 0 && m.ops != s.Ops && b.BkgenOps == 0 {
					fmt.Fprintf(log, "note: bkgen counts %d operations in %s, the benchmark %d\n", m.ops, s.Name, s.Ops)
				}
				if m.ops > 0 {
					b.BkgenOps = m.ops
				}
				fmt.Fprintf(log, "%-22s %-12s run %d/%d: %6.2fs wall, %6.2fs CPU, %5.0f MiB\n",
					t.name, s.Name, r+1, runs, m.figures.Wall, m.figures.CPU, m.figures.RSSMiB())
			}
			if o.keep != "" && r == runs-1 && m.err == nil {
				keep(out, filepath.Join(o.keep, s.Name, t.slug))
			}
			_ = os.RemoveAll(out) //nolint:gosec // inside the run's own temporary folder
		}
	}
	for _, res := range results {
		b.Results = append(b.Results, *res)
	}
	b.LoadAfter = loadAverage(ctx)
	return b
}

// moduleRoot is the folder of bkgen's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this from bkgen's module (go env GOMOD names no go.mod)")
	}
	data, err := os.ReadFile(gomod) //nolint:gosec // the module's own go.mod
	if err != nil || !strings.HasPrefix(string(data), "module github.com/bkgen/bkgen\n") {
		return "", fmt.Errorf("%s is not bkgen's go.mod", gomod)
	}
	return filepath.Dir(gomod), nil
}

// commandLine is how the report names the command that made it, arguments
// quoted where a shell needs it.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./bench/gen"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$\\") {
			a = strconv.Quote(a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// keep moves a run's output to dst (in the -keep folder), replacing what
// an earlier benchmark left there.
func keep(out, dst string) {
	_ = os.RemoveAll(dst)                                         //nolint:gosec // the -keep folder the user named
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err == nil { //nolint:gosec // the same
		_ = os.Rename(out, dst) //nolint:gosec // the same
	}
}
