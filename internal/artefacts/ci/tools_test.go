package ci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The validators' versions (NOTES.md).
const (
	actionlintModule  = "github.com/rhysd/actionlint/cmd/actionlint"
	actionlintVersion = "v1.7.12"
	gitlabCILocal     = "gitlab-ci-local"
	gitlabCIVersion   = "4.75.1"
	// schemaEnv names a JSON file holding GitLab CI's schema, to use
	// instead of the one bundled in gitlab-ci-local.
	schemaEnv = "BKGEN_GITLAB_CI_SCHEMA"
)

// cacheDir is where the tests keep the tools they build or install, by
// version, so later runs reuse them: <user cache>/bkgen/<name>.
func cacheDir(t *testing.T, name string) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no user cache folder for the test tools: %v", err)
	}
	return filepath.Join(base, "bkgen", name)
}

var (
	actionlintOnce sync.Once
	actionlintPath string
	actionlintErr  error
)

// actionlint returns the path of actionlint, built once from its own module
// (it cannot be linked into this one: its yaml/v4 release candidate
// conflicts with kin-openapi's) and kept in the user cache.
func actionlint(t *testing.T) string {
	t.Helper()
	dir := cacheDir(t, "actionlint-"+actionlintVersion)
	actionlintOnce.Do(func() {
		bin := filepath.Join(dir, "actionlint")
		if _, err := os.Stat(bin); err == nil {
			actionlintPath = bin
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			actionlintErr = fmt.Errorf("go is not on PATH: %w", err)
			return
		}
		// go install pkg@version builds in module mode from the tool's own
		// go.mod, whatever the current module; GOBIN is a fresh folder
		// renamed into place, so a half-built binary is never reused.
		if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
			actionlintErr = err
			return
		}
		// Beside the cache folder, not t.TempDir(): the binary is renamed
		// into the cache, which needs the same filesystem.
		tmp, err := os.MkdirTemp(filepath.Dir(dir), "actionlint-build-") //nolint:usetesting // see above
		if err != nil {
			actionlintErr = err
			return
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		cmd := exec.Command(goBin, "install", actionlintModule+"@"+actionlintVersion)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			actionlintErr = fmt.Errorf("go install %s@%s: %w\n%s", actionlintModule, actionlintVersion, err, out)
			return
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			actionlintErr = err
			return
		}
		if err := os.Rename(filepath.Join(tmp, "actionlint"), bin); err != nil {
			actionlintErr = err
			return
		}
		actionlintPath = bin
	})
	if actionlintErr != nil {
		t.Fatalf("build actionlint: %v", actionlintErr)
	}
	return actionlintPath
}

// shellcheck returns the path of shellcheck, which actionlint runs on every
// run: script. Without it actionlint skips those checks silently, so its
// absence is a failure here.
func shellcheck(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is not on PATH: actionlint would skip the run: scripts silently. " +
			"Install it: apt-get install -y shellcheck (Debian/Ubuntu), brew install shellcheck (macOS)")
	}
	return p
}

