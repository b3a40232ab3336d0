package kube

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	monv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// targets are the deploy targets the services are generated with.
var targets = []string{"kubernetes", "helm"}

const baseDir = "deploy/kubernetes/base"

// generated returns the folder and the model of petstore-expanded on db.
func generated(t *testing.T, db string) (string, *ir.Service) {
	t.Helper()
	spec := artefactstest.Petstore(t)
	return artefactstest.Generated(t, spec, db, targets, "none"), Service(t, spec, db, targets)
}

// build runs kustomize (its own library, on disk) on dir and decodes the
// result strictly.
func build(t *testing.T, dir string) []Object {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Decode("kustomize build "+filepath.Base(dir), out)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// kustomization decodes a kustomization.yaml strictly.
func kustomization(t *testing.T, dir string) types.Kustomization {
	t.Helper()
	var k types.Kustomization
	if err := UnmarshalStrict(artefactstest.ReadFile(t, dir, "kustomization.yaml"), &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	return k
}

// TestBase decodes every file of the base strictly, checks that the
// kustomization lists exactly the files that hold objects, and checks the
// objects, as files and as kustomize builds them.
func TestBase(t *testing.T) {
	t.Parallel()
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dir, svc := generated(t, db)
			base := filepath.Join(dir, baseDir)
			entries, err := os.ReadDir(base)
			if err != nil {
				t.Fatal(err)
			}
			var objs []Object
			var withObjects []string
			for _, e := range entries {
				if e.Name() == "kustomization.yaml" {
					continue
				}
				if !strings.HasSuffix(e.Name(), ".yaml") {
					t.Errorf("%s: not a YAML file", e.Name())
					continue
				}
				got, err := Decode(e.Name(), artefactstest.ReadFile(t, base, e.Name()))
				if err != nil {
					t.Error(err)
					continue
				}
				if len(got) > 0 {
					withObjects = append(withObjects, e.Name())
				}
				objs = append(objs, got...)
			}
			k := kustomization(t, base)
			listed := slices.Sorted(slices.Values(k.Resources))
			if !slices.Equal(listed, withObjects) {
				t.Errorf("kustomization.yaml lists %v; the files holding objects are %v", listed, withObjects)
			}
			want := Expect{
				Service:        svc,
				JobAnnotations: map[string]string{"argocd.argoproj.io/hook": "PreSync"},
				Monitoring:     true,
				Autoscaled:     !SQLite(svc),
			}
			Check(t, objs, want)
			built := build(t, base)
			if len(built) != len(objs) {
				t.Errorf("kustomize build has %d objects, the files %d", len(built), len(objs))
			}
			Check(t, built, want)
			checkSameRules(t, dir, objs)
		})
	}
}

// checkSameRules: the PrometheusRule holds the groups of the plain rules
// file, deploy/monitoring/rules.yaml (one source, alertRules).
func checkSameRules(t *testing.T, dir string, objs []Object) {
	t.Helper()
	var file struct {
		Groups []monv1.RuleGroup `json:"groups"`
	}
	if err := UnmarshalStrict(artefactstest.ReadFile(t, dir, "deploy/monitoring/rules.yaml"), &file); err != nil {
		t.Fatalf("rules.yaml: %v", err)
	}
	rules := All[monv1.PrometheusRule](objs)
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules", len(rules))
	}
	if len(file.Groups) == 0 || !reflect.DeepEqual(rules[0].Spec.Groups, file.Groups) {
		t.Errorf("PrometheusRule groups differ from deploy/monitoring/rules.yaml")
	}
}

// overlay is what an overlay changes.
type overlay struct {
	env, tag       string
	config         map[string]string
	replicas       int32
	hpaMin, hpaMax int32
	minAvailable   int // 0: the base's maxUnavailable
	requestsMemory string
}

var overlays = []overlay{
	{env: "dev", tag: "main", config: map[string]string{"LOG_LEVEL": "debug", "VALIDATE_RESPONSES": "log"}, replicas: 1, hpaMin: 1, hpaMax: 2, requestsMemory: "64Mi"},
	{env: "staging", tag: "v0.1.0-rc.1", config: map[string]string{"LOG_LEVEL": "info", "VALIDATE_RESPONSES": "log"}, replicas: 2, hpaMin: 2, hpaMax: 4, requestsMemory: "128Mi"},
	{env: "prod", tag: "v0.1.0", config: map[string]string{"LOG_LEVEL": "info"}, replicas: 3, hpaMin: 3, hpaMax: 10, minAvailable: 2, requestsMemory: "256Mi"},
}

// TestOverlays builds each overlay with kustomize, decodes the output
// strictly, checks it as the base, then what the overlay changes: the
// namespace, the image tag, the replicas, the resources, the settings, the
// autoscaler's bounds and prod's disruption budget.
func TestOverlays(t *testing.T) {
	t.Parallel()
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dir, svc := generated(t, db)
			for _, o := range overlays {
				t.Run(o.env, func(t *testing.T) {
					odir := filepath.Join(dir, "deploy/kubernetes/overlays", o.env)
					k := kustomization(t, odir)
					if !slices.Contains(k.Resources, "../../base") {
						t.Errorf("overlay %s does not build on the base: %v", o.env, k.Resources)
					}
					objs := build(t, odir)
					Check(t, objs, Expect{
						Service:        svc,
						Config:         o.config,
						JobAnnotations: map[string]string{"argocd.argoproj.io/hook": "PreSync"},
						Monitoring:     true,
						Autoscaled:     !SQLite(svc),
					})
					checkOverlay(t, objs, svc, o)
				})
			}
		})
	}
}

