package vm

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// TestInstallScriptLints: install.sh passes shellcheck (every check enabled
// by default, style included) and bash's own syntax check.
func TestInstallScriptLints(t *testing.T) {
	shellcheck := requireTool(t, "shellcheck", "apt-get install -y shellcheck")
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			path := vmFile(generated(t, db), "install.sh")
			if out, err := exec.Command(shellcheck, "--severity=style", path).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %v\n%s", path, err, out)
			}
			if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
				t.Errorf("bash -n %s: %v\n%s", path, err, out)
			}
			data := artefactstest.ReadFile(t, generated(t, db), filepath.Join("deploy", "vm", "install.sh"))
			if !bytes.HasPrefix(data, []byte("#!/usr/bin/env bash\n")) || !bytes.Contains(data, []byte("\nset -euo pipefail\n")) {
				t.Errorf("%s: want a bash shebang on the first line and set -euo pipefail", path)
			}
		})
	}
}

// envLine matches a setting of the settings file, active or commented out.
var envLine = regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)

// TestEnvFile: the settings file lists every row of the runtime table with
// its default and description; secrets are commented out and empty, and
// nothing outside the table is set.
func TestEnvFile(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			svc := service(t, db)
			rel := filepath.Join("deploy", "vm", svc.Name+".env")
			type entry struct {
				active  bool
				value   string
				comment string
			}
			entries := map[string]entry{}
			var comment []string
			sc := bufio.NewScanner(bytes.NewReader(artefactstest.ReadFile(t, generated(t, db), rel)))
			for n := 1; sc.Scan(); n++ {
				line := sc.Text()
				m := envLine.FindStringSubmatch(line)
				switch {
				case m != nil:
					if _, dup := entries[m[2]]; dup {
						t.Errorf("%s:%d: %s is listed twice", rel, n, m[2])
					}
					entries[m[2]] = entry{active: m[1] == "", value: m[3], comment: strings.Join(comment, " ")}
					comment = nil
				case strings.HasPrefix(line, "#"):
					comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
				case strings.TrimSpace(line) == "":
					comment = nil
				default:
					t.Errorf("%s:%d: %q is neither a comment nor NAME=value", rel, n, line)
				}
			}
			for _, v := range svc.Env {
				e, ok := entries[v.Name]
				switch {
				case !ok:
					t.Errorf("%s: %s of the runtime table is missing", rel, v.Name)
					continue
				case v.Secret && (e.active || e.value != ""):
					t.Errorf("%s: secret %s must be commented out and empty, is %q (active: %v)", rel, v.Name, e.value, e.active)
				case !v.Secret && (!e.active || e.value != v.Default):
					t.Errorf("%s: %s=%q (active: %v), want its default %q, set", rel, v.Name, e.value, e.active, v.Default)
				}
				if !strings.Contains(e.comment, v.Description) {
					t.Errorf("%s: %s: comment %q lacks its description %q", rel, v.Name, e.comment, v.Description)
				}
			}
			for name, e := range entries {
				if e.active && svc.EnvVar(name) == nil {
					t.Errorf("%s: sets %s, which the service does not read", rel, name)
				}
			}
		})
	}
}

// sandbox is a run of install.sh against a folder standing for /, with the
// system commands it calls replaced by stand-ins that log their arguments.
type sandbox struct {
	root, script, log string
	env               []string
}

// stubs are the stand-ins: users and groups exist once created, install
// drops its owner options (the test does not run as root everywhere), and
// systemd-run answers the health check with $HEALTH (0 by default).
var stubs = map[string]string{
	"id": `if [ "$#" -eq 1 ] && [ "$1" = -u ]; then echo 0; exit 0; fi
[ "$1" = -u ] && [ -e "$STATE/user-$2" ]`,
	"getent":   `[ "$1" = group ] && [ -e "$STATE/group-$2" ]`,
	"groupadd": `echo "groupadd $*" >>"$LOG"; touch "$STATE/group-${*: -1}"`,
	"useradd":  `echo "useradd $*" >>"$LOG"; touch "$STATE/user-${*: -1}"`,
	"install": `args=(); while [ "$#" -gt 0 ]; do case "$1" in -o|-g) shift 2 ;; *) args+=("$1"); shift ;; esac; done
exec /usr/bin/install "${args[@]}"`,
	"systemctl":   `echo "systemctl $*" >>"$LOG"`,
	"journalctl":  `echo "journalctl $*" >>"$LOG"`,
	"systemd-run": `echo "systemd-run $*" >>"$LOG"; case " $* " in *" healthcheck "*) exit "${HEALTH:-0}" ;; esac`,
}

