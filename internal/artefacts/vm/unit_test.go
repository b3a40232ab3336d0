package vm

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// TestUnit: the unit runs the binary as the service's user with its
// settings file, restarts it on failure, gives it longer than
// SHUTDOWN_TIMEOUT to drain, and sandboxes it; systemd-analyze accepts it.
func TestUnit(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			svc := service(t, db)
			path := vmFile(dir, svc.Name+".service")
			data := artefactstest.ReadFile(t, dir, filepath.Join("deploy", "vm", svc.Name+".service"))
			u := parseUnit(t, data)
			state := "/var/lib/" + svc.Name
			want := map[string]string{
				"User":                   svc.Name,
				"Group":                  svc.Name,
				"ExecStart":              "/usr/local/bin/" + svc.Cmd + " serve",
				"EnvironmentFile":        "/etc/" + svc.Name + "/" + svc.Name + ".env",
				"WorkingDirectory":       state,
				"Restart":                "on-failure",
				"StateDirectory":         svc.Name,
				"ReadWritePaths":         state,
				"NoNewPrivileges":        "yes",
				"ProtectSystem":          "strict",
				"ProtectHome":            "yes",
				"PrivateTmp":             "yes",
				"PrivateDevices":         "yes",
				"ProtectKernelTunables":  "yes",
				"ProtectKernelModules":   "yes",
				"ProtectKernelLogs":      "yes",
				"ProtectControlGroups":   "yes",
				"RestrictNamespaces":     "yes",
				"LockPersonality":        "yes",
				"MemoryDenyWriteExecute": "yes",
				"CapabilityBoundingSet":  "",
			}
			for key, v := range want {
				if got, ok := u.last("Service", key); !ok || got != v {
					t.Errorf("%s: [Service] %s=%q (set: %v), want %q", path, key, got, ok, v)
				}
			}
			families, _ := u.last("Service", "RestrictAddressFamilies")
			if f := strings.Fields(families); !slices.Contains(f, "AF_INET") || !slices.Contains(f, "AF_INET6") || slices.ContainsFunc(f, func(s string) bool { return strings.HasPrefix(s, "~") }) {
				t.Errorf("%s: RestrictAddressFamilies=%q, want an allow-list with AF_INET and AF_INET6", path, families)
			}
			if !slices.Contains(u["Service"]["SystemCallFilter"], "@system-service") {
				t.Errorf("%s: SystemCallFilter %q, want @system-service", path, u["Service"]["SystemCallFilter"])
			}
			if got, _ := u.last("Install", "WantedBy"); got != "multi-user.target" {
				t.Errorf("%s: WantedBy=%q, want multi-user.target", path, got)
			}
			stop, _ := u.last("Service", "TimeoutStopSec")
			stopDur, err1 := time.ParseDuration(stop)
			drain, err2 := time.ParseDuration(svc.EnvVar("SHUTDOWN_TIMEOUT").Default)
			if err1 != nil || err2 != nil || stopDur <= drain {
				t.Errorf("%s: TimeoutStopSec=%q, want longer than SHUTDOWN_TIMEOUT (%s) (%v, %v)", path, stop, svc.EnvVar("SHUTDOWN_TIMEOUT").Default, err1, err2)
			}
			t.Run("systemd-analyze", func(t *testing.T) { analyze(t, data, svc.Name, svc.Cmd) })
		})
	}
}

// analyze runs systemd-analyze verify and security on a copy of the unit
// whose ExecStart points at a stand-in executable (verify requires one).
func analyze(t *testing.T, data []byte, name, cmd string) {
	analyzer, err := exec.LookPath("systemd-analyze")
	if err != nil {
		// The issue asks for systemd-analyze where available: this is the
		// one check allowed to skip. The assertions of TestUnit still ran.
		t.Skip("systemd-analyze is not on PATH (Debian package systemd): the unit was checked by the assertions only, not by systemd")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, cmd)
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := string(data)
	execStart := "ExecStart=/usr/local/bin/" + cmd + " "
	if !strings.Contains(text, execStart) {
		t.Fatalf("the unit has no %q line", execStart)
	}
	unitPath := filepath.Join(tmp, name+".service")
	if err := os.WriteFile(unitPath, []byte(strings.ReplaceAll(text, execStart, "ExecStart="+bin+" ")), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify reports unknown keys and bad values as warnings and still exits
	// 0: any output fails.
	out, err := exec.Command(analyzer, "verify", "--man=no", unitPath).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
	// The sandbox's exposure score, 0 (locked down) to 10: above 2 means a
	// hardening option went missing.
	out, err = exec.Command(analyzer, "security", "--offline=true", "--threshold=20", "--no-pager", unitPath).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security --threshold=20 %s: %v\n%s", unitPath, err, lastLines(string(out), 25))
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
