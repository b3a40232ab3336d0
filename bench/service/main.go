// Command service is the service benchmark of bkgen (`task bench:service`):
// it measures what the service bkgen generates costs per request against a
// hand-written chi + pgx service (bench/baseline) and an oapi-codegen strict
// server with kin-openapi request validation (bench/oapicodegen), all three
// serving the petstore-expanded API from the local PostgreSQL.
//
// It builds the three and the load generator (bench/load), then, for each
// round and implementation, creates a database of its own, starts the
// implementation on free loopback ports, runs the load (get by id, a list of
// 20, create), stops it and drops the database. It prints one markdown table:
// implementation × route with requests/s, p50 and p99 latency, the server's
// CPU time per request, and the ratios to the baseline.
//
// The service bkgen generates runs as its real binary with its production
// middleware (request id, tracing, JSON access log, metrics, recovery,
// security headers, CORS, timeout and body limit) and default settings,
// except RATE_LIMIT=0: the load generator is a single client and would
// otherwise be answered 429. Its migrations are applied with its own
// `migrate up` command; the two others create their table at start-up.
//
//	go run . [-rounds 3] [-c 32] [-warmup 10s] [-duration 20s] [-impls bkgen,baseline,oapicodegen] [-profile DIR]
//
// An implementation may carry environment settings of its own:
// -impls 'bkgen,bkgen[LOG_LEVEL=warn],baseline' also measures bkgen without
// its access log.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type options struct {
	repo, spec string
	bkgenSvc   string // a generated service to build instead of generating one
	impls      []impl
	rounds     int
	conns      int
	warmup     time.Duration
	duration   time.Duration
	seed       int
	gomaxprocs int
	pool       int
	pgURL      string
	work       string
	keep       bool
	logs       string
	profile    string
	out        string
}

