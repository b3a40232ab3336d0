// Package vm checks the files bkgen writes for the vm deploy target
// (deploy/vm/: the systemd unit, the settings file and install.sh) with
// systemd-analyze, shellcheck and a run of install.sh against stand-ins for
// the system's commands.
package vm

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

func TestMain(m *testing.M) { artefactstest.Main(m) }

// deploy is the deploy: of the services these tests generate.
var deploy = []string{"vm"}

// generated returns the folder of petstore-expanded generated with db and
// the vm deploy target.
func generated(t *testing.T, db string) string {
	t.Helper()
	return artefactstest.Generated(t, artefactstest.Petstore(t), db, deploy, "github")
}

// service returns the model the files of generated(t, db) were rendered
// from: the runtime table the settings file must list.
func service(t *testing.T, db string) *ir.Service {
	t.Helper()
	return artefactstest.Model(t, artefactstest.Petstore(t), db, deploy, "github")
}

// vmFile returns the path of deploy/vm/<name> in dir.
func vmFile(dir, name string) string { return filepath.Join(dir, "deploy", "vm", name) }

// TestVMFilesOnlyWithVM: deploy/vm belongs to the vm target alone; a service
// deployed with docker only has none of it.
func TestVMFilesOnlyWithVM(t *testing.T) {
	dir := generated(t, "postgres")
	svc := service(t, "postgres")
	for _, f := range []string{svc.Name + ".service", svc.Name + ".env", "install.sh"} {
		if _, err := os.Stat(vmFile(dir, f)); err != nil {
			t.Errorf("deploy [vm]: deploy/vm/%s is missing: %v", f, err)
		}
	}
	for _, f := range []string{"Dockerfile", "compose.yaml", ".dockerignore"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("deploy [vm]: %s is written, want it absent", f)
		}
	}
	dockerOnly := artefactstest.Generated(t, artefactstest.Petstore(t), "postgres", []string{"docker"}, "github")
	if _, err := os.Stat(filepath.Join(dockerOnly, "deploy", "vm")); err == nil {
		t.Error("deploy [docker]: deploy/vm is written, want it absent")
	}
}

// unit is a systemd unit file: the values of each key per section, in order.
type unit map[string]map[string][]string

// parseUnit reads a unit file as systemd does for the keys these tests
// check: [Section] headers, Key=Value lines, # and ; comments.
func parseUnit(t *testing.T, data []byte) unit {
	t.Helper()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("unit:%d: %q is not Key=Value in a section", n, line)
			}
			u[section][strings.TrimSpace(key)] = append(u[section][strings.TrimSpace(key)], strings.TrimSpace(value))
		}
	}
	return u
}

// last returns the value a key ends with (systemd keeps the last
// assignment of a single-valued key), and whether it is set.
func (u unit) last(section, key string) (string, bool) {
	v := u[section][key]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// requireTool returns the path of a tool the tests cannot do without, or
// fails with how to install it.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not on PATH: install it (%s)", name, install)
	}
	return p
}
