package ir

import "slices"

// Deploy is what the deploy, CI and monitoring files of the service render
// from, beside the runtime table (Service.Env): one model, so the Dockerfile,
// the manifests, the chart, the compose file and the docs cannot disagree.
type Deploy struct {
	// Targets are bkgen.yaml's deploy: docker, kubernetes, helm,
	// serverless, vm, in the order written.
	Targets []string
	// CI is bkgen.yaml's ci: github, gitlab or none.
	CI string
	// Image is the container image repository, without a tag:
	// ghcr.io/<owner>/<repo> for a github.com module, else
	// registry.example.com/<service> (to be set by the owners).
	Image string
	// RepoURL is the repository's web address when the module path names
	// one (github.com, gitlab.com), else "".
	RepoURL string
	// Port and AdminPort are the defaults of PORT and ADMIN_PORT.
	Port, AdminPort int
	// HealthPath, ReadyPath and MetricsPath are served on the admin port
	// (health and readiness on the API port too).
	HealthPath, ReadyPath, MetricsPath string
	// GoVersion is the Go release the generated module builds with (its
	// go directive), for the build images and CI.
	GoVersion string
}

// Deploys reports whether target is one of the service's deploy targets.
func (s *Service) Deploys(target string) bool {
	return slices.Contains(s.Deploy.Targets, target)
}

// EnvVar returns the row of the runtime table called name, or nil.
func (s *Service) EnvVar(name string) *EnvVar {
	for i := range s.Env {
		if s.Env[i].Name == name {
			return &s.Env[i]
		}
	}
	return nil
}

// SecretEnv lists the rows of the runtime table that hold secrets: deploy
// files reference them (a Kubernetes Secret, an env file readable by the
// service alone), never carry their values.
func (s *Service) SecretEnv() []EnvVar {
	var out []EnvVar
	for _, e := range s.Env {
		if e.Secret {
			out = append(out, e)
		}
	}
	return out
}

// PlainEnv lists the rows that are not secrets: a ConfigMap's or values
// file's settings.
func (s *Service) PlainEnv() []EnvVar {
	var out []EnvVar
	for _, e := range s.Env {
		if !e.Secret {
			out = append(out, e)
		}
	}
	return out
}

// SLO is the objective of one group of routes that the burn-rate alerts
// and the dashboard watch.
type SLO struct {
	// Group is the operation group (its Go name) and Slug its kebab form.
	Group, Slug string
	// Routes are the route label values of its operations: the base path
	// and the operation's path, as http_requests_total labels them.
	Routes []string
	// RouteRegex matches exactly Routes, as a PromQL string literal
	// (quoted): route=~<RouteRegex>.
	RouteRegex string
	// Availability is the share of requests that must not answer 5xx
	// (0.999), Latency the share that must finish within LatencyLE seconds
	// (0.99 within 1s; LatencyLE is a bucket of the duration histogram).
	Availability, Latency float64
	LatencyLE             string
}

// Alert is one Prometheus alerting rule of the service.
type Alert struct {
	// Name is the alert's name: the service's Go name and what it watches,
	// "PetstorePetsAvailabilityBurnFast".
	Name string
	// Slug names its runbook: docs/runbooks/alerts/<Slug>.md.
	Slug string
	// SLO is the objective a burn-rate alert watches; nil for the others.
	SLO  *SLO
	Expr string // PromQL
	For  string // how long Expr must hold: "2m"
	// Severity is critical (pages) or warning (a ticket).
	Severity string
	Summary  string
	// Meaning, Check and Mitigate are the runbook's three parts: what the
	// alert means, how to confirm and find the cause, what to do.
	Meaning  string
	Check    []string
	Mitigate []string
	// RunbookURL is where the alert's runbook_url points: the runbook in
	// the repository's web view, or its path when the module names no host.
	RunbookURL string
}
