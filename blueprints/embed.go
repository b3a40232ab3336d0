// Package blueprints holds bkgen's built-in templates, one folder per concern:
// service/ and ops/ (docs, runbooks, monitoring) always; stack/<name>/ for the
// hooks of one stack; db/<engine>/ for a database; deploy/<target>/ for each
// deploy target and ci/<name>/ for the CI choice of bkgen.yaml.
package blueprints

import "embed"

// FS holds every template. "all:" keeps files whose names start with "." or
// "_" (.gitignore, .github/), which go:embed skips otherwise.
//
//go:embed all:service all:stack all:db all:ops all:deploy all:ci
var FS embed.FS
