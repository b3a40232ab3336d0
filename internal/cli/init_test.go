package cli

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/internal/spec"
)

func TestInitModuleFromRemote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		remote, want string
	}{
		{"https://github.com/acme/pets.git", "github.com/acme/pets"},
		{"https://github.com/acme/pets", "github.com/acme/pets"},
		{"https://github.com/acme/pets/", "github.com/acme/pets"},
		{"https://user:token@GitHub.com/acme/pets.git", "github.com/acme/pets"},
		{"http://gitlab.example.com:8080/group/sub/pets.git", "gitlab.example.com/group/sub/pets"},
		{"ssh://git@github.com/acme/pets.git", "github.com/acme/pets"},
		{"ssh://git@github.com:22/acme/pets.git", "github.com/acme/pets"},
		{"git@github.com:acme/pets.git", "github.com/acme/pets"},
		{"git@github.com:acme/pets", "github.com/acme/pets"},
		{"github.com:acme/pets.git", "github.com/acme/pets"},
		{"  git@gitlab.com:group/sub/pets.git\n", "gitlab.com/group/sub/pets"},
		// Not a hosted repository: the title decides.
		{"", ""},
		{"/srv/git/pets.git", ""},
		{"../pets", ""},
		{"file:///srv/git/pets.git", ""},
		{"C:/repos/pets", ""},
		{"git@github.com:", ""},
		{"https://localhost/pets", ""}, // not a module path: no dot in the first element
		{"git@github.com:acme/pets with space.git", ""},
	}
	for _, tt := range tests {
		got, ok := moduleFromRemote(tt.remote)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("moduleFromRemote(%q) = %q, %v; want %q", tt.remote, got, ok, tt.want)
		}
	}
}

// loadInitSpec loads a spec of testdata/specs, or inline YAML written to a temp file.
func loadInitSpec(t *testing.T, nameOrYAML string) *spec.Document {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "specs", nameOrYAML)
	if strings.Contains(nameOrYAML, "\n") {
		path = filepath.Join(t.TempDir(), "api.yaml")
		if err := os.WriteFile(path, []byte(nameOrYAML), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc, l := spec.Load(path)
	if doc == nil || l.HasErrors() {
		t.Fatalf("load %s: %v", nameOrYAML, l)
	}
	return doc
}

func TestInitAuthFromSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec        string
		want        string
		wantSchemes []string
	}{
		{"auth-bearer.yaml", "auto", []string{"securitySchemes.bearerAuth (http bearer, JWT) → jwt"}},
		{"auth-apikey.yaml", "auto", []string{
			"securitySchemes.apiKey (apiKey in header X-API-Key) → api-key",
			"securitySchemes.queryKey (apiKey in query api_key) → api-key",
		}},
		{"auth-session.yaml", "auto", []string{"securitySchemes.session (apiKey in cookie sid) → session"}},
		{"auth-oidc.yaml", "auto", []string{"securitySchemes.oidc (openIdConnect) → oauth2"}},
		{"auth-and-or.yaml", "auto", []string{
			"securitySchemes.apiKey (apiKey in header X-API-Key) → api-key",
			"securitySchemes.basic (http basic) → basic",
			"securitySchemes.bearerAuth (http bearer) → jwt",
			"securitySchemes.tenant (apiKey in header X-Tenant-Key) → api-key",
		}},
		{"webhooks.yaml", "none", nil},
	}
	for _, tt := range tests {
		doc := loadInitSpec(t, tt.spec)
		got, note := authFromSpec(doc.OpenAPI)
		if got != tt.want {
			t.Errorf("%s: auth %q, want %q", tt.spec, got, tt.want)
		}
		if len(note) == 0 {
			t.Errorf("%s: no note saying why", tt.spec)
			continue
		}
		var schemes []string
		for _, n := range note[1:] {
			if strings.HasPrefix(n, "  securitySchemes.") {
				schemes = append(schemes, strings.TrimSpace(n))
			}
		}
		if diff := cmp.Diff(tt.wantSchemes, schemes); diff != "" {
			t.Errorf("%s: schemes in the note (-want +got):\n%s", tt.spec, diff)
		}
	}
}

