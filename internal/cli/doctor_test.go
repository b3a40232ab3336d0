package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"go/version"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/stacks/gochi"
)

// envOf is an environment holding only kv (KEY, VALUE, ...).
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestGeneratedStacksMatchGenerator(t *testing.T) {
	t.Parallel()
	var names []string
	for _, s := range generatedStacks {
		names = append(names, s.Name)
	}
	if want := generator.GeneratedStacks(); !slices.Equal(names, want) {
		t.Errorf("doctor knows the stacks %v, the generator generates %v", names, want)
	}
}

func TestGoVersionNeeded(t *testing.T) {
	t.Parallel()
	if got, want := goVersionNeeded(&config.Config{Stack: "go-chi"}), gochi.Stack.GoVersion; got != want {
		t.Errorf("go-chi: %q, want %q", got, want)
	}
	all := goVersionNeeded(nil)
	for _, s := range generatedStacks {
		if s.GoVersion == "" {
			t.Errorf("%s: no GoVersion", s.Name)
		}
		if got := goVersionNeeded(&config.Config{Stack: s.Name}); got != s.GoVersion {
			t.Errorf("%s: %q, want %q", s.Name, got, s.GoVersion)
		}
		if version.Compare("go"+s.GoVersion, "go"+all) > 0 {
			t.Errorf("without a config, need %s, older than %s's %s", all, s.Name, s.GoVersion)
		}
	}
}

func TestJudgeGo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    goEnv
		err    error
		status string
		detail string
	}{
		{"missing", goEnv{}, errNotOnPath, doctorLacking, "go is not on PATH"},
		{"newer", goEnv{Path: "/go", Version: "go1.27.1", Toolchain: "local"}, nil, doctorOK, "go1.27.1 (/go); the generated go.mod needs go 1.26.0"},
		{"same", goEnv{Path: "/go", Version: "go1.26.0", Toolchain: "local"}, nil, doctorOK, "needs go 1.26.0"},
		{"older, local toolchain", goEnv{Path: "/go", Version: "go1.25.3", Toolchain: "local"}, nil, doctorLacking, "go1.25.3 (/go) is older than the go 1.26.0"},
		{"older, auto toolchain", goEnv{Path: "/go", Version: "go1.25.3", Toolchain: "auto"}, nil, doctorWarning, "GOTOOLCHAIN=auto downloads it"},
		{"too old to switch", goEnv{Path: "/go", Version: "go1.20", Toolchain: "auto"}, nil, doctorLacking, "older"},
		{"devel", goEnv{Path: "/go", Version: "devel go1.27-abcdef"}, nil, doctorOK, "cannot tell"},
	}
	for _, tt := range tests {
		c := judgeGo(tt.env, tt.err, "1.26.0")
		if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) {
			t.Errorf("%s: %s %q, want %s containing %q", tt.name, c.Status, c.Detail, tt.status, tt.detail)
		}
		if c.Status != doctorOK && !strings.Contains(c.Fix, "install Go 1.26.0 or newer") {
			t.Errorf("%s: fix %q says not what to install", tt.name, c.Fix)
		}
	}
}

