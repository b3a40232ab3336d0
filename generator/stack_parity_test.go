package generator_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/generator"
)

// parityRequests are sent to a service of each stack; the answers must agree.
// Not among them: a literal segment written with escapes it does not need
// ("/v2/p%65ts"), which ServeMux decodes and chi, matching the escaped path,
// answers 404. The requests on "/v2/pets/1/more" are there for echo, whose
// last parameter takes the rest of a path.
var parityRequests = []struct{ method, path, body string }{
	{"GET", "/v2/pets", ""},
	{"GET", "/v2/pets?limit=abc", ""},
	{"GET", "/v2/pets?limit=1&tags=a&tags=b", ""},
	{"POST", "/v2/pets", `{"name": "Rex"}`},
	{"POST", "/v2/pets", `{"name": `},
	{"POST", "/v2/pets", `{"tag": "dog"}`},
	{"GET", "/v2/pets/1", ""},
	{"GET", "/v2/pets/abc", ""},
	{"DELETE", "/v2/pets/1", ""},
	{"GET", "/v2/pets/1/more", ""},
	{"DELETE", "/v2/pets/1/more", ""},
	{"OPTIONS", "/v2/pets/1", ""},
	{"BREW", "/v2/pets/1", ""},
	{"PUT", "/v2/pets", ""},
	{"PATCH", "/v2/pets/1", ""},
	{"HEAD", "/v2/pets", ""},
	{"HEAD", "/v2/pets/1", ""},
	{"OPTIONS", "/v2/pets", ""},
	{"BREW", "/v2/pets", ""},
	{"BREW", "/no/such/path", ""},
	{"GET", "/v2/pets/", ""},
	{"GET", "/v2/", ""},
	{"GET", "/v2", ""},
	{"GET", "/v2/nope", ""},
	{"POST", "/v2/nope", ""},
	{"GET", "/nope", ""},
	{"GET", "/pets", ""},
	{"GET", "/openapi.yaml", ""},
	{"HEAD", "/openapi.yaml", ""},
	{"POST", "/openapi.yaml", ""},
	{"GET", "/v2/openapi.yaml", ""},
	{"GET", "/V2/PETS", ""},
	{"GET", "/v2/pets/%31", ""},
	{"GET", "/v2/pets/1%2F2", ""},
	{"GET", "//v2/pets", ""},
	{"GET", "/v2/pets/../pets", ""},
	{"GET", "/v2/./pets", ""},
}

// TestStackParity starts a service of each stack from the same spec and
// sends each the same requests: status, Content-Type, Allow and body must be
// the same whatever the router.
func TestStackParity(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts whole services; skipped with -short")
	}
	spec := filepath.Join(specsDir(t), "oai-petstore-expanded.yaml")
	answers := make(map[string][]string)
	stacks := []string{"go-chi", "go-stdlib", "go-gin", "go-echo"}
	for _, stack := range stacks {
		base := startService(t, spec, stack)
		client := &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		for _, pr := range parityRequests {
			answers[stack] = append(answers[stack], answer(t, client, pr.method, base+pr.path, pr.body))
		}
	}
	for i, pr := range parityRequests {
		for _, stack := range stacks[1:] {
			if a, b := answers[stacks[0]][i], answers[stack][i]; a != b {
				t.Errorf("%s %s:\n%s: %s\n%s: %s", pr.method, pr.path, stacks[0], a, stack, b)
			}
		}
	}
}

// answer sends one request and describes the answer: status, Content-Type,
// Allow and body.
func answer(t *testing.T, client *http.Client, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 200 {
		b = append(b[:200:200], "…"...)
	}
	return fmt.Sprintf("%d type=%q allow=%q location=%q %s", resp.StatusCode, resp.Header.Get("Content-Type"),
		resp.Header.Values("Allow"), resp.Header.Get("Location"), bytes.TrimSpace(b))
}

// startService generates a service of stack from spec, builds and starts it
// on free ports, and returns its API's base URL once its admin port says it
// is alive. The service is stopped when the test ends.
func startService(t *testing.T, spec, stack string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "svc")
	cfg := testConfig()
	cfg.Stack = stack
	res, err := generator.New(t.Context(), generator.Options{SpecPath: spec, OutDir: dir, Config: cfg, NoGit: true, NoCheck: true})
	if err != nil {
		t.Fatalf("generate %s: %v", stack, err)
	}
	cmds, err := filepath.Glob(filepath.Join(res.Dir, "cmd", "*"))
	if err != nil || len(cmds) != 1 {
		t.Fatalf("cmd/: %v %v", cmds, err)
	}
	bin := filepath.Join(t.TempDir(), "svc")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/"+filepath.Base(cmds[0]))
	build.Dir = res.Dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", stack, err, out)
	}
	port, admin := freePort(t), freePort(t)
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, bin)
	srv.Env = append(os.Environ(), "HOST=127.0.0.1", "PORT="+port, "ADMIN_PORT="+admin, "LOG_LEVEL=error")
	srv.Stdout, srv.Stderr = &logs, &logs
	srv.Cancel = func() error { return srv.Process.Signal(os.Interrupt) }
	srv.WaitDelay = 10 * time.Second
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("%s log:\n%s", stack, tail(logs.String(), 40))
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://127.0.0.1:" + admin + "/healthz") //nolint:noctx // a poll with its own deadline
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start: %v\n%s", stack, err, tail(logs.String(), 40))
		}
	}
	return "http://127.0.0.1:" + port
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