// finding is one problem actionlint reports (its -format '{{json .}}').
type finding struct {
	Message  string `json:"message"`
	Filepath string `json:"filepath"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Kind     string `json:"kind"`
	Snippet  string `json:"snippet"`
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s]\n%s", f.Filepath, f.Line, f.Column, f.Message, f.Kind, f.Snippet)
}

// runActionlint lints the workflow files, shellcheck included, and returns
// every finding.
func runActionlint(t *testing.T, files ...string) []finding {
	t.Helper()
	sc := shellcheck(t)
	args := append([]string{"-format", "{{json .}}", "-no-color", "-shellcheck", sc, "-pyflakes", ""}, files...)
	cmd := exec.Command(actionlint(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// Exit status 1 means "problems found"; anything else is a failure of
	// the tool itself.
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
		t.Fatalf("actionlint: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	var out []finding
	if s := bytes.TrimSpace(stdout.Bytes()); len(s) > 0 && !bytes.Equal(s, []byte("null")) {
		if err := json.Unmarshal(s, &out); err != nil {
			t.Fatalf("actionlint's output: %v\n%s", err, s)
		}
	}
	// actionlint names files relative to its working folder: make them
	// absolute again, as the caller named them.
	wd, werr := os.Getwd()
	if werr != nil {
		t.Fatal(werr)
	}
	for i := range out {
		if !filepath.IsAbs(out[i].Filepath) {
			out[i].Filepath = filepath.Join(wd, out[i].Filepath)
		}
	}
	if err != nil && len(out) == 0 {
		t.Fatalf("actionlint failed without findings: %s", stderr.Bytes())
	}
	return out
}

var (
	schemaOnce sync.Once
	schemaPath string
	schemaErr  error
)

// gitlabSchema returns the path of GitLab CI's JSON schema: $BKGEN_GITLAB_CI_SCHEMA,
// else the copy gitlab-ci-local bundles (the schema cannot be downloaded
// from gitlab.com here), extracted once into the user cache.
func gitlabSchema(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(schemaEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s: %v", schemaEnv, err)
		}
		return p
	}
	dir := cacheDir(t, gitlabCILocal+"-"+gitlabCIVersion)
	schemaOnce.Do(func() { schemaPath, schemaErr = extractGitLabSchema(dir) })
	if schemaErr != nil {
		t.Fatalf("GitLab CI's schema: %v", schemaErr)
	}
	return schemaPath
}

// extractGitLabSchema installs gitlab-ci-local into dir (unless it is
// there) and writes the schema its bundle holds to dir/gitlab-ci.schema.json.
// The bundle (dist/index.js) inlines src/schema.json as a JavaScript object
// literal; node evaluates that literal alone and prints it as JSON.
func extractGitLabSchema(dir string) (string, error) {
	out := filepath.Join(dir, "gitlab-ci.schema.json")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	pkg := filepath.Join(dir, "node_modules", gitlabCILocal)
	if !installed(pkg, gitlabCIVersion) {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", fmt.Errorf("npm is not on PATH: install Node.js and npm (apt-get install -y nodejs npm), "+
				"or set %s to a JSON file holding GitLab CI's schema", schemaEnv)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", err
		}
		cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", dir, gitlabCILocal+"@"+gitlabCIVersion)
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm install %s@%s: %w\n%s", gitlabCILocal, gitlabCIVersion, err, b)
		}
		if !installed(pkg, gitlabCIVersion) {
			return "", fmt.Errorf("npm install did not leave %s %s in %s", gitlabCILocal, gitlabCIVersion, pkg)
		}
	}
	bundle, err := os.ReadFile(filepath.Join(pkg, "dist", "index.js"))
	if err != nil {
		return "", err
	}
	literal, err := objectLiteral(bundle, `{$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml"`)
	if err != nil {
		return "", fmt.Errorf("%s/dist/index.js: %w", pkg, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("node is not on PATH (it comes with npm): %w", err)
	}
	cmd := exec.Command(node, "-e",
		`const src = require("fs").readFileSync(0, "utf8"); process.stdout.write(JSON.stringify(eval("(" + src + ")"), null, 1))`)
	cmd.Stdin = bytes.NewReader(literal)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	schema, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("node: %w\n%s", err, stderr.Bytes())
	}
	if !json.Valid(schema) {
		return "", errors.New("node did not print JSON")
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, schema, 0o600); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// installed reports whether the npm package in dir has version version.
func installed(dir, version string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return false
	}
	var p struct{ Version string }
	return json.Unmarshal(b, &p) == nil && p.Version == version
}

// objectLiteral returns the JavaScript object literal of src that starts
// with prefix, up to its closing brace; strings (", ', `) are skipped whole.
func objectLiteral(src []byte, prefix string) ([]byte, error) {
	start := bytes.Index(src, []byte(prefix))
	if start < 0 {
		return nil, fmt.Errorf("no object literal starting %.60s…", prefix)
	}
	depth := 0
	var quote byte
	for i := start; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return src[start : i+1], nil
			}
		}
	}
	return nil, errors.New("the schema's object literal does not end")
}

// TestObjectLiteral: the literal ends at its own closing brace, whatever
// braces and quotes its strings hold.
func TestObjectLiteral(t *testing.T) {
	t.Parallel()
	src := []byte(`var a={x:1};var S={$s:"{\"}",t:` + "`}`" + `,u:'}',v:{w:[1]}},z={};`)
	got, err := objectLiteral(src, `{$s:`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{$s:"{\"}",t:` + "`}`" + `,u:'}',v:{w:[1]}}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := objectLiteral([]byte(`{$s:{`), `{$s:`); err == nil {
		t.Error("an unterminated literal was accepted")
	}
	if _, err := objectLiteral(src, `{$missing`); err == nil || !strings.Contains(err.Error(), "no object literal") {
		t.Errorf("a missing literal: %v", err)
	}
}
