package docker

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// loadCompose loads dir/compose.yaml as `docker compose` does, validating
// it against the Compose schema (an unknown key is an error), without the
// environment of the process (the file must stand on its own).
func loadCompose(dir string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "compose.yaml")},
		cli.WithWorkingDirectory(dir),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	return cli.ProjectFromOptions(context.Background(), opts)
}

// TestComposeLoaderIsStrict: the loader these tests use refuses a key the
// Compose specification does not define, so the files it accepts have none.
func TestComposeLoaderIsStrict(t *testing.T) {
	dir := generated(t, "postgres")
	data := string(artefactstest.ReadFile(t, dir, "compose.yaml"))
	svc := service(t, "postgres")
	bad := strings.Replace(data, "  "+svc.Name+":\n", "  "+svc.Name+":\n    bogus_key: 1\n", 1)
	if bad == data {
		t.Fatalf("compose.yaml has no service %s to break", svc.Name)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "compose.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompose(tmp); err == nil || !strings.Contains(err.Error(), "bogus_key") {
		t.Fatalf("loading a compose file with an unknown key: err = %v, want an error naming it", err)
	}
}

// TestCompose: compose.yaml builds the service from the Dockerfile, runs its
// database with a health check and a one-shot migration before it, and
// passes it only settings of the runtime table.
func TestCompose(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			svc := service(t, db)
			p, err := loadCompose(dir)
			if err != nil {
				t.Fatalf("compose.yaml: %v", err)
			}
			if p.Name != svc.Name {
				t.Errorf("compose.yaml: project name %q, want %q", p.Name, svc.Name)
			}
			want := []string{svc.Name}
			if svc.HasDatabase() {
				want = append(want, "migrate")
			}
			if engine(svc) != "" {
				want = append(want, "db")
			}
			slices.Sort(want)
			if got := p.ServiceNames(); !slices.Equal(got, want) {
				t.Fatalf("compose.yaml: services %v, want %v", got, want)
			}
			app := p.Services[svc.Name]
			checkBuild(t, app, dir)
			checkPorts(t, app, svc)
			if app.HealthCheck == nil || !slices.Equal(app.HealthCheck.Test, types.HealthCheckTest{"CMD", "/usr/local/bin/" + svc.Cmd, "healthcheck"}) {
				t.Errorf("compose.yaml: %s: healthcheck %+v, want the binary's healthcheck", svc.Name, app.HealthCheck)
			}
			checkEnv(t, app, svc)
			wantDeps := map[string]string{}
			if svc.HasDatabase() {
				wantDeps["migrate"] = types.ServiceConditionCompletedSuccessfully
			}
			if engine(svc) != "" {
				wantDeps["db"] = types.ServiceConditionHealthy
			}
			checkDeps(t, app, wantDeps)
			if svc.HasDatabase() {
				checkMigrate(t, p, svc, dir, app)
			}
			if engine(svc) != "" {
				checkDB(t, p, svc, app)
			}
			if svc.HasDatabase() && svc.Database == "sqlite" {
				for _, name := range []string{svc.Name, "migrate"} {
					if !mounts(p.Services[name], "/var/lib/"+svc.Name) {
						t.Errorf("compose.yaml: %s: no named volume on /var/lib/%s, where the SQLite database lives", name, svc.Name)
					}
				}
			}
			for i, line := range strings.Split(string(artefactstest.ReadFile(t, dir, "compose.yaml")), "\n") {
				if devValue.MatchString(line) && !strings.Contains(strings.ToLower(line), "dev only") && !strings.Contains(line, "dev-only") {
					t.Errorf("compose.yaml:%d: %q: a credential not marked as a development value", i+1, strings.TrimSpace(line))
				}
			}
			if !svc.HasDatabase() && len(p.Volumes) > 0 {
				t.Errorf("compose.yaml: volumes %v for a service without a database", p.Volumes)
			}
		})
	}
}

// devValue matches a line of compose.yaml that sets a credential.
var devValue = regexp.MustCompile(`^\s*[A-Z_]*(PASSWORD|SECRET|DATABASE_URL)[A-Z_]*:\s*\S`)

func checkBuild(t *testing.T, s types.ServiceConfig, dir string) {
	t.Helper()
	if s.Build == nil || s.Build.Context != dir || s.Build.Dockerfile != "Dockerfile" {
		t.Errorf("compose.yaml: %s: build %+v, want the Dockerfile of %s", s.Name, s.Build, dir)
	}
}

func checkPorts(t *testing.T, s types.ServiceConfig, svc *ir.Service) {
	t.Helper()
	var got []string
	for _, p := range s.Ports {
		got = append(got, p.Published+":"+strconv.FormatUint(uint64(p.Target), 10))
	}
	want := []string{strconv.Itoa(svc.Deploy.Port) + ":" + strconv.Itoa(svc.Deploy.Port),
		strconv.Itoa(svc.Deploy.AdminPort) + ":" + strconv.Itoa(svc.Deploy.AdminPort)}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("compose.yaml: %s: ports %v, want %v (PORT and ADMIN_PORT)", s.Name, got, want)
	}
}

