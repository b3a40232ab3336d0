// Package generator is bkgen's public Go API: it turns an OpenAPI document and
// a config into a service repository (New), and re-runs the self-check of a
// generated repository (Check). Paths and options go in, exported types come
// out; nothing here prints.
package generator

import (
	"time"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/report"
)

// Options configure New.
type Options struct {
	// SpecPath is the OpenAPI document to generate from (--from).
	SpecPath string
	// OutDir is the folder to write; empty means the slug of info.title in the
	// current directory.
	OutDir string
	// Config holds the generation choices (bkgen.yaml merged with flags).
	Config config.Config
	// Explicit lists the bkgen.yaml keys the user chose (in the config file
	// or by flag); the blueprint overlays' defaults apply to the others.
	Explicit []string
	// Force allows writing into a non-empty OutDir.
	Force bool
	// NoCheck skips the self-check after writing.
	NoCheck bool
	// Strict makes a self-check that could not run every step fail.
	Strict bool
	// NoGit skips `git init` and the first commit.
	NoGit bool
	// Progress receives events as the pipeline advances; nil discards them.
	Progress Progress
}

// CheckOptions configure Check.
type CheckOptions struct {
	Dir      string
	Strict   bool
	Progress Progress
}

// Result is what New did.
type Result struct {
	// Dir is the folder written.
	Dir string
	// Files lists the paths written, relative to Dir, sorted.
	Files []string
	// Diagnostics are the warnings found in the inputs.
	Diagnostics diag.List
	// Check is the self-check report, nil with NoCheck.
	Check *report.Check
	// Stats counts what the service implements.
	Stats Stats
}

// Stats counts what a generated service implements.
type Stats struct {
	// Operations are the spec's operations (webhooks not counted).
	Operations int `json:"operations"`
	// Resources are the entities stored in the database, one table each.
	Resources int `json:"resources"`
	// CRUD are the operations whose handler bkgen implemented on a table.
	CRUD int `json:"crud"`
	// Unimplemented are the operations left to their owners: their service
	// method answers 501 until someone writes it.
	Unimplemented int `json:"unimplemented"`
}

// EventKind says what an Event reports.
type EventKind int

const (
	// StepStarted: a pipeline or self-check step began.
	StepStarted EventKind = iota
	// StepFinished: a step ended; Status and Duration are set.
	StepFinished
	// Info is a line of information for the user.
	Info
	// Warnings carries the inputs' warnings (Diagnostics) as soon as they
	// are all known, before the self-check; Result has them too.
	Warnings
)

// Event is one progress report.
type Event struct {
	Kind     EventKind
	Step     string
	Status   string // passed | failed | skipped | not_run, for StepFinished
	Duration time.Duration
	Detail   string
	// Diagnostics are the warnings of a Warnings event.
	Diagnostics diag.List
	// Command and Dir are set on a failed self-check step: the command that
	// re-runs it ("task test:unit") and the folder it ran in. They are
	// empty for bkgen's own steps (load, render, write, git).
	Command, Dir string
}

// Progress receives pipeline events. Implementations must be safe for use by
// one goroutine at a time; the pipeline never calls them concurrently.
type Progress interface {
	Event(Event)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(Event)

// Event calls f(e).
func (f ProgressFunc) Event(e Event) { f(e) }

func emit(p Progress, e Event) {
	if p != nil {
		p.Event(e)
	}
}

// steps reports the steps of a pipeline to a Progress, one at a time: each
// one's start, then its end with its duration and status.
type steps struct {
	p     Progress
	name  string
	start time.Time
}

// begin finishes the running step as passed, with no detail, and starts name.
func (s *steps) begin(name string) {
	s.end(report.Passed, "")
	s.name, s.start = name, time.Now()
	emit(s.p, Event{Kind: StepStarted, Step: name})
}

// end finishes the running step, if any, with status and detail.
func (s *steps) end(status, detail string) {
	if s.name == "" {
		return
	}
	emit(s.p, Event{Kind: StepFinished, Step: s.name, Status: status, Duration: time.Since(s.start), Detail: detail})
	s.name = ""
}

// done finishes the running step as passed, with detail.
func (s *steps) done(detail string) { s.end(report.Passed, detail) }

// fail finishes the running step as failed and returns err, which the
// caller reports (so the step's detail is empty).
func (s *steps) fail(err error) error {
	if err != nil {
		s.end(report.Failed, "")
	}
	return err
}
