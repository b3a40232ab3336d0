// Package stacktest holds the checks every stack's tests run: that its
// dependency snapshot is what `go mod tidy` makes of it, and which routes
// its router refuses.
package stacktest

import (
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/stacks"
)

var update = flag.Bool("update", false, "rewrite the stack's dependency snapshot from `go mod tidy`")

// CheckSnapshot checks that stack's go.mod requirements and go.sum are what
// `go mod tidy` makes of a module importing everything the generated code
// imports (snapshot/deps*.go.txt, beside the calling test). With -update it
// rewrites snapshot/require.txt and snapshot/go.sum.txt instead. It needs the
// Go module proxy, so it is skipped with -short.
func CheckSnapshot(t *testing.T, stack stacks.Stack) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go mod tidy against the module proxy; skipped with -short")
	}
	dir := t.TempDir()
	tmp, snapshot := openRoot(t, dir), openRoot(t, "snapshot")
	write := func(root *os.Root, name string, data []byte) {
		t.Helper()
		if err := root.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	read := func(root *os.Root, name string) []byte {
		t.Helper()
		b, err := root.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write(tmp, "go.mod", []byte("module example.com/depsnap\n\ngo "+stack.GoVersion+"\n\n"+stack.Require))
	write(tmp, "go.sum", []byte(stack.GoSum))
	for _, name := range []string{"deps.go", "deps_test.go"} {
		write(tmp, name, read(snapshot, name+".txt"))
	}
	cmd := exec.CommandContext(t.Context(), "go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	gomod, gosum := string(read(tmp, "go.mod")), read(tmp, "go.sum")
	_, require, ok := strings.Cut(gomod, "\nrequire")
	if !ok {
		t.Fatalf("go mod tidy wrote no requirements:\n%s", gomod)
	}
	require = "require" + require
	if *update {
		write(snapshot, "require.txt", []byte(require))
		write(snapshot, "go.sum.txt", gosum)
		return
	}
	if require != stack.Require {
		t.Errorf("go.mod requirements of %s are stale (go test -run Snapshot -update):\n%s", stack.Name, require)
	}
	if string(gosum) != stack.GoSum {
		t.Errorf("go.sum snapshot of %s is stale (go test -run Snapshot -update)", stack.Name)
	}
}

// openRoot opens dir for the test, closing it when the test ends.
func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Close() })
	return root
}

// CheckRoutes checks what a stack's CheckRoutes returns for routes: want
// maps the index of each refused route to text its error holds; every other
// route must be served.
func CheckRoutes(t *testing.T, check func([]stacks.Route) []error, routes []stacks.Route, want map[int]string) {
	t.Helper()
	for i, err := range check(routes) {
		switch {
		case want[i] == "" && err != nil:
			t.Errorf("%v: unexpected error %v", routes[i], err)
		case want[i] != "" && (err == nil || !strings.Contains(err.Error(), want[i])):
			t.Errorf("%v: error %v, want one holding %q", routes[i], err, want[i])
		}
	}
}
