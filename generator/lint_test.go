package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintBlueprintAcme lints the repository's example overlay as a release
// of bkgen would (a development build warns that it does not check the
// overlay's bkgen constraint): every case renders, with no diagnostic.
func TestLintBlueprintAcme(t *testing.T) {
	t.Parallel()
	// -short renders only; the builds take about a minute.
	res, err := LintBlueprint(t.Context(), filepath.Join("..", "testdata", "blueprints", "acme"), LintOptions{Version: "1.0.0", NoBuild: testing.Short()})
	if err != nil {
		t.Fatalf("LintBlueprint: %v", err)
	}
	if len(res.Diagnostics) > 0 {
		t.Errorf("diagnostics:\n%v", res.Diagnostics)
	}
	if want := len(lintCases()); res.Renders != want || want < 32 {
		t.Errorf("renders = %d, want %d (at least 32)", res.Renders, want)
	}
	wantBuilds := 7 // every stack on postgres, every database on go-chi
	if testing.Short() {
		wantBuilds = 0
	}
	if res.Builds != wantBuilds {
		t.Errorf("builds = %d, want %d", res.Builds, wantBuilds)
	}
	if res.Overlay == nil || res.Overlay.Name != "acme" {
		t.Errorf("overlay = %+v, want acme", res.Overlay)
	}
}

// TestLintBlueprintFindsErrors lints overlays with a field that does not
// exist in a template only some configurations render, and with a file in
// a folder no configuration reads.
func TestLintBlueprintFindsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"blueprint.yaml":                  "name: bad\nversion: 1.0.0\n",
		"db/mysql/NOTES.md.tmpl":          "# Notes\n\n{{.Service.NoSuchField}}\n",
		"stack/go-nope/README.extra.tmpl": "x\n",
		"ci/gitlab/.gitlab-ci.extra.tmpl": "{{.Service.AlsoMissing}}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := LintBlueprint(t.Context(), dir, LintOptions{NoBuild: true})
	if err != nil {
		t.Fatalf("LintBlueprint: %v", err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		filepath.Join(dir, "db", "mysql", "NOTES.md.tmpl") + ":3:",
		"NoSuchField",
		filepath.Join(dir, "ci", "gitlab", ".gitlab-ci.extra.tmpl") + ":1:",
		"warning: blueprint bad: stack/go-nope/README.extra.tmpl is never rendered",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, all)
		}
	}
	if n := strings.Count(all, "can't evaluate field NoSuchField"); n != 1 {
		t.Errorf("NoSuchField reported %d times, want once (deduplicated):\n%s", n, all)
	}
	if !res.Diagnostics.HasErrors() {
		t.Errorf("no error among the diagnostics:\n%s", all)
	}
}

// TestLintBlueprintBrokenAcme lints a copy of the example overlay with a
// deliberate mistake on line 7 of its CI workflow template: the lint names
// that file and line.
func TestLintBlueprintBrokenAcme(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "acme")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "testdata", "blueprints", "acme"))); err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(dir, "ci", "github", ".github", "workflows", "ci.yml.tmpl")
	data, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	lines[6] = "# {{.Service.Coverge}}" // line 7, misspelt
	if err := os.WriteFile(wf, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := LintBlueprint(t.Context(), dir, LintOptions{NoBuild: true})
	if err != nil {
		t.Fatalf("LintBlueprint: %v", err)
	}
	errs := res.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Pos.File != wf || errs[0].Pos.Line != 7 || !strings.Contains(errs[0].Summary, "Coverge") {
		t.Fatalf("want one error at %s:7 about Coverge, got:\n%v", wf, res.Diagnostics)
	}
}

// TestLintBlueprintBuilds lints an overlay whose Go template renders code
// that does not compile: the build names the overlay's template.
func TestLintBlueprintBuilds(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: building the rendered services takes a while")
	}
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "service", "internal", "platform", "co_gen.go.tmpl")
	for name, text := range map[string]string{
		filepath.Join(dir, "blueprint.yaml"): "name: co\nversion: 1.0.0\n",
		tmpl:                                 "package platform\n\n// Answer is wrong.\nfunc Answer() int { return \"42\" }\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := LintBlueprint(t.Context(), dir, LintOptions{})
	if err != nil {
		t.Fatalf("LintBlueprint: %v", err)
	}
	errs := res.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Pos.File != tmpl || !strings.Contains(errs[0].Summary, "go build: internal/platform/co_gen.go:4:") {
		t.Fatalf("want one build error at %s, got:\n%v", tmpl, res.Diagnostics)
	}
}
