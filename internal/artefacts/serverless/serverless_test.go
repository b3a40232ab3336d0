// Package serverless checks the serverless deploy target: the SAM template
// (parsed with goformation, the CloudFormation model of AWS's Go tools), and
// that a service deployed there builds for Lambda and serves API Gateway's
// events through the adapter.
package serverless

import (
	"debug/elf"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// deploy is the target list of the services checked here.
var deploy = []string{"serverless"}

const templatePath = "deploy/serverless/template.yaml"

// generated is petstore-expanded with db, deployed to serverless.
func generated(t *testing.T, db string) string {
	t.Helper()
	return artefactstest.Generated(t, artefactstest.Petstore(t), db, deploy, "none")
}

// service is the model generated(t, db) was rendered from: its runtime
// table is what the template's environment must hold.
func service(t *testing.T, db string) *ir.Service {
	t.Helper()
	return artefactstest.Model(t, artefactstest.Petstore(t), db, deploy, "none")
}

// lambdaValues are the settings the template sets apart from the runtime
// table's defaults, each explained in the template.
func lambdaValues(svc *ir.Service) map[string]string {
	v := map[string]string{"REQUEST_TIMEOUT": "25s", "DB_MAX_CONNS": "2"}
	if svc.HasDatabase() && svc.Database == "sqlite" {
		v["DATABASE_URL"] = "file:/tmp/" + svc.Name + ".db"
		v["MIGRATE"] = "auto"
	}
	return v
}

// apiGatewayTimeout is the longest an API Gateway HTTP API waits for its
// integration.
const apiGatewayTimeout = 30 * time.Second

// TestSAMTemplate parses the SAM template with goformation and checks the
// function, its events and timeouts, its environment against the runtime
// table (secrets by reference only), the log group and the outputs.
func TestSAMTemplate(t *testing.T) {
	t.Parallel()
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dir, svc := generated(t, db), service(t, db)
			data := artefactstest.ReadFile(t, dir, templatePath)
			tmpl, err := goformation.ParseYAML(data)
			if err != nil {
				t.Fatalf("%s: %v", templatePath, err)
			}
			if tmpl.AWSTemplateFormatVersion != "2010-09-09" {
				t.Errorf("AWSTemplateFormatVersion %q", tmpl.AWSTemplateFormatVersion)
			}
			if tmpl.Transform == nil || tmpl.Transform.String == nil || *tmpl.Transform.String != "AWS::Serverless-2016-10-31" {
				t.Errorf("Transform %+v, want AWS::Serverless-2016-10-31", tmpl.Transform)
			}
			functions := tmpl.GetAllServerlessFunctionResources()
			fn, ok := functions["ApiFunction"]
			if !ok || len(functions) != 1 {
				t.Fatalf("serverless functions %v, want ApiFunction alone", slices.Sorted(maps.Keys(functions)))
			}
			checkFunction(t, dir, svc, fn)
			checkEvents(t, fn)
			checkEnvironment(t, svc, fn)
			checkLogsAndOutputs(t, tmpl)
			checkParameters(t, svc, tmpl)
			checkDatabaseNotes(t, svc, string(data))
		})
	}
}

func str(p *string) string {
	if p == nil {
		return "<unset>"
	}
	return *p
}

// checkFunction: the runtime, handler, architecture, build method and code
// of the function, and a Timeout between REQUEST_TIMEOUT and API Gateway's.
func checkFunction(t *testing.T, dir string, svc *ir.Service, fn *serverless.Function) {
	t.Helper()
	if got := str(fn.Runtime); got != "provided.al2023" {
		t.Errorf("Runtime %s, want provided.al2023", got)
	}
	if got := str(fn.Handler); got != "bootstrap" {
		t.Errorf("Handler %s, want bootstrap (what provided runtimes start)", got)
	}
	if !slices.Equal(fn.Architectures, []string{"arm64"}) {
		t.Errorf("Architectures %v, want [arm64]", fn.Architectures)
	}
	if got := fn.AWSCloudFormationMetadata["BuildMethod"]; got != "go1.x" {
		t.Errorf("Metadata.BuildMethod %v, want go1.x (SAM's Go builder)", got)
	}
	if fn.CodeUri == nil || fn.CodeUri.String == nil {
		t.Fatal("CodeUri is not a path")
	}
	code := filepath.Join(dir, "deploy", "serverless", filepath.FromSlash(*fn.CodeUri.String))
	if rel, err := filepath.Rel(dir, code); err != nil || filepath.ToSlash(rel) != "cmd/"+svc.Cmd {
		t.Errorf("CodeUri %s is %s in the repo, want cmd/%s (the main package)", *fn.CodeUri.String, rel, svc.Cmd)
	}
	if _, err := os.Stat(filepath.Join(code, "main.go")); err != nil {
		t.Errorf("CodeUri holds no main.go: %v", err)
	}
	if fn.Timeout == nil {
		t.Fatal("no Timeout")
	}
	timeout := time.Duration(*fn.Timeout) * time.Second
	request, err := time.ParseDuration(envOf(fn)["REQUEST_TIMEOUT"])
	if err != nil {
		t.Fatalf("REQUEST_TIMEOUT: %v", err)
	}
	if request >= timeout || timeout >= apiGatewayTimeout {
		t.Errorf("REQUEST_TIMEOUT %v, Timeout %v: want REQUEST_TIMEOUT < Timeout < %v (API Gateway's limit), so the service answers its own timeout",
			request, timeout, apiGatewayTimeout)
	}
}