func TestParseGoproxy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []proxyEntry
	}{
		{"https://proxy.golang.org,direct", []proxyEntry{{"https://proxy.golang.org", false}, {"direct", false}}},
		{"https://a|https://b,off", []proxyEntry{{"https://a", true}, {"https://b", false}, {"off", false}}},
		{"off", []proxyEntry{{"off", false}}},
		{" https://a , ,direct", []proxyEntry{{"https://a", false}, {"direct", false}}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := parseGoproxy(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("parseGoproxy(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestProbeModule(t *testing.T) {
	t.Parallel()
	m := probeModule(nil)
	if m.Path == "" || m.Version == "" || !strings.Contains(gochi.Stack.Require, m.Path+" "+m.Version) {
		t.Errorf("probeModule(nil) = %v, not a requirement of go-chi:\n%s", m, gochi.Stack.Require)
	}
}

// moduleProxy serves the .info of mod, as a GOPROXY does, and 404 for
// anything else.
func moduleProxy(t *testing.T, mod module.Version) *httptest.Server {
	t.Helper()
	path, _ := module.EscapePath(mod.Path)
	info := "/" + path + "/@v/" + mod.Version + ".info"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != info {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"Version":"` + mod.Version + `"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckProxy(t *testing.T) {
	t.Parallel()
	mod := probeModule(nil)
	serves := moduleProxy(t, mod)
	lacks := moduleProxy(t, module.Version{Path: "example.com/other", Version: "v1.0.0"})
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(broken.Close)
	fileProxy := t.TempDir()
	escaped, _ := module.EscapePath(mod.Path)
	info := filepath.Join(fileProxy, filepath.FromSlash(escaped), "@v", mod.Version+".info")
	if err := os.MkdirAll(filepath.Dir(info), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(info, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		goproxy string
		status  string
		detail  string
	}{
		{serves.URL, doctorOK, serves.URL + " serves " + mod.String()},
		{lacks.URL + "," + serves.URL, doctorOK, lacks.URL + " does not have " + mod.String() + "; then " + serves.URL + " serves"},
		{lacks.URL, doctorLacking, lacks.URL + " does not have"},
		{lacks.URL + ",direct", doctorOK, "then modules are fetched from their origins"},
		{broken.URL + ",direct", doctorLacking, broken.URL + ": answers 502 Bad Gateway"},
		{broken.URL + "|direct", doctorOK, "answers 502 Bad Gateway; then modules are fetched"},
		{"http://127.0.0.1:1,direct", doctorLacking, "refused"},
		{"off", doctorWarning, "modules come only from the module cache"},
		{"direct", doctorOK, "modules are fetched from their origins"},
		{"file://" + filepath.ToSlash(fileProxy), doctorOK, " serves " + mod.String()},
		{"file://" + filepath.ToSlash(t.TempDir()) + ",off", doctorWarning, "does not have"},
		{"file:///no/such/folder", doctorLacking, "no such folder"},
		{"ftp://example.com", doctorLacking, `scheme "ftp"`},
		{"https://user:s3cret@127.0.0.1:1", doctorLacking, "https://user:xxxxx@127.0.0.1:1: "},
	}
	for _, tt := range tests {
		// No go on PATH: GOPROXY is read from the environment.
		d := &doctor{getenv: envOf("GOPROXY", tt.goproxy)}
		d.goEnv = func() (goEnv, error) { return readGoEnv(t.Context(), d.getenv) }
		ctx, cancel := context.WithTimeout(t.Context(), doctorTimeout)
		c := d.checkProxy(ctx)
		cancel()
		if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) {
			t.Errorf("GOPROXY=%s: %s %q, want %s containing %q", tt.goproxy, c.Status, c.Detail, tt.status, tt.detail)
		}
		if strings.Contains(c.Detail, "s3cret") {
			t.Errorf("GOPROXY=%s: the detail shows the password: %q", tt.goproxy, c.Detail)
		}
	}
}

// TestDoctorTimeout runs doctor against a module proxy that never answers:
// doctor still answers within its timeout, and says why.
func TestDoctorTimeout(t *testing.T) {
	t.Parallel()
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	// No go on PATH: GOPROXY is read from the environment.
	d := &doctor{getenv: envOf("GOPROXY", hang.URL)}
	start := time.Now()
	results := d.run(t.Context())
	if took := time.Since(start); took > doctorTimeout+2*time.Second {
		t.Errorf("doctor took %s, with checks of %s", took, doctorTimeout)
	}
	i := slices.IndexFunc(results, func(c doctorCheck) bool { return c.Name == "module proxy" })
	if i < 0 {
		t.Fatalf("no module proxy check in %v", results)
	}
	if c := results[i]; c.Status != doctorMissing || !strings.Contains(c.Detail, "no answer within 3s") {
		t.Errorf("module proxy: %s %q, want missing, no answer", c.Status, c.Detail)
	}
}

// TestRunDoctor runs the command with go missing from PATH: it is needed,
// so doctor exits 5; its JSON says what is missing and what to do.
func TestRunDoctor(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "bkgen.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\ndatabase: sqlite\ndeploy: [docker]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, getenv: envOf("PATH", "", "GOPROXY", "off")}
	if code := runDoctor(t.Context(), a, []string{"--config", cfg, "--json"}); code != ExitCheckFailed {
		t.Errorf("exit %d, want %d", code, ExitCheckFailed)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	var rep doctorReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if rep.OK || rep.Config != cfg {
		t.Errorf("ok %v, config %q", rep.OK, rep.Config)
	}
	got := map[string]doctorCheck{}
	var names []string
	for _, c := range rep.Checks {
		got[c.Name] = c
		names = append(names, c.Name)
	}
	if want := []string{"go", "module proxy", "git", "sqlite", "redis", "docker"}; !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}
	if c := got["go"]; c.Status != doctorMissing || !c.Needed || c.Detail != "go is not on PATH" || c.Fix == "" {
		t.Errorf("go: %+v", c)
	}
	if c := got["git"]; c.Status != doctorWarning || c.Needed {
		t.Errorf("git, not needed without a remote overlay: %+v", c)
	}
	if c := got["docker"]; c.Status != doctorWarning || c.Needed || !strings.Contains(c.Detail, "deploy: docker") {
		t.Errorf("docker: %+v", c)
	}
	if c := got["sqlite"]; c.Status != doctorOK || !c.Needed {
		t.Errorf("sqlite: %+v", c)
	}
}

func TestPrintDoctor(t *testing.T) {
	t.Parallel()
	rep := &doctorReport{Config: "bkgen.yaml", Checks: []doctorCheck{
		{Name: "go", Status: doctorOK, Needed: true, Detail: "go1.26.8"},
		{Name: "module proxy", Status: doctorMissing, Needed: true, Detail: "no answer", Fix: "check the network"},
		{Name: "redis", Status: doctorWarning, Detail: "none", Fix: "optional"},
	}}
	cfg := &config.Config{Stack: "go-chi", Database: "sqlite"}
	var plain, color bytes.Buffer
	printDoctor(&plain, rep, cfg, false)
	want := `Checking for bkgen.yaml (stack go-chi, database sqlite, deploy none).

✓ go            go1.26.8
✗ module proxy  no answer
                → check the network
! redis         none
                → optional

Missing what bkgen.yaml needs: module proxy.
`
	if plain.String() != want {
		t.Errorf("got\n%s\nwant\n%s", plain.String(), want)
	}
	printDoctor(&color, rep, cfg, true)
	if !strings.Contains(color.String(), red+"✗"+reset) || !strings.Contains(color.String(), green+"✓"+reset) {
		t.Errorf("no colours:\n%q", color.String())
	}
}
