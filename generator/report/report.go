// Package report defines the self-check report, written to .bkgen/check.json
// in a generated repository and printed by `bkgen --json`.
package report

// Version is the version of the check.json format.
const Version = 1

// Statuses of a whole check.
const (
	Passed     = "passed"
	Failed     = "failed"
	Incomplete = "incomplete"
)

// Statuses of a step (Passed and Failed as above).
const (
	Skipped = "skipped"
	NotRun  = "not_run"
)

// Check is the self-check report. Its JSON form is the contract of
// DESIGN.md, "The self-check".
type Check struct {
	Version    int       `json:"version"`
	Status     string    `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Database   Database  `json:"database"`
	Steps      []Step    `json:"steps"`
	Tests      Tests     `json:"tests"`
	Coverage   *Coverage `json:"coverage"`
}

// Database says which engine the integration tests used and where it came from.
type Database struct {
	Engine string `json:"engine"` // postgres | mysql | sqlite | none
	Source string `json:"source"` // BKGEN_POSTGRES_URL | BKGEN_MYSQL_URL | DATABASE_URL | local | throwaway | file | none
}

// Step is one Taskfile task run by the self-check.
type Step struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Detail     string `json:"detail"`
}

// Tests counts the test events of every test step.
type Tests struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Coverage is the total statement coverage against the configured target.
type Coverage struct {
	Percent float64 `json:"percent"`
	Target  float64 `json:"target"`
}