// impl is one implementation to measure: kind is bkgen, baseline or
// oapicodegen; env holds the settings given in -impls.
type impl struct {
	name string // as given: kind[K=V;…]
	kind string
	env  []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.work == "" {
		if o.work, err = os.MkdirTemp("", "bench-service-"); err != nil {
			return err
		}
		if !o.keep {
			defer func() { _ = os.RemoveAll(o.work) }()
		}
	}
	fmt.Fprintf(stderr, "work folder %s\n", o.work)
	bins, err := build(ctx, o, stderr)
	if err != nil {
		return err
	}
	var runs []runResult
	for round := range o.rounds {
		// Rotate the order so that no implementation always runs first,
		// when the machine's other work may differ.
		for i := range o.impls {
			im := o.impls[(i+round)%len(o.impls)]
			fmt.Fprintf(stderr, "round %d/%d: %s\n", round+1, o.rounds, im.name)
			rr, err := runOne(ctx, o, bins, im, round)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round+1, im.name, err)
			}
			for _, r := range rr.results {
				fmt.Fprintf(stderr, "  %-6s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  server %4.0f µs/req  load %s\n",
					r.Route, r.RPS, r.P50ms, r.P99ms, r.Errors, r.ServerCPUus, r.LoadAvg)
			}
			runs = append(runs, rr)
		}
	}
	table := report(o, runs)
	if _, err := io.WriteString(stdout, table); err != nil {
		return err
	}
	if o.out != "" {
		return os.WriteFile(o.out, []byte(table), 0o644) //nolint:gosec // a report for people to read
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var impls string
	fl := flag.NewFlagSet("bench/service", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&o.repo, "repo", "", "bkgen's repository (default: found above the current folder)")
	fl.StringVar(&o.spec, "spec", "", "the spec (default: REPO/../shared/specs/oai-petstore-expanded.yaml)")
	fl.StringVar(&o.bkgenSvc, "bkgen-service", "", "measure the service already generated in this folder (an edited copy, say) instead of generating one; -profile adds a file to its main package")
	fl.StringVar(&impls, "impls", "bkgen,baseline,oapicodegen", "implementations to measure, comma-separated: bkgen, baseline, oapicodegen, each optionally with [KEY=VALUE;…] environment settings")
	fl.IntVar(&o.rounds, "rounds", 1, "times each implementation is measured; the table shows medians")
	fl.IntVar(&o.conns, "c", 32, "concurrent connections of the load generator")
	fl.DurationVar(&o.warmup, "warmup", 10*time.Second, "warm-up per route, not counted")
	fl.DurationVar(&o.duration, "duration", 20*time.Second, "measured time per route")
	fl.IntVar(&o.seed, "seed", 1000, "pets created before measuring")
	fl.IntVar(&o.gomaxprocs, "gomaxprocs", 2, "GOMAXPROCS of the services and the load generator (they share the machine's cores)")
	fl.IntVar(&o.pool, "pool", 8, "database connections of each service (bkgen's default on 2 CPUs is 8)")
	fl.StringVar(&o.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/test", "PostgreSQL to create the benchmark databases in")
	fl.StringVar(&o.work, "work", "", "folder for the builds (default: a temporary folder, removed)")
	fl.BoolVar(&o.keep, "keep", false, "keep the temporary work folder")
	fl.StringVar(&o.logs, "logs", "", "keep the services' logs in this folder (default: discarded)")
	fl.StringVar(&o.profile, "profile", "", "build the services with net/http/pprof and save a CPU profile of each measured window in this folder (adds sampling overhead: not for the table)")
	fl.StringVar(&o.out, "out", "", "also write the table to this file")
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if o.rounds < 1 || o.conns < 1 || o.gomaxprocs < 1 || o.pool < 1 {
		return o, errors.New("-rounds, -c, -gomaxprocs and -pool must be at least 1")
	}
	var err error
	if o.impls, err = parseImpls(impls); err != nil {
		return o, err
	}
	if o.repo == "" {
		if o.repo, err = findRepo(); err != nil {
			return o, err
		}
	}
	if o.repo, err = filepath.Abs(o.repo); err != nil {
		return o, err
	}
	if o.spec == "" {
		o.spec = filepath.Join(o.repo, "..", "shared", "specs", "oai-petstore-expanded.yaml")
	}
	if o.spec, err = filepath.Abs(o.spec); err != nil {
		return o, err
	}
	if o.bkgenSvc != "" {
		if o.bkgenSvc, err = filepath.Abs(o.bkgenSvc); err != nil {
			return o, err
		}
	}
	for _, dir := range []*string{&o.logs, &o.profile, &o.work} {
		if *dir == "" {
			continue
		}
		if *dir, err = filepath.Abs(*dir); err != nil {
			return o, err
		}
		if err := os.MkdirAll(*dir, 0o750); err != nil {
			return o, err
		}
	}
	return o, nil
}

func parseImpls(s string) ([]impl, error) {
	var out []impl
	for _, item := range splitOutsideBrackets(s) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		im := impl{name: item, kind: item}
		if k, settings, ok := strings.Cut(item, "["); ok {
			settings, closed := strings.CutSuffix(settings, "]")
			if !closed {
				return nil, fmt.Errorf("-impls: %q: missing ]", item)
			}
			im.kind = k
			for kv := range strings.SplitSeq(settings, ";") {
				if !strings.Contains(kv, "=") {
					return nil, fmt.Errorf("-impls: %q: %q is not KEY=VALUE", item, kv)
				}
				im.env = append(im.env, kv)
			}
		}
		switch im.kind {
		case "bkgen", "baseline", "oapicodegen":
		default:
			return nil, fmt.Errorf("-impls: unknown implementation %q (want bkgen, baseline or oapicodegen)", im.kind)
		}
		out = append(out, im)
	}
	if len(out) == 0 {
		return nil, errors.New("-impls: none given")
	}
	return out, nil
}

// splitOutsideBrackets splits s at the commas that are not inside [ ], so
// that a setting's value may hold commas.
func splitOutsideBrackets(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// findRepo walks up from the current folder to bkgen's go.mod.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module github.com/bkgen/bkgen\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("bkgen's repository is not above the current folder: pass -repo")
		}
		dir = parent
	}
}