func checkOverlay(t *testing.T, objs []Object, svc *ir.Service, o overlay) {
	t.Helper()
	ns := svc.Name + "-" + o.env
	for _, obj := range objs {
		if obj.Kind == "Namespace" {
			continue
		}
		if got := obj.Value.(metav1.Object).GetNamespace(); got != ns {
			t.Errorf("%s: namespace %q, want %q", obj.Kind, got, ns)
		}
	}
	nss := All[corev1.Namespace](objs)
	if len(nss) != 1 || nss[0].Name != ns || nss[0].Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("Namespace objects %v, want %s enforcing Pod Security restricted", nss, ns)
	}
	dep := All[appsv1.Deployment](objs)[0]
	wantReplicas := o.replicas
	if SQLite(svc) {
		wantReplicas = 1
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != wantReplicas {
		t.Errorf("Deployment: replicas %v, want %d", dep.Spec.Replicas, wantReplicas)
	}
	image := svc.Deploy.Image + ":" + o.tag
	pods := []corev1.PodSpec{dep.Spec.Template.Spec}
	for _, j := range All[batchv1.Job](objs) {
		pods = append(pods, j.Spec.Template.Spec)
	}
	for _, p := range pods {
		for _, c := range slices.Concat(p.InitContainers, p.Containers) {
			if c.Image != image {
				t.Errorf("container %s: image %s, want %s", c.Name, c.Image, image)
			}
		}
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if got := c.Resources.Requests.Memory().String(); got != o.requestsMemory {
		t.Errorf("Deployment: memory request %s, want %s", got, o.requestsMemory)
	}
	if !SQLite(svc) {
		h := All[autoscalingv2.HorizontalPodAutoscaler](objs)[0]
		if *h.Spec.MinReplicas != o.hpaMin || h.Spec.MaxReplicas != o.hpaMax || o.hpaMin != wantReplicas {
			t.Errorf("HorizontalPodAutoscaler: %d..%d, want %d..%d from the replicas %d", *h.Spec.MinReplicas, h.Spec.MaxReplicas, o.hpaMin, o.hpaMax, wantReplicas)
		}
	}
	pdb := All[policyv1.PodDisruptionBudget](objs)[0]
	if o.minAvailable > 0 && !SQLite(svc) {
		if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != o.minAvailable || pdb.Spec.MaxUnavailable != nil {
			t.Errorf("PodDisruptionBudget: minAvailable %v maxUnavailable %v, want minAvailable %d", pdb.Spec.MinAvailable, pdb.Spec.MaxUnavailable, o.minAvailable)
		}
	} else if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("PodDisruptionBudget: maxUnavailable %v, want 1", pdb.Spec.MaxUnavailable)
	}
}

// TestFilesAndSecrets checks the settings a service with authentication
// and webhooks adds: secrets by reference (more than DATABASE_URL) and a
// file mounted from Secret <name>-files (redocly-museum: basic auth).
func TestFilesAndSecrets(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(artefactstest.SpecsDir(t), "redocly-museum.yaml")
	dir := artefactstest.Generated(t, spec, "postgres", targets, "none")
	svc := Service(t, spec, "postgres", targets)
	var files, secrets int
	for _, v := range svc.Env {
		if v.File {
			files++
		}
		if v.Secret {
			secrets++
		}
	}
	if files == 0 || secrets < 2 {
		t.Fatalf("redocly-museum has %d file and %d secret settings: the test needs both", files, secrets)
	}
	want := Expect{
		Service:        svc,
		JobAnnotations: map[string]string{"argocd.argoproj.io/hook": "PreSync"},
		Monitoring:     true,
		Autoscaled:     true,
	}
	Check(t, build(t, filepath.Join(dir, baseDir)), want)
	want.Config = map[string]string{"LOG_LEVEL": "info"}
	Check(t, build(t, filepath.Join(dir, "deploy/kubernetes/overlays/prod")), want)
}

// TestAbsentWithoutTarget: a service deployed otherwise has no manifests.
func TestAbsentWithoutTarget(t *testing.T) {
	t.Parallel()
	dir := artefactstest.Generated(t, artefactstest.Petstore(t), "postgres", []string{"docker"}, "none")
	for _, p := range []string{"deploy/kubernetes", "deploy/helm"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s exists without the target (err %v)", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "deploy/monitoring/rules.yaml")); err != nil {
		t.Errorf("the service itself is not there: %v", err)
	}
}

// TestDecodeIsStrict: the checks above would miss a misspelt field if
// decoding were lenient.
func TestDecodeIsStrict(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"unknown field":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndatas:\n  A: b\n",
		"wrong type":      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: two\n",
		"duplicate key":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
		"unknown kind":    "apiVersion: v1\nkind: Pod2\nmetadata:\n  name: x\n",
		"bad indent":      "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n    - name: http\n    port: 80\n",
		"field case":      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: x\n          securityContext:\n            readOnlyRootFileSystem: true\n",
		"monitoring typo": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\nspec:\n  endpoint:\n    - port: admin\n",
	} {
		if _, err := Decode(name, []byte(doc)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	objs, err := Decode("two", []byte("# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"))
	if err != nil || len(objs) != 1 {
		t.Errorf("comment document and ConfigMap: %d objects, %v", len(objs), err)
	}
	_, _, errs := CheckRules([]monv1.RuleGroup{{Name: "g", Rules: []monv1.Rule{{Alert: "A", Expr: intstr.FromString("sum(rate(x[5m]) > 1")}}}})
	if len(errs) == 0 {
		t.Error("CheckRules accepted an expression with an unbalanced parenthesis")
	}
}
