package ops

import (
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// TestRulesFileIsGenerated: the monitoring rules every service gets.
func TestRulesFileIsGenerated(t *testing.T) {
	dir := artefactstest.Generated(t, artefactstest.Petstore(t), "postgres", []string{"docker"}, "github")
	if !strings.Contains(string(artefactstest.ReadFile(t, dir, "deploy/monitoring/rules.yaml")), "alert: SwaggerPetstoreDown") {
		t.Error("rules.yaml has no Down alert")
	}
}

// rulesFile is deploy/monitoring/rules.yaml as Prometheus reads it.
type rulesFile struct {
	groups *rulefmt.RuleGroups
}

// readRules parses the rules file as `promtool check rules` does: unknown
// fields, bad durations, invalid PromQL and annotation templates are errors.
func readRules(t *testing.T, dir string) rulesFile {
	t.Helper()
	data := artefactstest.ReadFile(t, dir, "deploy/monitoring/rules.yaml")
	groups, errs := rulefmt.Parse(data, false, model.UTF8Validation, promParser, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, err := range errs {
		t.Errorf("deploy/monitoring/rules.yaml: %v", err)
	}
	if groups == nil || len(groups.Groups) == 0 {
		t.Fatal("deploy/monitoring/rules.yaml has no rule group")
	}
	return rulesFile{groups}
}

func (r rulesFile) rules() []rulefmt.Rule {
	var out []rulefmt.Rule
	for _, g := range r.groups.Groups {
		out = append(out, g.Rules...)
	}
	return out
}

// has reports whether an alert's name ends with suffix.
func (r rulesFile) has(suffix string) bool {
	return slices.ContainsFunc(r.rules(), func(rl rulefmt.Rule) bool { return strings.HasSuffix(rl.Alert, suffix) })
}

// routeGroup is a route group an SLO alert watches, and the PromQL string
// literal of its route=~ matcher.
type routeGroup struct{ group, regex string }

var routeMatcher = regexp.MustCompile(`route=~("(?:[^"\\]|\\.)*")`)

func (r rulesFile) routeGroups(t *testing.T) []routeGroup {
	t.Helper()
	var out []routeGroup
	for _, rl := range r.rules() {
		g, ok := rl.Labels["route_group"]
		if !ok {
			continue
		}
		m := routeMatcher.FindStringSubmatch(rl.Expr)
		if m == nil {
			t.Errorf("alert %s of the route group %s has no route=~ matcher", rl.Alert, g)
			continue
		}
		rg := routeGroup{g, m[1]}
		if !slices.Contains(out, rg) {
			out = append(out, rg)
		}
	}
	return out
}

// TestAlertRules: the rules file parses as Prometheus parses it; every
// expression selects the service's job and only metrics it exports; every
// alert has a severity and a runbook_url naming a runbook of the repo, and
// every runbook under docs/runbooks/alerts/ belongs to an alert.
func TestAlertRules(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		name := serviceName(t, dir)
		exported := readExportedMetrics(t, dir)
		rules := readRules(t, dir)
		runbooks := map[string]bool{}
		for _, rl := range rules.rules() {
			if rl.Alert == "" {
				t.Errorf("a recording rule (%s) where only alerts are expected", rl.Record)
				continue
			}
			if sev := rl.Labels["severity"]; sev != "critical" && sev != "warning" {
				t.Errorf("alert %s: severity %q, want critical or warning", rl.Alert, sev)
			}
			if rl.Annotations["summary"] == "" || rl.Annotations["description"] == "" {
				t.Errorf("alert %s lacks a summary or a description", rl.Alert)
			}
			for _, vs := range selectors(t, rl.Expr) {
				if !exported.has(vs.Name) {
					t.Errorf("alert %s uses %s, which the service does not export", rl.Alert, vs.Name)
				}
				if job, op, _ := labelValue(vs, "job"); job != name || op != "=" {
					t.Errorf("alert %s: %s does not select job=%q", rl.Alert, vs.Name, name)
				}
			}
			rel := runbookPath(t, rl.Annotations["runbook_url"])
			if !strings.HasPrefix(rel, "docs/runbooks/alerts/") || path.Ext(rel) != ".md" {
				t.Errorf("alert %s: runbook_url %q is not a file under docs/runbooks/alerts/", rl.Alert, rl.Annotations["runbook_url"])
				continue
			}
			if runbooks[rel] {
				t.Errorf("alert %s shares its runbook %s with another alert", rl.Alert, rel)
			}
			runbooks[rel] = true
			body, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Errorf("alert %s: its runbook is missing: %v", rl.Alert, err)
				continue
			}
			if !strings.Contains(string(body), "# "+rl.Alert+"\n") || !strings.Contains(string(body), rl.Expr) {
				t.Errorf("%s does not name the alert %s in its title or does not quote its expression", rel, rl.Alert)
			}
		}
		// An SLO's route=~ matcher must select the route labels its
		// operations are counted under: the base path and the spec's path.
		base := basePath(t, dir)
		for _, g := range rules.routeGroups(t) {
			re := promMatcherRegexp(t, g.regex)
			if !slices.ContainsFunc(specOperations(t, dir), func(op operation) bool { return re.MatchString(base + op.path) }) {
				t.Errorf("route group %s: route=~%s matches no route label of the service (%s followed by a path of the spec)", g.group, g.regex, base)
			}
		}
		files, err := filepath.Glob(filepath.Join(dir, "docs", "runbooks", "alerts", "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if rel := "docs/runbooks/alerts/" + filepath.Base(f); !runbooks[rel] {
				t.Errorf("%s belongs to no alert", rel)
			}
		}
		if len(files) == 0 {
			t.Error("no alert runbook under docs/runbooks/alerts/")
		}
	})
}

// promMatcherRegexp compiles a PromQL string literal as the anchored RE2
// expression a =~ matcher applies.
func promMatcherRegexp(t *testing.T, literal string) *regexp.Regexp {
	t.Helper()
	raw, err := strconv.Unquote(literal)
	if err != nil {
		t.Fatalf("%s is not a string literal: %v", literal, err)
	}
	re, err := regexp.Compile("^(?:" + raw + ")$")
	if err != nil {
		t.Fatalf("%s: %v", literal, err)
	}
	return re
}

// runbookPath turns a runbook_url into the path of the file in the repo:
// the path itself, or the path under /blob/<branch>/ of a web address.
func runbookPath(t *testing.T, u string) string {
	t.Helper()
	if !strings.Contains(u, "://") {
		return u
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Errorf("runbook_url %q: %v", u, err)
		return u
	}
	parts := strings.SplitN(parsed.Path, "/blob/", 2)
	if len(parts) != 2 {
		t.Errorf("runbook_url %q is a web address without /blob/<branch>/", u)
		return u
	}
	_, rel, _ := strings.Cut(parts[1], "/")
	return rel
}
