package kube

import (
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	monv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/bkgen/bkgen/generator/ir"
)

// Expect is what one set of manifests (a kustomize build, a chart
// rendered) must hold for a service.
type Expect struct {
	Service *ir.Service
	// Config holds the ConfigMap values that differ from the runtime
	// table's defaults (an overlay's LOG_LEVEL).
	Config map[string]string
	// JobAnnotations must be on the migration Job (its hook).
	JobAnnotations map[string]string
	// Monitoring: the ServiceMonitor and PrometheusRule must be there.
	Monitoring bool
	// Autoscaled: the HorizontalPodAutoscaler must be there (never with
	// SQLite).
	Autoscaled bool
}

// UID is the user the image runs as (distroless nonroot).
const UID = 65532

// SQLite reports whether the service keeps a SQLite database in its pod:
// one replica, a volume, migrations in an init container.
func SQLite(svc *ir.Service) bool { return svc.HasDatabase() && svc.Database == "sqlite" }

// MigrationJob reports whether the service has a migration Job.
func MigrationJob(svc *ir.Service) bool { return svc.HasDatabase() && !SQLite(svc) }

// FilesDir is where the Secret of the *_FILE settings is mounted.
func FilesDir(svc *ir.Service) string { return "/etc/" + svc.Name }

// Check asserts the properties of a service's manifests that a deployment
// relies on.
func Check(t *testing.T, objs []Object, e Expect) {
	t.Helper()
	svc := e.Service
	for _, s := range All[corev1.Secret](objs) {
		t.Errorf("Secret %s is generated: secrets are referenced, never written in the repository", s.Name)
	}
	deps := All[appsv1.Deployment](objs)
	if len(deps) != 1 {
		t.Fatalf("%d Deployments, want 1", len(deps))
	}
	dep := deps[0]
	if dep.Name != svc.Name {
		t.Errorf("Deployment %q, want %q", dep.Name, svc.Name)
	}
	cms := All[corev1.ConfigMap](objs)
	if len(cms) != 1 {
		t.Fatalf("%d ConfigMaps, want 1", len(cms))
	}
	cm := cms[0]
	checkConfigMap(t, cm, e)
	checkDeployment(t, objs, dep, cm, e)
	checkEnvNames(t, svc, dep.Spec.Template.Spec, cm.Name)
	checkService(t, objs, dep)
	checkJob(t, objs, dep, e)
	checkAutoscaling(t, objs, dep, e)
	checkNetworkPolicy(t, objs, dep, svc)
	checkMonitoring(t, objs, e)
}

func checkConfigMap(t *testing.T, cm *corev1.ConfigMap, e Expect) {
	t.Helper()
	svc := e.Service
	var want []string
	for _, v := range svc.PlainEnv() {
		want = append(want, v.Name)
		value, ok := cm.Data[v.Name]
		switch {
		case !ok:
			t.Errorf("ConfigMap: %s (a plain setting) is missing", v.Name)
		case v.File:
			if p := path.Join(FilesDir(svc), strings.ToLower(v.Name)); value != p {
				t.Errorf("ConfigMap: %s = %q, want the mounted file %q", v.Name, value, p)
			}
		case e.Config[v.Name] != "":
			if value != e.Config[v.Name] {
				t.Errorf("ConfigMap: %s = %q, want %q", v.Name, value, e.Config[v.Name])
			}
		case value != v.Default:
			t.Errorf("ConfigMap: %s = %q, want the default %q", v.Name, value, v.Default)
		}
	}
	for k := range cm.Data {
		if !slices.Contains(want, k) {
			t.Errorf("ConfigMap: %s is not a plain setting of the runtime table (a secret, or unknown)", k)
		}
	}
	if len(cm.BinaryData) > 0 {
		t.Errorf("ConfigMap: binaryData %v", cm.BinaryData)
	}
}

