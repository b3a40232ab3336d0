package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/bkgen/bkgen/generator/diag"
)

// Validate checks the values of c, as Parse checks a file. Its diagnostics
// carry no position: each summary names the key it is about.
func (c *Config) Validate() diag.List {
	return c.ValidateAt(func(string) diag.Pos { return diag.Pos{} })
}

// ValidateAt is Validate with the position of each key given by pos, so that
// a caller can point at where a value came from: a command-line flag
// (diag.Pos{File: "flag --stack"}) or a file.
func (c *Config) ValidateAt(pos func(key string) diag.Pos) diag.List {
	return c.check(func(key string, _ int) diag.Pos { return pos(key) })
}

// check reports every invalid value of c. pos gives the place of a key's
// value, or of its index-th item for lists (index is -1 for the whole value).
func (c *Config) check(pos func(key string, index int) diag.Pos) diag.List {
	var l diag.List
	switch {
	case c.Version > Version:
		l.Add(diag.Diagnostic{
			Pos:     pos("version", -1),
			Summary: fmt.Sprintf("version %d was written by a newer bkgen (this one reads version %d)", c.Version, Version),
			Hint:    "upgrade bkgen",
		})
	case c.Version < Version:
		l.Add(diag.Diagnostic{
			Pos:     pos("version", -1),
			Summary: fmt.Sprintf("unsupported version %d", c.Version),
			Hint:    fmt.Sprintf("write version: %d", Version),
		})
	}
	if c.Module != "" {
		if err := module.CheckPath(c.Module); err != nil {
			reason := err
			if ipe, ok := errors.AsType[*module.InvalidPathError](err); ok {
				reason = ipe.Err
			}
			l.Add(diag.Diagnostic{
				Pos:     pos("module", -1),
				Summary: fmt.Sprintf("module %q is not a valid Go module path: %v", c.Module, reason),
				Hint:    "use a path such as github.com/acme/petstore",
			})
		}
	}
	oneOf(&l, pos("stack", -1), "stack", c.Stack, Stacks)
	oneOf(&l, pos("database", -1), "database", c.Database, Databases)
	oneOf(&l, pos("auth", -1), "auth method", c.Auth, AuthMethods)
	oneOf(&l, pos("ci", -1), "ci", c.CI, CIs)
	if c.Coverage < 0 || c.Coverage > 100 {
		l.Add(diag.Diagnostic{
			Pos:     pos("coverage", -1),
			Summary: fmt.Sprintf("coverage %d is out of range: it is a percent from 0 to 100", c.Coverage),
		})
	}
	for i, d := range c.Deploy {
		if slices.Index(c.Deploy, d) < i {
			l.Errorf(pos("deploy", i), "", "deploy target %q is listed twice", d)
			continue
		}
		oneOf(&l, pos("deploy", i), "deploy target", d, DeployTargets)
	}
	if c.BasePath != nil {
		switch p := *c.BasePath; {
		case p == "":
		case !strings.HasPrefix(p, "/"):
			l.Add(diag.Diagnostic{
				Pos:     pos("base_path", -1),
				Summary: fmt.Sprintf("base_path %q must start with \"/\"", p),
				Hint:    fmt.Sprintf("write %q, or \"\" to mount the API at the root", "/"+strings.TrimRight(p, "/")),
			})
		case strings.HasSuffix(p, "/"):
			hint := fmt.Sprintf("write %q", strings.TrimRight(p, "/"))
			if strings.Trim(p, "/") == "" {
				hint = `write "" to mount the API at the root`
			}
			l.Add(diag.Diagnostic{
				Pos:     pos("base_path", -1),
				Summary: fmt.Sprintf("base_path %q must not end with \"/\"", p),
				Hint:    hint,
			})
		case strings.ContainsAny(p, " \t\n?#"):
			l.Errorf(pos("base_path", -1), "", "base_path %q must be a plain URL path (no spaces, query or fragment)", p)
		}
	}
	for i, b := range c.Blueprints {
		switch {
		case strings.TrimSpace(b) == "":
			l.Errorf(pos("blueprints", i), "", "blueprint folder names must not be empty")
		case slices.Index(c.Blueprints, b) < i:
			l.Errorf(pos("blueprints", i), "", "blueprint folder %q is listed twice", b)
		}
	}
	return l
}

// oneOf reports value if it is not one of allowed.
func oneOf(l *diag.List, pos diag.Pos, what, value string, allowed []string) {
	if slices.Contains(allowed, value) {
		return
	}
	d := diag.Diagnostic{
		Pos:     pos,
		Summary: fmt.Sprintf("unknown %s %q; allowed: %s", what, value, strings.Join(allowed, ", ")),
	}
	if s := suggest(value, allowed); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	l.Add(d)
}

// suggest returns the element of options closest to word, or "" when none is
// close enough to be a likely typo.
func suggest(word string, options []string) string {
	best, bestDist := "", 3
	lw := strings.ToLower(word)
	for _, o := range options {
		if d := diag.Distance(lw, o); d < bestDist && d < len(o) {
			best, bestDist = o, d
		}
	}
	return best
}
