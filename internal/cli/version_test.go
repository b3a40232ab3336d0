package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestVersionJSONOfBuild builds bkgen as a person would and checks that
// version --json reports the versions of the embedded libraries that
// go.mod requires (a test binary records none).
func TestVersionJSONOfBuild(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds bkgen: not with -short")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bkgen")
	build := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=auto", "-o", bin, "./cmd/bkgen")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v versionInfo
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if v.Version == "" || v.Go != runtime.Version() || v.OS != runtime.GOOS || v.Arch != runtime.GOARCH {
		t.Errorf("version %q, go %q, %s/%s", v.Version, v.Go, v.OS, v.Arch)
	}
	// A build in a git work tree records its commit.
	head := exec.CommandContext(t.Context(), "git", "rev-parse", "HEAD")
	head.Dir = root
	if rev, err := head.Output(); err == nil {
		if want := strings.TrimSpace(string(rev)); v.VCS == nil || v.VCS.System != "git" || v.VCS.Revision != want || v.VCS.Time == "" {
			t.Errorf("vcs %+v, want git revision %s", v.VCS, want)
		}
	} else {
		t.Logf("no git revision to compare with: %v", err)
	}

	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	required := map[string]string{}
	for _, r := range mod.Require {
		required[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range mod.Replace {
		if r.New.Version != "" {
			required[r.Old.Path] = r.New.Version
		}
	}
	if len(v.Libraries) != len(embeddedLibraries) {
		t.Fatalf("libraries %v, want %d", v.Libraries, len(embeddedLibraries))
	}
	for i, l := range v.Libraries {
		want := required[embeddedLibraries[i].module]
		if l.Name != embeddedLibraries[i].name || l.Module != embeddedLibraries[i].module || want == "" || l.Version != want {
			t.Errorf("library %+v, want %s %s %s (go.mod)", l, embeddedLibraries[i].name, embeddedLibraries[i].module, want)
		}
	}
}