func envOf(fn *serverless.Function) map[string]string {
	if fn.Environment == nil {
		return nil
	}
	return fn.Environment.Variables
}

// checkEvents: HTTP API events (payload 2.0) send every method on / and on
// every path below it to the function, through the implicit API whose id
// the outputs name (ServerlessHttpApi).
func checkEvents(t *testing.T, fn *serverless.Function) {
	t.Helper()
	routes := map[string]bool{}
	for name, ev := range fn.Events {
		if ev.Type != "HttpApi" || ev.Properties == nil || ev.Properties.HttpApiEvent == nil {
			t.Errorf("event %s: type %s, want HttpApi", name, ev.Type)
			continue
		}
		h := ev.Properties.HttpApiEvent
		if h.ApiId != nil {
			t.Errorf("event %s: ApiId %s, want the implicit ServerlessHttpApi", name, *h.ApiId)
		}
		if got := str(h.PayloadFormatVersion); got != "2.0" {
			t.Errorf("event %s: PayloadFormatVersion %s, want 2.0", name, got)
		}
		if h.TimeoutInMillis != nil && time.Duration(*h.TimeoutInMillis)*time.Millisecond > apiGatewayTimeout {
			t.Errorf("event %s: TimeoutInMillis %d above API Gateway's limit", name, *h.TimeoutInMillis)
		}
		routes[str(h.Method)+" "+str(h.Path)] = true
	}
	for _, want := range []string{"ANY /", "ANY /{proxy+}"} {
		if !routes[want] {
			t.Errorf("no HttpApi event %s (routes %v)", want, routes)
		}
	}
}

// secretRef is the dynamic reference a secret's variable holds once
// goformation resolved ${SecretName} to its default.
func secretRef(svc *ir.Service, name string) string {
	return "{{resolve:secretsmanager:" + svc.Name + ":SecretString:" + name + "}}"
}

// checkEnvironment: exactly the runtime table's variables; plain ones with
// their defaults (or the Lambda values), secrets as Secrets Manager dynamic
// references, never a value.
func checkEnvironment(t *testing.T, svc *ir.Service, fn *serverless.Function) {
	t.Helper()
	env := envOf(fn)
	var want []string
	for _, v := range svc.Env {
		want = append(want, v.Name)
	}
	if got := slices.Sorted(maps.Keys(env)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("environment variables %v, want the runtime table's %v", got, slices.Sorted(slices.Values(want)))
	}
	lambda := lambdaValues(svc)
	for _, v := range svc.Env {
		got, ok := env[v.Name]
		if !ok {
			continue
		}
		want := v.Default
		if l, ok := lambda[v.Name]; ok {
			want = l
		}
		if v.Secret {
			want = secretRef(svc, v.Name)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", v.Name, got, want)
		}
	}
}

