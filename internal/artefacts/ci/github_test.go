package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

const workflowPath = ".github/workflows/ci.yml"

// workflow is the part of a GitHub Actions workflow the assertions read;
// actionlint checks the whole of it.
type workflow struct {
	Permissions map[string]string
	Concurrency *struct {
		Group string
	}
	Env  map[string]string
	Jobs map[string]*ghJob
}

type ghJob struct {
	Needs       stringList
	If          string
	Environment json.RawMessage
	Permissions map[string]string
	Services    map[string]struct {
		Image   string
		Env     map[string]string
		Ports   []string
		Options string
	}
	Env   map[string]string
	Steps []ghStep
}

type ghStep struct {
	Name             string
	If               string
	Uses             string
	Run              string
	WorkingDirectory string `json:"working-directory"`
	With             map[string]any
	Env              map[string]string
}

// stringList is a YAML value that is one string or a list of them (needs:).
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = many
	return nil
}

// environment is the job's environment name (environment: NAME or
// environment: {name: NAME}).
func (j *ghJob) environment() string {
	if len(j.Environment) == 0 {
		return ""
	}
	var name string
	if json.Unmarshal(j.Environment, &name) == nil {
		return name
	}
	var obj struct{ Name string }
	_ = json.Unmarshal(j.Environment, &obj)
	return obj.Name
}

// script is every run: of the job, in order.
func (j *ghJob) script() string {
	var b strings.Builder
	for _, s := range j.Steps {
		b.WriteString(s.Run)
		b.WriteString("\n")
	}
	return b.String()
}

// uses returns the steps of the job using action (owner/name, any version).
func (j *ghJob) uses(action string) []ghStep {
	var out []ghStep
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, action+"@") {
			out = append(out, s)
		}
	}
	return out
}

// runIndex is the index of the first step whose run: contains text, or -1.
func (j *ghJob) runIndex(text string) int {
	return slices.IndexFunc(j.Steps, func(s ghStep) bool { return strings.Contains(s.Run, text) })
}

var (
	secretRef   = regexp.MustCompile(`^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$`)
	mainOnly    = regexp.MustCompile(`github\.ref == 'refs/heads/main'`)
	taskCall    = regexp.MustCompile(`(?m)(?:^|[;&|][ \t]*)task((?:[ \t]+[a-z][a-z0-9:-]*)+)`)
	healthCheck = regexp.MustCompile(`--health-cmd\s+"[^"]+"`)
)

// TestGitHubWorkflow lints every generated workflow with actionlint (and
// shellcheck on its scripts), then checks what it must do for its service.
func TestGitHubWorkflow(t *testing.T) {
	t.Parallel()
	svcs := services(t, "github", true)
	files := make([]string, len(svcs))
	for i, s := range svcs {
		files[i] = filepath.Join(s.dir, workflowPath)
	}
	byFile := map[string][]finding{}
	for _, f := range runActionlint(t, files...) {
		if !slices.Contains(files, f.Filepath) {
			t.Errorf("actionlint, on a file it was not given: %s", f)
		}
		byFile[f.Filepath] = append(byFile[f.Filepath], f)
	}
	for i, s := range svcs {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range byFile[files[i]] {
				t.Errorf("actionlint: %s", f)
			}
			checkWorkflow(t, s)
		})
	}
}

func readWorkflow(t *testing.T, dir string) (*workflow, any, string) {
	t.Helper()
	raw := artefactstest.ReadFile(t, dir, workflowPath)
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatalf("%s: %v", workflowPath, err)
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", workflowPath, err)
	}
	return &w, doc, string(raw)
}

func checkWorkflow(t *testing.T, s service) {
	t.Helper()
	w, doc, raw := readWorkflow(t, s.dir)
	if len(w.Permissions) != 1 || w.Permissions["contents"] != "read" {
		t.Errorf("top-level permissions: %v, want contents: read alone", w.Permissions)
	}
	if w.Concurrency == nil || w.Concurrency.Group == "" {
		t.Error("no concurrency group")
	}
	for _, name := range []string{"lint", "test", "security"} {
		if w.Jobs[name] == nil {
			t.Fatalf("no %s job", name)
		}
	}
	checkSteps(t, s, w)
	checkTestJob(t, s, w.Jobs["test"])
	sec := w.Jobs["security"].script()
	for _, want := range []string{"go run github.com/securego/gosec/v2/cmd/gosec@v2.30.0 ./...", "golang.org/x/vuln/cmd/govulncheck@"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the security job does not run %s", want)
		}
	}
	checkImageJob(t, s, w)
	checkDeployJobs(t, s, w, raw)
	checkNoInlineSecrets(t, doc, secretRef)
}

