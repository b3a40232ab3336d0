package cli

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/diag"
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
	cyan   = "\x1b[36m"
	reset  = "\x1b[0m"
)

// progress renders generator events as lines on a writer (stderr): one line
// per finished step, "  ✓ build  3.1s". On a terminal (with colours), the
// running step is shown too, with a spinner and its time so far, and
// replaced by its result. Elsewhere (a pipe, CI, --no-color, NO_COLOR)
// every line starts with the time of day, for logs.
type progress struct {
	w     io.Writer
	color bool
	live  bool
	// stamp prefixes each line with the time of day ("15:04:05 ").
	stamp bool
	now   func() time.Time
	// tick is how often the running step's line is redrawn; 0 draws it once.
	tick time.Duration
	// dir is the folder the self-check steps run in, when known, for the
	// report of a failed step.
	dir string
	// diags prints the warnings of a Warnings event; warned records that
	// it did, so that the command does not print them again.
	diags  func(diag.List)
	warned bool

	mu sync.Mutex
	// running is the step shown as running on the current, unfinished line,
	// since started; stop ends its spinner.
	running string
	started time.Time
	stop    chan struct{}
	stopped chan struct{}
}

var _ generator.Progress = (*progress)(nil)

func (a *app) newProgress(noColor bool, dir string) *progress {
	a.noColor = a.noColor || noColor // for the diagnostics too
	tty := isTerminal(a.stderr)
	color := useColor(tty, noColor, a.getenv)
	return &progress{
		w:     a.stderr,
		color: color,
		live:  color,
		stamp: !color,
		now:   time.Now,
		tick:  100 * time.Millisecond,
		dir:   dir,
		diags: a.printDiags,
	}
}

func (p *progress) paint(style, s string) string {
	if !p.color {
		return s
	}
	return style + s + reset
}

// line writes one finished line: two spaces, or the time of day.
func (p *progress) line(format string, args ...any) {
	prefix := "  "
	if p.stamp {
		prefix = p.clock().Format("15:04:05") + " "
	}
	fmt.Fprintf(p.w, prefix+format+"\n", args...)
}

// clock is the time now.
func (p *progress) clock() time.Time {
	if p.now == nil {
		return time.Now()
	}
	return p.now()
}

// spinner are the frames of the running step's spinner.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Event renders e.
func (p *progress) Event(e generator.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case generator.StepStarted:
		if p.live {
			p.clear()
			p.start(e.Step)
		}
	case generator.StepFinished:
		p.clear()
		p.finished(e)
	case generator.Warnings:
		if p.diags != nil && len(e.Diagnostics) > 0 {
			p.clear()
			p.diags(e.Diagnostics)
			p.warned = true
		}
	case generator.Info:
		running, since := p.running, p.started
		p.clear()
		msg := e.Detail
		if msg == "" {
			msg = e.Step
		}
		p.line("%s", msg)
		if running != "" {
			p.start(running)
			p.started = since
		}
	}
}

// start shows step as running and, with a tick, keeps its line moving.
func (p *progress) start(step string) {
	p.running, p.started = step, p.clock()
	fmt.Fprintf(p.w, "  %s %s …", p.paint(dim, "·"), step)
	if p.tick <= 0 {
		return
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	p.stop, p.stopped = stop, stopped
	go func() {
		defer close(stopped)
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for frame := 1; ; frame++ {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			p.mu.Lock()
			select {
			case <-stop:
			default:
				fmt.Fprintf(p.w, "\r\x1b[K  %s %s  %s", p.paint(cyan, spinner[frame%len(spinner)]), step, p.paint(dim, formatDuration(p.clock().Sub(p.started))))
			}
			p.mu.Unlock()
		}
	}()
}

// done ends an unfinished line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// printedWarnings reports whether the warnings were printed as they came.
func (p *progress) printedWarnings() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.warned
}

// clear stops the spinner and erases the running step's line. p.mu is held.
func (p *progress) clear() {
	if p.stop != nil {
		close(p.stop)
		// The spinner may wait for p.mu, which we hold: it sees stop closed
		// once it has it, so it is not waited for here.
		p.stop = nil
	}
	if p.running != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.running = ""
	}
}

func (p *progress) finished(e generator.Event) {
	first, _, _ := strings.Cut(strings.TrimSpace(e.Detail), "\n")
	switch e.Status {
	case report.Passed:
		if first != "" {
			p.line("%s %s  %s  %s", p.paint(green, "✓"), e.Step, formatDuration(e.Duration), p.paint(dim, first))
		} else {
			p.line("%s %s  %s", p.paint(green, "✓"), e.Step, formatDuration(e.Duration))
		}
	case report.Skipped:
		p.line("%s %s  %s", p.paint(dim, "-"), e.Step, p.paint(dim, joinNonEmpty("skipped", first)))
	case report.NotRun:
		p.line("%s %s  %s", p.paint(yellow, "!"), e.Step, p.paint(yellow, joinNonEmpty("not run", first)))
	case report.Failed:
		failed := "failed"
		if e.Command == "" && first != "" {
			failed += ": " + first // bkgen's own step: its detail is one line
		}
		p.line("%s %s  %s  %s", p.paint(red, "✗"), e.Step, formatDuration(e.Duration), p.paint(red, failed))
		p.failure(e)
	default:
		p.line("? %s  %s", e.Step, e.Status)
	}
}

// failure prints what a person needs to see about a failed step: for a
// self-check step, the command that re-runs it, its folder and the end of
// its output; for one of bkgen's own steps, its detail (the error itself is
// printed once, by the command).
func (p *progress) failure(e generator.Event) {
	out := strings.TrimRight(e.Detail, "\n")
	if e.Command == "" {
		return
	}
	where := ""
	if dir := cmp.Or(e.Dir, p.dir); dir != "" {
		where = " in " + dir
	}
	if out == "" {
		fmt.Fprintf(p.w, "    %s%s failed with no output\n", e.Command, where)
		return
	}
	lines := strings.Split(out, "\n")
	if len(lines) > failureLines {
		fmt.Fprintf(p.w, "    %s%s, last %d lines of output:\n", e.Command, where, failureLines)
		lines = lines[len(lines)-failureLines:]
	} else {
		fmt.Fprintf(p.w, "    %s%s, output:\n", e.Command, where)
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
