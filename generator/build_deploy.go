package generator

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/stacks"
)

// The objectives every route group gets until the spec or bkgen.yaml can
// say otherwise: 99.9% of requests answer without a 5xx, 99% within 1s (a
// bucket of http_request_duration_seconds).
const (
	sloAvailability = 0.999
	sloLatency      = 0.99
	sloLatencyLE    = "1"
)

// buildDeploy fills what the deploy, CI and monitoring files render from:
// the targets, the image, the ports and probes, the route groups' SLOs and
// the alerts built on the metrics the service exports.
func buildDeploy(svc *ir.Service, cfg *config.Config, stack stacks.Stack) {
	d := ir.Deploy{
		Targets:     slices.Clone(cfg.Deploy),
		CI:          cfg.CI,
		Port:        8080,
		AdminPort:   9090,
		HealthPath:  "/healthz",
		ReadyPath:   "/readyz",
		MetricsPath: "/metrics",
		GoVersion:   stack.GoVersion,
	}
	if p, err := strconv.Atoi(svc.EnvVar("PORT").Default); err == nil {
		d.Port = p
	}
	if p, err := strconv.Atoi(svc.EnvVar("ADMIN_PORT").Default); err == nil {
		d.AdminPort = p
	}
	d.Image, d.RepoURL = imageOf(svc.Module, svc.Name)
	svc.Deploy = d
	svc.SLOs = buildSLOs(svc)
	svc.Alerts = buildAlerts(svc)
}

// imageOf derives the container image and the repository's web address
// from the module path: github.com/acme/pets builds ghcr.io/acme/pets.
func imageOf(module, name string) (image, repoURL string) {
	parts := strings.Split(module, "/")
	if len(parts) >= 3 {
		switch parts[0] {
		case "github.com":
			return "ghcr.io/" + strings.ToLower(parts[1]+"/"+parts[2]), "https://" + strings.Join(parts[:3], "/")
		case "gitlab.com":
			return "registry.gitlab.com/" + strings.ToLower(parts[1]+"/"+parts[2]), "https://" + strings.Join(parts[:3], "/")
		}
	}
	return "registry.example.com/" + name, ""
}

// buildSLOs gives each operation group the default objectives over the
// routes of its operations.
func buildSLOs(svc *ir.Service) []*ir.SLO {
	var out []*ir.SLO
	for _, g := range svc.Groups {
		var routes []string
		for _, op := range g.Operations {
			// The router labels a request with the route under the base
			// path, as it matched it.
			if r := svc.BasePath + op.Path; !slices.Contains(routes, r) {
				routes = append(routes, r)
			}
		}
		if len(routes) == 0 {
			continue
		}
		slices.Sort(routes)
		quoted := make([]string, len(routes))
		for i, r := range routes {
			quoted[i] = regexp.QuoteMeta(r)
		}
		out = append(out, &ir.SLO{
			Group:        g.Name,
			Slug:         kebab(g.Name),
			Routes:       routes,
			RouteRegex:   strconv.Quote(strings.Join(quoted, "|")),
			Availability: sloAvailability,
			Latency:      sloLatency,
			LatencyLE:    sloLatencyLE,
		})
	}
	return out
}

// burn is one multiwindow burn-rate alert of the Google SRE workbook: the
// error budget burns factor times faster than it may over both windows.
type burn struct {
	suffix, long, short, severity, forDur string
	factor                                float64
	budgetSpent                           string
}

// The fast burn pages (2% of a 30-day budget in an hour), the slow one
// opens a ticket (5% in six hours).
var burns = []burn{
	{suffix: "BurnFast", long: "1h", short: "5m", factor: 14.4, severity: "critical", forDur: "2m", budgetSpent: "2% of the 30-day error budget in one hour"},
	{suffix: "BurnSlow", long: "6h", short: "30m", factor: 6, severity: "warning", forDur: "15m", budgetSpent: "5% of the 30-day error budget in six hours"},
}

