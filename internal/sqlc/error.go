package sqlc

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Error is returned by [Generate] when sqlc reports problems in its inputs:
// a query or schema that does not parse or names something unknown, or an
// invalid configuration.
type Error struct {
	// Output is everything sqlc printed, as it printed it.
	Output string
	// Problems are the `file:line:col: message` lines of Output, in order.
	// A configuration error has none: read Output.
	Problems []Problem
}

// Problem is one problem sqlc found at a position in an input file.
type Problem struct {
	File      string // relative slash path, as in the files given to Generate
	Line, Col int    // 1-based; Col is 0 when sqlc does not know the column
	Message   string
}

// String formats p the way sqlc and compilers do: `file:line:col: message`.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
}

// Error returns the first problem, or sqlc's output on one line when no
// problem has a position. It does not say "sqlc": callers wrap it with their
// stage, as in `fmt.Errorf("sqlc: %w", err)`.
func (e *Error) Error() string {
	switch len(e.Problems) {
	case 0:
		out := strings.TrimSpace(e.Output)
		if out == "" {
			return "failed without output"
		}
		return strings.ReplaceAll(out, "\n", "; ")
	case 1:
		return e.Problems[0].String()
	default:
		return fmt.Sprintf("%s (and %d more)", e.Problems[0], len(e.Problems)-1)
	}
}

// problemRE matches the lines sqlc prints for errors at a position
// (internal/cmd.printFileErr): the file is relative to the configuration's
// folder.
var problemRE = regexp.MustCompile(`^([^:\s][^:]*):(\d+):(\d+): (.+)$`)

// parseProblems returns the positioned problems in sqlc's output.
func parseProblems(output string) []Problem {
	var list []Problem
	for line := range strings.Lines(output) {
		m := problemRE.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		ln, err1 := strconv.Atoi(m[2])
		col, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil {
			continue
		}
		list = append(list, Problem{File: filepath.ToSlash(m[1]), Line: ln, Col: col, Message: m[4]})
	}
	return list
}
