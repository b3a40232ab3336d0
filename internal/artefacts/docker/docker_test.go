// Package docker checks the Dockerfile, .dockerignore and compose.yaml that
// bkgen writes for the docker deploy target, with BuildKit's Dockerfile
// parser and linter, the Go toolchain (the image's build command, run here:
// there is no Docker engine on the machines these tests run on) and
// compose-go's loader.
package docker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// deploy is the deploy: of the services these tests generate.
var deploy = []string{"docker"}

// generated returns the folder of petstore-expanded generated with db and
// the docker deploy target.
func generated(t *testing.T, db string) string {
	t.Helper()
	return artefactstest.Generated(t, artefactstest.Petstore(t), db, deploy, "github")
}

// service returns the model the files of generated(t, db) were rendered
// from: the runtime table and the deploy settings the tests expect to find.
func service(t *testing.T, db string) *ir.Service {
	t.Helper()
	return artefactstest.Model(t, artefactstest.Petstore(t), db, deploy, "github")
}

// TestDockerFilesOnlyWithDocker: the docker files belong to the docker
// target alone; a service deployed on VMs only has none of them.
func TestDockerFilesOnlyWithDocker(t *testing.T) {
	files := []string{"Dockerfile", ".dockerignore", "compose.yaml"}
	dir := generated(t, "postgres")
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("deploy [docker]: %s is missing: %v", f, err)
		}
	}
	vmOnly := artefactstest.Generated(t, artefactstest.Petstore(t), "postgres", []string{"vm"}, "github")
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(vmOnly, f)); err == nil {
			t.Errorf("deploy [vm]: %s is written, want it absent", f)
		}
	}
	if _, err := os.Stat(filepath.Join(vmOnly, "deploy", "vm")); err != nil {
		t.Errorf("deploy [vm]: deploy/vm is missing: %v", err)
	}
}

// engine names the database server compose runs for db, "" for none.
func engine(svc *ir.Service) string {
	if !svc.HasDatabase() || svc.Database == "sqlite" {
		return ""
	}
	return svc.Database
}

// goMinor returns the major.minor Go release of the go directive of the
// generated go.mod ("1.26" for go 1.26.0).
func goMinor(t *testing.T, dir string) string {
	t.Helper()
	for line := range strings.SplitSeq(string(artefactstest.ReadFile(t, dir, "go.mod")), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			parts := strings.Split(strings.TrimSpace(v), ".")
			if len(parts) < 2 {
				t.Fatalf("go.mod: go directive %q", v)
			}
			return parts[0] + "." + parts[1]
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}
