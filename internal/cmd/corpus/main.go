// Command corpus runs `bkgen new`, self-check included, on every spec of a
// corpus folder (../shared/specs by default) and prints one line per spec and
// a summary. It is `task corpus`; it exits 1 when fewer specs pass than
// --min percent, and 2 on bad usage.
//
//	go run ./internal/cmd/corpus [--specs DIR] [--keep DIR] [--run REGEXP] [--min 95] [--no-check]
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	specs    string
	keep     string
	match    *regexp.Regexp
	min      float64
	database string
	noCheck  bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	var match string
	fl := pflag.NewFlagSet("corpus", pflag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&o.specs, "specs", "../shared/specs", "the corpus folder (searched recursively for .yaml, .yml and .json)")
	fl.StringVar(&o.keep, "keep", "", "write the services under this folder and keep them (default: a temporary folder, removed)")
	fl.StringVar(&match, "run", "", "only the specs whose path (relative to --specs) matches this regexp")
	fl.Float64Var(&o.min, "min", 95, "the percentage of specs that must pass")
	fl.StringVar(&o.database, "database", "postgres", "the database the services are generated for")
	fl.BoolVar(&o.noCheck, "no-check", false, "generate only (no self-check): a spec passes when it generates")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var err error
	if o.match, err = regexp.Compile(match); err != nil {
		fmt.Fprintf(stderr, "corpus: --run: %v\n", err)
		return 2
	}
	specs, err := find(o.specs, o.match)
	if err != nil {
		fmt.Fprintf(stderr, "corpus: %v\n", err)
		return 2
	}
	if len(specs) == 0 {
		fmt.Fprintf(stderr, "corpus: no spec under %s matches\n", o.specs)
		return 2
	}
	root := o.keep
	if root == "" {
		if root, err = os.MkdirTemp("", "bkgen-corpus-"); err != nil {
			fmt.Fprintf(stderr, "corpus: %v\n", err)
			return 2
		}
		defer func() { _ = os.RemoveAll(root) }()
	}
	fmt.Fprintf(stdout, "%-48s %-6s %5s %5s %5s %8s %8s  %s\n", "SPEC", "STATUS", "OPS", "RES", "501", "COVERAGE", "TIME", "DETAIL")
	start := time.Now()
	var results []result
	for _, s := range specs {
		if ctx.Err() != nil {
			break
		}
		r := one(ctx, o, s, filepath.Join(root, slug(s.rel)))
		results = append(results, r)
		fmt.Fprintln(stdout, r.line())
	}
	passed := 0
	for _, r := range results {
		if r.status == report.Passed {
			passed++
		}
	}
	pct := 100 * float64(passed) / float64(len(specs))
	fmt.Fprintf(stdout, "\n%d of %d specs passed (%.1f%%, at least %.0f%% wanted) in %s\n", passed, len(specs), pct, o.min, time.Since(start).Round(time.Second))
	if pct < o.min {
		return 1
	}
	return 0
}

type specFile struct{ path, rel string }

// find lists the specs under dir, sorted by their relative path.
func find(dir string, match *regexp.Regexp) ([]specFile, error) {
	var out []specFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return fmt.Errorf("corpus file %s: %w", p, err)
		}
		if match.MatchString(rel) {
			out = append(out, specFile{path: p, rel: filepath.ToSlash(rel)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the corpus: %w", err)
	}
	slices.SortFunc(out, func(a, b specFile) int { return cmp.Compare(a.rel, b.rel) })
	return out, nil
}

// slug names a spec's service folder after its relative path.
func slug(rel string) string {
	rel = strings.TrimSuffix(rel, filepath.Ext(rel))
	return strings.NewReplacer("/", "-", "\\", "-").Replace(rel)
}

type result struct {
	spec     string
	status   string
	stats    generator.Stats
	coverage *report.Coverage
	took     time.Duration
	detail   string
}

func (r result) line() string {
	cov := "-"
	if r.coverage != nil {
		cov = fmt.Sprintf("%.1f%%", r.coverage.Percent)
	}
	return fmt.Sprintf("%-48s %-6s %5d %5d %5d %8s %8s  %s", r.spec, r.status, r.stats.Operations, r.stats.Resources, r.stats.Unimplemented,
		cov, r.took.Round(100*time.Millisecond), r.detail)
}

// one generates and self-checks the service of one spec in dir.
func one(ctx context.Context, o options, s specFile, dir string) result {
	cfg := config.Default()
	cfg.Database = o.database
	r := result{spec: s.rel, status: report.Failed}
	start := time.Now()
	if err := os.RemoveAll(dir); err != nil {
		r.detail = err.Error()
		return r
	}
	res, err := generator.New(ctx, generator.Options{
		SpecPath: s.path, OutDir: dir, Config: cfg, NoGit: true, NoCheck: o.noCheck, Strict: true,
	})
	r.took = time.Since(start)
	if res != nil {
		r.stats = res.Stats
	}
	switch {
	case err != nil && res != nil && res.Check == nil:
		// Refused: the first error diagnostic says where and why.
		if l, ok := diag.AsList(err); ok && len(l.Errors()) > 0 {
			d := l.Errors()[0]
			r.detail = fmt.Sprintf("refused: %s: %s", d.Pos, d.Summary)
		} else {
			r.detail = "error: " + err.Error()
		}
	case res != nil && res.Check != nil:
		r.status, r.coverage = res.Check.Status, res.Check.Coverage
		r.detail = checkDetail(res.Check)
	case err == nil:
		r.status = report.Passed
		r.detail = fmt.Sprintf("%d files, %d warnings", len(res.Files), len(res.Diagnostics.Warnings()))
	default:
		r.detail = "error: " + err.Error()
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		r.detail = "interrupted"
	}
	return r
}

// checkDetail sums up a self-check: the tests it ran, or the step that failed.
func checkDetail(c *report.Check) string {
	for _, s := range c.Steps {
		if s.Status != report.Passed && s.Status != report.Skipped {
			detail, _, _ := strings.Cut(strings.TrimSpace(s.Detail), "\n")
			return fmt.Sprintf("%s %s: %s", s.Name, s.Status, detail)
		}
	}
	return fmt.Sprintf("%d tests passed, database %s (%s)", c.Tests.Passed, c.Database.Engine, c.Database.Source)
}