// checkLogsAndOutputs: a log group of the function's name with a retention,
// and the API's URL among the outputs.
func checkLogsAndOutputs(t *testing.T, tmpl *cloudformation.Template) {
	t.Helper()
	groups := tmpl.GetAllLogsLogGroupResources()
	if len(groups) != 1 {
		t.Fatalf("log groups %v, want one", slices.Sorted(maps.Keys(groups)))
	}
	for name, g := range groups {
		// ${ApiFunction} names a resource, which goformation cannot resolve
		// and drops: the rest of the name remains.
		if got := str(g.LogGroupName); got != "/aws/lambda/" {
			t.Errorf("log group %s: name %s, want /aws/lambda/${ApiFunction}", name, got)
		}
		if g.RetentionInDays == nil || *g.RetentionInDays <= 0 {
			t.Errorf("log group %s: no retention", name)
		}
	}
	out, ok := tmpl.Outputs["ApiUrl"]
	if !ok {
		t.Fatal("no ApiUrl output")
	}
	if url, _ := out.Value.(string); !strings.HasPrefix(url, "https://") || !strings.Contains(url, ".execute-api.") {
		t.Errorf("ApiUrl %v, want the HTTP API's execute-api URL", out.Value)
	}
}

// checkParameters: the secret's name is a parameter (defaulting to the
// service's name, like the Kubernetes Secret) when there are secrets; no
// parameter holds a secret's value.
func checkParameters(t *testing.T, svc *ir.Service, tmpl *cloudformation.Template) {
	t.Helper()
	p, ok := tmpl.Parameters["SecretName"]
	switch {
	case len(svc.SecretEnv()) == 0 && ok:
		t.Error("a SecretName parameter without secrets")
	case len(svc.SecretEnv()) > 0 && (!ok || p.Default != svc.Name):
		t.Errorf("SecretName parameter %+v, want one defaulting to %s", p, svc.Name)
	}
	for name, p := range tmpl.Parameters {
		for _, v := range svc.SecretEnv() {
			if strings.EqualFold(name, strings.ReplaceAll(v.Name, "_", "")) {
				t.Errorf("parameter %s carries the secret %s: reference it from Secrets Manager instead (%+v)", name, v.Name, p)
			}
		}
	}
}

// checkDatabaseNotes: SQLite on Lambda is said not to be durable; a server
// database's migrations are said to run before the deploy.
func checkDatabaseNotes(t *testing.T, svc *ir.Service, text string) {
	t.Helper()
	switch {
	case !svc.HasDatabase():
		if strings.Contains(text, "DATABASE_URL") {
			t.Error("a service without a database mentions DATABASE_URL")
		}
	case svc.Database == "sqlite":
		if !strings.Contains(text, "SQLite on Lambda is NOT durable") {
			t.Error("the template does not warn that SQLite on Lambda is not durable")
		}
	default:
		if !strings.Contains(text, svc.Cmd+" migrate up") {
			t.Errorf("the template does not say to run `%s migrate up` before deploying", svc.Cmd)
		}
	}
}

// goEnv is the environment of the go commands run on a generated service:
// its own module, whatever workspace surrounds the test.
func goEnv(extra ...string) []string {
	return append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly"), extra...)
}

// goRun runs the go command in dir and returns its output; it fails the
// test when the command fails.
func goRun(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	out, err := goTry(t, dir, env, args...)
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// goTry runs the go command in dir and returns its output and error.
func goTry(t *testing.T, dir string, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", args...) //nolint:gosec // the go tool on a generated service's packages
	cmd.Dir = dir
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return out, err
}

// wantLambdaTests are tests of the generated lambda_gen_test.go that must
// run and pass on petstore-expanded: a GET with a query (valid and not), a
// POST with a JSON body (valid and not), a 404, a binary response, cookies,
// the request's details, raw payloads, and the runtime loop of the Lambda
// library against a fake runtime API.
var wantLambdaTests = []string{
	"TestLambdaServesTheSpecsRequests/FindPets_valid/http-api",
	"TestLambdaServesTheSpecsRequests/FindPets_query_limit_invalid/http-api",
	"TestLambdaServesTheSpecsRequests/AddPet_valid/http-api",
	"TestLambdaServesTheSpecsRequests/AddPet_body_Name_missing/rest-api",
	"TestLambdaNotFound",
	"TestLambdaBinaryResponse",
	"TestLambdaCookies",
	"TestLambdaRequest",
	"TestLambdaInvoke",
	"TestServeLambda",
}

// TestBuildsForLambda builds each service's binary as SAM does (a static
// linux/arm64 bootstrap), vets it, and runs its Lambda tests.
//
//nolint:paralleltest // one service at a time: each build keeps every core busy
func TestBuildsForLambda(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir, svc := generated(t, db), service(t, db)
			bootstrap := filepath.Join(t.TempDir(), "bootstrap")
			goRun(t, dir, goEnv("GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"), "build", "-o", bootstrap, "./cmd/"+svc.Cmd)
			checkBootstrap(t, bootstrap)
			goRun(t, dir, goEnv(), "vet", "./...")
			out, err := goTry(t, dir, goEnv(), "test", "-count=1", "-json", "-run", "Lambda", "./internal/platform/")
			if !checkTestsPassed(t, out, wantLambdaTests) && err == nil {
				t.Error("go test passed, yet tests failed")
			}
			if err != nil {
				t.Errorf("go test -run Lambda ./internal/platform/: %v", err)
			}
		})
	}
}

