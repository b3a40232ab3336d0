package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCountOps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	yamlSpec := `openapi: 3.0.0
info:
  title: t
  version: "1"
paths:
  # a comment
  /pets:
    parameters:
      - name: q
        in: query
    get:
      responses: {}
    post:
      requestBody:
        content:
          application/json:
            schema:
              properties:
                get: {type: string}
      responses: {}
  "/pets/{id}":
    'delete':
      responses: {}
components:
  schemas:
    put:
      type: object
`
	jsonSpec := `{"openapi": "3.0.0", "paths": {"/a": {"get": {}, "put": {}, "parameters": []}, "/b": {"head": {}}}}`
	for name, tc := range map[string]struct {
		src  string
		want int
	}{
		"spec.yaml": {yamlSpec, 3},
		"spec.json": {jsonSpec, 3},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.src), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := countOps(p)
		if err != nil || got != tc.want {
			t.Errorf("%s: countOps = %d, %v; want %d", name, got, err, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFirstErrorLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, out, want string }{
		{
			"ogen",
			"2026-01-01T00:00:00Z\tWARN\tEnsuring \"status\" matching\n  - spec.yaml:40031:19 -> invalid schema.type:style:explode combination\n\t  40028 |   items:\n\ngeneration failed:\n    main.run\n",
			"- spec.yaml:40031:19 -> invalid schema.type:style:explode combination",
		},
		{"oapi-codegen", "error generating code: error creating operation definitions: x\n", "error generating code: error creating operation definitions: x"},
		{"no error word", "warning: slow\nsomething went wrong\nmore\n", "something went wrong"},
		{"nothing", "\n\n", "(no output)"},
	} {
		if got := firstErrorLine(tc.out); got != tc.want {
			t.Errorf("%s: firstErrorLine = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCountOutputLeavesOutState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for p, data := range map[string]string{
		"main.go":                 "package main\n\nfunc main() {}\n",
		"README.md":               "# x\nno newline at the end",
		".bkgen/lock.json":        "{}\n",
		".bkgen/base/README.md":   "# x\n",
		".git/HEAD":               "ref: refs/heads/main\n",
		"internal/api/api_gen.go": "package api\n",
	} {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var f figures
	if err := countOutput(dir, &f); err != nil {
		t.Fatal(err)
	}
	want := figures{Files: 3, Lines: 6, GoFiles: 2, GoLines: 4, Bytes: 66}
	if f != want {
		t.Errorf("countOutput = %+v, want %+v", f, want)
	}
}

// sampleReport has two synthetic specs and Stripe's, with a peer that
// refuses one.
func sampleReport() *report {
	run := func(wall, cpu float64, rssMiB int64) figures {
		return figures{Wall: wall, CPU: cpu, RSSKiB: rssMiB * 1024, Files: 10, Lines: 100, GoFiles: 5, GoLines: 80}
	}
	return &report{
		Command: "go run ./bench/gen",
		Machine: machine{GoVersion: "go1.26.8", OS: "linux/amd64", CPUs: 2, CgoEnabled: "1"},
		Tools:   []toolInfo{{Row: rowBkgen}, {Row: rowOapiCodgen}, {Row: rowOgen}},
		Batches: []batch{
			{Spec: specInfo{Name: "synth 10", N: 10, Ops: 60}, LoadBefore: "1.00 2.00 3.00", Results: []result{
				{Row: rowBkgen, Runs: []figures{run(1.2, 2, 100), run(1.0, 2, 100), run(3.0, 2, 100)}},
				{Row: rowOapiCodgen, Runs: []figures{run(0.6, 1, 50)}},
				{Row: rowOgen, Runs: []figures{run(2.4, 4, 50)}},
			}},
			{Spec: specInfo{Name: "synth 40", N: 40, Ops: 240}, Results: []result{
				{Row: rowBkgen, Runs: []figures{run(4.8, 8, 200)}},
				{Row: rowOapiCodgen, Runs: []figures{run(2.4, 4, 100)}},
				{Row: rowOgen, Runs: []figures{run(4.8, 8, 100)}},
			}},
			{Spec: specInfo{Name: "stripe-spec3", Ops: 468}, Results: []result{
				{Row: rowBkgen, Runs: []figures{run(10, 12, 500)}},
				{Row: rowOapiCodgen, Runs: []figures{run(20, 24, 400)}},
				{Row: rowOgen, Refused: "exit 1: - x.yaml:1:2 -> invalid | combination"},
			}},
		},
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	md := sampleReport().markdown()
	for _, want := range []string{
		// The median of 1.2, 1.0 and 3.0, with the range; 1.2 s / 60 ops.
		"| synth 10 | 60 | bkgen | 3 | 1.20 (1.00–3.00) | 2.00 | 100 | 10 | 100 | 80 | 20.00 |",
		// bkgen against each peer.
		"| synth 10 | 60 | ×2.00 | ×2.00 | ×2.00 | ×0.50 | ×0.50 | ×2.00 |",
		"| stripe-spec3 | 468 | ×0.50 | ×0.50 | ×1.25 | – | – | – |",
		// A refusal stays visible, its message kept inside the cell.
		"| ogen | – | refused: exit 1: - x.yaml:1:2 -> invalid \\| combination |",
		// Per-operation time: bkgen 20 ms at N=10, 20 ms at N=40.
		"| bkgen | 20.00 | 20.00 | ×1.00 |",
		"| oapi-codegen | 10.00 | 10.00 | ×1.00 |",
		// CPU per operation: bkgen 2 s / 60 ops, 8 s / 240 ops.
		"| bkgen | 33.33 | 33.33 | ×1.00 |",
		"| synth 10 | 1.00 2.00 3.00 |",
		"CGO_ENABLED=1",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "N=0") {
		t.Errorf("Stripe's spec is in the growth table:\n%s", md)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"-n", "10, 40", "-runs", "3", "-small-runs", "1", "-tools-only", "bkgen,ogen"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.sizes) != 2 || o.sizes[1] != 40 || o.smallRuns != 3 || len(o.only) != 2 {
		t.Errorf("options = %+v", o)
	}
	for _, bad := range [][]string{{"-n", "ten"}, {"-n", "0"}, {"-runs", "0"}, {"-tools-only", "goa"}, {"extra"}} {
		if _, err := parseFlags(bad, &strings.Builder{}); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	data, err := rep.json()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := readReport(name)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.markdown(), rep.markdown(); got != want {
		t.Errorf("the markdown of the report read back differs:\n%s\nwant:\n%s", got, want)
	}
}