// newSandbox copies deploy/vm of dir into a fresh root, with the script's
// absolute paths (/etc, /usr/local/bin, /var/lib) moved under it.
func newSandbox(t *testing.T, dir string) *sandbox {
	t.Helper()
	root := t.TempDir()
	s := &sandbox{root: root, log: filepath.Join(root, "log")}
	for _, d := range []string{"repo/deploy/vm", "stubs", "state", "etc/systemd/system", "usr/local/bin", "var/lib"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "deploy", "vm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "deploy", "vm", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "install.sh" {
			text := string(data)
			for _, p := range []string{"/etc/", "/usr/local/bin/", "/var/lib/"} {
				text = strings.ReplaceAll(text, "="+p, "="+root+p)
				text = strings.ReplaceAll(text, `"`+p, `"`+root+p)
			}
			// Never let the script reach the machine's own folders.
			for n, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "#") {
					continue
				}
				line = strings.ReplaceAll(line, root+"/", "")
				for _, p := range []string{"/etc/", "/usr/local/bin/", "/var/lib/"} {
					if strings.Contains(line, p) {
						t.Fatalf("install.sh:%d: %q names %s in a way this test cannot redirect", n+1, line, p)
					}
				}
			}
			data = []byte(text)
		}
		if err := os.WriteFile(filepath.Join(root, "repo/deploy/vm", e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.script = filepath.Join(root, "repo/deploy/vm/install.sh")
	for name, body := range stubs {
		if err := os.WriteFile(filepath.Join(root, "stubs", name), []byte("#!/usr/bin/env bash\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.env = append(os.Environ(), "PATH="+filepath.Join(root, "stubs")+":"+os.Getenv("PATH"),
		"STATE="+filepath.Join(root, "state"), "LOG="+s.log)
	return s
}

// run runs install.sh on binary with extra environment, and returns its
// output, the commands it logged during this run, and its error.
func (s *sandbox) run(t *testing.T, binary string, env ...string) (string, []string, error) {
	t.Helper()
	before, _ := os.ReadFile(s.log)
	cmd := exec.Command("bash", s.script, binary)
	cmd.Dir = filepath.Join(s.root, "repo")
	cmd.Env = append(s.env, env...)
	out, err := cmd.CombinedOutput()
	after, _ := os.ReadFile(s.log)
	logged := strings.Split(strings.TrimSpace(string(after[len(before):])), "\n")
	if len(logged) == 1 && logged[0] == "" {
		logged = nil
	}
	return string(out), logged, err
}

// index returns the position of the first logged command containing all of
// parts, or -1.
func index(logged []string, parts ...string) int {
	for i, l := range logged {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return i
		}
	}
	return -1
}

// TestInstallScriptRuns runs install.sh twice, as a first install and an
// upgrade: it creates the user once, installs the binary, the unit and the
// settings file (never overwriting the settings), refuses to start without
// a required setting, migrates as the service's user with its settings
// before the restart, and waits for the health check.
func TestInstallScriptRuns(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			svc := service(t, db)
			s := newSandbox(t, dir)
			binary := filepath.Join(s.root, "build", svc.Cmd)
			if err := os.MkdirAll(filepath.Dir(binary), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(binary, []byte("#!/bin/sh\necho v1\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			envFile := filepath.Join(s.root, "etc", svc.Name, svc.Name+".env")
			installed := filepath.Join(s.root, "usr/local/bin", svc.Cmd)

			out, logged, err := s.run(t, binary)
			if required := requiredVars(svc); len(required) > 0 {
				// The first run stops before migrating: the settings
				// file it just installed lacks the required values.
				if err == nil || !strings.Contains(out, "set "+strings.Join(required, " ")) {
					t.Fatalf("first run without %v: err %v, output:\n%s", required, err, out)
				}
				if index(logged, "migrate") >= 0 || index(logged, "systemctl restart") >= 0 {
					t.Errorf("first run without %v migrated or restarted: %q", required, logged)
				}
				setRequired(t, envFile, svc, required)
				out, logged, err = s.run(t, binary)
			}
			if err != nil {
				t.Fatalf("install.sh: %v\n%s", err, out)
			}
			checkInstalled(t, s, svc, envFile, installed)
			checkStartOrder(t, s, svc, logged, envFile)

			// An upgrade: the user exists, the settings file is kept.
			edited := append(readFile(t, envFile), []byte("# edited by the operator\n")...)
			if err := os.WriteFile(envFile, edited, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(binary, []byte("#!/bin/sh\necho v2\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			out, logged, err = s.run(t, binary)
			if err != nil {
				t.Fatalf("second install.sh: %v\n%s", err, out)
			}
			if !bytes.Equal(readFile(t, envFile), edited) {
				t.Error("the second run overwrote the settings file")
			}
			if !bytes.Contains(readFile(t, installed), []byte("v2")) {
				t.Error("the second run did not install the new binary")
			}
			if index(logged, "useradd") >= 0 || index(logged, "groupadd") >= 0 {
				t.Errorf("the second run created the user again: %q", logged)
			}
			checkStartOrder(t, s, svc, logged, envFile)
			all := string(readFile(t, s.log))
			if !regexp.MustCompile(`(?m)^groupadd --system `+regexp.QuoteMeta(svc.Name)+`$`).MatchString(all) ||
				!regexp.MustCompile(`(?m)^useradd --system .*--shell /usr/sbin/nologin .*`+regexp.QuoteMeta(svc.Name)+`$`).MatchString(all) {
				t.Errorf("want the system group and user %s created (no login shell); logged:\n%s", svc.Name, all)
			}
		})
	}
}

// TestInstallScriptHealthTimeout: when the health check never passes, the
// script shows the service's last logs and fails.
func TestInstallScriptHealthTimeout(t *testing.T) {
	svc := service(t, "none")
	s := newSandbox(t, generated(t, "none"))
	binary := filepath.Join(s.root, svc.Cmd)
	if err := os.WriteFile(binary, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, logged, err := s.run(t, binary, "HEALTH=1", "HEALTH_TIMEOUT=2")
	if err == nil || !strings.Contains(out, "health check") {
		t.Fatalf("install.sh with a failing health check: err %v, output:\n%s", err, out)
	}
	if index(logged, "journalctl", svc.Name) < 0 {
		t.Errorf("the failing run did not show the service's logs: %q", logged)
	}
}

// requiredVars lists the settings the service refuses to start without.
func requiredVars(svc *ir.Service) []string {
	var out []string
	for _, v := range svc.Env {
		if v.Required {
			out = append(out, v.Name)
		}
	}
	return out
}

// setRequired gives the required settings a value in the installed file, as
// the operator does after the first run.
func setRequired(t *testing.T, envFile string, svc *ir.Service, required []string) {
	t.Helper()
	text := string(readFile(t, envFile))
	for _, name := range required {
		if !strings.Contains(text, "# "+name+"=\n") {
			t.Fatalf("%s: no commented-out %s to fill in", envFile, name)
		}
		text = strings.Replace(text, "# "+name+"=\n", name+"=set-by-the-operator\n", 1)
	}
	if err := os.WriteFile(envFile, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkInstalled: the binary, unit and settings file are in place, the
// settings readable by root alone.
func checkInstalled(t *testing.T, s *sandbox, svc *ir.Service, envFile, installed string) {
	t.Helper()
	if fi, err := os.Stat(installed); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("binary %s: %v %v, want mode 0755", installed, fi, err)
	}
	unit := filepath.Join(s.root, "etc/systemd/system", svc.Name+".service")
	if !bytes.Equal(readFile(t, unit), readFile(t, filepath.Join(s.root, "repo/deploy/vm", svc.Name+".service"))) {
		t.Errorf("%s differs from deploy/vm/%s.service", unit, svc.Name)
	}
	if fi, err := os.Stat(envFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings %s: %v %v, want mode 0600", envFile, fi, err)
	}
	if fi, err := os.Stat(filepath.Join(s.root, "var/lib", svc.Name)); err != nil || !fi.IsDir() {
		t.Errorf("state folder /var/lib/%s: %v", svc.Name, err)
	}
}

// checkStartOrder: the unit is reloaded and enabled; the migrations (when
// the service has a database) run as the service's user with its settings
// and working folder before the restart; the health check follows it.
func checkStartOrder(t *testing.T, s *sandbox, svc *ir.Service, logged []string, envFile string) {
	t.Helper()
	reload := index(logged, "systemctl daemon-reload")
	enable := index(logged, "systemctl enable", svc.Name+".service")
	restart := index(logged, "systemctl restart", svc.Name+".service")
	health := index(logged, "systemd-run", "healthcheck")
	if reload < 0 || enable < 0 || restart < 0 || health < restart {
		t.Errorf("want daemon-reload, enable, restart, then the health check; logged %q", logged)
	}
	migrate := index(logged, "systemd-run", "migrate up")
	if !svc.HasDatabase() {
		if migrate >= 0 {
			t.Errorf("migrations run for a service without a database: %q", logged)
		}
		return
	}
	if migrate < 0 || migrate > restart {
		t.Fatalf("want `migrate up` before the restart; logged %q", logged)
	}
	for _, want := range []string{"--uid=" + svc.Name, "--property=EnvironmentFile=" + envFile,
		"--property=WorkingDirectory=" + filepath.Join(s.root, "var/lib", svc.Name), "/usr/local/bin/" + svc.Cmd} {
		if !strings.Contains(logged[migrate], want) {
			t.Errorf("migrate: %q lacks %s", logged[migrate], want)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