// checkEnv: every variable passed is a row of the runtime table; the
// database URL names the compose database; secrets other than the database
// URL appear only when the service reads them.
func checkEnv(t *testing.T, s types.ServiceConfig, svc *ir.Service) {
	t.Helper()
	for name := range s.Environment {
		if svc.EnvVar(name) == nil {
			t.Errorf("compose.yaml: %s: %s is not in the runtime table", s.Name, name)
		}
	}
	dbURL := s.Environment["DATABASE_URL"]
	switch engine(svc) {
	case "":
		if dbURL != nil {
			t.Errorf("compose.yaml: %s: DATABASE_URL=%s, want the service's default", s.Name, *dbURL)
		}
	default:
		if dbURL == nil {
			t.Fatalf("compose.yaml: %s: no DATABASE_URL", s.Name)
		}
		u, err := url.Parse(*dbURL)
		if err != nil || u.Scheme != svc.Database || u.Hostname() != "db" {
			t.Errorf("compose.yaml: %s: DATABASE_URL %q, want a %s:// URL on the db service", s.Name, *dbURL, svc.Database)
		}
	}
}

func checkDeps(t *testing.T, s types.ServiceConfig, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for name, d := range s.DependsOn {
		got[name] = d.Condition
	}
	if len(got) != len(want) {
		t.Errorf("compose.yaml: %s: depends_on %v, want %v", s.Name, got, want)
	}
	for name, cond := range want {
		if got[name] != cond {
			t.Errorf("compose.yaml: %s: depends_on %s: condition %q, want %q", s.Name, name, got[name], cond)
		}
	}
}

// checkMigrate: the one-shot migration runs the same image with the same
// settings, after the database is healthy, and is never restarted.
func checkMigrate(t *testing.T, p *types.Project, svc *ir.Service, dir string, app types.ServiceConfig) {
	t.Helper()
	m := p.Services["migrate"]
	checkBuild(t, m, dir)
	if m.Image != app.Image {
		t.Errorf("compose.yaml: migrate runs image %q, the service %q", m.Image, app.Image)
	}
	if !slices.Equal(m.Command, types.ShellCommand{"migrate", "up"}) {
		t.Errorf("compose.yaml: migrate: command %v, want [migrate up]", m.Command)
	}
	if m.Restart != "no" {
		t.Errorf("compose.yaml: migrate: restart %q, want \"no\"", m.Restart)
	}
	if len(m.Ports) > 0 {
		t.Errorf("compose.yaml: migrate publishes %v", m.Ports)
	}
	for name, v := range app.Environment {
		if w, ok := m.Environment[name]; !ok || (v == nil) != (w == nil) || v != nil && *v != *w {
			t.Errorf("compose.yaml: migrate: %s differs from the service's", name)
		}
	}
	want := map[string]string{}
	if engine(svc) != "" {
		want["db"] = types.ServiceConditionHealthy
	}
	checkDeps(t, m, want)
}

// dbImages are the servers compose runs per engine, and where they keep
// their data.
var dbImages = map[string]struct{ image, data string }{
	"postgres": {"postgres:17", "/var/lib/postgresql/data"},
	"mysql":    {"mariadb:11", "/var/lib/mysql"},
}

// checkDB: the database server of the engine, with a health check, its data
// on a named volume, and the credentials DATABASE_URL uses.
func checkDB(t *testing.T, p *types.Project, svc *ir.Service, app types.ServiceConfig) {
	t.Helper()
	db := p.Services["db"]
	want := dbImages[svc.Database]
	if db.Image != want.image {
		t.Errorf("compose.yaml: db: image %q, want %q", db.Image, want.image)
	}
	if db.HealthCheck == nil || len(db.HealthCheck.Test) < 2 || db.HealthCheck.Test[0] != "CMD" || db.HealthCheck.Disable {
		t.Errorf("compose.yaml: db: healthcheck %+v, want a command", db.HealthCheck)
	}
	if !mounts(db, want.data) {
		t.Errorf("compose.yaml: db: no named volume on %s", want.data)
	}
	if len(db.Ports) > 0 {
		t.Errorf("compose.yaml: db publishes %v: it would clash with a local server", db.Ports)
	}
	dbURL := app.Environment["DATABASE_URL"]
	if dbURL == nil {
		return
	}
	u, err := url.Parse(*dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	prefix := map[string]string{"postgres": "POSTGRES_", "mysql": "MARIADB_"}[svc.Database]
	for key, v := range map[string]string{"USER": u.User.Username(), "PASSWORD": pass, "DB": strings.TrimPrefix(u.Path, "/")} {
		if key == "DB" && svc.Database == "mysql" {
			key = "DATABASE"
		}
		if got := db.Environment[prefix+key]; got == nil || *got != v {
			t.Errorf("compose.yaml: db: %s%s does not match DATABASE_URL's %q", prefix, key, v)
		}
	}
}

// mounts reports whether s mounts a named volume of the project on target.
func mounts(s types.ServiceConfig, target string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Target == target && v.Source != "" {
			return true
		}
	}
	return false
}
