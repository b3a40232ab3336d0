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
//
// The comments of its fields are the descriptions of docs/config.md, which
// internal/cmd/configdoc generates from this package: write them for the
// people who edit bkgen.yaml. A doc link to one of the lists of allowed
// values below ([Stacks]) is written there as the values themselves.
type Config struct {
	// Version is the format of this file; this bkgen reads and writes 1.
	// A file with a higher version was written by a newer bkgen and is
	// refused ("upgrade bkgen").
	Version int `yaml:"version"`
	// Spec is the OpenAPI document (3.0, 3.1, 3.2, or Swagger 2.0), relative
	// to this file: the source of truth of the service. bkgen new --from FILE
	// copies the document into the repository as api/openapi.yaml (or
	// api/openapi.json), relative $refs bundled, and names that copy here;
	// bkgen regen reads it from here. When bkgen new reads this file
	// (--config FILE, or ./bkgen.yaml), spec stands in for a missing --from.
	Spec string `yaml:"spec"`
	// Module is the Go module path of the generated service, such as
	// github.com/acme/petstore. Left empty, bkgen new uses
	// example.com/<service>, where <service> is the slug of the spec's
	// info.title. The module path also names the container image of the
	// deploy files (ghcr.io/... for a github.com module).
	Module string `yaml:"module"`
	// Stack is the HTTP framework of the generated router and handlers: one
	// of [Stacks] (go-stdlib is net/http's ServeMux). Only the generated
	// router and handlers differ between stacks: your service code and
	// middleware are the same for every one, so a change of stack leaves
	// your files as they are.
	Stack string `yaml:"stack"`
	// Database is the engine of the data layer generated for the resources
	// bkgen infers from the spec: one of [Databases]. With none, no data
	// layer is generated and every operation answers 501 until you
	// implement it. Changing it on an existing service starts a new
	// migration set; moving the data is yours to do. See docs/databases.md.
	Database string `yaml:"database"`
	// Auth is how the service authenticates requests: one of [AuthMethods].
	// auto enforces the spec's securitySchemes and security requirements as
	// written, and stays auto in this file, so they are read again at every
	// regen. A named method puts that one scheme on every operation of a
	// spec that declares no security (a spec that declares its own keeps
	// it, with a warning); none enforces nothing. See docs/auth.md.
	Auth string `yaml:"auth"`
	// Coverage is the total statement coverage, a whole percent from 0 to
	// 100, that the service's tests must reach: the self-check and the
	// generated CI fail below it (COVERAGE_TARGET in the generated
	// Taskfile).
	Coverage int `yaml:"coverage"`
	// Deploy lists the deployment targets to generate files for, each at
	// most once, from [DeployTargets]; an empty list generates none. The
	// Docker files come with kubernetes and helm too, which run the image.
	// See docs/deploy.md.
	Deploy []string `yaml:"deploy"`
	// CI is the pipeline generated for the repository: one of [CIs]. none
	// generates no pipeline.
	CI string `yaml:"ci"`
	// BasePath is the URL path the API is mounted under, such as /v2: it
	// starts with "/", does not end with one, and holds no spaces, query or
	// fragment. Left out (or null), the path of the spec's servers[0].url is
	// used; an empty string mounts the API at the root.
	BasePath *string `yaml:"base_path,omitempty"`
	// Blueprints are blueprint overlays applied, in order, over bkgen's
	// built-in templates: folders, relative to this file, or git
	// repositories pinned to a tag (URL@TAG); none may be listed twice. See
	// docs/blueprints.md.
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
