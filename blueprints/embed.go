// Package blueprints holds bkgen's built-in templates, one folder per concern
// (service/ always; stack/<name>/ for the hooks of one stack).
package blueprints

import "embed"

// FS holds every template. "all:" keeps files whose names start with "." or
// "_" (.gitignore, .github/), which go:embed skips otherwise.
//
//go:embed all:service all:stack all:db
var FS embed.FS
