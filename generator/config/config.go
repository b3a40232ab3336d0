// Package config reads and validates bkgen.yaml, the generation choices of a
// service repository, and writes it back (DESIGN.md, "Inputs").
//
// Parse and Load check a file strictly: an unknown key or value is an error at
// its line and column that lists the allowed ones. Validate applies the same
// value checks to a Config built in Go (from command-line flags, say).
package config

import "slices"

// Version is the version of the bkgen.yaml format this bkgen reads and writes.
const Version = 1

// Config holds the generation choices of bkgen.yaml (DESIGN.md, "Inputs").
type Config struct {
	Version int `yaml:"version"`
	// Spec is the OpenAPI document, relative to the file it was read from.
	Spec string `yaml:"spec"`
	// Module is the Go module path; empty lets the generator choose one.
	Module   string   `yaml:"module"`
	Stack    string   `yaml:"stack"`
	Database string   `yaml:"database"`
	Auth     string   `yaml:"auth"`
	Coverage int      `yaml:"coverage"`
	Deploy   []string `yaml:"deploy"`
	CI       string   `yaml:"ci"`
	// BasePath is nil when unset (then the path of servers[0].url is used);
	// a set empty string mounts at the root.
	BasePath *string `yaml:"base_path,omitempty"`
	// Blueprints are overlay folders, relative to the file they were read
	// from, applied in order.
	Blueprints []string `yaml:"blueprints"`
}

// The allowed values of the enumerated keys, in the order help texts list
// them. They are shared read-only: do not modify them.
var (
	// Stacks are the values of stack.
	Stacks = []string{"go-chi", "go-gin", "go-echo", "go-stdlib"}
	// Databases are the values of database.
	Databases = []string{"postgres", "mysql", "sqlite", "none"}
	// AuthMethods are the values of auth. "auto" is kept as auto in the file:
	// the method is re-read from the spec's securitySchemes at every regen.
	AuthMethods = []string{"auto", "jwt", "oauth2", "session", "api-key", "basic", "none"}
	// DeployTargets are the values of the items of deploy.
	DeployTargets = []string{"docker", "kubernetes", "helm", "serverless", "vm"}
	// CIs are the values of ci.
	CIs = []string{"github", "gitlab", "none"}
	// Keys are the keys of bkgen.yaml, in the order Marshal writes them.
	Keys = []string{
		"version", "spec", "module", "stack", "database", "auth",
		"coverage", "deploy", "ci", "base_path", "blueprints",
	}
)

// Default returns the choices used for every key a file or flag leaves out.
func Default() Config {
	return Config{
		Version:    Version,
		Stack:      "go-chi",
		Database:   "postgres",
		Auth:       "auto",
		Coverage:   80,
		Deploy:     []string{"docker", "kubernetes"},
		CI:         "github",
		Blueprints: []string{},
	}
}

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	out := *c
	out.Deploy = slices.Clone(c.Deploy)
	out.Blueprints = slices.Clone(c.Blueprints)
	if c.BasePath != nil {
		p := *c.BasePath
		out.BasePath = &p
	}
	return &out
}