func checkDeployment(t *testing.T, objs []Object, dep *appsv1.Deployment, cm *corev1.ConfigMap, e Expect) {
	t.Helper()
	svc := e.Service
	d := svc.Deploy
	pod := dep.Spec.Template.Spec
	sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Errorf("Deployment: selector %v does not select its pods %v (%v)", dep.Spec.Selector, dep.Spec.Template.Labels, err)
	}
	if dep.Labels["app.kubernetes.io/name"] != svc.Name || dep.Spec.Template.Labels["app.kubernetes.io/name"] != svc.Name {
		t.Errorf("Deployment: label app.kubernetes.io/name is not %q", svc.Name)
	}
	checkPodSecurity(t, "Deployment", pod)
	if SQLite(svc) {
		if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 1 {
			t.Errorf("Deployment: SQLite with replicas %v, want 1", dep.Spec.Replicas)
		}
		if dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
			t.Errorf("Deployment: SQLite with strategy %q, want Recreate (one volume)", dep.Spec.Strategy.Type)
		}
	} else {
		ru := dep.Spec.Strategy.RollingUpdate
		if dep.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
			t.Errorf("Deployment: strategy %+v, want RollingUpdate with maxUnavailable 0", dep.Spec.Strategy)
		}
		if len(pod.TopologySpreadConstraints) == 0 {
			t.Error("Deployment: no topologySpreadConstraints")
		}
		for _, c := range pod.TopologySpreadConstraints {
			s, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
			if err != nil || !s.Matches(labels.Set(dep.Spec.Template.Labels)) {
				t.Errorf("Deployment: spread constraint on %s does not select the pods", c.TopologyKey)
			}
		}
	}
	c := container(t, pod.Containers, svc.Name)
	if c == nil {
		return
	}
	if !slices.Equal(c.Command, []string{"/usr/local/bin/" + svc.Cmd}) || !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("Deployment: runs %v %v, want /usr/local/bin/%s serve", c.Command, c.Args, svc.Cmd)
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	// The container ports are those the server listens on: PORT and
	// ADMIN_PORT of the ConfigMap, else their defaults.
	wantPorts := map[string]int32{"http": int32(d.Port), "admin": int32(d.AdminPort)}
	for name, v := range map[string]string{"http": "PORT", "admin": "ADMIN_PORT"} {
		if s := cm.Data[v]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("ConfigMap: %s %q: %v", v, s, err)
			}
			wantPorts[name] = int32(n)
		}
	}
	if !maps.Equal(ports, wantPorts) {
		t.Errorf("Deployment: ports %v, want %v (PORT and ADMIN_PORT)", ports, wantPorts)
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"readinessProbe", c.ReadinessProbe, d.ReadyPath},
		{"livenessProbe", c.LivenessProbe, d.HealthPath},
		{"startupProbe", c.StartupProbe, d.HealthPath},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("Deployment: no HTTP %s", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != intstr.FromString("admin") {
			t.Errorf("Deployment: %s on %s port %s, want %s on the admin port", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
		}
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
			t.Errorf("Deployment: no %s request", r)
		}
		if q, ok := c.Resources.Limits[r]; !ok || q.IsZero() {
			t.Errorf("Deployment: no %s limit", r)
		}
	}
	// The grace period covers the preStop pause and the drain.
	shutdown, err := time.ParseDuration(svc.EnvVar("SHUTDOWN_TIMEOUT").Default)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := cm.Data["SHUTDOWN_TIMEOUT"]; ok && v != "" {
		if shutdown, err = time.ParseDuration(v); err != nil {
			t.Fatalf("ConfigMap: SHUTDOWN_TIMEOUT %q: %v", v, err)
		}
	}
	pause := time.Duration(0)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		if c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Exec != nil {
			t.Errorf("Deployment: preStop %+v, want the kubelet's sleep (the image has no shell)", c.Lifecycle.PreStop)
		} else {
			pause = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		}
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= shutdown+pause {
		t.Errorf("Deployment: terminationGracePeriodSeconds %v, want more than SHUTDOWN_TIMEOUT %v + preStop %v", g, shutdown, pause)
	}
	// Settings: the ConfigMap, and the secrets by reference only.
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != cm.Name {
		t.Errorf("Deployment: envFrom %+v, want ConfigMap %s", c.EnvFrom, cm.Name)
	}
	for _, v := range svc.SecretEnv() {
		checkSecretRef(t, "Deployment", c.Env, v, svc.Name)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m
	}
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	if m, ok := mounts["/tmp"]; !ok || vols[m.Name].EmptyDir == nil {
		t.Error("Deployment: no emptyDir at /tmp (the root file system is read-only)")
	}
	for _, v := range svc.Env {
		if !v.File {
			continue
		}
		m, ok := mounts[FilesDir(svc)]
		if !ok {
			t.Errorf("Deployment: %s names a file, and nothing is mounted at %s", v.Name, FilesDir(svc))
			break
		}
		if s := vols[m.Name].Secret; s == nil || s.SecretName != svc.Name+"-files" || !m.ReadOnly {
			t.Errorf("Deployment: %s is mounted from %+v, want Secret %s-files, read-only", FilesDir(svc), vols[m.Name], svc.Name)
		}
	}
	if SQLite(svc) {
		checkSQLiteVolume(t, objs, pod, c, mounts, vols, cm)
	}
	checkServiceAccount(t, objs, pod)
}

