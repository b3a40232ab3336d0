package ci

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

const gitlabPath = ".gitlab-ci.yml"

// gitlabKeywords are the top-level keys of .gitlab-ci.yml that are not jobs.
var gitlabKeywords = []string{"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec"}

var (
	gitlabRef    = regexp.MustCompile(`^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$`)
	defaultOnly  = regexp.MustCompile(`^\$CI_COMMIT_BRANCH == \$CI_DEFAULT_BRANCH$`)
	coverageLine = "total:\t\t\t\t\t(statements)\t\t\t86.4%"
)

// compileGitLabSchema compiles GitLab CI's schema once per test.
func compileGitLabSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := gitlabSchema(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://gitlab.com/.gitlab-ci.yml"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return sch
}

// validateGitLab checks the YAML document raw against GitLab CI's schema.
func validateGitLab(sch *jsonschema.Schema, raw []byte) error {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return fmt.Errorf("YAML: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		if ve, ok := errors.AsType[*jsonschema.ValidationError](err); ok {
			return fmt.Errorf("%v", ve.DetailedOutput())
		}
		return err
	}
	return nil
}

// TestGitLabCI validates every generated .gitlab-ci.yml against GitLab's
// schema, then checks what the schema cannot: jobs, stages and needs agree,
// production is manual, and the pipeline fits the service.
func TestGitLabCI(t *testing.T) {
	t.Parallel()
	sch := compileGitLabSchema(t)
	for _, s := range services(t, "gitlab", false) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			raw := artefactstest.ReadFile(t, s.dir, gitlabPath)
			if err := validateGitLab(sch, raw); err != nil {
				t.Errorf("%s does not match GitLab CI's schema: %v", gitlabPath, err)
			}
			checkGitLab(t, s, raw)
		})
	}
}

// pipeline is a .gitlab-ci.yml with every job's extends: resolved.
type pipeline struct {
	stages []string
	vars   map[string]any
	jobs   map[string]map[string]any
	// hidden are the templates (names starting with a dot).
	hidden map[string]map[string]any
}

func parsePipeline(t *testing.T, raw []byte) *pipeline {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", gitlabPath, err)
	}
	p := &pipeline{jobs: map[string]map[string]any{}, hidden: map[string]map[string]any{}}
	for _, s := range list(doc["stages"]) {
		p.stages = append(p.stages, fmt.Sprint(s))
	}
	p.vars, _ = doc["variables"].(map[string]any)
	for k, v := range doc {
		if slices.Contains(gitlabKeywords, k) {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %s is not a job", gitlabPath, k)
			continue
		}
		if strings.HasPrefix(k, ".") {
			p.hidden[k] = m
		} else {
			p.jobs[k] = m
		}
	}
	for name, j := range p.jobs {
		p.jobs[name] = p.resolve(t, name, j, 0)
	}
	return p
}

// resolve merges the templates job extends into it, as GitLab does: maps
// deeply, everything else replaced, later templates and the job winning.
func (p *pipeline) resolve(t *testing.T, name string, job map[string]any, depth int) map[string]any {
	t.Helper()
	if depth > 10 {
		t.Fatalf("job %s: extends nests too deep", name)
	}
	out := map[string]any{}
	for _, e := range list(job["extends"]) {
		parent, ok := p.hidden[fmt.Sprint(e)]
		if !ok {
			if parent, ok = p.jobs[fmt.Sprint(e)]; !ok {
				t.Errorf("job %s extends %v, which does not exist", name, e)
				continue
			}
		}
		out = merge(out, p.resolve(t, fmt.Sprint(e), parent, depth+1))
	}
	out = merge(out, job)
	delete(out, "extends")
	return out
}

func merge(dst, src map[string]any) map[string]any {
	out := maps.Clone(dst)
	for k, v := range src {
		a, aok := out[k].(map[string]any)
		b, bok := v.(map[string]any)
		if aok && bok {
			out[k] = merge(a, b)
		} else {
			out[k] = v
		}
	}
	return out
}