// checkBootstrap: a statically linked arm64 Linux executable.
func checkBootstrap(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("the build wrote no ELF binary: %v", err)
	}
	defer func() { _ = f.Close() }()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC {
		t.Errorf("bootstrap is %v %v, want an arm64 executable", f.Machine, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked")
		}
	}
}

// checkTestsPassed reads `go test -json` output: every test named in want
// passed, and none failed (its output is shown). It reports whether all is
// well.
func checkTestsPassed(t *testing.T, out []byte, want []string) bool {
	t.Helper()
	ok := true
	passed := map[string]bool{}
	output := map[string]string{}
	var other strings.Builder // what is not a test's: build errors
	for line := range strings.SplitSeq(string(out), "\n") {
		var ev struct{ Action, Test, Output string }
		if json.Unmarshal([]byte(line), &ev) != nil {
			other.WriteString(line + "\n")
			continue
		}
		if ev.Test == "" {
			if ev.Action == "output" {
				other.WriteString(ev.Output)
			}
			continue
		}
		switch ev.Action {
		case "output":
			output[ev.Test] += ev.Output
		case "pass":
			passed[ev.Test] = true
		case "fail":
			ok = false
			t.Errorf("%s failed:\n%s", ev.Test, output[ev.Test])
		case "skip":
			if slices.Contains(want, ev.Test) {
				ok = false
				t.Errorf("%s was skipped:\n%s", ev.Test, output[ev.Test])
			}
		}
	}
	for _, name := range want {
		if !passed[name] {
			ok = false
			t.Errorf("%s did not run and pass", name)
		}
	}
	if !ok {
		t.Logf("go test said besides:\n%s", other.String())
	}
	return ok
}

// TestNoLambdaWithoutServerless: a service not deployed to serverless has
// no adapter, no template and no Lambda wiring in main, and its binary does
// not link the Lambda library; the serverless one does.
func TestNoLambdaWithoutServerless(t *testing.T) {
	t.Parallel()
	plain := artefactstest.Generated(t, artefactstest.Petstore(t), "postgres", []string{"docker", "kubernetes"}, "none")
	for _, f := range []string{"internal/platform/lambda_gen.go", "internal/platform/lambda_gen_test.go", "deploy/serverless"} {
		if _, err := os.Stat(filepath.Join(plain, f)); err == nil {
			t.Errorf("deploy [docker kubernetes]: %s is written, want it absent", f)
		}
	}
	svc := service(t, "postgres")
	if got := lambdaCalls(t, filepath.Join(plain, "cmd", svc.Cmd, "main.go")); len(got) != 0 {
		t.Errorf("deploy [docker kubernetes]: main.go calls %v", got)
	}
	withLambda := generated(t, "postgres")
	if got := lambdaCalls(t, filepath.Join(withLambda, "cmd", svc.Cmd, "main.go")); !slices.Equal(got, []string{"OnLambda", "ServeLambda"}) {
		t.Errorf("deploy [serverless]: main.go calls %v, want OnLambda and ServeLambda", got)
	}
	const lib = "github.com/aws/aws-lambda-go/lambda"
	deps := func(dir string) []string {
		return strings.Fields(string(goRun(t, dir, goEnv(), "list", "-deps", "./cmd/"+svc.Cmd)))
	}
	if slices.Contains(deps(plain), lib) {
		t.Errorf("deploy [docker kubernetes]: the binary links %s", lib)
	}
	if !slices.Contains(deps(withLambda), lib) {
		t.Errorf("deploy [serverless]: the binary does not link %s", lib)
	}
}

// lambdaCalls lists the platform functions of the Lambda adapter that a
// Go file calls, sorted.
func lambdaCalls(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "platform" && strings.Contains(sel.Sel.Name, "Lambda") {
			calls = append(calls, sel.Sel.Name)
		}
		return true
	})
	slices.Sort(calls)
	return slices.Compact(calls)
}