// checkSQLiteVolume: DATABASE_URL, relative to the working folder, lands
// on the claimed volume, which the init container migrates.
func checkSQLiteVolume(t *testing.T, objs []Object, pod corev1.PodSpec, c *corev1.Container, mounts map[string]corev1.VolumeMount, vols map[string]corev1.Volume, cm *corev1.ConfigMap) {
	t.Helper()
	file := strings.TrimPrefix(cm.Data["DATABASE_URL"], "file:")
	if !path.IsAbs(file) {
		file = path.Join(c.WorkingDir, file)
	}
	m, ok := mounts[path.Dir(file)]
	if !ok {
		t.Fatalf("Deployment: the SQLite file %s is on no volume (mounts %v)", file, mounts)
	}
	claim := vols[m.Name].PersistentVolumeClaim
	if claim == nil {
		t.Fatalf("Deployment: the SQLite volume %+v is not a PersistentVolumeClaim", vols[m.Name])
	}
	found := false
	for _, p := range All[corev1.PersistentVolumeClaim](objs) {
		found = found || p.Name == claim.ClaimName
	}
	if !found {
		t.Errorf("Deployment: PersistentVolumeClaim %s is not among the manifests", claim.ClaimName)
	}
	if len(pod.InitContainers) != 1 {
		t.Fatalf("Deployment: %d init containers, want the migration", len(pod.InitContainers))
	}
	ic := pod.InitContainers[0]
	if !slices.Equal(ic.Args, []string{"migrate", "up"}) || ic.WorkingDir != c.WorkingDir {
		t.Errorf("init container: args %v in %s, want migrate up in %s", ic.Args, ic.WorkingDir, c.WorkingDir)
	}
	if !slices.ContainsFunc(ic.VolumeMounts, func(im corev1.VolumeMount) bool { return im.Name == m.Name && im.MountPath == m.MountPath }) {
		t.Errorf("init container: the database volume is not mounted at %s", m.MountPath)
	}
}

func checkServiceAccount(t *testing.T, objs []Object, pod corev1.PodSpec) {
	t.Helper()
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("Deployment: automountServiceAccountToken is not false")
	}
	for _, sa := range All[corev1.ServiceAccount](objs) {
		if sa.Name == pod.ServiceAccountName {
			if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
				t.Errorf("ServiceAccount %s mounts its token", sa.Name)
			}
			return
		}
	}
	t.Errorf("Deployment: service account %q is not among the manifests", pod.ServiceAccountName)
}

