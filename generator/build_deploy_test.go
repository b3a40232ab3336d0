package generator

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

// deployService is a small service of two route groups (and an empty one)
// for the SLO and alert builders.
func deployService(basePath, repoURL string, withDB bool) *ir.Service {
	op := func(method, path string) *ir.Operation { return &ir.Operation{Method: method, Path: path} }
	svc := &ir.Service{
		Name: "swagger-petstore", Cmd: "swagger-petstore", BasePath: basePath,
		Groups: []*ir.Group{
			{Name: "Pets", Operations: []*ir.Operation{op("POST", "/pets/{id}"), op("GET", "/pets"), op("GET", "/pets/{id}"), op("DELETE", "/pets/{id}")}},
			{Name: "Store", Operations: []*ir.Operation{op("GET", "/store/inventory.json"), op("POST", "/store/order+new")}},
			{Name: "Empty"},
		},
	}
	svc.Deploy = ir.Deploy{RepoURL: repoURL, MetricsPath: "/metrics"}
	if withDB {
		svc.Resources = []*ir.Resource{{Name: "Pet"}}
	}
	return svc
}

// selectorRE matches the start of a metric's selector in PromQL.
var selectorRE = regexp.MustCompile(`[a-z_]+\{`)

// promRegexp compiles a route=~ matcher's value as Prometheus does: the
// PromQL string literal unquoted, and the RE2 expression fully anchored.
func promRegexp(t *testing.T, literal string) *regexp.Regexp {
	t.Helper()
	raw, err := strconv.Unquote(literal)
	if err != nil {
		t.Fatalf("RouteRegex %s is not a string literal: %v", literal, err)
	}
	return regexp.MustCompile("^(?:" + raw + ")$")
}

func TestBuildSLOs(t *testing.T) {
	t.Parallel()
	slos := buildSLOs(deployService("", "", false))
	if len(slos) != 2 {
		t.Fatalf("%d SLOs, want one per group with operations (2)", len(slos))
	}
	pets, store := slos[0], slos[1]
	if pets.Group != "Pets" || pets.Slug != "pets" || store.Slug != "store" {
		t.Errorf("SLOs %s/%s and %s/%s, want Pets/pets and Store/store", pets.Group, pets.Slug, store.Group, store.Slug)
	}
	if want := []string{"/pets", "/pets/{id}"}; !slices.Equal(pets.Routes, want) {
		t.Errorf("Pets routes %v, want %v (each once, sorted)", pets.Routes, want)
	}
	for _, slo := range slos {
		if slo.Availability != 0.999 || slo.Latency != 0.99 || slo.LatencyLE != "1" {
			t.Errorf("%s: objectives %v, %v within %ss, want 0.999, 0.99 within 1s", slo.Group, slo.Availability, slo.Latency, slo.LatencyLE)
		}
	}
	// The regex matches its routes exactly: regex metacharacters in a path
	// are literal, and another group's routes do not match.
	re := promRegexp(t, store.RouteRegex)
	for route, want := range map[string]bool{
		"/store/inventory.json": true, "/store/order+new": true,
		"/store/inventoryxjson": false, "/store/orderrnew": false, "/pets": false, "/store/inventory.json/x": false,
	} {
		if got := re.MatchString(route); got != want {
			t.Errorf("Store's route regex %s matches %q: %v, want %v", store.RouteRegex, route, got, want)
		}
	}
}

// TestSLORoutesAreTheRouteLabels: the routes of an SLO are the values of
// the route label of http_requests_total, which the router records as the
// base path followed by the operation's path (routePattern in
// handlers_gen.go); an SLO that names the paths without the base path
// selects no series, and its alerts can never fire.
func TestSLORoutesAreTheRouteLabels(t *testing.T) {
	t.Parallel()
	svc := deployService("/v2", "", false)
	for _, slo := range buildSLOs(svc) {
		re := promRegexp(t, slo.RouteRegex)
		for _, g := range svc.Groups {
			if g.Name != slo.Group {
				continue
			}
			for _, op := range g.Operations {
				if label := svc.BasePath + op.Path; !re.MatchString(label) {
					t.Errorf("%s: route=~%s does not match the route label %q of %s %s", slo.Group, slo.RouteRegex, label, op.Method, op.Path)
				}
			}
		}
	}
}

