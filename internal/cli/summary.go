package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/bkgen/bkgen/generator/report"
)

// writeJSON writes v to w as indented JSON: the only thing --json puts on stdout.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// printCheck summarises a self-check report for people.
func printCheck(w io.Writer, c *report.Check, strict bool) {
	fmt.Fprintf(w, "Self-check %s in %s.\n", c.Status, formatDuration(time.Duration(c.DurationMS)*time.Millisecond))
	var failed, notRun []string
	for _, s := range c.Steps {
		switch s.Status {
		case report.Failed:
			failed = append(failed, s.Name)
		case report.NotRun:
			line := s.Name
			if first, _, _ := strings.Cut(strings.TrimSpace(s.Detail), "\n"); first != "" {
				line += " (" + first + ")"
			}
			notRun = append(notRun, line)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "  failed:    %s\n", strings.Join(failed, ", "))
	}
	for _, s := range notRun {
		fmt.Fprintf(w, "  not run:   %s\n", s)
	}
	t := c.Tests
	if t.Passed+t.Failed+t.Skipped > 0 {
		fmt.Fprintf(w, "  tests:     %d passed, %d failed, %d skipped\n", t.Passed, t.Failed, t.Skipped)
	}
	if cov := c.Coverage; cov != nil {
		verdict := "meets"
		if cov.Percent < cov.Target {
			verdict = "below"
		}
		fmt.Fprintf(w, "  coverage:  %.1f%% (%s the target of %g%%)\n", cov.Percent, verdict, cov.Target)
	}
	if c.Database.Engine != "" && c.Database.Engine != "none" {
		fmt.Fprintf(w, "  database:  %s (%s)\n", c.Database.Engine, c.Database.Source)
	}
	if c.Status == report.Incomplete {
		if strict {
			fmt.Fprintln(w, "  Some steps could not run, which --strict counts as a failure.")
		} else {
			fmt.Fprintln(w, "  Some steps could not run; with --strict this is a failure.")
		}
	}
}

// displayDir is dir as a person would type it from the current directory.
func displayDir(dir string) string {
	if filepath.IsAbs(dir) {
		if wd, err := filepath.Abs("."); err == nil {
			if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
				dir = rel
			}
		}
	}
	return shellQuote(dir)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