// checkPodSecurity: non-root 65532, RuntimeDefault seccomp, and every
// container without privilege escalation or capabilities, on a read-only
// root.
func checkPodSecurity(t *testing.T, what string, pod corev1.PodSpec) {
	t.Helper()
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != UID ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v, want runAsNonRoot, runAsUser %d, seccomp RuntimeDefault", what, sc, UID)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: the pods mount a service account token", what)
	}
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		s := c.SecurityContext
		if s == nil || s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation ||
			s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem ||
			s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, "ALL") ||
			s.RunAsNonRoot == nil || !*s.RunAsNonRoot || s.Privileged != nil && *s.Privileged {
			t.Errorf("%s: container %s securityContext %+v, want no privilege escalation, read-only root, drop ALL, non-root", what, c.Name, s)
		}
		if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" }) {
			t.Errorf("%s: container %s has no writable /tmp", what, c.Name)
		}
	}
}

// checkSecretRef: the variable comes from the service's Secret, key = its
// name, optional unless required, and never has a value.
func checkSecretRef(t *testing.T, what string, env []corev1.EnvVar, v ir.EnvVar, secret string) {
	t.Helper()
	i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == v.Name })
	if i < 0 {
		t.Errorf("%s: secret setting %s is not in env", what, v.Name)
		return
	}
	e := env[i]
	if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Errorf("%s: %s = %+v, want a secretKeyRef and no value", what, v.Name, e)
		return
	}
	ref := e.ValueFrom.SecretKeyRef
	if ref.Name != secret || ref.Key != v.Name || ref.Optional == nil || *ref.Optional == v.Required {
		t.Errorf("%s: %s from %s/%s optional %v, want %s/%s optional %v", what, v.Name, ref.Name, ref.Key, ref.Optional, secret, v.Name, !v.Required)
	}
}

// checkEnvNames: every variable a container gets is in the runtime table,
// and envFrom takes only the ConfigMap.
func checkEnvNames(t *testing.T, svc *ir.Service, pod corev1.PodSpec, configMap string) {
	t.Helper()
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		for _, e := range c.Env {
			if svc.EnvVar(e.Name) == nil {
				t.Errorf("container %s: %s is not in the runtime table", c.Name, e.Name)
			}
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !svc.EnvVar(e.Name).Secret {
				t.Errorf("container %s: %s comes from a Secret but is not a secret setting", c.Name, e.Name)
			}
		}
		for _, f := range c.EnvFrom {
			if f.ConfigMapRef == nil || f.ConfigMapRef.Name != configMap || f.SecretRef != nil || f.Prefix != "" {
				t.Errorf("container %s: envFrom %+v, want ConfigMap %s only", c.Name, f, configMap)
			}
		}
	}
}

func checkService(t *testing.T, objs []Object, dep *appsv1.Deployment) {
	t.Helper()
	svcs := All[corev1.Service](objs)
	if len(svcs) != 1 {
		t.Fatalf("%d Services, want 1", len(svcs))
	}
	s := svcs[0]
	ports := map[string]string{}
	for _, p := range s.Spec.Ports {
		ports[p.Name] = p.TargetPort.String()
	}
	if ports["http"] != "http" || ports["admin"] != "admin" || len(ports) != 2 {
		t.Errorf("Service: ports %v, want http and admin to the named container ports", ports)
	}
	if !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Errorf("Service: selector %v does not select the server's pods %v", s.Spec.Selector, dep.Spec.Template.Labels)
	}
	for _, j := range All[batchv1.Job](objs) {
		if labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(j.Spec.Template.Labels)) {
			t.Errorf("Service: selector %v selects the pods of Job %s: traffic would reach the migration", s.Spec.Selector, j.Name)
		}
	}
}

