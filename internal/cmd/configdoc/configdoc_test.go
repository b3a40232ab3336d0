package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
)

var update = flag.Bool("update", false, "rewrite docs/config.md")

const (
	srcDir  = "../../../generator/config"
	docsDir = "../../../docs"
)

// TestConfigDocIsCurrent fails when docs/config.md is not what configdoc
// writes from generator/config; -update rewrites it.
func TestConfigDocIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := generate(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(docsDir, "config.md")
	if *update {
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run task docs (or go test ./internal/cmd/configdoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/config.md is out of date: run task docs (or go test ./internal/cmd/configdoc -update)\n%s", firstDifference(got, want))
	}
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n  have %q\n  want %q", i+1, gl, wl)
		}
	}
	return ""
}

// TestKeysAreTheConfigKeys checks the page's keys against the keys Parse
// accepts, in the order Marshal writes them, and their defaults against what
// an empty bkgen.yaml gives.
func TestKeysAreTheConfigKeys(t *testing.T) {
	t.Parallel()
	keys := documentedKeys(t)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	if !slices.Equal(names, config.Keys) {
		t.Errorf("documented keys %v, config.Keys %v", names, config.Keys)
	}
	empty, diags := config.Parse("bkgen.yaml", nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	v := reflect.ValueOf(*empty)
	for _, k := range keys {
		if got := defaultOf(v.FieldByName(k.field)); got != k.def {
			t.Errorf("%s: documented default %s, an empty bkgen.yaml gives %s", k.name, k.def, got)
		}
	}
}

// TestAllowedValuesAreValidated checks that the allowed values the page
// lists are exactly what validation accepts: each one passes, and a value
// close to them does not.
func TestAllowedValuesAreValidated(t *testing.T) {
	t.Parallel()
	withAllowed := 0
	for _, k := range documentedKeys(t) {
		if k.allowed == nil {
			continue
		}
		withAllowed++
		for _, v := range append(slices.Clone(k.allowed), "not-"+k.allowed[0]) {
			c := config.Default()
			f := reflect.ValueOf(&c).Elem().FieldByName(k.field)
			switch f.Kind() {
			case reflect.String:
				f.SetString(v)
			case reflect.Slice:
				f.Set(reflect.ValueOf([]string{v}))
			default:
				t.Fatalf("%s: allowed values on a %s", k.name, f.Kind())
			}
			valid := !c.Validate().HasErrors()
			if want := slices.Contains(k.allowed, v); valid != want {
				t.Errorf("%s: %q: documented as allowed %v, accepted by Validate %v", k.name, v, want, valid)
			}
		}
	}
	// stack, database, auth, deploy and ci.
	if withAllowed != 5 {
		t.Errorf("%d keys with allowed values, want 5", withAllowed)
	}
}

// TestFlagsAreGenerationFlags checks that the flags the page names are
// those bkgen new's help lists as generation flags.
func TestFlagsAreGenerationFlags(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"module": "--module", "stack": "--stack", "database": "--database", "auth": "--auth",
		"coverage": "--coverage", "deploy": "--deploy", "ci": "--ci", "base_path": "--base-path",
		"blueprints": "--blueprints",
	}
	for _, k := range documentedKeys(t) {
		if k.flag != want[k.name] {
			t.Errorf("%s: flag %q, want %q", k.name, k.flag, want[k.name])
		}
	}
}

// TestLinksResolve checks that every relative link of docs/config.md names
// a page of docs/ and every in-page link a key's heading.
func TestLinksResolve(t *testing.T) {
	t.Parallel()
	page, err := generate(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(string(page), -1)
	if len(links) == 0 {
		t.Fatal("no links in the page")
	}
	for _, m := range links {
		target := m[1]
		if name, ok := strings.CutPrefix(target, "#"); ok {
			if !bytes.Contains(page, []byte("\n### `"+name+"`\n")) {
				t.Errorf("link %s: no heading for it", target)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(docsDir, target)); err != nil {
			t.Errorf("link %s: %v", target, err)
		}
	}
}

// TestRefusesWhatItCannotShow runs configdoc on copies of generator/config
// whose comments it cannot turn into the page.
func TestRefusesWhatItCannotShow(t *testing.T) {
	t.Parallel()
	orig, err := os.ReadFile(filepath.Join(srcDir, "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{
			"link to something other than a list",
			"one of [Databases]", "one of [Default]",
			"doc link [Default] is not a list of values",
		},
		{
			"links to two lists",
			"one of [Databases]", "one of [Databases] or [CIs]",
			"several lists of values",
		},
		{
			"field without a comment",
			"\t// CI is the pipeline generated for the repository: one of [CIs]. none\n\t// generates no pipeline.\n", "",
			"field Config.CI has no doc comment",
		},
		{
			"list with an item that is not a literal",
			`"github", "gitlab", "none"}`, `"github", "gitlab", Version}`,
			"CIs: the items of a list of values must be string literals",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(orig, []byte(tc.old)) {
				t.Fatalf("config.go no longer holds %q: update this test", tc.old)
			}
			dir := t.TempDir()
			src := bytes.Replace(orig, []byte(tc.old), []byte(tc.new), 1)
			if err := os.WriteFile(filepath.Join(dir, "config.go"), src, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := generate(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"a b c", 3, "a b\nc"},
		{"  one\ntwo  three ", 20, "one two three"},
		{"longword x", 4, "longword\nx"},
		{"", 10, ""},
	} {
		if got := wrap(tc.in, tc.width); got != tc.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run([]string{"extra"}, &out, &errOut); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), `unexpected argument "extra"`) {
		t.Errorf("stderr %q", errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"-src", srcDir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "# bkgen.yaml reference\n") {
		t.Errorf("stdout starts %q", out.String()[:min(out.Len(), 40)])
	}
}

func documentedKeys(t *testing.T) []key {
	t.Helper()
	src, err := readSource(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	flags, err := generationFlags()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keysOf(src, flags)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