// list reads a value that is one item or a list of them.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// script is the job's before_script and script, one command a line.
func script(job map[string]any) string {
	var b strings.Builder
	for _, k := range []string{"before_script", "script"} {
		for _, l := range list(job[k]) {
			b.WriteString(str(l))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// needs lists the jobs job needs.
func needs(job map[string]any) []string {
	var out []string
	for _, n := range list(job["needs"]) {
		if m, ok := n.(map[string]any); ok {
			out = append(out, str(m["job"]))
		} else {
			out = append(out, str(n))
		}
	}
	return out
}

// ruleIfs lists the conditions under which job runs (rules that are not
// when: never); nil when it has no rules (it always runs).
func ruleIfs(job map[string]any) []string {
	var out []string
	for _, r := range list(job["rules"]) {
		m, _ := r.(map[string]any)
		if str(m["when"]) != "never" {
			out = append(out, str(m["if"]))
		}
	}
	return out
}

func environment(job map[string]any) string {
	if s, ok := job["environment"].(string); ok {
		return s
	}
	return str(get(job, "environment", "name"))
}

func checkGitLab(t *testing.T, s service, raw []byte) {
	t.Helper()
	p := parsePipeline(t, raw)
	if want := []string{"lint", "test", "security", "build", "deploy"}; !slices.Equal(p.stages, want) {
		t.Errorf("stages %v, want %v", p.stages, want)
	}
	checkSemantics(t, p)
	tasks := taskfileTasks(t, s.dir)
	for name, job := range p.jobs {
		sc := script(job)
		for _, m := range taskCall.FindAllStringSubmatch(sc, -1) {
			if !strings.Contains(script(job), "go install github.com/go-task/task/v3/cmd/task@v3.54.0") {
				t.Errorf("job %s runs task without installing it", name)
			}
			for task := range strings.FieldsSeq(m[1]) {
				if !slices.Contains(tasks, task) {
					t.Errorf("job %s runs task %s, which Taskfile.yml lacks (it has %v)", name, task, tasks)
				}
			}
		}
	}
	for _, name := range []string{"lint", "golangci-lint", "test", "gosec", "govulncheck"} {
		if p.jobs[name] == nil {
			t.Fatalf("no %s job", name)
		}
	}
	if img := str(p.jobs["golangci-lint"]["image"]); img != "golangci/golangci-lint:v2.15.0" {
		t.Errorf("golangci-lint image %q, want golangci/golangci-lint:v2.15.0", img)
	}
	if !strings.Contains(script(p.jobs["gosec"]), "github.com/securego/gosec/v2/cmd/gosec@v2.30.0 ./...") {
		t.Error("the gosec job does not run gosec v2.30.0")
	}
	if !strings.Contains(script(p.jobs["govulncheck"]), "golang.org/x/vuln/cmd/govulncheck@") {
		t.Error("the govulncheck job does not run govulncheck")
	}
	checkGitLabTest(t, s, p.jobs["test"])
	checkGitLabImage(t, s, p)
	checkGitLabDeploys(t, s, p)
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	checkNoInlineSecrets(t, doc, gitlabRef)
}

// reporter is where checkSemantics reports: a *testing.T, or a recorder
// when a test checks the checks.
type reporter interface {
	Errorf(format string, args ...any)
}

type recorder struct{ errs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// checkSemantics checks what GitLab refuses or gets wrong though the schema
// allows it: a stage that is not declared, a needs: naming no job or one
// that does not run whenever the job does, a production deploy that is not
// manual.
func checkSemantics(r reporter, p *pipeline) {
	names := make([]string, 0, len(p.jobs))
	for name := range p.jobs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		job := p.jobs[name]
		stage := str(job["stage"])
		if stage == "" {
			stage = "test"
		}
		if !slices.Contains(p.stages, stage) && stage != ".pre" && stage != ".post" {
			r.Errorf("job %s: stage %q is not declared in stages: %v", name, stage, p.stages)
		}
		for _, n := range needs(job) {
			dep, ok := p.jobs[n]
			if !ok {
				r.Errorf("job %s needs %q, which is not a job", name, n)
				continue
			}
			// A needed job missing from a pipeline fails it: it must run
			// whenever this one does.
			if ifs := ruleIfs(dep); ifs != nil {
				for _, cond := range ruleIfs(job) {
					if !slices.Contains(ifs, cond) {
						r.Errorf("job %s (if %s) needs %s, which does not run then (rules %v)", name, cond, n, ifs)
					}
				}
				if ruleIfs(job) == nil {
					r.Errorf("job %s always runs but needs %s, which runs only if %v", name, n, ifs)
				}
			}
		}
		if environment(job) == "production" && !manual(job) {
			r.Errorf("job %s is not manual: it deploys to production unapproved", name)
		}
	}
}

func checkGitLabTest(t *testing.T, s service, job map[string]any) {
	t.Helper()
	var images []string
	for _, svc := range list(job["services"]) {
		if m, ok := svc.(map[string]any); ok {
			images = append(images, str(m["name"])+" as "+str(m["alias"]))
		} else {
			images = append(images, str(svc))
		}
	}
	url := str(get(job, "variables", "DATABASE_URL"))
	switch s.db {
	case "postgres":
		if !slices.Equal(images, []string{"postgres:17 as postgres"}) {
			t.Errorf("test services %v, want postgres:17 as postgres", images)
		}
		if !strings.HasPrefix(url, "postgres://") || !strings.Contains(url, "@postgres:5432/") {
			t.Errorf("DATABASE_URL %q does not point at the postgres service", url)
		}
	case "mysql":
		if !slices.Equal(images, []string{"mariadb:11 as mariadb"}) {
			t.Errorf("test services %v, want mariadb:11 as mariadb", images)
		}
		if !strings.HasPrefix(url, "mysql://") || !strings.Contains(url, "@mariadb:3306/") {
			t.Errorf("DATABASE_URL %q does not point at the mariadb service", url)
		}
	default:
		if len(images) != 0 || url != "" {
			t.Errorf("database %s: services %v and DATABASE_URL %q, want none", s.db, images, url)
		}
	}
	if got, want := str(get(job, "variables", "COVERAGE_TARGET")), fmt.Sprint(s.coverage); got != want {
		t.Errorf("COVERAGE_TARGET %q, want bkgen.yaml's coverage %s", got, want)
	}
	sc := script(job)
	for _, want := range []string{"test:unit", "test:integration", "test:contract", `task coverage COVERAGE_TARGET="$COVERAGE_TARGET"`} {
		if !strings.Contains(sc, want) {
			t.Errorf("the test job does not run %s", want)
		}
	}
	// GitLab reads the percentage with the regular expression between the
	// slashes (RE2, as Go's) from what `task coverage` prints.
	cov := str(job["coverage"])
	if len(cov) < 2 || cov[0] != '/' || cov[len(cov)-1] != '/' {
		t.Fatalf("coverage: %q, want /regexp/", cov)
	}
	re, err := regexp.Compile(cov[1 : len(cov)-1])
	if err != nil {
		t.Fatalf("coverage regexp: %v", err)
	}
	log := "ok  \texample.com/x/internal/api\t0.5s\tcoverage: 91.2% of statements in ./internal/...\n" +
		"example.com/x/internal/api/a.go:10:\tF\t\t100.0%\n" + coverageLine + "\n"
	if got := gitlabCoverage(re, log); got != "86.4" {
		t.Errorf("coverage regexp %s reads %q from the coverage task's output, want 86.4", cov, got)
	}
}

// gitlabCoverage reads the coverage from a job's log as GitLab does: the
// last line the regular expression matches, the first number in the match.
func gitlabCoverage(re *regexp.Regexp, log string) string {
	for _, line := range slices.Backward(strings.Split(log, "\n")) {
		if m := re.FindString(line); m != "" {
			return regexp.MustCompile(`\d+(\.\d+)?`).FindString(m)
		}
	}
	return ""
}

func checkGitLabImage(t *testing.T, s service, p *pipeline) {
	t.Helper()
	job := p.jobs["build-image"]
	if !s.buildsImage() {
		if job != nil {
			t.Error("an image job without a container deploy target")
		}
		return
	}
	if job == nil {
		t.Fatal("no image job")
	}
	if !exists(s.dir, "Dockerfile") {
		t.Error("the image job builds a Dockerfile the service does not have")
	}
	if str(job["stage"]) != "build" {
		t.Errorf("image job in stage %q, want build", job["stage"])
	}
	if str(p.vars["IMAGE"]) != "$CI_REGISTRY_IMAGE" {
		t.Errorf("IMAGE %v, want $CI_REGISTRY_IMAGE", p.vars["IMAGE"])
	}
	sc := script(job)
	for _, want := range []string{`docker push "$IMAGE:$CI_COMMIT_SHA"`, `docker push "$IMAGE:latest"`, `--password-stdin "$CI_REGISTRY"`, `"$CI_COMMIT_BRANCH" = "$CI_DEFAULT_BRANCH"`} {
		if !strings.Contains(sc, want) {
			t.Errorf("the image job does not run %s", want)
		}
	}
}

func checkGitLabDeploys(t *testing.T, s service, p *pipeline) {
	t.Helper()
	var got []string
	for name, job := range p.jobs {
		if environment(job) != "" {
			got = append(got, name)
			if str(job["stage"]) != "deploy" {
				t.Errorf("job %s deploys in stage %q", name, job["stage"])
			}
		}
	}
	slices.Sort(got)
	if want := s.deployJobs(); !slices.Equal(got, want) {
		t.Fatalf("deploy jobs %v, want %v", got, want)
	}
	for _, target := range deployTargets {
		if !s.deploys(target) {
			continue
		}
		staging, prod := p.jobs["deploy-"+target+"-staging"], p.jobs["deploy-"+target+"-production"]
		if env := environment(staging); env != "staging" {
			t.Errorf("deploy-%s-staging: environment %q", target, env)
		}
		if env := environment(prod); env != "production" {
			t.Errorf("deploy-%s-production: environment %q", target, env)
		}
		for _, j := range []map[string]any{staging, prod} {
			ifs := ruleIfs(j)
			if len(ifs) != 1 || !defaultOnly.MatchString(ifs[0]) {
				t.Errorf("deploy-%s (%s): rules %v, want the default branch only", target, environment(j), j["rules"])
			}
		}
		if !slices.Contains(needs(prod), "deploy-"+target+"-staging") {
			t.Errorf("deploy-%s-production needs %v, not the staging deploy", target, needs(prod))
		}
		if !manual(prod) {
			t.Errorf("deploy-%s-production is not manual", target)
		}
		if manual(staging) {
			t.Errorf("deploy-%s-staging is manual", target)
		}
		for _, j := range []map[string]any{staging, prod} {
			checkGitLabDeployScript(t, s, target, j)
		}
	}
}

// manual reports whether every rule that runs job makes it manual.
func manual(job map[string]any) bool {
	if str(job["when"]) == "manual" {
		return true
	}
	rules := list(job["rules"])
	n := 0
	for _, r := range rules {
		m, _ := r.(map[string]any)
		switch str(m["when"]) {
		case "never":
		case "manual":
			n++
		default:
			return false
		}
	}
	return n > 0
}

func checkGitLabDeployScript(t *testing.T, s service, target string, job map[string]any) {
	t.Helper()
	sc := script(job)
	env := environment(job)
	need := func(text string) {
		if !strings.Contains(sc, text) {
			t.Errorf("deploy-%s (%s) does not run %q", target, env, text)
		}
	}
	file := func(rel string) {
		if !exists(s.dir, rel) {
			t.Errorf("deploy-%s uses %s, which the service does not have", target, rel)
		}
	}
	switch target {
	case "kubernetes":
		overlay := str(get(job, "variables", "OVERLAY"))
		if want := map[string]string{"staging": "staging", "production": "prod"}[env]; overlay != want {
			t.Errorf("deploy-kubernetes (%s): overlay %q, want %q", env, overlay, want)
		}
		file("deploy/kubernetes/overlays/" + overlay + "/kustomization.yaml")
		need(`kustomize edit set image "` + s.image + `=$IMAGE:$CI_COMMIT_SHA"`)
		need(`kubectl apply -k "deploy/kubernetes/overlays/$OVERLAY"` + "\n")
		if s.db == "postgres" || s.db == "mysql" {
			m := strings.Index(sc, "kubectl wait --for=condition=complete job/swagger-petstore-migrate")
			if a := strings.Index(sc, `kubectl apply -k "deploy/kubernetes/overlays/$OVERLAY"`+"\n"); m < 0 || m > a {
				t.Error("deploy-kubernetes does not wait for the migration Job before applying the overlay")
			}
		}
	case "helm":
		need("helm upgrade --install swagger-petstore deploy/helm/swagger-petstore")
		need(`--set image.tag="$CI_COMMIT_SHA"`)
		file("deploy/helm/swagger-petstore/Chart.yaml")
	case "serverless":
		need("cd deploy/serverless\nCGO_ENABLED=0 sam build\nsam deploy")
		if m, d := strings.Index(sc, "migrate up"), strings.Index(sc, "sam deploy"); (s.db == "postgres" || s.db == "mysql") && (m < 0 || m > d) {
			t.Error("deploy-serverless does not migrate before sam deploy")
		}
		file("deploy/serverless/template.yaml")
		if get(job, "id_tokens", "AWS_ID_TOKEN", "aud") != "sts.amazonaws.com" {
			t.Error("deploy-serverless: no OIDC id_token for AWS")
		}
	case "vm":
		need(`install.sh" "$dir/swagger-petstore"`)
		file("deploy/vm/install.sh")
		if !slices.Contains(needs(job), "binary") {
			t.Errorf("deploy-vm needs %v, not the binary (its artifact)", needs(job))
		}
	}
}

// TestGitLabChecksCatchProblems: the schema and the semantic checks reject
// a broken pipeline, so a clean result means something.
func TestGitLabChecksCatchProblems(t *testing.T) {
	t.Parallel()
	sch := compileGitLabSchema(t)
	if err := validateGitLab(sch, []byte("build:\n  stage: build\n  script: 42\n  when: sometimes\n")); err == nil {
		t.Error("the schema accepted a job whose script is a number and when: sometimes")
	}
	const bad = `stages: [build]
a:
  stage: test
  script: [echo]
  needs: [missing]
deploy-prod:
  stage: build
  script: [echo]
  environment: {name: production}
  rules: [{if: $CI_COMMIT_BRANCH}]
`
	if err := validateGitLab(sch, []byte(bad)); err != nil {
		t.Fatalf("the schema should accept what only the semantic checks reject: %v", err)
	}
	p := parsePipeline(t, []byte(bad))
	rec := &recorder{}
	checkSemantics(rec, p)
	for _, want := range []string{`stage "test" is not declared`, `needs "missing"`, "job deploy-prod is not manual"} {
		if !slices.ContainsFunc(rec.errs, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("no problem reported about %s (got %q)", want, rec.errs)
		}
	}
}
