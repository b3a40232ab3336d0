// Package helm checks the Helm chart bkgen generates with Helm's own
// libraries: lint (strict), rendering, its values schema, and the rendered
// manifests decoded strictly and checked as kube checks kustomize's.
package helm

import (
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	monv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
	"github.com/bkgen/bkgen/internal/artefacts/kube"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

var targets = []string{"kubernetes", "helm"}

// chartOf returns the chart's folder in petstore-expanded generated on db,
// and the service's model.
func chartOf(t *testing.T, db string) (string, *ir.Service) {
	t.Helper()
	spec := artefactstest.Petstore(t)
	dir := artefactstest.Generated(t, spec, db, targets, "none")
	svc := kube.Service(t, spec, db, targets)
	return filepath.Join(dir, "deploy/helm", svc.Name), svc
}

func load(t *testing.T, dir string) *chart.Chart {
	t.Helper()
	c, err := loader.Load(dir)
	if err != nil {
		t.Fatalf("load chart %s: %v", dir, err)
	}
	return c
}

// render is `helm template <service> <chart> -n <service>`: the chart's
// values with overrides, checked against values.schema.json, rendered
// strictly (a missing value is an error).
func render(c *chart.Chart, name string, overrides map[string]any) (map[string]string, error) {
	vals, err := chartutil.ToRenderValues(c, overrides, chartutil.ReleaseOptions{
		Name: name, Namespace: name, Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	return engine.Engine{Strict: true}.Render(c, vals)
}

// manifests decodes every rendered template (hooks included) strictly.
func manifests(t *testing.T, out map[string]string) []kube.Object {
	t.Helper()
	var objs []kube.Object
	for _, name := range slices.Sorted(maps.Keys(out)) {
		if path.Base(name) == "NOTES.txt" || strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		got, err := kube.Decode(name, []byte(out[name]))
		if err != nil {
			t.Error(err)
			continue
		}
		objs = append(objs, got...)
	}
	return objs
}

// lintChart is helm lint: its rules (Chart.yaml, values and their schema,
// every template rendered and parsed); --strict fails on a warning.
func lintChart(dir, namespace string, values map[string]any) []support.Message {
	if values == nil {
		values = map[string]any{}
	}
	return lint.AllWithKubeVersionAndSchemaValidation(dir, values, namespace, nil, false).Messages
}

var hook = map[string]string{
	"helm.sh/hook":               "pre-install,pre-upgrade",
	"helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
}

// TestLint runs helm lint --strict: no error, no warning.
func TestLint(t *testing.T) {
	t.Parallel()
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dir, svc := chartOf(t, db)
			for _, m := range lintChart(dir, svc.Name, nil) {
				if m.Severity >= support.WarningSev {
					t.Errorf("helm lint --strict: %s", m)
				} else {
					t.Logf("helm lint: %s", m)
				}
			}
		})
	}
}

// TestTemplate renders the chart with its defaults and checks the
// manifests as the kustomize base's; the migration Job is a pre-install and
// pre-upgrade hook, and the alerts are the plain rules file's.
func TestTemplate(t *testing.T) {
	t.Parallel()
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dir, svc := chartOf(t, db)
			out, err := render(load(t, dir), svc.Name, nil)
			if err != nil {
				t.Fatalf("helm template: %v", err)
			}
			objs := manifests(t, out)
			kube.Check(t, objs, kube.Expect{
				Service:        svc,
				JobAnnotations: hook,
				Monitoring:     true,
				Autoscaled:     !kube.SQLite(svc),
			})
			rules := kube.All[monv1.PrometheusRule](objs)
			var file struct {
				Groups []monv1.RuleGroup `json:"groups"`
			}
			if err := kube.UnmarshalStrict(artefactstest.ReadFile(t, filepath.Dir(filepath.Dir(filepath.Dir(dir))), "deploy/monitoring/rules.yaml"), &file); err != nil {
				t.Fatal(err)
			}
			if len(rules) != 1 || len(file.Groups) == 0 || !slices.EqualFunc(rules[0].Spec.Groups, file.Groups, func(a, b monv1.RuleGroup) bool {
				ya, _ := yaml.Marshal(a)
				yb, _ := yaml.Marshal(b)
				return string(ya) == string(yb)
			}) {
				t.Error("the PrometheusRule's groups differ from deploy/monitoring/rules.yaml")
			}
			notes := out[svc.Name+"/templates/NOTES.txt"]
			if !strings.Contains(notes, "rollout status deployment/"+svc.Name) {
				t.Errorf("NOTES.txt: %q", notes)
			}
			for _, v := range svc.SecretEnv() {
				if !strings.Contains(notes, v.Name) {
					t.Errorf("NOTES.txt does not name the secret setting %s", v.Name)
				}
			}
		})
	}
}

