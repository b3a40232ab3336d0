// Package diag holds the diagnostics bkgen reports about its inputs: the spec,
// the config file and blueprint overlays. A diagnostic names the place it is
// about (file:line:col and, for specs, the JSON pointer) so a user can find it.
package diag

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Severity says whether a diagnostic stops generation.
type Severity int

const (
	// Error stops generation: nothing is written.
	Error Severity = iota
	// Warning is reported, and generation goes on.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Pos is a place in an input file. Line and Col are 1-based; zero means unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// String formats p as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// Diagnostic is one problem found in an input.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	// Pointer is the JSON pointer of the element in the spec ("/paths/~1pets/get"),
	// empty when the diagnostic is not about a spec element.
	Pointer string
	// Summary says what is wrong, in one lowercase sentence without a period.
	Summary string
	// Hint, when set, says what to do about it.
	Hint string
}

// String formats d compiler-style:
// "api.yaml:42:7: error: #/components/schemas/Pet: summary".
func (d Diagnostic) String() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	if d.Pointer != "" {
		b.WriteString("#")
		b.WriteString(d.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	return b.String()
}

// List is an ordered collection of diagnostics.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { *l = append(*l, d) }

// Errorf appends an error at pos/pointer.
func (l *List) Errorf(pos Pos, pointer, format string, args ...any) {
	l.Add(Diagnostic{Severity: Error, Pos: pos, Pointer: pointer, Summary: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning at pos/pointer.
func (l *List) Warnf(pos Pos, pointer, format string, args ...any) {
	l.Add(Diagnostic{Severity: Warning, Pos: pos, Pointer: pointer, Summary: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	return slices.ContainsFunc(l, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns only the errors.
func (l List) Errors() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Error })
}

// Warnings returns only the warnings.
func (l List) Warnings() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Warning })
}

// Sort orders the list by file, line and column, keeping the order of equal places.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
			return c
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}

// Err returns nil when l has no errors, and otherwise an *InputError holding l.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return &InputError{List: l}
}

// InputError is the error returned when an input is invalid; it carries every
// diagnostic so callers can print them all.
type InputError struct {
	List List
}

func (e *InputError) Error() string {
	errs := e.List.Errors()
	if len(errs) == 1 {
		return errs[0].String()
	}
	return fmt.Sprintf("%s (and %d more errors)", errs[0].String(), len(errs)-1)
}

// AsList returns the diagnostics carried by err, if it is (or wraps) an *InputError.
func AsList(err error) (List, bool) {
	if ie, ok := errors.AsType[*InputError](err); ok {
		return ie.List, true
	}
	return nil, false
}

// Print writes every diagnostic of l, one per entry, each followed by its
// snippet (when source can give the file's text) and hint.
func Print(w io.Writer, l List, source func(file string) []byte) {
	PrintStyled(w, l, source, false)
}

// ANSI styles of PrintStyled.
const (
	styleBold   = "\x1b[1m"
	styleRed    = "\x1b[1;31m"
	styleYellow = "\x1b[1;33m"
	styleCyan   = "\x1b[36m"
	styleDim    = "\x1b[2m"
	styleReset  = "\x1b[0m"
)

// PrintStyled is Print with ANSI colours when color is true: the place in
// bold, the severity in red or yellow, the snippet's gutter dim, the caret
// in the severity's colour and the hint in cyan. The text is Print's.
func PrintStyled(w io.Writer, l List, source func(file string) []byte, color bool) {
	paint := func(style, s string) string {
		if !color || s == "" {
			return s
		}
		return style + s + styleReset
	}
	for _, d := range l {
		sev := paint(styleYellow, d.Severity.String())
		caret := styleYellow
		if d.Severity == Error {
			sev, caret = paint(styleRed, d.Severity.String()), styleRed
		}
		var b strings.Builder
		if s := d.Pos.String(); s != "" {
			b.WriteString(paint(styleBold, s+":"))
			b.WriteString(" ")
		}
		b.WriteString(sev)
		b.WriteString(": ")
		if d.Pointer != "" {
			b.WriteString(paint(styleBold, "#"+d.Pointer+":"))
			b.WriteString(" ")
		}
		b.WriteString(d.Summary)
		fmt.Fprintln(w, b.String())
		if source != nil && d.Pos.Line > 0 {
			printSnippet(w, source(d.Pos.File), d.Pos, func(s string) string { return paint(styleDim, s) }, func(s string) string { return paint(caret, s) })
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "  %s %s\n", paint(styleCyan, "hint:"), d.Hint)
		}
	}
}

// printSnippet writes the line of pos, the one before it, and a caret under the column.
func printSnippet(w io.Writer, src []byte, pos Pos, gutter, mark func(string) string) {
	if len(src) == 0 {
		return
	}
	lines := strings.Split(string(src), "\n")
	if pos.Line > len(lines) {
		return
	}
	first := max(pos.Line-1, 1)
	for n := first; n <= pos.Line; n++ {
		line := strings.TrimRight(lines[n-1], "\r")
		if len(line) > 160 {
			line = line[:160] + "…"
		}
		fmt.Fprintf(w, "%s %s\n", gutter(fmt.Sprintf("  %5d |", n)), line)
	}
	if pos.Col > 0 && pos.Col <= 161 {
		fmt.Fprintf(w, "%s %s%s\n", gutter("        |"), strings.Repeat(" ", pos.Col-1), mark("^"))
	}
}