func checkJob(t *testing.T, objs []Object, dep *appsv1.Deployment, e Expect) {
	t.Helper()
	svc := e.Service
	jobs := All[batchv1.Job](objs)
	if !MigrationJob(svc) {
		if len(jobs) != 0 {
			t.Errorf("Job %s: the service has no migration Job (database %s, has database %v)", jobs[0].Name, svc.Database, svc.HasDatabase())
		}
		if !SQLite(svc) && len(dep.Spec.Template.Spec.InitContainers) != 0 {
			t.Errorf("Deployment: init containers %v without a database", dep.Spec.Template.Spec.InitContainers)
		}
		return
	}
	if len(jobs) != 1 {
		t.Fatalf("%d Jobs, want the migration", len(jobs))
	}
	j := jobs[0]
	if j.Name != svc.Name+"-migrate" {
		t.Errorf("Job %q, want %s-migrate", j.Name, svc.Name)
	}
	for k, v := range e.JobAnnotations {
		if j.Annotations[k] != v {
			t.Errorf("Job: annotation %s = %q, want %q", k, j.Annotations[k], v)
		}
	}
	pod := j.Spec.Template.Spec
	checkPodSecurity(t, "Job", pod)
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("Job: restartPolicy %q, want Never", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("Job: %d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if !slices.Equal(c.Command, []string{"/usr/local/bin/" + svc.Cmd}) || !slices.Equal(c.Args, []string{"migrate", "up"}) {
		t.Errorf("Job: runs %v %v, want /usr/local/bin/%s migrate up", c.Command, c.Args, svc.Cmd)
	}
	if c.Image != dep.Spec.Template.Spec.Containers[0].Image {
		t.Errorf("Job: image %s, the server's is %s", c.Image, dep.Spec.Template.Spec.Containers[0].Image)
	}
	checkSecretRef(t, "Job", c.Env, *svc.EnvVar("DATABASE_URL"), svc.Name)
	checkEnvNames(t, svc, pod, svc.Name)
}

func checkAutoscaling(t *testing.T, objs []Object, dep *appsv1.Deployment, e Expect) {
	t.Helper()
	hpas := All[autoscalingv2.HorizontalPodAutoscaler](objs)
	if !e.Autoscaled {
		if len(hpas) != 0 {
			t.Errorf("HorizontalPodAutoscaler %s: want none here (SQLite: one replica)", hpas[0].Name)
		}
	} else {
		if len(hpas) != 1 {
			t.Fatalf("%d HorizontalPodAutoscalers, want 1", len(hpas))
		}
		h := hpas[0]
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != dep.Name {
			t.Errorf("HorizontalPodAutoscaler: scales %+v, want Deployment %s", h.Spec.ScaleTargetRef, dep.Name)
		}
		if len(h.Spec.Metrics) == 0 || h.Spec.Metrics[0].Resource == nil || h.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
			t.Errorf("HorizontalPodAutoscaler: metrics %+v, want CPU", h.Spec.Metrics)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 || *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			t.Errorf("HorizontalPodAutoscaler: bounds %v..%d", h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
	}
	pdbs := All[policyv1.PodDisruptionBudget](objs)
	if len(pdbs) != 1 {
		t.Fatalf("%d PodDisruptionBudgets, want 1", len(pdbs))
	}
	p := pdbs[0]
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Errorf("PodDisruptionBudget: selector %v does not select the server's pods", p.Spec.Selector)
	}
	if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
		t.Errorf("PodDisruptionBudget: minAvailable %v and maxUnavailable %v: want exactly one", p.Spec.MinAvailable, p.Spec.MaxUnavailable)
	}
}