func TestBuildAlerts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, repoURL, urlPrefix string
		withDB                   bool
	}{
		{"no host, no database", "", "docs/runbooks/alerts/", false},
		{"github, database", "https://github.com/acme/pets", "https://github.com/acme/pets/blob/main/docs/runbooks/alerts/", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := deployService("", tc.repoURL, tc.withDB)
			svc.SLOs = buildSLOs(svc)
			alerts := buildAlerts(svc)
			var names, slugs []string
			for _, a := range alerts {
				if slices.Contains(names, a.Name) || slices.Contains(slugs, a.Slug) {
					t.Errorf("alert %s (%s) is not unique", a.Name, a.Slug)
				}
				names, slugs = append(names, a.Name), append(slugs, a.Slug)
				if !strings.HasPrefix(a.Name, "SwaggerPetstore") {
					t.Errorf("alert %s does not start with the service's Go name", a.Name)
				}
				if a.RunbookURL != tc.urlPrefix+a.Slug+".md" {
					t.Errorf("alert %s: runbook %q, want %q", a.Name, a.RunbookURL, tc.urlPrefix+a.Slug+".md")
				}
				if a.Severity != "critical" && a.Severity != "warning" {
					t.Errorf("alert %s: severity %q", a.Name, a.Severity)
				}
				if a.For == "" || a.Summary == "" || a.Meaning == "" || len(a.Check) == 0 || len(a.Mitigate) == 0 {
					t.Errorf("alert %s lacks a duration, summary, meaning, checks or mitigations", a.Name)
				}
				if len(selectorRE.FindAllString(a.Expr, -1)) != strings.Count(a.Expr, `{job="swagger-petstore"`) {
					t.Errorf("alert %s: a selector without job=\"swagger-petstore\": %s", a.Name, a.Expr)
				}
			}
			want := []string{"SwaggerPetstoreDown"}
			for _, g := range []string{"Pets", "Store"} {
				for _, kind := range []string{"Availability", "Latency"} {
					want = append(want, "SwaggerPetstore"+g+kind+"BurnFast", "SwaggerPetstore"+g+kind+"BurnSlow")
				}
			}
			want = append(want, "SwaggerPetstoreErrorRateSpike")
			if tc.withDB {
				want = append(want, "SwaggerPetstoreDBPoolSaturated")
			}
			if !slices.Equal(names, want) {
				t.Errorf("alerts\n %v\nwant\n %v", names, want)
			}
			for _, a := range alerts {
				switch {
				case strings.HasSuffix(a.Name, "BurnFast"):
					if a.SLO == nil || a.Severity != "critical" || !strings.Contains(a.Expr, "[1h]") || !strings.Contains(a.Expr, "[5m]") || !strings.Contains(a.Expr, "14.4 * ") {
						t.Errorf("alert %s is not a paging 1h/5m burn of 14.4: %s", a.Name, a.Expr)
					}
				case strings.HasSuffix(a.Name, "BurnSlow"):
					if a.SLO == nil || a.Severity != "warning" || !strings.Contains(a.Expr, "[6h]") || !strings.Contains(a.Expr, "[30m]") || !strings.Contains(a.Expr, "6 * ") {
						t.Errorf("alert %s is not a 6h/30m burn of 6: %s", a.Name, a.Expr)
					}
				default:
					if a.SLO != nil {
						t.Errorf("alert %s watches no SLO but has one", a.Name)
					}
				}
				if strings.Contains(a.Name, "Availability") && !strings.Contains(a.Expr, "* 0.001)") {
					t.Errorf("alert %s: the availability budget is not 0.001: %s", a.Name, a.Expr)
				}
				if strings.Contains(a.Name, "Latency") && !strings.Contains(a.Expr, `le="1"`) {
					t.Errorf("alert %s does not count the 1s bucket: %s", a.Name, a.Expr)
				}
			}
			if got := slugs[1]; got != "pets-availability-burn-fast" {
				t.Errorf("slug %q, want pets-availability-burn-fast", got)
			}
		})
	}
}

func TestKebab(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"PetsAvailabilityBurnFast": "pets-availability-burn-fast",
		"HTTPError":                "http-error",
		"DBPoolSaturated":          "db-pool-saturated",
		"V2Pets":                   "v2-pets",
		"Down":                     "down",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrimFloat(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{14.4: "14.4", 6: "6", 1 - 0.999: "0.001", 1 - 0.99: "0.01", 99.9: "99.9"} {
		if got := trimFloat(in); got != want {
			t.Errorf("trimFloat(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestImageOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ module, image, repo string }{
		{"github.com/Acme/Pets/v2", "ghcr.io/acme/pets", "https://github.com/Acme/Pets"},
		{"gitlab.com/acme/pets", "registry.gitlab.com/acme/pets", "https://gitlab.com/acme/pets"},
		{"example.com/swagger-petstore", "registry.example.com/swagger-petstore", ""},
	} {
		image, repo := imageOf(tc.module, "swagger-petstore")
		if image != tc.image || repo != tc.repo {
			t.Errorf("imageOf(%q) = %q, %q; want %q, %q", tc.module, image, repo, tc.image, tc.repo)
		}
	}
}