// schemesSpec declares one security scheme of each kind, each required by
// an operation, so that the generator keeps them all.
const schemesSpec = `openapi: 3.0.3
info: {title: Schemes, version: "1"}
paths:
  /a: {get: {operationId: a, security: [{bearer: []}], responses: {"204": {description: ok}}}}
  /b: {get: {operationId: b, security: [{basic: []}], responses: {"204": {description: ok}}}}
  /c: {get: {operationId: c, security: [{digest: []}], responses: {"204": {description: ok}}}}
  /d: {get: {operationId: d, security: [{header: []}], responses: {"204": {description: ok}}}}
  /e: {get: {operationId: e, security: [{query: []}], responses: {"204": {description: ok}}}}
  /f: {get: {operationId: f, security: [{cookie: []}], responses: {"204": {description: ok}}}}
  /g: {get: {operationId: g, security: [{oauth: [read]}], responses: {"204": {description: ok}}}}
  /h: {get: {operationId: h, security: [{oidc: []}], responses: {"204": {description: ok}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: Bearer}
    basic: {type: http, scheme: basic}
    digest: {type: http, scheme: digest}
    header: {type: apiKey, in: header, name: X-Key}
    query: {type: apiKey, in: query, name: key}
    cookie: {type: apiKey, in: cookie, name: sid}
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://auth.example.com/token", scopes: {read: read}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://auth.example.com/.well-known/openid-configuration"}
`