// TestValues renders the chart with values a user changes: the replicas
// without the autoscaler, the image tag, a minimum available, monitoring
// off.
func TestValues(t *testing.T) {
	t.Parallel()
	dir, svc := chartOf(t, "postgres")
	out, err := render(load(t, dir), svc.Name, map[string]any{
		"replicaCount":        3,
		"autoscaling":         map[string]any{"enabled": false},
		"image":               map[string]any{"tag": "0123abc"},
		"podDisruptionBudget": map[string]any{"minAvailable": "50%"},
		"metrics": map[string]any{
			"serviceMonitor": map[string]any{"enabled": false},
			"prometheusRule": map[string]any{"enabled": false},
		},
		"config": map[string]any{"LOG_LEVEL": "debug", "PORT": 8081},
	})
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	objs := manifests(t, out)
	kube.Check(t, objs, kube.Expect{
		Service:        svc,
		Config:         map[string]string{"LOG_LEVEL": "debug", "PORT": "8081"},
		JobAnnotations: hook,
	})
	dep := kube.All[appsv1.Deployment](objs)[0]
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 3 {
		t.Errorf("replicas %v, want 3", dep.Spec.Replicas)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != svc.Deploy.Image+":0123abc" || c.Ports[0].ContainerPort != 8081 {
		t.Errorf("image %s port %d, want tag 0123abc and PORT 8081", c.Image, c.Ports[0].ContainerPort)
	}
	pdb := kube.All[policyv1.PodDisruptionBudget](objs)[0]
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.String() != "50%" {
		t.Errorf("minAvailable %v, want 50%%", pdb.Spec.MinAvailable)
	}
}

// TestSchemaRejects: values.schema.json refuses a wrong type, an unknown
// setting, and more than one SQLite replica, at render and at lint.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		db, want string
		values   map[string]any
	}{
		{"postgres", "replicaCount", map[string]any{"replicaCount": "two"}},
		{"postgres", "LOG_LEVLE", map[string]any{"config": map[string]any{"LOG_LEVLE": "debug"}}},
		{"postgres", "enabled", map[string]any{"migration": map[string]any{"enabled": "yes"}}},
		{"none", "autoscaling", map[string]any{"autoscaling": map[string]any{"minReplicas": 1.5}}},
		{"sqlite", "replicaCount", map[string]any{"replicaCount": 2}},
	} {
		t.Run(tc.db+"/"+tc.want, func(t *testing.T) {
			t.Parallel()
			dir, svc := chartOf(t, tc.db)
			_, err := render(load(t, dir), svc.Name, tc.values)
			if err == nil || !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("helm template with %v: err = %v, want the schema naming %s", tc.values, err, tc.want)
			}
			if !slices.ContainsFunc(lintChart(dir, svc.Name, tc.values), func(m support.Message) bool {
				return m.Severity == support.ErrorSev && strings.Contains(m.Err.Error(), tc.want)
			}) {
				t.Errorf("helm lint with %v: no error naming %s", tc.values, tc.want)
			}
		})
	}
}

// TestRulesAreNotTemplated: the chart ships the rules as a file Helm does
// not template, so an expression or annotation holding "{{" stays as it is.
func TestRulesAreNotTemplated(t *testing.T) {
	t.Parallel()
	dir, svc := chartOf(t, "postgres")
	c := load(t, dir)
	const literal = `{{ $labels.instance }} {{ .Values.nope }}`
	found := false
	for _, f := range c.Files {
		if f.Name == "files/alert-rules.yaml" {
			f.Data = []byte(strings.Replace(string(f.Data), `summary: "`, `summary: "`+literal+` `, 1))
			found = true
		}
	}
	if !found {
		t.Fatal("the chart has no files/alert-rules.yaml")
	}
	out, err := render(c, svc.Name, nil)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	rules := kube.All[monv1.PrometheusRule](manifests(t, out))
	if len(rules) != 1 || !strings.HasPrefix(rules[0].Spec.Groups[0].Rules[0].Annotations["summary"], literal) {
		t.Errorf("the rule's summary lost its braces: %+v", rules)
	}
}

// TestFilesAndSecrets renders the chart of a service with authentication
// and webhooks (redocly-museum: basic auth's users file, two secrets):
// lint clean, secrets by reference, the file mounted from <name>-files.
func TestFilesAndSecrets(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(artefactstest.SpecsDir(t), "redocly-museum.yaml")
	svc := kube.Service(t, spec, "postgres", targets)
	dir := filepath.Join(artefactstest.Generated(t, spec, "postgres", targets, "none"), "deploy/helm", svc.Name)
	if !slices.ContainsFunc(svc.Env, func(v ir.EnvVar) bool { return v.File }) || len(svc.SecretEnv()) < 2 {
		t.Fatalf("redocly-museum's settings %v: the test needs a file and two secrets", svc.Env)
	}
	for _, m := range lintChart(dir, svc.Name, nil) {
		if m.Severity >= support.WarningSev {
			t.Errorf("helm lint --strict: %s", m)
		}
	}
	out, err := render(load(t, dir), svc.Name, nil)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	kube.Check(t, manifests(t, out), kube.Expect{Service: svc, JobAnnotations: hook, Monitoring: true, Autoscaled: true})
}