// checkSteps: Go comes from go.mod everywhere, golangci-lint is the pinned
// v2, task is installed before it runs, and every task it runs exists in
// the generated Taskfile.
func checkSteps(t *testing.T, s service, w *workflow) {
	t.Helper()
	tasks := taskfileTasks(t, s.dir)
	lint := false
	for name, j := range w.Jobs {
		for _, st := range j.uses("actions/setup-go") {
			if st.With["go-version-file"] != "go.mod" || st.With["go-version"] != nil {
				t.Errorf("job %s: setup-go with %v, want go-version-file: go.mod", name, st.With)
			}
		}
		for _, st := range j.uses("golangci/golangci-lint-action") {
			lint = true
			if st.With["version"] != "v2.15.0" {
				t.Errorf("job %s: golangci-lint version %v, want v2.15.0", name, st.With["version"])
			}
		}
		install := j.runIndex("go install github.com/go-task/task/v3/cmd/task@v3.54.0")
		for i, st := range j.Steps {
			for _, m := range taskCall.FindAllStringSubmatch(st.Run, -1) {
				if install < 0 || install > i {
					t.Errorf("job %s runs task before installing it", name)
				}
				for task := range strings.FieldsSeq(m[1]) {
					if !slices.Contains(tasks, task) {
						t.Errorf("job %s runs task %s, which Taskfile.yml lacks (it has %v)", name, task, tasks)
					}
				}
			}
		}
	}
	if !lint {
		t.Error("no golangci-lint step")
	}
	script := w.Jobs["lint"].script()
	for _, task := range []string{"fmt:check", "vet", "build"} {
		if !regexp.MustCompile(`task\b.*\s` + task + `(\s|$)`).MatchString(script) {
			t.Errorf("the lint job does not run task %s", task)
		}
	}
}