// The note's mapping is the generator's: auth: auto checks each scheme as
// schemeMethod says.
func TestInitSchemeMethodMatchesGenerator(t *testing.T) {
	t.Parallel()
	doc := loadInitSpec(t, schemesSpec)
	cfg := config.Default()
	cfg.Database = "none"
	_, svc, l, err := generator.Generate(t.Context(), doc.Path, cfg)
	if err != nil {
		t.Fatalf("generate: %v\n%v", err, l)
	}
	got := map[string]string{}
	for _, sc := range svc.SecuritySchemes {
		got[sc.Name] = string(sc.Kind)
	}
	want := map[string]string{}
	for name, ref := range doc.OpenAPI.Components.SecuritySchemes {
		want[name] = schemeMethod(ref.Value)
	}
	if len(want) != 8 {
		t.Fatalf("the spec declares %d schemes, want 8", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schemeMethod (-) differs from the generator (+):\n%s", diff)
	}
}

func TestInitDerive(t *testing.T) {
	t.Parallel()
	doc := loadInitSpec(t, "auth-bearer.yaml").OpenAPI
	base := config.Default()

	ic := deriveInit(doc, "api/pets.yaml", "bkgen.yaml", base, map[string]bool{}, "")
	if ic.cfg.Spec != "api/pets.yaml" || ic.cfg.Module != "example.com/notes-with-bearer-jwt" || ic.cfg.Auth != "auto" {
		t.Errorf("from the title: %+v", ic.cfg)
	}
	if len(ic.notes["module"]) == 0 || !strings.Contains(ic.notes["module"][0], "info.title") {
		t.Errorf("module note = %q", ic.notes["module"])
	}
	want := config.Default()
	want.Spec, want.Module, want.Auth = "api/pets.yaml", "example.com/notes-with-bearer-jwt", "auto"
	if diff := cmp.Diff(want, ic.cfg); diff != "" {
		t.Errorf("the other keys are the defaults (-want +got):\n%s", diff)
	}

	// A git remote names the module; the spec and blueprint folders are
	// relative to the written file.
	base.Blueprints = []string{"org/blueprints", "https://example.com/bp.git@v1"}
	ic = deriveInit(doc, "api.yaml", filepath.Join("svc", "bkgen.yaml"), base, map[string]bool{"blueprints": true}, "git@github.com:acme/pets.git")
	if ic.cfg.Module != "github.com/acme/pets" || !strings.Contains(ic.notes["module"][0], "git remote origin") {
		t.Errorf("from the remote: module %q, note %q", ic.cfg.Module, ic.notes["module"])
	}
	if ic.cfg.Spec != "../api.yaml" || !slices.Equal(ic.cfg.Blueprints, []string{"../org/blueprints", "https://example.com/bp.git@v1"}) {
		t.Errorf("paths: spec %q, blueprints %q", ic.cfg.Spec, ic.cfg.Blueprints)
	}
	if base.Blueprints[0] != "org/blueprints" {
		t.Errorf("deriveInit changed its base: %q", base.Blueprints)
	}

	// Flags win, with no note: nothing was derived.
	base = config.Default()
	base.Module, base.Auth = "example.org/x", "jwt"
	ic = deriveInit(doc, "api.yaml", "bkgen.yaml", base, map[string]bool{"module": true, "auth": true}, "git@github.com:acme/pets.git")
	if ic.cfg.Module != "example.org/x" || ic.cfg.Auth != "jwt" || len(ic.notes) != 0 {
		t.Errorf("flags: %+v, notes %q", ic.cfg, ic.notes)
	}

	// No title: the name new gives the service.
	doc = loadInitSpec(t, "openapi: 3.0.3\ninfo: {title: \"\", version: \"1\"}\npaths: {}\n").OpenAPI
	if ic := deriveInit(doc, "api.yaml", "bkgen.yaml", config.Default(), nil, ""); ic.cfg.Module != "example.com/service" || ic.cfg.Auth != "none" {
		t.Errorf("no title: %+v", ic.cfg)
	}
}

// The file init writes reads back, through the config package, as the
// config it was written from, whatever the values.
func TestInitRenderRoundTrip(t *testing.T) {
	t.Parallel()
	doc := loadInitSpec(t, "auth-and-or.yaml").OpenAPI
	root := ""
	empty := func(c *config.Config) { c.BasePath = &root; c.Deploy = []string{} }
	odd := func(c *config.Config) {
		p := "/v2/api"
		c.BasePath = &p
		c.Module = "example.com/x/v2"
		c.Coverage = 0
		c.Blueprints = []string{"../org bp", "true", "null"}
		c.Deploy = []string{"helm", "vm", "serverless"}
	}
	for i, change := range []func(*config.Config){func(*config.Config) {}, empty, odd} {
		base := config.Default()
		change(&base)
		ic := deriveInit(doc, "my api.yaml", "bkgen.yaml", base, map[string]bool{"module": base.Module != ""}, "")
		data, err := ic.render("bkgen.yaml")
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got, l := config.Parse("bkgen.yaml", data)
		if l.HasErrors() {
			t.Fatalf("%d: %v\n%s", i, l, data)
		}
		if diff := cmp.Diff(&ic.cfg, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%d: read back (-written +read):\n%s\n%s", i, diff, data)
		}
		if len(l) > 0 {
			t.Errorf("%d: warnings: %v", i, l)
		}
		// One commented line per key, notes above the derived ones.
		for line := range strings.Lines(string(data)) {
			if !strings.HasPrefix(line, "#") && !strings.Contains(line, " # ") {
				t.Errorf("%d: line without a comment: %q", i, line)
			}
		}
		if !strings.Contains(string(data), "# auth: auto enforces the spec's securitySchemes as written:\n") {
			t.Errorf("%d: no auth note:\n%s", i, data)
		}
	}
}

// TestInitThenNew runs init, then new with no flag: new reads the file back
// as init resolved it (the --json output).
func TestInitThenNew(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "specs", "auth-apikey.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("specs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("specs", "pets.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var got generator.Options
	a, stdout, stderr := testApp(func(o generator.Options) (*generator.Result, error) {
		got = o
		return &generator.Result{Dir: "x"}, nil
	}, nil)
	args := []string{"init", "--from", "specs/pets.yaml", "--out", "conf/bkgen.yaml", "--json", "--stack", "go-echo", "--database", "sqlite", "--coverage", "65%", "--deploy", "helm,vm", "--ci", "gitlab", "--base-path", "/api"}
	if code := a.run(t.Context(), args); code != ExitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "Wrote conf/bkgen.yaml") || !strings.Contains(stderr.String(), "bkgen new --config conf/bkgen.yaml") {
		t.Errorf("stderr:\n%s", stderr)
	}
	var resolved initJSON
	if err := json.Unmarshal(stdout.Bytes(), &resolved); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if code := a.run(t.Context(), []string{"new", "--config", "conf/bkgen.yaml", "--no-check", "--no-git"}); code != ExitOK {
		t.Fatalf("new: exit %d\n%s", code, stderr)
	}
	if got.SpecPath != filepath.Join("specs", "pets.yaml") {
		t.Errorf("new read spec %q", got.SpecPath)
	}
	read := jsonConfig(&got.Config)
	read.Spec = resolved.Spec // new resolves it from the config's folder
	if diff := cmp.Diff(resolved, read, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("new read (-init resolved +new read):\n%s", diff)
	}
	if resolved.Spec != "../specs/pets.yaml" || resolved.Stack != "go-echo" || resolved.Coverage != 65 ||
		resolved.Auth != "auto" || resolved.BasePath == nil || *resolved.BasePath != "/api" {
		t.Errorf("resolved = %+v", resolved)
	}
	// Every key was written, so blueprint overlays' defaults cannot apply.
	if !slices.Contains(got.Explicit, "auth") || !slices.Contains(got.Explicit, "stack") {
		t.Errorf("Explicit = %q", got.Explicit)
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	t.Chdir(t.TempDir())
	spec := "openapi: 3.0.3\ninfo: {title: Pets, version: \"1\"}\npaths: {}\n"
	if err := os.WriteFile("swagger.json", []byte(`{"swagger": "2.0", "info": {"title": "Other", "version": "1"}, "paths": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("api.yml", []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("bkgen.yaml", []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, stdout, stderr := testApp(nil, nil)
	if code := a.run(t.Context(), []string{"init", "--no-input"}); code != ExitUsage {
		t.Fatalf("exit %d, want %d\n%s", code, ExitUsage, stderr)
	}
	if want := "bkgen init: bkgen.yaml already exists; nothing was written (give --force to overwrite it)\n"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr = %q, want %q…", stderr, want)
	}
	if data, _ := os.ReadFile("bkgen.yaml"); string(data) != "mine\n" || stdout.Len() != 0 {
		t.Errorf("bkgen.yaml = %q, stdout %q", data, stdout)
	}
	stderr.Reset()
	// api.yml comes before swagger.json in the search order.
	if code := a.run(t.Context(), []string{"init", "--force"}); code != ExitOK {
		t.Fatalf("--force: exit %d\n%s", code, stderr)
	}
	c, l := config.Load("bkgen.yaml")
	if c == nil || c.Spec != "api.yml" || c.Module != "example.com/pets" || c.Auth != "none" {
		t.Errorf("after --force: %+v %v", c, l)
	}
	if !strings.Contains(stderr.String(), "Found api.yml") {
		t.Errorf("stderr does not say which spec was found:\n%s", stderr)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestInitWriteAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "bkgen.yaml")
	if err := writeAtomic(path, []byte("one\n"), false); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(path, []byte("two\n"), false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second write without force: %v, want fs.ErrExist", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "one\n" {
		t.Errorf("without force the file became %q", data)
	}
	if err := writeAtomic(path, []byte("three\n"), true); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "three\n" || fi.Mode().Perm() != 0o644 {
		t.Errorf("with force: %q, mode %v", data, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files left beside bkgen.yaml: %v", entries)
	}
}

// answerReader hands out one line per Read, as a terminal does: huh's
// accessible mode starts a new bufio.Scanner for every question, which
// would otherwise swallow the answers to the next ones.
type answerReader struct{ lines []string }

func (r *answerReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

// The form, in huh's accessible mode: each answer replaces the derived value,
// an empty answer keeps it.
func TestInitForm(t *testing.T) {
	t.Parallel()
	doc := loadInitSpec(t, "auth-bearer.yaml").OpenAPI
	derive := func() initConfig {
		return deriveInit(doc, "api.yaml", "bkgen.yaml", config.Default(), map[string]bool{}, "")
	}
	tests := []struct {
		name    string
		answers []string
		write   bool
		want    func(*config.Config)
		// reasked counts the answers refused, and asked again.
		reasked int
	}{
		{"defaults", []string{"", "", "", "", "", "0", "", ""}, true, func(*config.Config) {}, 0},
		{
			"changed",
			[]string{
				"not a module", "github.com/acme/pets", // re-asked after an invalid path
				"2", "3", "7",
				"101", "65", // re-asked after an invalid percent
				"2", "3", "0", // kubernetes off, helm on, done
				"2", "y",
			},
			true,
			func(c *config.Config) {
				c.Module, c.Stack, c.Database, c.Auth, c.Coverage = "github.com/acme/pets", "go-gin", "sqlite", "none", 65
				c.Deploy, c.CI = []string{"docker", "helm"}, "gitlab"
			},
			2,
		},
		{"declined", []string{"", "", "", "", "", "0", "", "n"}, false, func(*config.Config) {}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ic := derive()
			want := ic.cfg
			tt.want(&want)
			var out strings.Builder
			in := &answerReader{slices.Clone(tt.answers)}
			ok, err := askInit(t.Context(), in, &out, true, "bkgen.yaml", &ic)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if len(in.lines) > 0 {
				t.Errorf("answers not read: %q", in.lines)
			}
			if n := strings.Count(out.String(), "not a Go module path") + strings.Count(out.String(), "a whole percent"); n != tt.reasked {
				t.Errorf("%d answers refused, want %d:\n%s", n, tt.reasked, out.String())
			}
			if strings.Contains(out.String(), "\x1b[") {
				t.Errorf("colours written to a buffer:\n%q", out.String())
			}
			if ok != tt.write {
				t.Errorf("write = %v, want %v", ok, tt.write)
			}
			if diff := cmp.Diff(want, ic.cfg); diff != "" {
				t.Errorf("answers (-want +got):\n%s\n%s", diff, out.String())
			}
			for _, s := range []string{
				"Go module path (Enter keeps example.com/notes-with-bearer-jwt)", "Stack (Enter keeps go-chi)",
				"securitySchemes.bearerAuth (http bearer, JWT) → jwt", "Auth (Enter keeps auto)",
				"Coverage target (percent) (Enter keeps 80)", "Deploy targets", "Write bkgen.yaml?",
			} {
				if !strings.Contains(out.String(), s) {
					t.Errorf("the form does not ask %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestInitNotInteractive(t *testing.T) {
	t.Parallel()
	a, _, _ := testApp(nil, nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
	a.stdin, a.stderr = r, w
	if a.interactive(false) {
		t.Error("a pipe is not a terminal")
	}
}
