package gochi

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the dependency snapshot from `go mod tidy`")

// TestSnapshotIsTidy checks that the generated go.mod's requirements and
// go.sum are what `go mod tidy` makes of a module importing everything the
// generated code imports (snapshot/deps*.go.txt). With -update it rewrites
// them. It needs the Go module proxy.
func TestSnapshotIsTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy against the module proxy; skipped with -short")
	}
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("snapshot", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write("go.mod", "module example.com/depsnap\n\ngo "+Stack.GoVersion+"\n\n"+Stack.Require)
	write("go.sum", Stack.GoSum)
	write("deps.go", read("deps.go.txt"))
	write("deps_test.go", read("deps_test.go.txt"))
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	require := string(gomod[strings.Index(string(gomod), "require"):])
	if *update {
		if err := os.WriteFile("snapshot/require.txt", []byte(require), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("snapshot/go.sum.txt", gosum, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if require != Stack.Require {
		t.Errorf("go.mod requirements are stale (go test ./stacks/gochi -update):\n%s", require)
	}
	if string(gosum) != Stack.GoSum {
		t.Errorf("go.sum snapshot is stale (go test ./stacks/gochi -update)")
	}
}
