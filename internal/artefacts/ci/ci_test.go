// Package ci checks the CI files bkgen generates (ci: github, ci: gitlab)
// with the tools their users rely on: actionlint (and shellcheck) for the
// GitHub workflow, a strict decode for dependabot.yml, GitLab's JSON schema
// for .gitlab-ci.yml; then what no validator knows: the database service
// matches the engine, the coverage gate is bkgen.yaml's, there is a deploy
// job per target, production waits for approval, no secret is written out.
package ci

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// targetSets are the deploy: lists checked: each target alone, then all.
var targetSets = [][]string{
	{"docker"},
	{"kubernetes"},
	{"helm"},
	{"serverless"},
	{"vm"},
	{"docker", "kubernetes", "helm", "serverless", "vm"},
}

// deployTargets are the targets that get deploy jobs (docker's deliverable
// is the image itself).
var deployTargets = []string{"kubernetes", "helm", "serverless", "vm"}

// service is one generated service and what its CI must say.
type service struct {
	name     string
	dir      string
	db       string
	targets  []string
	coverage int
	// image is the repository the image job pushes to.
	image string
}

func (s service) deploys(target string) bool { return slices.Contains(s.targets, target) }

// buildsImage reports whether the service is deployed as a container.
func (s service) buildsImage() bool {
	return s.deploys("docker") || s.deploys("kubernetes") || s.deploys("helm")
}

// deployJobs are the jobs that must deploy the service: one per
// environment of each target.
func (s service) deployJobs() []string {
	var out []string
	for _, t := range deployTargets {
		if s.deploys(t) {
			out = append(out, "deploy-"+t+"-staging", "deploy-"+t+"-production")
		}
	}
	slices.Sort(out)
	return out
}

// services generates petstore-expanded with ci for every database and
// target set, plus (with extra) a service whose module is on github.com
// (its image goes to ghcr.io) and whose coverage is not the default.
func services(t *testing.T, ci string, extra bool) []service {
	t.Helper()
	spec := artefactstest.Petstore(t)
	var out []service
	for _, db := range artefactstest.Databases {
		for _, targets := range targetSets {
			out = append(out, service{
				name:     db + "/" + strings.Join(targets, "+"),
				dir:      artefactstest.Generated(t, spec, db, targets, ci),
				db:       db,
				targets:  targets,
				coverage: config.Default().Coverage,
				image:    "registry.example.com/swagger-petstore",
			})
		}
	}
	if extra {
		cfg := config.Default()
		cfg.Module = "github.com/Acme/petstore"
		cfg.Coverage = 73
		cfg.Database = "postgres"
		cfg.Deploy = targetSets[len(targetSets)-1]
		cfg.CI = ci
		out = append(out, service{
			name:     "github-module",
			dir:      generate(t, spec, &cfg),
			db:       cfg.Database,
			targets:  cfg.Deploy,
			coverage: cfg.Coverage,
			image:    "ghcr.io/acme/petstore",
		})
	}
	return out
}

// generate writes the service of spec and cfg into a temporary folder.
func generate(t *testing.T, spec string, cfg *config.Config) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "svc")
	_, err := generator.New(context.Background(), generator.Options{
		SpecPath: spec, OutDir: dir, Config: *cfg, NoGit: true, NoCheck: true,
	})
	if l, ok := diag.AsList(err); ok {
		t.Fatalf("generate: %v", l)
	}
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return dir
}

func exists(dir, rel string) bool {
	_, err := os.Stat(filepath.Join(dir, rel))
	return err == nil
}

// TestCIFilesFollowTheChoice: ci: github writes the workflow and
// dependabot.yml and no .gitlab-ci.yml; gitlab the reverse; none neither.
func TestCIFilesFollowTheChoice(t *testing.T) {
	t.Parallel()
	spec := artefactstest.Petstore(t)
	files := []string{".github/workflows/ci.yml", ".github/dependabot.yml", ".gitlab-ci.yml"}
	for _, tc := range []struct {
		ci   string
		want []string
	}{
		{"github", files[:2]},
		{"gitlab", files[2:]},
		{"none", nil},
	} {
		for _, db := range []string{"postgres", "none"} {
			dir := artefactstest.Generated(t, spec, db, []string{"docker", "kubernetes"}, tc.ci)
			for _, f := range files {
				if got, want := exists(dir, f), slices.Contains(tc.want, f); got != want {
					t.Errorf("ci: %s, database: %s: %s exists: %v, want %v", tc.ci, db, f, got, want)
				}
			}
			if tc.ci != "github" && exists(dir, ".github") {
				t.Errorf("ci: %s, database: %s: a .github folder was written", tc.ci, db)
			}
		}
	}
}

// secretLike names settings whose values are credentials.
var secretLike = regexp.MustCompile(`(?i)pass(word)?|secret|token|private|credential|kubeconfig|api_?key|access_?key`)

// inlineSecret matches credentials written out: private keys, AWS access
// key ids, GitHub and GitLab tokens, a password in a URL.
var inlineSecret = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bglpat-[A-Za-z0-9_-]{20,}|://[^/\s:@]+:[^/\s@$]+@`)

// notSecret are the settings named like credentials that are not: the
// test database's server runs without a password.
var notSecret = map[string]string{"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "1"}

// checkNoInlineSecrets walks a decoded YAML document: every setting named
// like a credential holds a reference (allowed says what one looks like),
// and no value anywhere is a credential.
func checkNoInlineSecrets(t *testing.T, doc any, allowed *regexp.Regexp) {
	t.Helper()
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				// permissions: maps scopes (id-token: write) to levels.
				named := secretLike.MatchString(k) && !strings.HasSuffix(path, ".permissions")
				if s, ok := v[k].(string); ok && named && !allowed.MatchString(s) && notSecret[k] != s {
					t.Errorf("%s.%s holds a value, not a reference to a secret: %q", path, k, s)
				}
				walk(path+"."+k, v[k])
			}
		case []any:
			for i, e := range v {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		case string:
			if m := inlineSecret.FindString(v); m != "" {
				t.Errorf("%s: a credential is written out: %q", path, m)
			}
		}
	}
	walk("", doc)
}
