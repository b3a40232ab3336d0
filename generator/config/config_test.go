package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/diag"
)

// render formats diagnostics one per line as "summary" plus " [hint: ...]".
func render(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		if d.Hint != "" {
			b.WriteString(" [hint: " + d.Hint + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

const allowedKeys = "version, spec, module, stack, database, auth, coverage, deploy, ci, base_path, blueprints"

func TestParseDiagnostics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{
			"unknown key", "version: 1\nstak: go-chi\n",
			`bkgen.yaml:2:1: error: unknown key "stak"; allowed keys: ` + allowedKeys + ` [hint: did you mean "stack"?]`,
		},
		{
			"unknown key without suggestion", "frobnicate: yes\n",
			`bkgen.yaml:1:1: error: unknown key "frobnicate"; allowed keys: ` + allowedKeys,
		},
		{
			"non-scalar key", "[a]: 1\n",
			`bkgen.yaml:1:1: error: keys must be plain names; allowed keys: ` + allowedKeys,
		},
		{
			"duplicate key", "stack: go-chi\nci: none\nstack: go-gin\n",
			`bkgen.yaml:3:1: error: key "stack" is set twice (first at line 1)`,
		},
		{
			"not a mapping", "- stack\n",
			`bkgen.yaml:1:1: error: a bkgen config must be a mapping of keys to values, such as "stack: go-chi"`,
		},
		{
			"syntax error", "stack: go-chi\n  database: [\n",
			`bkgen.yaml:2: error: invalid YAML: mapping values are not allowed in this context`,
		},
		{
			"newer version", "version: 2\n",
			`bkgen.yaml:1:10: error: version 2 was written by a newer bkgen (this one reads version 1) [hint: upgrade bkgen]`,
		},
		{
			"older version", "version: 0\n",
			`bkgen.yaml:1:10: error: unsupported version 0 [hint: write version: 1]`,
		},
		{
			"version not a number", "version: \"1\"\n",
			`bkgen.yaml:1:10: error: version must be a whole number, such as 1, not "1"`,
		},
		{
			"unknown stack", "stack: go-fiber\n",
			`bkgen.yaml:1:8: error: unknown stack "go-fiber"; allowed: go-chi, go-gin, go-echo, go-stdlib`,
		},
		{
			"stack typo", "stack: go-chii\n",
			`bkgen.yaml:1:8: error: unknown stack "go-chii"; allowed: go-chi, go-gin, go-echo, go-stdlib [hint: did you mean "go-chi"?]`,
		},
		{
			"stack not a scalar", "stack: {name: go-chi}\n",
			`bkgen.yaml:1:8: error: stack must be a single value, not a mapping`,
		},
		{
			"unknown database", "database: oracle\n",
			`bkgen.yaml:1:11: error: unknown database "oracle"; allowed: postgres, mysql, sqlite, none`,
		},
		{
			"unknown auth", "auth: kerberos\n",
			`bkgen.yaml:1:7: error: unknown auth method "kerberos"; allowed: auto, jwt, oauth2, session, api-key, basic, none`,
		},
		{
			"unknown ci", "ci: jenkins\n",
			`bkgen.yaml:1:5: error: unknown ci "jenkins"; allowed: github, gitlab, none`,
		},
		{
			"unknown deploy target", "deploy: [docker, aws]\n",
			`bkgen.yaml:1:18: error: unknown deploy target "aws"; allowed: docker, kubernetes, helm, serverless, vm`,
		},
		{
			"deploy block list", "deploy:\n  - docker\n  - kubernets\n",
			`bkgen.yaml:3:5: error: unknown deploy target "kubernets"; allowed: docker, kubernetes, helm, serverless, vm [hint: did you mean "kubernetes"?]`,
		},
		{
			"deploy twice", "deploy: [helm, helm]\n",
			`bkgen.yaml:1:16: error: deploy target "helm" is listed twice`,
		},
		{
			"deploy not a list", "deploy: docker\n",
			`bkgen.yaml:1:9: error: deploy must be a list, such as [docker, kubernetes], not "docker"`,
		},
		{
			"deploy item not a scalar", "deploy: [[docker]]\n",
			`bkgen.yaml:1:10: error: the items of deploy must be single values, not a list`,
		},
		{
			"coverage too high", "coverage: 101\n",
			`bkgen.yaml:1:11: error: coverage 101 is out of range: it is a percent from 0 to 100`,
		},
		{
			"coverage negative", "coverage: -1\n",
			`bkgen.yaml:1:11: error: coverage -1 is out of range: it is a percent from 0 to 100`,
		},
		{
			"coverage fraction", "coverage: 80.5\n",
			`bkgen.yaml:1:11: error: coverage must be a whole percent from 0 to 100, not "80.5"`,
		},
		{
			"invalid module", "module: petstore\n",
			`bkgen.yaml:1:9: error: module "petstore" is not a valid Go module path: missing dot in first path element [hint: use a path such as github.com/acme/petstore]`,
		},
		{
			"base_path without slash", "base_path: v2\n",
			`bkgen.yaml:1:12: error: base_path "v2" must start with "/" [hint: write "/v2", or "" to mount the API at the root]`,
		},
		{
			"base_path trailing slash", "base_path: /v2/\n",
			`bkgen.yaml:1:12: error: base_path "/v2/" must not end with "/" [hint: write "/v2"]`,
		},
		{
			"base_path root slash", "base_path: /\n",
			`bkgen.yaml:1:12: error: base_path "/" must not end with "/" [hint: write "" to mount the API at the root]`,
		},
		{
			"base_path query", "base_path: /v2?x=1\n",
			`bkgen.yaml:1:12: error: base_path "/v2?x=1" must be a plain URL path (no spaces, query or fragment)`,
		},
		{
			"blueprint empty", "blueprints: [\"\"]\n",
			`bkgen.yaml:1:14: error: blueprint folder names must not be empty`,
		},
		{
			"blueprint twice", "blueprints: [org, org]\n",
			`bkgen.yaml:1:19: error: blueprint folder "org" is listed twice`,
		},
		{
			"blueprints not a list", "blueprints: org\n",
			`bkgen.yaml:1:13: error: blueprints must be a list, such as [../platform-blueprints], not "org"`,
		},
		{
			"every problem at once, in file order", "stack: x\nfoo: 1\ncoverage: 200\n",
			`bkgen.yaml:1:8: error: unknown stack "x"; allowed: go-chi, go-gin, go-echo, go-stdlib` + "\n" +
				`bkgen.yaml:2:1: error: unknown key "foo"; allowed keys: ` + allowedKeys + "\n" +
				`bkgen.yaml:3:11: error: coverage 200 is out of range: it is a percent from 0 to 100`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, l := Parse("bkgen.yaml", []byte(tt.in))
			if got := strings.TrimSuffix(render(l), "\n"); got != tt.want {
				t.Errorf("Parse(%q) diagnostics:\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
			if c != nil {
				t.Errorf("Parse(%q) returned a config along with errors", tt.in)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	def := Default()
	tests := []struct {
		name, in string
		want     func(c *Config)
	}{
		{"empty file", "", func(*Config) {}},
		{"comments only", "# nothing here\n", func(*Config) {}},
		{"empty document", "---\n", func(*Config) {}},
		{"null values keep defaults", "stack:\ndeploy: ~\nbase_path: null\n", func(*Config) {}},
		{
			"every key",
			`version: 1
spec: api/openapi.yaml
module: github.com/acme/petstore
stack: go-echo
database: sqlite
auth: jwt
coverage: 0
deploy: [helm, vm]
ci: gitlab
base_path: /v2
blueprints: [../org, ./team]
`,
			func(c *Config) {
				c.Spec = "api/openapi.yaml"
				c.Module = "github.com/acme/petstore"
				c.Stack = "go-echo"
				c.Database = "sqlite"
				c.Auth = "jwt"
				c.Coverage = 0
				c.Deploy = []string{"helm", "vm"}
				c.CI = "gitlab"
				c.BasePath = new("/v2")
				c.Blueprints = []string{"../org", "./team"}
			},
		},
		{"empty base_path mounts at the root", "base_path: \"\"\n", func(c *Config) { c.BasePath = new("") }},
		{"no deploy targets", "deploy: []\n", func(c *Config) { c.Deploy = []string{} }},
		{"aliases", "x: &s go-gin\n", nil},
		{"alias value", "stack: &s go-gin\n", func(c *Config) { c.Stack = "go-gin" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, l := Parse("bkgen.yaml", []byte(tt.in))
			if tt.want == nil {
				if !l.HasErrors() {
					t.Fatalf("Parse(%q): no error", tt.in)
				}
				return
			}
			if len(l) != 0 {
				t.Fatalf("Parse(%q): unexpected diagnostics:\n%s", tt.in, render(l))
			}
			want := def.Clone()
			tt.want(want)
			if !reflect.DeepEqual(c, want) {
				t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tt.in, *c, *want)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	t.Parallel()
	c := Default()
	if l := c.Validate(); len(l) != 0 {
		t.Fatalf("Default().Validate():\n%s", render(l))
	}
	want := Config{
		Version: 1, Stack: "go-chi", Database: "postgres", Auth: "auto", Coverage: 80,
		Deploy: []string{"docker", "kubernetes"}, CI: "github", Blueprints: []string{},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Default() = %+v, want %+v", c, want)
	}
	// Each call returns fresh slices.
	c.Deploy[0] = "vm"
	if Default().Deploy[0] != "docker" {
		t.Error("Default shares its slices between calls")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"valid", func(*Config) {}, ""},
		{
			"stack", func(c *Config) { c.Stack = "go-fiber" },
			`flag --stack: error: unknown stack "go-fiber"; allowed: go-chi, go-gin, go-echo, go-stdlib`,
		},
		{
			"database", func(c *Config) { c.Database = "mongo" },
			`flag --database: error: unknown database "mongo"; allowed: postgres, mysql, sqlite, none`,
		},
		{
			"auth", func(c *Config) { c.Auth = "apikey" },
			`flag --auth: error: unknown auth method "apikey"; allowed: auto, jwt, oauth2, session, api-key, basic, none [hint: did you mean "api-key"?]`,
		},
		{
			"ci", func(c *Config) { c.CI = "" },
			`flag --ci: error: unknown ci ""; allowed: github, gitlab, none`,
		},
		{
			"coverage", func(c *Config) { c.Coverage = 150 },
			`flag --coverage: error: coverage 150 is out of range: it is a percent from 0 to 100`,
		},
		{
			"deploy", func(c *Config) { c.Deploy = []string{"docker", "Helm"} },
			`flag --deploy: error: unknown deploy target "Helm"; allowed: docker, kubernetes, helm, serverless, vm [hint: did you mean "helm"?]`,
		},
		{
			"module", func(c *Config) { c.Module = "github.com/acme/pet store" },
			`flag --module: error: module "github.com/acme/pet store" is not a valid Go module path: invalid char ' ' [hint: use a path such as github.com/acme/petstore]`,
		},
		{
			"base path", func(c *Config) { c.BasePath = new("api") },
			`flag --base_path: error: base_path "api" must start with "/" [hint: write "/api", or "" to mount the API at the root]`,
		},
		{
			"newer version", func(c *Config) { c.Version = 3 },
			`flag --version: error: version 3 was written by a newer bkgen (this one reads version 1) [hint: upgrade bkgen]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tt.edit(&c)
			l := c.ValidateAt(func(key string) diag.Pos { return diag.Pos{File: "flag --" + key} })
			if got := strings.TrimSuffix(render(l), "\n"); got != tt.want {
				t.Errorf("ValidateAt:\n got: %s\nwant: %s", got, tt.want)
			}
			// Validate reports the same, without a position.
			if got, want := len(c.Validate()), len(l); got != want {
				t.Errorf("Validate gave %d diagnostics, ValidateAt %d", got, want)
			}
			for _, d := range c.Validate() {
				if d.Pos.IsValid() {
					t.Errorf("Validate: diagnostic with a position: %s", d)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "bkgen.yaml")
	if err := os.WriteFile(path, []byte("stack: go-gin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, l := Load(path)
	if len(l) != 0 || c == nil || c.Stack != "go-gin" {
		t.Fatalf("Load(%s) = %+v, %s", path, c, render(l))
	}

	missing := filepath.Join(dir, "missing.yaml")
	c, l = Load(missing)
	want := missing + ": error: cannot read config: no such file or directory\n"
	if c != nil || render(l) != want {
		t.Errorf("Load(missing) = %v, %q; want nil, %q", c, render(l), want)
	}
}

const defaultYAML = `# bkgen.yaml: the generation choices of this service; ` + "`bkgen regen`" + ` reads it.
# Runtime settings are environment variables, not keys here.
version: 1                    # the format of this file
stack: go-chi                 # go-chi | go-gin | go-echo | go-stdlib
database: postgres            # postgres | mysql | sqlite | none
auth: auto                    # auto (re-read from securitySchemes at every regen) | jwt | oauth2 | session | api-key | basic | none
coverage: 80                  # percent; the self-check and the generated CI enforce it
deploy: [docker, kubernetes]  # docker | kubernetes | helm | serverless | vm
ci: github                    # github | gitlab | none
# base_path: unset, so the path of servers[0].url is used; "" mounts at the root
blueprints: []                # overlay folders (relative to this file), applied in order
`

func TestMarshalDefault(t *testing.T) {
	t.Parallel()
	c := Default()
	if got := string(Marshal(&c)); got != defaultYAML {
		t.Errorf("Marshal(Default()) =\n%s\nwant\n%s", got, defaultYAML)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	full := Default()
	full.Spec = "api/openapi.yaml"
	full.Module = "github.com/acme/petstore/v2"
	full.BasePath = new("/v2")
	full.Deploy = []string{}
	full.Blueprints = []string{"../org blueprints", "null", "a,b", "#x", "1", "true", "~", "é", "x: y", "-dash", "[x]"}

	root := Default()
	root.BasePath = new("")
	root.Spec = "spec with: colon.yaml"

	for _, c := range []Config{Default(), full, root} {
		data := Marshal(&c)
		got, l := Parse("bkgen.yaml", data)
		if len(l) != 0 {
			t.Fatalf("Parse(Marshal(%+v)):\n%s\n%s", c, render(l), data)
		}
		if !reflect.DeepEqual(*got, c) {
			t.Errorf("Parse(Marshal(c)) =\n%+v\nwant\n%+v\nfile:\n%s", *got, c, data)
		}
		if again := Marshal(got); string(again) != string(data) {
			t.Errorf("Marshal is not deterministic:\n%s\n%s", data, again)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct{ word, want string }{
		{"stak", "stack"},
		{"databse", "database"},
		{"basepath", "base_path"},
		{"STACK", "stack"},
		{"zzzzzz", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, Keys); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// FuzzParse checks that Parse never panics, that every diagnostic points
// inside the input, and that a config it accepts survives Marshal.
func FuzzParse(f *testing.F) {
	f.Add([]byte(defaultYAML))
	f.Add([]byte("stack: go-fiber\ndeploy: [docker, aws]\nbase_path: v2\n"))
	f.Add([]byte("version: 2\nstak: x\n- a\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, l := Parse("bkgen.yaml", data)
		// YAML breaks lines at \n, \r\n and a lone \r.
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
		for _, d := range l {
			if d.Pos.File != "bkgen.yaml" || d.Pos.Line > lines {
				t.Errorf("diagnostic outside the input: %s", d)
			}
		}
		if c == nil {
			return
		}
		back, l := Parse("bkgen.yaml", Marshal(c))
		if l.HasErrors() || !reflect.DeepEqual(back, c) {
			t.Errorf("Marshal does not round-trip %+v:\n%s\n%s", *c, Marshal(c), render(l))
		}
	})
}