// taskfileTasks lists the tasks of the generated Taskfile.yml.
func taskfileTasks(t *testing.T, dir string) []string {
	t.Helper()
	var tf struct {
		Tasks map[string]any
	}
	if err := yaml.Unmarshal(artefactstest.ReadFile(t, dir, "Taskfile.yml"), &tf); err != nil {
		t.Fatalf("Taskfile.yml: %v", err)
	}
	var out []string
	for k := range tf.Tasks {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkTestJob: the database server is the engine's, DATABASE_URL points
// at it without a password, and the coverage gate is bkgen.yaml's.
func checkTestJob(t *testing.T, s service, j *ghJob) {
	t.Helper()
	var images []string
	for _, svc := range j.Services {
		images = append(images, svc.Image)
		if !healthCheck.MatchString(svc.Options) {
			t.Errorf("service %s has no --health-cmd: the tests may start before it answers", svc.Image)
		}
	}
	url := j.Env["DATABASE_URL"]
	switch s.db {
	case "postgres":
		if !slices.Equal(images, []string{"postgres:17"}) {
			t.Errorf("test services %v, want postgres:17", images)
		}
		if !strings.HasPrefix(url, "postgres://") || !strings.Contains(url, "@localhost:5432/") {
			t.Errorf("DATABASE_URL %q does not point at the postgres service", url)
		}
		if ports := j.Services["postgres"].Ports; !slices.Contains(ports, "5432:5432") {
			t.Errorf("postgres service ports %v, want 5432:5432", ports)
		}
	case "mysql":
		if !slices.Equal(images, []string{"mariadb:11"}) {
			t.Errorf("test services %v, want mariadb:11", images)
		}
		if !strings.HasPrefix(url, "mysql://") || !strings.Contains(url, "@127.0.0.1:3306/") {
			t.Errorf("DATABASE_URL %q does not point at the mariadb service", url)
		}
		if ports := j.Services["mariadb"].Ports; !slices.Contains(ports, "3306:3306") {
			t.Errorf("mariadb service ports %v, want 3306:3306", ports)
		}
	default:
		if len(images) != 0 || url != "" {
			t.Errorf("database %s: services %v and DATABASE_URL %q, want none", s.db, images, url)
		}
	}
	if got, want := j.Env["COVERAGE_TARGET"], fmt.Sprint(s.coverage); got != want {
		t.Errorf("COVERAGE_TARGET %q, want bkgen.yaml's coverage %s", got, want)
	}
	if j.runIndex(`task coverage COVERAGE_TARGET="$COVERAGE_TARGET"`) < 0 {
		t.Error("the test job does not run task coverage with COVERAGE_TARGET")
	}
	for _, task := range []string{"test:unit", "test:integration", "test:contract"} {
		if j.runIndex(task) < 0 {
			t.Errorf("the test job does not run task %s", task)
		}
	}
}

// checkImageJob: a container deploy builds the image on every run, pushes
// it from main tagged with the commit and latest, and logs in to ghcr.io
// with GITHUB_TOKEN (and packages: write) when the image lives there.
func checkImageJob(t *testing.T, s service, w *workflow) {
	t.Helper()
	j := w.Jobs["image"]
	if !s.buildsImage() {
		if j != nil {
			t.Error("an image job without a container deploy target")
		}
		return
	}
	if j == nil {
		t.Fatal("no image job")
	}
	if !exists(s.dir, "Dockerfile") {
		t.Error("the image job builds a Dockerfile the service does not have")
	}
	if w.Env["IMAGE"] != s.image {
		t.Errorf("IMAGE %q, want %q", w.Env["IMAGE"], s.image)
	}
	if len(j.uses("docker/setup-buildx-action")) != 1 {
		t.Error("no docker/setup-buildx-action step")
	}
	build := j.uses("docker/build-push-action")
	if len(build) != 1 {
		t.Fatal("no docker/build-push-action step")
	}
	tags, _ := build[0].With["tags"].(string)
	if got, want := strings.Fields(tags), []string{"${{", "env.IMAGE", "}}:${{", "github.sha", "}}", "${{", "env.IMAGE", "}}:latest"}; !slices.Equal(got, want) {
		t.Errorf("image tags %q, want the commit's SHA and latest", tags)
	}
	if push, _ := build[0].With["push"].(string); !mainOnly.MatchString(push) {
		t.Errorf("push: %q, want pushes from main only", push)
	}
	login := j.uses("docker/login-action")
	if len(login) != 1 || !mainOnly.MatchString(login[0].If) {
		t.Fatal("want one docker/login-action step, run on main only")
	}
	registry, _, _ := strings.Cut(s.image, "/")
	if login[0].With["registry"] != registry {
		t.Errorf("login to %v, want %s", login[0].With["registry"], registry)
	}
	if registry == "ghcr.io" {
		if p := login[0].With["password"]; p != "${{ secrets.GITHUB_TOKEN }}" {
			t.Errorf("ghcr.io password %v, want GITHUB_TOKEN", p)
		}
		if j.Permissions["packages"] != "write" {
			t.Errorf("image job permissions %v, want packages: write", j.Permissions)
		}
	}
}

// checkDeployJobs: exactly the chosen targets deploy, staging from main,
// production after staging and behind the environment "production" (whose
// required reviewers approve); each runs its target's tool on files the
// service has, and only the image and cloud deploys widen permissions.
func checkDeployJobs(t *testing.T, s service, w *workflow, raw string) {
	t.Helper()
	var got []string
	for name, j := range w.Jobs {
		if j.environment() != "" {
			got = append(got, name)
		}
		for perm, level := range j.Permissions {
			ok := level == "read" && perm == "contents" ||
				perm == "packages" && level == "write" && name == "image" ||
				perm == "id-token" && level == "write" && strings.HasPrefix(name, "deploy-serverless-")
			if !ok {
				t.Errorf("job %s widens permissions: %s: %s", name, perm, level)
			}
		}
	}
	slices.Sort(got)
	if want := s.deployJobs(); !slices.Equal(got, want) {
		t.Fatalf("deploy jobs %v, want %v", got, want)
	}
	if len(got) > 0 && !strings.Contains(raw, "required reviewers") {
		t.Error("the workflow does not say that production's approval is the environment's required reviewers")
	}
	for _, target := range deployTargets {
		if !s.deploys(target) {
			continue
		}
		staging, prod := w.Jobs["deploy-"+target+"-staging"], w.Jobs["deploy-"+target+"-production"]
		if env := staging.environment(); env != "staging" {
			t.Errorf("deploy-%s-staging: environment %q", target, env)
		}
		if !mainOnly.MatchString(staging.If) {
			t.Errorf("deploy-%s-staging: if: %q, want main only", target, staging.If)
		}
		if env := prod.environment(); env != "production" {
			t.Errorf("deploy-%s-production: environment %q, want production (its reviewers approve)", target, env)
		}
		if !slices.Contains(prod.Needs, "deploy-"+target+"-staging") {
			t.Errorf("deploy-%s-production needs %v, not the staging deploy", target, prod.Needs)
		}
		for _, j := range []*ghJob{staging, prod} {
			checkDeploySteps(t, s, target, j)
		}
	}
}

func checkDeploySteps(t *testing.T, s service, target string, j *ghJob) {
	t.Helper()
	script := j.script()
	need := func(text string) {
		if !strings.Contains(script, text) {
			t.Errorf("deploy-%s (%s) does not run %q", target, j.environment(), text)
		}
	}
	file := func(rel string) {
		if !exists(s.dir, rel) {
			t.Errorf("deploy-%s uses %s, which the service does not have", target, rel)
		}
	}
	switch target {
	case "kubernetes":
		overlay := j.Env["OVERLAY"]
		if want := map[string]string{"staging": "staging", "production": "prod"}[j.environment()]; overlay != want {
			t.Errorf("deploy-kubernetes (%s): overlay %q, want %q", j.environment(), overlay, want)
		}
		file("deploy/kubernetes/overlays/" + overlay + "/kustomization.yaml")
		need(`kubectl apply -k "deploy/kubernetes/overlays/$OVERLAY"`)
		apply := j.runIndex("kubectl apply -k")
		if s.db == "postgres" || s.db == "mysql" {
			if m := j.runIndex("kubectl wait --for=condition=complete job/swagger-petstore-migrate"); m < 0 || m > apply {
				t.Error("deploy-kubernetes does not wait for the migration Job before applying the overlay")
			}
		}
		checkKubeconfig(t, j)
	case "helm":
		need("helm upgrade --install swagger-petstore deploy/helm/swagger-petstore")
		need(`--set image.tag="$GITHUB_SHA"`)
		file("deploy/helm/swagger-petstore/Chart.yaml")
		checkKubeconfig(t, j)
	case "serverless":
		build, deploy := j.runIndex("sam build"), j.runIndex("sam deploy")
		if build < 0 || deploy < build {
			t.Fatal("deploy-serverless does not run sam build, then sam deploy")
		}
		for _, i := range []int{build, deploy} {
			if dir := j.Steps[i].WorkingDirectory; dir != "deploy/serverless" {
				t.Errorf("deploy-serverless runs %q in %q, want deploy/serverless (template.yaml and samconfig.toml)", j.Steps[i].Run, dir)
			}
		}
		file("deploy/serverless/template.yaml")
		if s.db == "postgres" || s.db == "mysql" {
			m := j.runIndex("migrate up")
			if m < 0 || m > deploy || j.Steps[m].Env["DATABASE_URL"] != "${{ secrets.DATABASE_URL }}" {
				t.Error("deploy-serverless does not migrate (DATABASE_URL from the environment's secret) before sam deploy")
			}
		}
		if j.Permissions["id-token"] != "write" {
			t.Error("deploy-serverless: no id-token: write for AWS's OIDC")
		}
		if len(j.uses("aws-actions/configure-aws-credentials")) != 1 {
			t.Error("deploy-serverless: no aws-actions/configure-aws-credentials step")
		}
	case "vm":
		need("install.sh")
		need("scp ")
		file("deploy/vm/install.sh")
		if !slices.Contains(j.Needs, "binary") && !slices.Contains(j.Needs, "deploy-vm-staging") {
			t.Errorf("deploy-vm needs %v, not the binary", j.Needs)
		}
	}
}

// checkKubeconfig: the cluster's credentials come from the environment's
// secret KUBECONFIG.
func checkKubeconfig(t *testing.T, j *ghJob) {
	t.Helper()
	for _, st := range j.Steps {
		if ref, ok := st.Env["KUBECONFIG_DATA"]; ok {
			if ref != "${{ secrets.KUBECONFIG }}" {
				t.Errorf("kubeconfig from %q, want the secret KUBECONFIG", ref)
			}
			return
		}
	}
	t.Error("no step writes the kubeconfig from the secret KUBECONFIG")
}

// TestActionlintCatchesProblems: the linter this package trusts finds a
// needs: to a missing job, a bad expression and (through shellcheck) a
// script bug, so a clean result means something.
func TestActionlintCatchesProblems(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "bad.yml")
	const bad = `name: bad
on: push
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    needs: [missing]
    steps:
      - run: echo ${{ github.shaa }}
      - run: cd $UNQUOTED_DIR; ls
`
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range runActionlint(t, file) {
		kinds[f.Kind] = true
	}
	for _, k := range []string{"job-needs", "expression", "shellcheck"} {
		if !kinds[k] {
			t.Errorf("actionlint did not report a %s problem (got %v)", k, kinds)
		}
	}
}
