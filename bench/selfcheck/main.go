// Command selfcheck measures bkgen's self-check of a generated service with
// a warm module and build cache: how long `bkgen new` takes from start to
// report, and what each step of the self-check costs.
//
//	go run ./bench/selfcheck [-spec ../shared/specs/oai-petstore.yaml] [-runs 3] [-database postgres]
//
// or `task bench:selfcheck`. It builds ./cmd/bkgen, runs one `bkgen new`
// that is not measured (it downloads the modules and fills the build cache
// with the dependencies), then -runs measured ones. Each measured run uses a
// module path of its own, so the service's own packages are compiled and its
// tests run afresh, as they are for a new service, while the dependencies
// come from the cache. The table shows the median of each step (from the
// report bkgen writes to .bkgen/check.json) and of the whole command.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	spec := flag.String("spec", "../shared/specs/oai-petstore.yaml", "the OpenAPI document to generate from")
	runs := flag.Int("runs", 3, "measured runs after the warm-up")
	database := flag.String("database", "postgres", "the service's database (the self-check provides a fresh one)")
	flag.Parse()
	if err := run(os.Stdout, *spec, *database, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "selfcheck:", err)
		os.Exit(1)
	}
}

// check is the part of .bkgen/check.json the table needs.
type check struct {
	Status string `json:"status"`
	Steps  []struct {
		Name       string `json:"name"`
		Status     string `json:"status"`
		DurationMS int64  `json:"duration_ms"`
	} `json:"steps"`
}

func run(w io.Writer, spec, database string, runs int) error {
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	tmp, err := os.MkdirTemp("", "bkgen-bench-selfcheck-")
	if err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	bin := filepath.Join(tmp, "bkgen")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/bkgen").CombinedOutput(); err != nil { //nolint:gosec // the benchmark's own temporary folder
		return fmt.Errorf("go build ./cmd/bkgen: %w\n%s", err, out)
	}
	var (
		totals []time.Duration
		steps  = map[string][]time.Duration{}
		order  []string
	)
	for i := range runs + 1 {
		dir := filepath.Join(tmp, fmt.Sprintf("svc%d", i))
		start := time.Now()
		cmd := exec.Command(bin, "new", //nolint:gosec // the bkgen just built, on the spec the user named "--from", spec, "--out", dir, "--no-git", "--database", database,
			"--module", fmt.Sprintf("example.com/bench/selfcheck%d", i))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("bkgen new (run %d): %w\n%s", i, err, out)
		}
		total := time.Since(start)
		c, err := readCheck(dir)
		if err != nil {
			return err
		}
		if c.Status != "passed" {
			return fmt.Errorf("run %d: the self-check %s", i, c.Status)
		}
		if i == 0 {
			continue // the warm-up
		}
		totals = append(totals, total)
		for _, s := range c.Steps {
			if !slices.Contains(order, s.Name) {
				order = append(order, s.Name)
			}
			steps[s.Name] = append(steps[s.Name], time.Duration(s.DurationMS)*time.Millisecond)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("remove run %d: %w", i, err)
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(w, "Self-check of %s (database %s), warm module and build cache, median of %d runs; %s, %d CPUs, load average %s\n\n",
		filepath.Base(spec), database, runs, runtime.Version(), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Fprintln(w, "| step | median | share |")
	fmt.Fprintln(w, "|---|---:|---:|")
	whole := median(totals)
	rest := whole
	for _, name := range order {
		d := median(steps[name])
		rest -= d
		fmt.Fprintf(w, "| %s | %.1f s | %.0f%% |\n", name, d.Seconds(), 100*d.Seconds()/whole.Seconds())
	}
	fmt.Fprintf(w, "| the rest (generate, write, database, report) | %.1f s | %.0f%% |\n", rest.Seconds(), 100*rest.Seconds()/whole.Seconds())
	fmt.Fprintf(w, "| **bkgen new, in all** | **%.1f s** | |\n", whole.Seconds())
	return nil
}

func readCheck(dir string) (*check, error) {
	data, err := os.ReadFile(filepath.Join(dir, ".bkgen", "check.json")) //nolint:gosec // the report of the service just generated
	if err != nil {
		return nil, fmt.Errorf("self-check report: %w", err)
	}
	var c check
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s/.bkgen/check.json: %w", dir, err)
	}
	return &c, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
