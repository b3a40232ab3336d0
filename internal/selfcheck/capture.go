package selfcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// capture collects the output of one step: the last lines as a person would
// read them, the test events of `go test -json`, and the total of
// `go tool cover -func`. It keeps only what it needs, so a long test run
// costs no memory.
//
// A capture is written only through its sink, under the sink's lock, and
// read once the step has finished.
type capture struct {
	out, err stream
	ring     []string // the last TailLines lines, oldest first
	last     string   // the last non-empty line that is not go-task's echo of a command
	tests    tally
	coverage *float64
}

func newCapture() *capture {
	c := &capture{}
	c.out = stream{c: c, events: true}
	c.err = stream{c: c}
	return c
}

// flush ends both streams: a last line without a newline still counts.
func (c *capture) flush() {
	c.out.flush()
	c.err.flush()
}

// tail returns the last TailLines lines of output.
func (c *capture) tail() []string {
	return append([]string(nil), c.ring...)
}

func (c *capture) lastLine() string { return c.last }

// totalRE matches the last line of `go tool cover -func`.
var totalRE = regexp.MustCompile(`^total:\s+\(statements\)\s+([0-9]+(?:\.[0-9]+)?)%\s*$`)

// line takes one complete line of readable output.
func (c *capture) line(l string) {
	l = strings.TrimRight(l, "\r\n")
	if len(c.ring) == TailLines {
		copy(c.ring, c.ring[1:])
		c.ring = c.ring[:TailLines-1]
	}
	c.ring = append(c.ring, l)
	if m := totalRE.FindStringSubmatch(l); m != nil {
		if p, err := strconv.ParseFloat(m[1], 64); err == nil {
			c.coverage = &p
		}
	}
	if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "task: [") {
		c.last = t
	}
}

// maxPending bounds a line that never ends; past it, the line is cut.
const maxPending = 1 << 20

// stream splits one output stream into lines. With events set, a line that
// is a `go test -json` event is counted and replaced by the output it
// carries, so the readable output is what `go test -v` would have printed.
type stream struct {
	c      *capture
	events bool
	raw    []byte // an unfinished line, before decoding (events only)
	text   []byte // an unfinished readable line
}

func (s *stream) write(p []byte) {
	if !s.events {
		s.addText(p)
		return
	}
	s.raw = append(s.raw, p...)
	rest := s.raw
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		s.decode(rest[:i+1])
		rest = rest[i+1:]
	}
	if len(rest) > maxPending {
		s.decode(rest)
		rest = nil
	}
	s.raw = append(s.raw[:0], rest...)
}

func (s *stream) decode(line []byte) {
	if ev, ok := parseEvent(line); ok {
		s.c.tests.event(ev)
		if ev.Action == "output" || ev.Action == "build-output" {
			s.addText([]byte(ev.Output))
		}
		return
	}
	s.addText(line)
}

func (s *stream) addText(p []byte) {
	s.text = append(s.text, p...)
	rest := s.text
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		s.c.line(string(rest[:i]))
		rest = rest[i+1:]
	}
	if len(rest) > maxPending {
		s.c.line(string(rest))
		rest = nil
	}
	s.text = append(s.text[:0], rest...)
}

func (s *stream) flush() {
	if len(s.raw) > 0 {
		raw := s.raw
		s.raw = nil
		s.decode(raw)
	}
	if len(s.text) > 0 {
		s.c.line(string(s.text))
		s.text = nil
	}
}

// testEvent is one line of `go test -json` (cmd/test2json), with the fields
// the self-check reads.
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output and build-fail events
	FailedBuild string // a package's fail event when its build failed
}

func parseEvent(line []byte) (testEvent, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return testEvent{}, false
	}
	var ev testEvent
	if err := json.Unmarshal(line, &ev); err != nil || ev.Action == "" {
		return testEvent{}, false
	}
	return ev, true
}

// tally counts test results.
//
// Every test and every subtest counts once, by its final event (pass, fail
// or skip), the way gotestsum counts: a test with two subtests that pass is
// three passed tests. Package-level events (no test name) are not counted,
// but a package that fails without a failing test (its build failed, its
// TestMain exited non-zero, it panicked outside a test) fails the step.
type tally struct {
	passed, failed, skipped int
	failedTests             []string // in the order they finished: subtests before their parents
	failedPkgs              []pkgFailure
	pkgsWithFailedTests     map[string]bool
	buildFailed             map[string]bool
}

type pkgFailure struct {
	pkg   string
	build bool
}

func (t *tally) event(ev testEvent) {
	if ev.Test != "" {
		switch ev.Action {
		case "pass":
			t.passed++
		case "skip":
			t.skipped++
		case "fail":
			t.failed++
			t.failedTests = append(t.failedTests, ev.Test)
			if t.pkgsWithFailedTests == nil {
				t.pkgsWithFailedTests = map[string]bool{}
			}
			t.pkgsWithFailedTests[ev.Package] = true
		}
		return
	}
	switch ev.Action {
	case "fail":
		t.failedPkgs = append(t.failedPkgs, pkgFailure{pkg: ev.Package, build: ev.FailedBuild != ""})
	case "build-fail":
		if t.buildFailed == nil {
			t.buildFailed = map[string]bool{}
		}
		t.buildFailed[ev.ImportPath] = true
	}
}

// failure says why the events fail the step, or "" when they do not.
func (t *tally) failure() string {
	if t.failed > 0 {
		return "tests failed: " + list(t.leaves())
	}
	var build, other []string
	for _, f := range t.failedPkgs {
		if t.pkgsWithFailedTests[f.pkg] {
			continue
		}
		if f.build || t.buildFailed[f.pkg] {
			build = append(build, f.pkg)
		} else {
			other = append(other, f.pkg)
		}
	}
	switch {
	case len(build) > 0:
		return "build failed: " + list(build)
	case len(other) > 0:
		return "package failed outside its tests: " + list(other)
	case len(t.buildFailed) > 0:
		return "build failed"
	}
	return ""
}

// leaves returns the failed tests none of whose subtests failed: the tests
// to look at.
func (t *tally) leaves() []string {
	var out []string
	for _, name := range t.failedTests {
		parent := false
		for _, other := range t.failedTests {
			if strings.HasPrefix(other, name+"/") {
				parent = true
				break
			}
		}
		if !parent {
			out = append(out, name)
		}
	}
	return out
}

// list joins the first three names and says how many more there are.
func list(names []string) string {
	const show = 3
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
