package selfcheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goTestJSON is `go test -json` output of a package with a passing test, a
// test whose subtest fails (printing without a final newline), and a
// skipped test, followed by the package's result.
const goTestJSON = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestOK"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestOK","Elapsed":0}
{"Action":"run","Package":"example.com/p","Test":"TestT"}
{"Action":"run","Package":"example.com/p","Test":"TestT/sub"}
{"Action":"output","Package":"example.com/p","Test":"TestT/sub","Output":"    p_test.go:9: half a "}
{"Action":"output","Package":"example.com/p","Test":"TestT/sub","Output":"line\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestT/sub","Elapsed":0}
{"Action":"fail","Package":"example.com/p","Test":"TestT","Elapsed":0}
{"Action":"skip","Package":"example.com/p","Test":"TestSkip","Elapsed":0}
{"Action":"output","Package":"example.com/p","Output":"FAIL\texample.com/p\t0.01s\n"}
{"Action":"fail","Package":"example.com/p","Elapsed":0.01}
not json
`

func TestCaptureTestEvents(t *testing.T) {
	t.Parallel()
	// However the output is cut into writes, the result is the same.
	for _, size := range []int{1, 7, 64, len(goTestJSON)} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			c := newCapture()
			for s := goTestJSON; s != ""; {
				n := min(size, len(s))
				c.out.write([]byte(s[:n]))
				s = s[n:]
			}
			c.err.write([]byte("task: [test:unit] go test -json ./...\nstderr line"))
			c.flush()

			got := [3]int{c.tests.passed, c.tests.failed, c.tests.skipped}
			if want := [3]int{1, 2, 1}; got != want {
				t.Errorf("passed, failed, skipped = %v, want %v", got, want)
			}
			if got, want := c.tests.failure(), "tests failed: TestT/sub"; got != want {
				t.Errorf("failure = %q, want %q", got, want)
			}
			wantLines := []string{
				"=== RUN   TestOK",
				"--- PASS: TestOK (0.00s)",
				"    p_test.go:9: half a line",
				"FAIL\texample.com/p\t0.01s",
				"not json",
			}
			var outLines []string
			for _, l := range c.tail() {
				if !strings.HasPrefix(l, "task: ") && l != "stderr line" {
					outLines = append(outLines, l)
				}
			}
			if diff := cmp.Diff(wantLines, outLines); diff != "" {
				t.Errorf("readable output (-want +got):\n%s", diff)
			}
			if got := c.lastLine(); got != "stderr line" && got != "not json" {
				t.Errorf("last line = %q", got)
			}
		})
	}
}

func TestCaptureTail(t *testing.T) {
	t.Parallel()
	c := newCapture()
	for i := range 100 {
		fmt.Fprintf(&writer{&c.err}, "line %d\n", i)
	}
	c.err.write([]byte("task: [vet] go vet ./...\n"))
	c.flush()
	tail := c.tail()
	if len(tail) != TailLines || tail[0] != "line 61" || tail[TailLines-1] != "task: [vet] go vet ./..." {
		t.Errorf("tail = %q", tail)
	}
	if got := c.lastLine(); got != "line 99" {
		t.Errorf("last line = %q, want the last line that is not go-task's echo", got)
	}
}

func TestCaptureCoverage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		out  string
		want float64
		ok   bool
	}{
		{"example.com/p/p.go:3:\tF\t\t100.0%\ntotal:\t\t\t(statements)\t86.4%\n", 86.4, true},
		{"total: (statements) 100.0%", 100, true},
		{"total:\t(statements)\t0.0%\r\n", 0, true},
		{"ok  \texample.com/p\t0.1s\tcoverage: 86.4% of statements\n", 0, false},
		{"total:\t(statements)\tn/a\n", 0, false},
	} {
		c := newCapture()
		c.out.write([]byte(tc.out))
		c.flush()
		switch {
		case c.coverage == nil && tc.ok:
			t.Errorf("%q: no coverage, want %g", tc.out, tc.want)
		case c.coverage != nil && !tc.ok:
			t.Errorf("%q: coverage %g, want none", tc.out, *c.coverage)
		case c.coverage != nil && *c.coverage != tc.want:
			t.Errorf("%q: coverage %g, want %g", tc.out, *c.coverage, tc.want)
		}
	}
}

func TestTallyFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		events []testEvent
		want   string
	}{
		{"passing", []testEvent{
			{Action: "pass", Package: "p", Test: "TestA"},
			{Action: "pass", Package: "p"},
			{Action: "skip", Package: "q"}, // no test files
		}, ""},
		{"many tests", []testEvent{
			{Action: "fail", Package: "p", Test: "TestA"},
			{Action: "fail", Package: "p", Test: "TestB/x"},
			{Action: "fail", Package: "p", Test: "TestB"},
			{Action: "fail", Package: "p", Test: "TestC"},
			{Action: "fail", Package: "p", Test: "TestD"},
			{Action: "fail", Package: "p"},
		}, "tests failed: TestA, TestB/x, TestC and 1 more"},
		{"build", []testEvent{
			{Action: "build-fail", ImportPath: "p [p.test]"},
			{Action: "fail", Package: "p", FailedBuild: "p [p.test]"},
		}, "build failed: p"},
		{"build of a package without tests", []testEvent{
			{Action: "build-fail", ImportPath: "p"},
		}, "build failed"},
		{"outside the tests", []testEvent{
			{Action: "pass", Package: "p", Test: "TestA"},
			{Action: "fail", Package: "p"},
		}, "package failed outside its tests: p"},
	} {
		var tl tally
		for _, ev := range tc.events {
			tl.event(ev)
		}
		if got := tl.failure(); got != tc.want {
			t.Errorf("%s: failure = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// writer adapts a stream to io.Writer for the test.
type writer struct{ s *stream }

func (w *writer) Write(p []byte) (int, error) {
	w.s.write(p)
	return len(p), nil
}
