package ops

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// allTargets are every deploy target bkgen knows, so that each runbook
// section is rendered at least once.
var allTargets = []string{"docker", "kubernetes", "helm", "serverless", "vm"}

// genCase is one generated service the ops files are checked on.
type genCase struct {
	name    string
	spec    string
	db      string
	targets []string
}

// cases are petstore-expanded with every database and every deploy target,
// and specs of other shapes: an API key and many groups (Conduit), OAuth2
// and a webhook (Train Travel), HTTP basic and a webhook (Museum), each on
// other databases and targets, and a JSON spec whose descriptions link to
// its vendor's site, deployed nowhere (Kratos).
func cases(t *testing.T) []genCase {
	t.Helper()
	var out []genCase
	for _, db := range artefactstest.Databases {
		out = append(out, genCase{"petstore-" + db, artefactstest.Petstore(t), db, allTargets})
	}
	specs := artefactstest.SpecsDir(t)
	return append(out,
		genCase{"conduit", filepath.Join(specs, "gothinkster-realworld-conduit.yaml"), "postgres", []string{"kubernetes", "vm"}},
		genCase{"train-travel", filepath.Join(specs, "bump-train-travel.yaml"), "sqlite", []string{"helm", "serverless"}},
		genCase{"museum", filepath.Join(specs, "redocly-museum.yaml"), "mysql", []string{"docker"}},
		genCase{"kratos", filepath.Join(specs, "ory-kratos.json"), "none", nil},
	)
}

// forEachCase runs check on the service of each case, in a subtest.
func forEachCase(t *testing.T, check func(t *testing.T, c genCase, dir string)) {
	t.Helper()
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			check(t, c, artefactstest.Generated(t, c.spec, c.db, c.targets, "github"))
		})
	}
}

// serviceName is the name of the generated service: its folder under cmd/.
func serviceName(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "cmd"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !entries[0].IsDir() {
		t.Fatalf("cmd/ of the generated service holds %d entries, want one folder", len(entries))
	}
	return entries[0].Name()
}

var basePathConst = regexp.MustCompile(`(?m)^const BasePath = ("[^"\n]*")$`)

// basePath is where the generated router mounts the operations, read from
// the generated code (the route label of the metrics starts with it).
func basePath(t *testing.T, dir string) string {
	t.Helper()
	src := artefactstest.ReadFile(t, dir, "internal/api/handlers_gen.go")
	m := basePathConst.FindSubmatch(src)
	if m == nil {
		t.Fatal("internal/api/handlers_gen.go declares no const BasePath")
	}
	bp, err := strconv.Unquote(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return bp
}

// exportedMetrics tells which metric names the generated service serves on
// its admin port, from the string literals of internal/platform's code, so
// that a metric renamed there fails the dashboards and rules that use the
// old name.
type exportedMetrics struct {
	literals map[string]bool
	goColl   bool // collectors.NewGoCollector is registered
	procColl bool // collectors.NewProcessCollector is registered
}

func readExportedMetrics(t *testing.T, dir string) *exportedMetrics {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "internal", "platform", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := &exportedMetrics{literals: map[string]bool{}}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m.goColl = m.goColl || strings.Contains(string(src), "collectors.NewGoCollector(")
		m.procColl = m.procColl || strings.Contains(string(src), "collectors.NewProcessCollector(")
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile(f, fset.Base(), len(src)), src, nil, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.STRING {
				if v, err := strconv.Unquote(lit); err == nil {
					m.literals[v] = true
				}
			}
		}
	}
	if !m.literals["http_requests_total"] {
		t.Fatal("internal/platform declares no http_requests_total: the metrics code moved, update this test")
	}
	return m
}

// The collectors' metrics the dashboard may use, from client_golang.
var (
	goCollectorMetrics      = []string{"go_goroutines", "go_threads", "go_memstats_alloc_bytes", "go_memstats_heap_inuse_bytes", "go_gc_duration_seconds"}
	processCollectorMetrics = []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds"}
)

// has reports whether the service exports the series name.
func (m *exportedMetrics) has(name string) bool {
	switch {
	case name == "up": // Prometheus' own, per scrape target
		return true
	case m.literals[name]:
		return true
	case strings.HasPrefix(name, "db_pool_"):
		return m.literals[strings.TrimPrefix(name, "db_pool_")] && m.literals["db_pool_"]
	case strings.HasSuffix(name, "_build_info"):
		return m.literals["build_info"] && m.literals[strings.TrimSuffix(name, "_build_info")]
	case m.goColl && slices.Contains(goCollectorMetrics, name), m.procColl && slices.Contains(processCollectorMetrics, name):
		return true
	}
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && m.literals[base] {
			return true
		}
	}
	return false
}

// promParser parses PromQL as Prometheus does by default.
var promParser = parser.NewParser(parser.Options{})

// selectors parses expr and returns its vector selectors.
func selectors(t *testing.T, expr string) []*parser.VectorSelector {
	t.Helper()
	node, err := promParser.ParseExpr(expr)
	if err != nil {
		t.Errorf("PromQL does not parse: %v\n%s", err, expr)
		return nil
	}
	var out []*parser.VectorSelector
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// labelValue is the value a selector's equality or regexp matcher wants
// for label, and its type; ok is false when it has none.
func labelValue(vs *parser.VectorSelector, label string) (value, op string, ok bool) {
	for _, m := range vs.LabelMatchers {
		if m.Name == label {
			return m.Value, m.Type.String(), true
		}
	}
	return "", "", false
}
