package ops

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// dashboard holds the fields of the Grafana dashboard the tests rely on.
type dashboard struct {
	Title         string   `json:"title"`
	UID           string   `json:"uid"`
	SchemaVersion int      `json:"schemaVersion"`
	Tags          []string `json:"tags"`
	Panels        []panel  `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query string `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	GridPos struct {
		H int `json:"h"`
		W int `json:"w"`
		X int `json:"x"`
		Y int `json:"y"`
	} `json:"gridPos"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		RefID        string `json:"refId"`
		Datasource   struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// grafanaVars are the variables the dashboard's expressions may use, and
// what stands for them when the expression is parsed: Grafana replaces
// them before sending the query.
var grafanaVars = []string{"$__rate_interval", "5m", "$__interval", "1m", "$__range", "6h"}

func readDashboard(t *testing.T, dir string) dashboard {
	t.Helper()
	data := artefactstest.ReadFile(t, dir, "deploy/monitoring/dashboard.json")
	if !json.Valid(data) {
		var v any
		t.Fatalf("deploy/monitoring/dashboard.json is not JSON: %v", json.Unmarshal(data, &v))
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var d dashboard
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("deploy/monitoring/dashboard.json: %v", err)
	}
	return d
}

// allPanels flattens the rows' panels into the list.
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// TestDashboard: the Grafana dashboard is valid JSON of schema 39 or later,
// takes its data source from a variable, selects the service's job in every
// query, and queries only metrics the service exports, in PromQL that
// parses.
func TestDashboard(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		name := serviceName(t, dir)
		d := readDashboard(t, dir)
		exported := readExportedMetrics(t, dir)
		if d.SchemaVersion < 39 {
			t.Errorf("schemaVersion %d, want 39 or later", d.SchemaVersion)
		}
		if d.Title == "" || d.UID == "" || len(d.UID) > 40 {
			t.Errorf("title %q, uid %q: want both, the uid at most 40 characters", d.Title, d.UID)
		}
		vars := map[string]string{}
		for _, v := range d.Templating.List {
			vars[v.Name] = v.Type + ":" + v.Query
		}
		if vars["datasource"] != "datasource:prometheus" {
			t.Errorf("variable datasource = %q, want a data source variable of type prometheus", vars["datasource"])
		}
		if vars["job"] != "constant:"+name {
			t.Errorf("variable job = %q, want the constant %q", vars["job"], name)
		}

		ids := map[int]string{}
		used := map[string]bool{}
		for _, p := range allPanels(d.Panels) {
			if other, dup := ids[p.ID]; dup {
				t.Errorf("panels %q and %q share the id %d", other, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			if p.GridPos.W <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H <= 0 {
				t.Errorf("panel %q: gridPos %+v is outside the 24-column grid", p.Title, p.GridPos)
			}
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q does not take its data source from ${datasource}", p.Title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				if tg.Datasource.UID != "${datasource}" || tg.RefID == "" {
					t.Errorf("panel %q: a query without ${datasource} or refId: %+v", p.Title, tg)
				}
				expr := strings.NewReplacer(append(grafanaVars, "$job", name)...).Replace(tg.Expr)
				if strings.Contains(expr, "$") && !strings.Contains(expr, "${1}") {
					t.Errorf("panel %q: a Grafana variable the test does not know in %s", p.Title, tg.Expr)
				}
				for _, vs := range selectors(t, expr) {
					if vs.Name == "" {
						continue
					}
					used[vs.Name] = true
					if !exported.has(vs.Name) {
						t.Errorf("panel %q queries %s, which the service does not export", p.Title, vs.Name)
					}
					if job, op, _ := labelValue(vs, "job"); job != name || op != "=" {
						t.Errorf("panel %q: %s does not select job=%q (%s%q)", p.Title, vs.Name, name, op, job)
					}
				}
			}
		}

		// The RED panels per route, the SLOs of every route group the alerts
		// watch, the pool when the service has a database.
		exprs := panelExprs(d)
		for _, want := range []string{
			`sum by (route, status_class)`,
			`histogram_quantile(0.50, sum by (route, le) (rate(http_request_duration_seconds_bucket`,
			`histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket`,
			`histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket`,
			`http_requests_in_flight`,
		} {
			if !strings.Contains(exprs, want) {
				t.Errorf("no panel queries %s", want)
			}
		}
		if !strings.Contains(exprs, `sum by (route) (rate(http_requests_total{job="$job",status=~"5.."}`) {
			t.Error("no panel shows the 5xx ratio by route")
		}
		rules := readRules(t, dir)
		for _, g := range rules.routeGroups(t) {
			for _, kind := range []string{"availability", "requests within"} {
				if !slices.ContainsFunc(allPanels(d.Panels), func(p panel) bool {
					return strings.Contains(p.Title, kind) && strings.Contains(panelText(p), "route=~"+g.regex)
				}) {
					t.Errorf("no %s SLO panel of the route group %s (route=~%s)", kind, g.group, g.regex)
				}
			}
		}
		if got, want := used["db_pool_acquired_conns"] && used["db_pool_max_conns"] && used["db_pool_empty_acquires_total"], rules.has("DBPoolSaturated"); got != want {
			t.Errorf("database pool panels: %v, but the rules watch the pool: %v", got, want)
		}
	})
}

func panelText(p panel) string {
	var b strings.Builder
	for _, tg := range p.Targets {
		b.WriteString(tg.Expr + "\n")
	}
	return b.String()
}

func panelExprs(d dashboard) string {
	var b strings.Builder
	for _, p := range allPanels(d.Panels) {
		b.WriteString(panelText(p))
	}
	return b.String()
}