func checkNetworkPolicy(t *testing.T, objs []Object, dep *appsv1.Deployment, svc *ir.Service) {
	t.Helper()
	nps := All[networkingv1.NetworkPolicy](objs)
	if len(nps) != 1 {
		t.Fatalf("%d NetworkPolicies, want 1", len(nps))
	}
	np := nps[0]
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Errorf("NetworkPolicy: does not select the server's pods")
	}
	for _, j := range All[batchv1.Job](objs) {
		if !sel.Matches(labels.Set(j.Spec.Template.Labels)) {
			t.Errorf("NetworkPolicy: does not select the migration's pods (they need its database egress)")
		}
	}
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
		t.Errorf("NetworkPolicy: policyTypes %v", np.Spec.PolicyTypes)
	}
	ingress := map[string][]networkingv1.NetworkPolicyPeer{}
	for _, r := range np.Spec.Ingress {
		for _, p := range r.Ports {
			ingress[p.Port.String()] = r.From
		}
	}
	if _, ok := ingress["http"]; !ok {
		t.Error("NetworkPolicy: no ingress to port http")
	}
	admin := ingress["admin"]
	if len(admin) != 1 || admin[0].NamespaceSelector == nil || admin[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "monitoring" {
		t.Errorf("NetworkPolicy: admin port from %+v, want namespace monitoring", admin)
	}
	egress := map[string]bool{}
	for _, r := range np.Spec.Egress {
		for _, p := range r.Ports {
			egress[p.Port.String()+"/"+string(*p.Protocol)] = true
		}
	}
	if !egress["53/UDP"] || !egress["53/TCP"] {
		t.Errorf("NetworkPolicy: egress %v, want DNS", egress)
	}
	db := map[string]string{"postgres": "5432", "mysql": "3306"}[svc.Database]
	if got := egress[db+"/TCP"]; got != MigrationJob(svc) {
		t.Errorf("NetworkPolicy: egress to the %s port %s is %v, want %v", svc.Database, db, got, MigrationJob(svc))
	}
}

func checkMonitoring(t *testing.T, objs []Object, e Expect) {
	t.Helper()
	svc := e.Service
	sms := All[monv1.ServiceMonitor](objs)
	rules := All[monv1.PrometheusRule](objs)
	if !e.Monitoring {
		if len(sms)+len(rules) != 0 {
			t.Errorf("%d ServiceMonitors and %d PrometheusRules, want none", len(sms), len(rules))
		}
		return
	}
	if len(sms) != 1 || len(rules) != 1 {
		t.Fatalf("%d ServiceMonitors and %d PrometheusRules, want 1 each", len(sms), len(rules))
	}
	sm := sms[0]
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "admin" || sm.Spec.Endpoints[0].Path != svc.Deploy.MetricsPath {
		t.Errorf("ServiceMonitor: endpoints %+v, want port admin path %s", sm.Spec.Endpoints, svc.Deploy.MetricsPath)
	}
	// The job label: the value of the Service's label jobLabel, or the
	// Service's name.
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, s := range All[corev1.Service](objs) {
		if !sel.Matches(labels.Set(s.Labels)) {
			continue
		}
		matched++
		job := s.Name
		if sm.Spec.JobLabel != "" {
			job = s.Labels[sm.Spec.JobLabel]
		}
		if job != svc.Name {
			t.Errorf("ServiceMonitor: scrape job %q, the alerts select job=%q", job, svc.Name)
		}
	}
	if matched != 1 {
		t.Errorf("ServiceMonitor: selects %d Services, want 1", matched)
	}
	names, exprs, errs := CheckRules(rules[0].Spec.Groups)
	for _, err := range errs {
		t.Errorf("PrometheusRule: %v", err)
	}
	var wantNames, wantExprs []string
	for _, a := range svc.Alerts {
		wantNames = append(wantNames, a.Name)
		wantExprs = append(wantExprs, a.Expr)
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("PrometheusRule: alerts %v, want %v", names, wantNames)
	}
	if !slices.Equal(exprs, wantExprs) {
		t.Errorf("PrometheusRule: the expressions differ from the service's alerts")
	}
}

func container(t *testing.T, cs []corev1.Container, name string) *corev1.Container {
	t.Helper()
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	t.Errorf("no container %q", name)
	return nil
}