// buildAlerts writes the service's alerting rules: per route group, the
// availability and latency burn rates of its SLO; for the service, a
// scrape that fails, a spike of 5xx answers, and a saturated database pool.
func buildAlerts(svc *ir.Service) []*ir.Alert {
	job := strconv.Quote(svc.Name)
	prefix := ir.GoName(svc.Name)
	var alerts []*ir.Alert
	add := func(a *ir.Alert) {
		a.Slug = kebab(strings.TrimPrefix(a.Name, prefix))
		a.RunbookURL = "docs/runbooks/alerts/" + a.Slug + ".md"
		if svc.Deploy.RepoURL != "" {
			a.RunbookURL = svc.Deploy.RepoURL + "/blob/main/" + a.RunbookURL
		}
		alerts = append(alerts, a)
	}
	add(&ir.Alert{
		Name: prefix + "Down", Expr: "up{job=" + job + "} == 0", For: "2m", Severity: "critical",
		Summary: svc.Name + " is not answering Prometheus' scrapes",
		Meaning: "Prometheus has failed to scrape " + svc.Name + "'s admin port (" + svc.Deploy.MetricsPath + ") for two minutes: the instance is down, restarting, or unreachable.",
		Check:   downChecks(svc),
		Mitigate: []string{
			"A bad release: roll back (docs/runbooks/rollback.md).",
			"A missing secret or setting: restore it (docs/runbooks/secret-rotation.md), then restart.",
			"The database unreachable: /readyz fails too; see the database's own alerts.",
		},
	})
	for _, slo := range svc.SLOs {
		sel := "job=" + job + ",route=~" + slo.RouteRegex
		budget := 1 - slo.Availability
		for _, b := range burns {
			ratio := func(window string) string {
				return fmt.Sprintf(`sum(rate(http_requests_total{%s,status=~"5.."}[%s])) / sum(rate(http_requests_total{%s}[%s]))`, sel, window, sel, window)
			}
			add(&ir.Alert{
				Name: prefix + slo.Group + "Availability" + b.suffix, SLO: slo, For: b.forDur, Severity: b.severity,
				Expr: fmt.Sprintf("(%s) > (%s * %s)\nand\n(%s) > (%s * %s)",
					ratio(b.long), trimFloat(b.factor), trimFloat(budget), ratio(b.short), trimFloat(b.factor), trimFloat(budget)),
				Summary: fmt.Sprintf("%s: %s routes answer 5xx %s× faster than the %s%% availability SLO allows", svc.Name, slo.Group, trimFloat(b.factor), trimFloat(slo.Availability*100)),
				Meaning: fmt.Sprintf("The share of 5xx answers on the %s routes (%s) over the last %s and %s spends %s.", slo.Group, strings.Join(slo.Routes, ", "), b.long, b.short, b.budgetSpent),
				Check:   groupChecks(svc, slo, false),
				Mitigate: []string{
					"A release in the last hours: roll back (docs/runbooks/rollback.md) and compare.",
					"Errors from the database (logs name them): check its health and the pool (the DBPoolSaturated alert).",
					"One client's traffic: rate limit it or block it at the ingress.",
				},
			})
		}
		lbudget := 1 - slo.Latency
		for _, b := range burns {
			slow := func(window string) string {
				return fmt.Sprintf(`1 - (sum(rate(http_request_duration_seconds_bucket{%s,le=%q}[%s])) / sum(rate(http_request_duration_seconds_count{%s}[%s])))`, sel, slo.LatencyLE, window, sel, window)
			}
			add(&ir.Alert{
				Name: prefix + slo.Group + "Latency" + b.suffix, SLO: slo, For: b.forDur, Severity: b.severity,
				Expr: fmt.Sprintf("(%s) > (%s * %s)\nand\n(%s) > (%s * %s)",
					slow(b.long), trimFloat(b.factor), trimFloat(lbudget), slow(b.short), trimFloat(b.factor), trimFloat(lbudget)),
				Summary: fmt.Sprintf("%s: %s routes are slower than %ss %s× faster than the %s%% latency SLO allows", svc.Name, slo.Group, slo.LatencyLE, trimFloat(b.factor), trimFloat(slo.Latency*100)),
				Meaning: fmt.Sprintf("The share of requests on the %s routes (%s) taking longer than %ss over the last %s and %s spends %s.", slo.Group, strings.Join(slo.Routes, ", "), slo.LatencyLE, b.long, b.short, b.budgetSpent),
				Check:   groupChecks(svc, slo, true),
				Mitigate: []string{
					"Saturation: scale out (docs/runbooks/scaling.md) when CPU or in-flight requests are high.",
					"Slow queries: the database's slow query log; a missing index on a filtered column.",
					"A release in the last hours: roll back (docs/runbooks/rollback.md) and compare.",
				},
			})
		}
	}
	add(&ir.Alert{
		Name: prefix + "ErrorRateSpike", For: "5m", Severity: "warning",
		Expr:    `sum(rate(http_requests_total{job=` + job + `,status=~"5.."}[5m])) / sum(rate(http_requests_total{job=` + job + `}[5m])) > 0.05`,
		Summary: svc.Name + " answers more than 5% of all requests with 5xx",
		Meaning: "Over five minutes, more than one request in twenty failed on the server's side, on any route: faster than any SLO's budget allows, and often a sign of a dependency down.",
		Check: []string{
			"Which routes: `sum by (route, status) (rate(http_requests_total{job=" + job + ",status=~\"5..\"}[5m]))`.",
			"The logs of the failing requests (level=ERROR), with their request ids.",
		},
		Mitigate: []string{
			"A release: roll back (docs/runbooks/rollback.md).",
			"A dependency (the database, an identity provider): follow its runbook; the service answers 503 while it is not ready.",
		},
	})
	if svc.HasDatabase() {
		add(&ir.Alert{
			Name: prefix + "DBPoolSaturated", For: "10m", Severity: "warning",
			Expr:    `max by (instance) (db_pool_acquired_conns{job=` + job + `} / db_pool_max_conns{job=` + job + `}) > 0.9`,
			Summary: svc.Name + "'s database connection pool is more than 90% in use",
			Meaning: "For ten minutes an instance has held more than 90% of its DB_MAX_CONNS connections: requests soon wait for a connection (db_pool_empty_acquires_total rises) and slow down.",
			Check: []string{
				"Waits for a connection: `rate(db_pool_empty_acquires_total{job=" + job + "}[5m])`.",
				"Long-running queries on the database (PostgreSQL: pg_stat_activity; MySQL: SHOW PROCESSLIST).",
			},
			Mitigate: []string{
				"Raise DB_MAX_CONNS within what the database accepts across all replicas (docs/runbooks/scaling.md).",
				"Scale out when the load, not slow queries, holds the connections.",
				"Kill a runaway query; add the index it lacks.",
			},
		})
	}
	return alerts
}

