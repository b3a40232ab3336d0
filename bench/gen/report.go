package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report is everything one benchmark run measured.
type report struct {
	Started  time.Time  `json:"started"`
	Finished time.Time  `json:"finished"`
	Command  string     `json:"command"`
	Machine  machine    `json:"machine"`
	Tools    []toolInfo `json:"tools"`
	Batches  []batch    `json:"specs"`
}

// toolInfo says what one row ran.
type toolInfo struct {
	Row     string `json:"row"`
	Version string `json:"version"`
	Command string `json:"command"`
}

// batch is one spec's measurements, with the load average around them.
type batch struct {
	Spec       specInfo `json:"spec"`
	LoadBefore string   `json:"load_before"`
	LoadAfter  string   `json:"load_after"`
	// BkgenOps is the operation count bkgen reported (0 if it did not run).
	BkgenOps int      `json:"bkgen_operations,omitempty"`
	Results  []result `json:"results"`
}

// result is one tool's runs on one spec, or why it refused the spec.
type result struct {
	Row     string    `json:"row"`
	Runs    []figures `json:"runs,omitempty"`
	Refused string    `json:"refused,omitempty"`
}

// summary is a result's medians; the sizes come from the last run (every
// run writes the same files).
type summary struct {
	ok               bool
	wall, cpu, rss   float64
	wallMin, wallMax float64
	files, lines     int
	goFiles, goLines int
}

func (r result) summary() summary {
	if r.Refused != "" || len(r.Runs) == 0 {
		return summary{}
	}
	pick := func(f func(figures) float64) []float64 {
		v := make([]float64, len(r.Runs))
		for i, run := range r.Runs {
			v[i] = f(run)
		}
		return v
	}
	walls := pick(func(f figures) float64 { return f.Wall })
	last := r.Runs[len(r.Runs)-1]
	return summary{
		ok:      true,
		wall:    median(walls),
		wallMin: slices.Min(walls),
		wallMax: slices.Max(walls),
		cpu:     median(pick(func(f figures) float64 { return f.CPU })),
		rss:     median(pick(func(f figures) float64 { return f.RSSMiB() })),
		files:   last.Files, lines: last.Lines, goFiles: last.GoFiles, goLines: last.GoLines,
	}
}

// median of v (the mean of the middle two for an even count); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// readReport reads a report that -json wrote.
func readReport(name string) (*report, error) {
	data, err := os.ReadFile(name) //nolint:gosec // the report the user names
	if err != nil {
		return nil, fmt.Errorf("read the report: %w", err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &rep, nil
}

func (rep *report) json() ([]byte, error) {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the report: %w", err)
	}
	return append(data, '\n'), nil
}

// find is the summary of row on batch b.
func (b batch) find(row string) (result, bool) {
	for _, r := range b.Results {
		if r.Row == row {
			return r, true
		}
	}
	return result{}, false
}

// markdown is the report as BENCHMARKS.md shows it: the figures, the ratios
// of bkgen to each peer, the time per operation as the spec grows, and the
// conditions of the run.
func (rep *report) markdown() string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "Measured %s on %s, %d CPUs", rep.Started.Format("2006-01-02 15:04 MST"), m.OS, m.CPUs)
	if m.CPUModel != "" {
		fmt.Fprintf(&b, " (%s)", m.CPUModel)
	}
	fmt.Fprintf(&b, ", %s, CGO_ENABLED=%s, with `%s`.\n", m.GoVersion, m.CgoEnabled, strings.TrimSpace(rep.Command))
	b.WriteString("Median of the runs shown per spec (wall time: median, min–max); CPU is user + system time, " +
		"peak RSS the largest of the process and its children. Files and lines leave out .git and .bkgen/ (the lock and merge bases).\n\n")

	b.WriteString("| spec | ops | tool | runs | wall s (min–max) | CPU s | peak RSS MiB | files | lines | Go lines | ms/op |\n")
	b.WriteString("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, bt := range rep.Batches {
		for i, r := range bt.Results {
			spec, ops := "", ""
			if i == 0 {
				spec, ops = bt.Spec.Name, strconv.Itoa(bt.Spec.Ops)
			}
			s := r.summary()
			if !s.ok {
				fmt.Fprintf(&b, "| %s | %s | %s | – | refused: %s | | | | | | |\n", spec, ops, r.Row, mdEscape(r.Refused))
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %.2f (%.2f–%.2f) | %.2f | %.0f | %d | %d | %d | %s |\n",
				spec, ops, r.Row, len(r.Runs), s.wall, s.wallMin, s.wallMax, s.cpu, s.rss,
				s.files, s.lines, s.goLines, perOp(s.wall, bt.Spec.Ops))
		}
	}

	b.WriteString("\nbkgen (PostgreSQL, gofmt cache off) against each peer: wall time, CPU time and peak RSS ratios (above 1: bkgen takes more).\n\n")
	b.WriteString("| spec | ops | wall ÷ oapi-codegen | CPU ÷ oapi-codegen | RSS ÷ oapi-codegen | wall ÷ ogen | CPU ÷ ogen | RSS ÷ ogen |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, bt := range rep.Batches {
		base, ok := bt.find(rowBkgen)
		if !ok {
			continue
		}
		bs := base.summary()
		fmt.Fprintf(&b, "| %s | %d |", bt.Spec.Name, bt.Spec.Ops)
		for _, peer := range []string{rowOapiCodgen, rowOgen} {
			r, ok := bt.find(peer)
			ps := r.summary()
			if !ok || !ps.ok || !bs.ok {
				b.WriteString(" – | – | – |")
				continue
			}
			fmt.Fprintf(&b, " %s | %s | %s |", ratio(bs.wall, ps.wall), ratio(bs.cpu, ps.cpu), ratio(bs.rss, ps.rss))
		}
		b.WriteString("\n")
	}

	rep.growth(&b)

	b.WriteString("\n| row | version | command |\n|---|---|---|\n")
	for _, t := range rep.Tools {
		fmt.Fprintf(&b, "| %s | %s | `%s` |\n", t.Row, t.Version, t.Command)
	}
	b.WriteString("\n| spec | load average before | after |\n|---|---|---|\n")
	for _, bt := range rep.Batches {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", bt.Spec.Name, bt.LoadBefore, bt.LoadAfter)
	}
	return b.String()
}

