package blueprint

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
)

// overlay writes files (slash paths) into a new folder.
func overlay(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const coManifest = "name: co\nversion: 1.2.3\nbkgen: \">=1.0.0, <2\"\nowners:\n  \"docs/**\": generated\nremove:\n  - deploy/helm/**\n"

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := overlay(t, map[string]string{ManifestName: coManifest, "service/CODEOWNERS": "* @co\n"})
	o, l := Load(dir, "v1.4.0")
	if o == nil || l.HasErrors() {
		t.Fatalf("Load: %v", l)
	}
	if o.Name != "co" || o.Version != "1.2.3" || !strings.HasPrefix(o.Hash, "sha256:") {
		t.Errorf("overlay %+v", o)
	}
	if owner, ok := Owner([]*Overlay{o}, "docs/runbooks/x.md"); !ok || owner != "generated" {
		t.Errorf("Owner(docs/runbooks/x.md) = %q, %v", owner, ok)
	}
	if _, ok := Owner([]*Overlay{o}, "README.md"); ok {
		t.Error("README.md has no owner rule")
	}
	if !Removed([]*Overlay{o}, "deploy/helm/svc/Chart.yaml") || Removed([]*Overlay{o}, "deploy/kubernetes/base/x.yaml") {
		t.Error("remove: deploy/helm/** matches the chart's files and nothing else")
	}
	// Another content, another hash.
	dir2 := overlay(t, map[string]string{ManifestName: coManifest, "service/CODEOWNERS": "* @co2\n"})
	if o2, _ := Load(dir2, "v1.4.0"); o2 == nil || o2.Hash == o.Hash {
		t.Error("the hash does not follow the content")
	}
}

func TestLoadRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, version string
		files         map[string]string
		want          string
		line          int
	}{
		{"no manifest", "v1.0.0", map[string]string{"service/x.tmpl": ""}, "without blueprint.yaml", 0},
		{"unknown key", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: 1.0.0\ncolour: red\n"}, "colour", 3},
		{"bad version", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: one\n"}, "not a semantic version", 2},
		{"bad name", "v1.0.0", map[string]string{ManifestName: "name: Co Blue\nversion: 1.0.0\n"}, "blueprint name", 1},
		{"too new a bkgen needed", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: 1.0.0\nbkgen: \">=2\"\n"}, "needs bkgen >=2; this is bkgen v1.0.0", 3},
		{"bad owner", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: 1.0.0\nowners:\n  x: mine\n"}, `owner "mine"`, 3},
		{"escaping glob", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: 1.0.0\nremove: [../x]\n"}, "remove glob", 3},
		{"stray file", "v1.0.0", map[string]string{ManifestName: "name: co\nversion: 1.0.0\n", "README.md": ""}, "outside the blueprint folders", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, l := Load(overlay(t, tc.files), tc.version)
			if o != nil || !l.HasErrors() {
				t.Fatalf("Load accepted it: %v", l)
			}
			var found *diag.Diagnostic
			for i := range l {
				if strings.Contains(l[i].Summary, tc.want) {
					found = &l[i]
				}
			}
			if found == nil {
				t.Fatalf("no error saying %q: %v", tc.want, l)
			}
			if found.Pos.Line != tc.line {
				t.Errorf("error on line %d, want %d: %v", found.Pos.Line, tc.line, found)
			}
		})
	}
}

func TestDevelopmentBuildWarns(t *testing.T) {
	t.Parallel()
	o, l := Load(overlay(t, map[string]string{ManifestName: "name: co\nversion: 1.0.0\nbkgen: \">=9\"\n"}), "(devel)")
	if o == nil || l.HasErrors() || len(l) != 1 || l[0].Severity != diag.Warning {
		t.Fatalf("want the overlay and one warning: %v", l)
	}
}

func TestCompose(t *testing.T) {
	t.Parallel()
	builtin := fstest.MapFS{
		"service/README.md.tmpl": {Data: []byte("built-in")},
		"service/a.go.tmpl":      {Data: []byte("package a")},
	}
	o, l := Load(overlay(t, map[string]string{
		ManifestName:             "name: co\nversion: 1.0.0\n",
		"service/README.md.tmpl": "replaced",
		"service/CODEOWNERS":     "* {{literal}}",
		"hooks/x.tmpl":           `{{define "b"}}x{{end}}`,
	}), "(devel)")
	if o == nil {
		t.Fatal(l)
	}
	c, err := Compose(builtin, []*Overlay{o})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"service/README.md.tmpl":  "replaced",
		"service/a.go.tmpl":       "package a",
		"service/CODEOWNERS.tmpl": `* {{"{{"}}literal}}`,
		"hooks/co/x.tmpl":         `{{define "b"}}x{{end}}`,
	} {
		got, err := fs.ReadFile(c.FS, name)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if len(c.Hooks) != 1 || c.Hooks[0] != "hooks/co/x.tmpl" {
		t.Errorf("hooks %v", c.Hooks)
	}
	if f := c.From["service/README.md.tmpl"]; f.Overlay != o || !strings.HasSuffix(f.Source(), filepath.FromSlash("service/README.md.tmpl")) {
		t.Errorf("From = %+v", f)
	}
	if f := c.From["service/a.go.tmpl"]; f.Overlay != nil || f.Source() != "blueprints/service/a.go.tmpl" {
		t.Errorf("From = %+v", f)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	o, l := Load(overlay(t, map[string]string{
		ManifestName: "name: co\nversion: 1.0.0\ndefaults:\n  stack: go-gin\n  coverage: 90\n  deploy: [docker, helm]\n",
	}), "(devel)")
	if o == nil {
		t.Fatal(l)
	}
	c := config.Default()
	applied := ApplyDefaults(&c, []*Overlay{o}, map[string]bool{"coverage": true})
	if c.Stack != "go-gin" || c.Coverage != 80 || strings.Join(c.Deploy, ",") != "docker,helm" {
		t.Errorf("config after defaults: %+v", c)
	}
	if strings.Join(applied, ",") != "stack,deploy" {
		t.Errorf("applied %v, want stack,deploy (coverage was the user's)", applied)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"defaults:\n  module: x\n", `"module" cannot have a default`},
		{"defaults:\n  stack: go-nope\n", "go-nope"},
		{"defaults: [stack]\n", "want a mapping"},
	} {
		_, l := Load(overlay(t, map[string]string{ManifestName: "name: co\nversion: 1.0.0\n" + tc.yaml}), "(devel)")
		if !l.HasErrors() || !strings.Contains(l.Err().Error(), tc.want) {
			t.Errorf("defaults %q: %v; want an error saying %s", tc.yaml, l, tc.want)
		}
		for _, d := range l.Errors() {
			if d.Pos.Line < 3 {
				t.Errorf("defaults %q: error at line %d, want the defaults' lines", tc.yaml, d.Pos.Line)
			}
		}
	}
}
