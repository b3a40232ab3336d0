package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/report"
)

// failureLines is how much of a failed step's output is shown.
const failureLines = 40

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColor reports whether output to a writer that is (or is not) a terminal
// gets ANSI colours: only on a terminal, and never with --no-color, a
// non-empty NO_COLOR (https://no-color.org) or TERM=dumb.
func useColor(tty, noColorFlag bool, getenv func(string) string) bool {
	return tty && !noColorFlag && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// ANSI styles.
const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// progress renders generator events as lines on a writer (stderr): one line
// per finished step, "  ✓ build  3.1s". On a terminal, the running step is
// shown too and replaced by its result.
type progress struct {
	w     io.Writer
	color bool
	live  bool
	// dir is the folder the self-check steps run in, when known, for the
	// report of a failed step.
	dir string
	// running is the step shown as running on the current, unfinished line.
	running string
}

var _ generator.Progress = (*progress)(nil)

func (a *app) newProgress(noColor bool, dir string) *progress {
	tty := isTerminal(a.stderr)
	return &progress{
		w:     a.stderr,
		color: useColor(tty, noColor, a.getenv),
		live:  tty && a.getenv("TERM") != "dumb",
		dir:   dir,
	}
}

func (p *progress) paint(style, s string) string {
	if !p.color {
		return s
	}
	return style + s + reset
}

// Event renders e.
func (p *progress) Event(e generator.Event) {
	switch e.Kind {
	case generator.StepStarted:
		if p.live {
			p.clear()
			fmt.Fprintf(p.w, "  %s %s …", p.paint(dim, "·"), e.Step)
			p.running = e.Step
		}
	case generator.StepFinished:
		p.clear()
		p.finished(e)
	case generator.Info:
		running := p.running
		p.clear()
		msg := e.Detail
		if msg == "" {
			msg = e.Step
		}
		fmt.Fprintf(p.w, "  %s\n", msg)
		if running != "" {
			p.Event(generator.Event{Kind: generator.StepStarted, Step: running})
		}
	}
}

// done ends an unfinished line.
func (p *progress) done() { p.clear() }

func (p *progress) clear() {
	if p.running != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.running = ""
	}
}

func (p *progress) finished(e generator.Event) {
	first, _, _ := strings.Cut(strings.TrimSpace(e.Detail), "\n")
	switch e.Status {
	case report.Passed:
		fmt.Fprintf(p.w, "  %s %s  %s", p.paint(green, "✓"), e.Step, formatDuration(e.Duration))
		if first != "" {
			fmt.Fprintf(p.w, "  %s", p.paint(dim, first))
		}
		fmt.Fprintln(p.w)
	case report.Skipped:
		fmt.Fprintf(p.w, "  %s %s  %s\n", p.paint(dim, "-"), e.Step, p.paint(dim, joinNonEmpty("skipped", first)))
	case report.NotRun:
		fmt.Fprintf(p.w, "  %s %s  %s\n", p.paint(yellow, "!"), e.Step, p.paint(yellow, joinNonEmpty("not run", first)))
	case report.Failed:
		fmt.Fprintf(p.w, "  %s %s  %s  %s\n", p.paint(red, "✗"), e.Step, formatDuration(e.Duration), p.paint(red, "failed"))
		p.failure(e)
	default:
		fmt.Fprintf(p.w, "  ? %s  %s\n", e.Step, e.Status)
	}
}

// failure prints what a person needs to see about a failed step: the task,
// its folder and the end of its output.
func (p *progress) failure(e generator.Event) {
	out := strings.TrimRight(e.Detail, "\n")
	where := ""
	if p.dir != "" {
		where = " in " + p.dir
	}
	if out == "" {
		fmt.Fprintf(p.w, "    task %s%s failed with no output\n", e.Step, where)
		return
	}
	lines := strings.Split(out, "\n")
	if len(lines) > failureLines {
		fmt.Fprintf(p.w, "    task %s%s, last %d lines of output:\n", e.Step, where, failureLines)
		lines = lines[len(lines)-failureLines:]
	} else {
		fmt.Fprintf(p.w, "    task %s%s, output:\n", e.Step, where)
	}
	for _, l := range lines {
		fmt.Fprintf(p.w, "      %s\n", strings.TrimRight(l, "\r"))
	}
}

func joinNonEmpty(label, detail string) string {
	if detail == "" {
		return label
	}
	return label + ": " + detail
}

// formatDuration formats d for people: 120ms, 3.1s, 1m05s.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}