// growth writes the time per operation of each tool as synth-spec's N
// grows, wall and CPU: a flat row is linear growth (CPU time is the
// steadier of the two on a shared machine). The last column divides the
// largest N's figure by the one before it.
func (rep *report) growth(b *strings.Builder) {
	var synth []batch
	for _, bt := range rep.Batches {
		if bt.Spec.N > 0 {
			synth = append(synth, bt)
		}
	}
	if len(synth) < 2 {
		return
	}
	slices.SortFunc(synth, func(x, y batch) int { return x.Spec.N - y.Spec.N })
	for _, kind := range []struct {
		name string
		of   func(summary) float64
	}{
		{"Wall", func(s summary) float64 { return s.wall }},
		{"CPU", func(s summary) float64 { return s.cpu }},
	} {
		fmt.Fprintf(b, "\n%s time per operation (ms) as the synthetic spec grows; a flat row is linear growth. "+
			"The last column is the largest N's figure over the one before it.\n\n| tool |", kind.name)
		for _, bt := range synth {
			fmt.Fprintf(b, " N=%d (%d ops) |", bt.Spec.N, bt.Spec.Ops)
		}
		fmt.Fprintf(b, " N=%d ÷ N=%d |\n|---|", synth[len(synth)-1].Spec.N, synth[len(synth)-2].Spec.N)
		b.WriteString(strings.Repeat("--:|", len(synth)+1) + "\n")
		for _, t := range rep.Tools {
			fmt.Fprintf(b, "| %s |", t.Row)
			per := make([]float64, len(synth))
			for i, bt := range synth {
				r, _ := bt.find(t.Row)
				s := r.summary()
				if !s.ok {
					b.WriteString(" – |")
					continue
				}
				per[i] = kind.of(s) * 1000 / float64(bt.Spec.Ops)
				fmt.Fprintf(b, " %.2f |", per[i])
			}
			fmt.Fprintf(b, " %s |\n", ratio(per[len(per)-1], per[len(per)-2]))
		}
	}
}

// perOp is wall time per operation in milliseconds.
func perOp(wall float64, ops int) string {
	if ops == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", wall*1000/float64(ops))
}

// ratio is a/b as "×1.23"; "–" when b is 0.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("×%.2f", a/b)
}

// mdEscape keeps a message inside one table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "`", "'").Replace(s)
}