// downChecks are the first steps of the Down runbook, for the targets the
// service deploys to.
func downChecks(svc *ir.Service) []string {
	var out []string
	if svc.Deploys("kubernetes") || svc.Deploys("helm") {
		out = append(out,
			"List the pods and their restarts: `kubectl get pods -l app.kubernetes.io/name="+svc.Name+"`.",
			"Read the last logs of a failing pod (`kubectl logs --previous`): start-up refuses a missing or bad setting by name.")
	}
	if svc.Deploys("vm") {
		out = append(out, "On a VM: `systemctl status "+svc.Name+"` and `journalctl -u "+svc.Name+" -n 100`.")
	}
	if svc.Deploys("docker") {
		out = append(out, "With Docker: `docker ps -a --filter name="+svc.Name+"` and the container's logs.")
	}
	return append(out, "Ask the instance itself: `"+svc.Cmd+" healthcheck` exits 0 when the admin port's /healthz answers 200.")
}

// groupChecks are the first steps of a route group's burn-rate runbook:
// the failing statuses, or the slow routes' 99th percentile.
func groupChecks(svc *ir.Service, slo *ir.SLO, latency bool) []string {
	sel := "job=" + strconv.Quote(svc.Name) + ",route=~" + slo.RouteRegex
	which := "Which routes answer 5xx: `sum by (route, status) (rate(http_requests_total{" + sel + ",status=~\"5..\"}[5m]))`."
	if latency {
		which = "Which routes are slow: `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{" + sel + "}[5m])))`."
	}
	return []string{
		which,
		"The logs of those routes: every request's line has its route, status, duration and request id.",
		"What changed: the last deploy (docs/runbooks/deploy.md) and the last migration (docs/runbooks/migration.md).",
	}
}

// kebab turns a Go name into a file-name slug: "PetsAvailabilityBurnFast"
// becomes "pets-availability-burn-fast", "HTTPError" "http-error".
func kebab(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		upper := unicode.IsUpper(r)
		if upper && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// trimFloat writes f with at most six decimals and no trailing zeros.
func trimFloat(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
}
