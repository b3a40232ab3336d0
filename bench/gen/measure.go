package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// specInfo is one spec of the benchmark.
type specInfo struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// N is synth-spec.py's size; 0 for another spec.
	N int `json:"n,omitempty"`
	// Ops is the spec's operation count.
	Ops int `json:"operations"`
}

// prepareSpecs writes synth-spec.py's specs into dir and adds the large spec.
func prepareSpecs(ctx context.Context, o *options, shared, dir string) ([]specInfo, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("specs folder: %w", err)
	}
	var specs []specInfo
	script := filepath.Join(shared, "tools", "synth-spec.py")
	for _, n := range o.sizes {
		out, err := exec.CommandContext(ctx, "python3", script, strconv.Itoa(n)).Output() //nolint:gosec // the shared synth-spec.py
		if err != nil {
			return nil, fmt.Errorf("python3 %s %d: %w", script, n, err)
		}
		p := filepath.Join(dir, fmt.Sprintf("synth-%d.json", n))
		if err := os.WriteFile(p, out, 0o600); err != nil { //nolint:gosec // the run's own temporary folder
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		ops, err := countOps(p)
		if err != nil {
			return nil, err
		}
		specs = append(specs, specInfo{Name: fmt.Sprintf("synth %d", n), Path: p, N: n, Ops: ops})
	}
	if o.stripe != "" {
		p := o.stripe
		if !filepath.IsAbs(p) {
			p = filepath.Join(shared, p)
		}
		ops, err := countOps(p)
		if err != nil {
			return nil, err
		}
		specs = append(specs, specInfo{Name: strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), Path: p, Ops: ops})
	}
	return specs, nil
}

// httpMethods are the keys of a path item that are operations.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true,
}

// countOps counts a spec's operations: exactly for JSON; for YAML by
// indentation (the method keys one level below the paths, in block style,
// as Stripe's and most generated specs are written), since the standard
// library has no YAML parser.
func countOps(path string) (int, error) {
	data, err := os.ReadFile(path) //nolint:gosec // a spec of the benchmark
	if err != nil {
		return 0, fmt.Errorf("read spec: %w", err)
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		n := 0
		for _, item := range doc.Paths {
			for k := range item {
				if httpMethods[k] {
					n++
				}
			}
		}
		return n, nil
	}
	return countYAMLOps(data), nil
}

// countYAMLOps counts the method keys two levels below a top-level "paths:".
func countYAMLOps(data []byte) int {
	n, inPaths := 0, false
	pathIndent, methodIndent := -1, -1
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed)
		if indent == 0 {
			inPaths = strings.HasPrefix(line, "paths:")
			continue
		}
		if !inPaths {
			continue
		}
		switch {
		case pathIndent < 0:
			pathIndent = indent
		case indent <= pathIndent:
			// another path
		case methodIndent < 0:
			methodIndent = indent
			fallthrough
		case indent == methodIndent:
			key, _, ok := strings.Cut(trimmed, ":")
			if ok && httpMethods[strings.Trim(key, `"'`)] {
				n++
			}
		}
	}
	return n
}

// figures are one run's measurements.
type figures struct {
	Wall    float64 `json:"wall_s"`
	CPU     float64 `json:"cpu_s"`
	RSSKiB  int64   `json:"peak_rss_kib"`
	Files   int     `json:"files"`
	Lines   int     `json:"lines"`
	GoFiles int     `json:"go_files"`
	GoLines int     `json:"go_lines"`
	Bytes   int64   `json:"bytes"`
}

// RSSMiB is the peak resident memory in MiB.
func (f figures) RSSMiB() float64 { return float64(f.RSSKiB) / 1024 }

// measurement is one run: its figures, or the error that refused it.
type measurement struct {
	figures figures
	err     error
	// ops is the operation count bkgen reported ("960 operations"), 0 if none.
	ops int
}

var opsRE = regexp.MustCompile(`(\d+) operations`)

// measureOnce runs t on s into the empty folder out and measures it.
func measureOnce(ctx context.Context, t *tool, s specInfo, out string, timeout time.Duration) measurement {
	if err := os.RemoveAll(out); err != nil { //nolint:gosec // a folder in the run's temporary folder
		return measurement{err: err}
	}
	dir := filepath.Dir(out)
	if t.mkdir {
		dir = out
	}
	if err := os.MkdirAll(dir, 0o750); err != nil { //nolint:gosec // the same
		return measurement{err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, t.bin, t.args(s.Path, out)...) //nolint:gosec // the tools prepareTools built
	cmd.Env = append(os.Environ(), t.env...)
	cmd.Dir = filepath.Dir(out)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ctx.Err() != nil {
		return measurement{err: fmt.Errorf("timed out after %s", timeout)}
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return measurement{err: err}
		}
		return measurement{err: fmt.Errorf("exit %d: %s", exit.ExitCode(), firstErrorLine(stderr.String()+"\n"+stdout.String()))}
	}
	f := figures{Wall: wall.Seconds()}
	f.CPU, f.RSSKiB = usage(cmd.ProcessState)
	if err := countOutput(out, &f); err != nil {
		return measurement{err: fmt.Errorf("count the output: %w", err)}
	}
	m := measurement{figures: f}
	if sm := opsRE.FindStringSubmatch(stderr.String()); sm != nil {
		m.ops, _ = strconv.Atoi(sm[1])
	}
	return m
}

// countOutput adds up the files the tool wrote under dir, leaving out
// version control and bkgen's own state (.bkgen: the lock and the merge
// bases of the files the user may edit), which are not output to read.
func countOutput(dir string, f *figures) error {
	//nolint:gosec,wrapcheck // the tool's output folder; wrapped by the caller
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != dir && (n == ".git" || n == ".bkgen") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p) //nolint:gosec // a file the tool just wrote
		if err != nil {
			return err //nolint:wrapcheck // wrapped by the caller
		}
		lines := bytes.Count(data, []byte{'\n'})
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		f.Files++
		f.Lines += lines
		f.Bytes += int64(len(data))
		if strings.HasSuffix(p, ".go") {
			f.GoFiles++
			f.GoLines += lines
		}
		return nil
	})
}

// errorRE finds a line of a tool's output that states an error; noiseRE
// the log lines below that level (ogen prints a WARN line per feature it
// does not enforce).
var (
	errorRE = regexp.MustCompile(`(?i)\b(error|fatal|panic|invalid|unsupported|not supported)\b`)
	noiseRE = regexp.MustCompile(`(?i)^(warn(ing)?|info|debug)\b|\t(WARN|INFO|DEBUG)\t`)
)

// firstErrorLine is the first line of output that states an error, else
// its first line that is not a warning: "generation failed:" says less than
// the reason printed above it.
func firstErrorLine(output string) string {
	var first string
	for line := range strings.SplitSeq(output, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || noiseRE.MatchString(line) {
			continue
		}
		if errorRE.MatchString(line) {
			return clip(line)
		}
		if first == "" {
			first = line
		}
	}
	if first == "" {
		return "(no output)"
	}
	return clip(first)
}

func clip(s string) string {
	const width = 200
	if r := []rune(s); len(r) > width {
		return string(r[:width]) + "…"
	}
	return s
}
