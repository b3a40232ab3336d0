package docker

import (
	"bytes"
	"debug/elf"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// dockerfile is a Dockerfile as BuildKit reads it.
type dockerfile struct {
	stages []instructions.Stage
	meta   []instructions.ArgCommand
}

// parseDockerfile parses data with BuildKit's parser and instruction
// parser, with every lint rule they run enabled (experimental ones too):
// a parse error or any warning fails the test.
func parseDockerfile(t *testing.T, data []byte) dockerfile {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Dockerfile: parse: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile:%d: parser warning: %s %s", w.Location.Start.Line, w.Short, bytes.Join(w.Detail, []byte(" ")))
	}
	var warnings []string
	lint := linter.New(&linter.Config{
		ExperimentalAll: true,
		Warn: func(rule, _, _, msg string, loc []parser.Range) {
			line := 0
			if len(loc) > 0 {
				line = loc[0].Start.Line
			}
			warnings = append(warnings, linter.LintFormatShort(rule, msg, line))
		},
	})
	stages, meta, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	for _, w := range warnings {
		t.Errorf("Dockerfile: lint: %s", w)
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile: no stage")
	}
	return dockerfile{stages: stages, meta: meta}
}

// stage returns the stage called name, or fails.
func (d dockerfile) stage(t *testing.T, name string) instructions.Stage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile: no stage %q", name)
	return instructions.Stage{}
}

// pinned matches an image reference pinned by a digest: repo:tag@sha256:….
var pinned = regexp.MustCompile(`^([a-z0-9][a-z0-9./-]*):([A-Za-z0-9_][A-Za-z0-9._-]*)@sha256:[0-9a-f]{64}$`)

// cmdText is a RUN instruction's command as written.
func cmdText(run *instructions.RunCommand) string { return strings.Join(run.CmdLine, " ") }

// goCommand matches a RUN command that runs the go tool.
var goCommand = regexp.MustCompile(`(^|\s)go\s`)

// TestDockerfile: the Dockerfile parses and lints clean with BuildKit, builds
// in a pinned Go stage whose module download is cached on its own, and ships
// the static binary alone on a pinned distroless image, as a non-root user,
// with the ports of the runtime table and a health check by the binary.
func TestDockerfile(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			svc := service(t, db)
			df := parseDockerfile(t, artefactstest.ReadFile(t, dir, "Dockerfile"))
			if len(df.stages) != 2 {
				t.Errorf("Dockerfile: %d stages, want 2 (build, then the runtime image)", len(df.stages))
			}
			names := map[string]bool{}
			for _, s := range df.stages {
				if strings.Contains(s.BaseName, "$") {
					t.Errorf("Dockerfile: FROM %s takes its image from an ARG: Dependabot does not update those (dependabot-core#2057)", s.BaseName)
				}
				if !names[s.BaseName] && !pinned.MatchString(s.BaseName) {
					t.Errorf("Dockerfile: FROM %s is not pinned by digest (image:tag@sha256:…)", s.BaseName)
				}
				if s.Name != "" {
					names[s.Name] = true
				}
			}

			build := df.stage(t, "build")
			m := pinned.FindStringSubmatch(build.BaseName)
			tagWant := regexp.MustCompile(`^` + regexp.QuoteMeta(goMinor(t, dir)) + `(\.[0-9]+)?-bookworm$`)
			if m == nil || m[1] != "golang" || !tagWant.MatchString(m[2]) {
				t.Errorf("Dockerfile: build stage FROM %s, want golang:%s-bookworm@sha256:… (the Go release of go.mod)", build.BaseName, goMinor(t, dir))
			}
			checkBuildStage(t, build, svc.Cmd)

			final := df.stages[len(df.stages)-1]
			if m := pinned.FindStringSubmatch(final.BaseName); m == nil || m[1] != "gcr.io/distroless/static-debian12" || m[2] != "nonroot" {
				t.Errorf("Dockerfile: final stage FROM %s, want gcr.io/distroless/static-debian12:nonroot@sha256:…", final.BaseName)
			}
			checkFinalStage(t, final, svc.Name, svc.Cmd, []string{strconv.Itoa(svc.Deploy.Port), strconv.Itoa(svc.Deploy.AdminPort)},
				svc.Title, svc.Deploy.RepoURL, svc.HasDatabase() && svc.Database == "sqlite")
		})
	}
}

// checkBuildStage: go.mod and go.sum are copied and the modules downloaded
// (with a cache mount) before the sources are, then the binary is built
// static, trimmed and stripped.
func checkBuildStage(t *testing.T, build instructions.Stage, cmd string) {
	t.Helper()
	order := map[string]int{}
	for i, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			src := strings.Join(c.SourcePaths, " ")
			if src == "go.mod go.sum" {
				order["copy go.mod"] = i
			}
			if src == "." {
				order["copy ."] = i
			}
		case *instructions.RunCommand:
			text := cmdText(c)
			if strings.Contains(text, "go mod download") {
				order["download"] = i
				// Mounts are parsed when the frontend expands the
				// command's words; nothing here needs expanding.
				if err := c.Expand(func(word string) (string, error) { return word, nil }); err != nil {
					t.Fatalf("Dockerfile: %q: %v", text, err)
				}
				cached := false
				for _, mnt := range instructions.GetMounts(c) {
					cached = cached || (mnt.Type == instructions.MountTypeCache && mnt.Target == "/go/pkg/mod")
				}
				if !cached {
					t.Errorf("Dockerfile: %q has no cache mount on /go/pkg/mod", text)
				}
			}
			if strings.Contains(text, "go build") {
				order["build"] = i
				for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags="-s -w"`, "-o /out/", "./cmd/" + cmd} {
					if !strings.Contains(text, want) {
						t.Errorf("Dockerfile: the build command %q lacks %s", text, want)
					}
				}
			}
		}
	}
	steps := []string{"copy go.mod", "download", "copy .", "build"}
	for i, s := range steps {
		if _, ok := order[s]; !ok {
			t.Fatalf("Dockerfile: build stage has no %q step", s)
		}
		if i > 0 && order[s] < order[steps[i-1]] {
			t.Errorf("Dockerfile: %q comes before %q: the module download layer is not cached apart from the sources", s, steps[i-1])
		}
	}
}

// checkFinalStage checks the runtime image's instructions.
func checkFinalStage(t *testing.T, final instructions.Stage, name, cmd string, ports []string, title, repoURL string, sqlite bool) {
	t.Helper()
	bin := "/usr/local/bin/" + cmd
	state := "/var/lib/" + name
	var user, workdir string
	var exposed, volumes []string
	labels := map[string]string{}
	var copiedBinary, copiedState bool
	var health *instructions.HealthCheckCommand
	var entrypoint *instructions.EntrypointCommand
	var command *instructions.CmdCommand
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.WorkdirCommand:
			workdir = c.Path
		case *instructions.ExposeCommand:
			exposed = append(exposed, c.Ports...)
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.LabelCommand:
			// Values are shell words: unquote them as the frontend does.
			lex := shell.NewLex('\\')
			err := c.Expand(func(word string) (string, error) {
				v, _, err := lex.ProcessWord(word, shell.EnvsFromSlice(nil))
				return v, err
			})
			if err != nil {
				t.Fatalf("Dockerfile: LABEL: %v", err)
			}
			for _, kv := range c.Labels {
				labels[kv.Key] = kv.Value
			}
		case *instructions.CopyCommand:
			if c.From == "build" && slices.Equal(c.SourcePaths, []string{"/out/" + cmd}) && c.DestPath == bin {
				copiedBinary = true
			}
			if c.From == "build" && c.DestPath == state && c.Chown == "65532:65532" {
				copiedState = true
			}
		case *instructions.HealthCheckCommand:
			health = c
		case *instructions.EntrypointCommand:
			entrypoint = c
		case *instructions.CmdCommand:
			command = c
		}
	}
	if !copiedBinary {
		t.Errorf("Dockerfile: the final stage does not COPY --from=build /out/%s %s", cmd, bin)
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") || strings.HasPrefix(user, "root:") {
		t.Errorf("Dockerfile: the image runs as %q, want a non-root USER", user)
	}
	if user != "65532:65532" && user != "nonroot" && user != "nonroot:nonroot" {
		t.Errorf("Dockerfile: USER %q, want distroless' nonroot (65532:65532)", user)
	}
	if !copiedState || workdir != state {
		t.Errorf("Dockerfile: want the working directory %s owned by nonroot (COPY --chown=65532:65532, then WORKDIR); WORKDIR is %q", state, workdir)
	}
	if sqlite != slices.Contains(volumes, state) {
		t.Errorf("Dockerfile: VOLUME %v, want %s a volume exactly when the database is SQLite (%v)", volumes, state, sqlite)
	}
	slices.Sort(exposed)
	slices.Sort(ports)
	if !slices.Equal(exposed, ports) {
		t.Errorf("Dockerfile: EXPOSE %v, want PORT and ADMIN_PORT %v", exposed, ports)
	}
	if health == nil || !slices.Equal(health.Health.Test, []string{"CMD", bin, "healthcheck"}) {
		t.Errorf("Dockerfile: want HEALTHCHECK CMD [%q, \"healthcheck\"], have %+v", bin, health)
	} else if health.Health.Interval <= 0 || health.Health.Timeout <= 0 || health.Health.Timeout > 10*time.Second {
		t.Errorf("Dockerfile: HEALTHCHECK interval %v, timeout %v", health.Health.Interval, health.Health.Timeout)
	}
	if entrypoint == nil || entrypoint.PrependShell || !slices.Equal(entrypoint.CmdLine, []string{bin}) {
		t.Errorf("Dockerfile: want ENTRYPOINT [%q] (exec form), have %+v", bin, entrypoint)
	}
	if command == nil || command.PrependShell || !slices.Equal(command.CmdLine, []string{"serve"}) {
		t.Errorf("Dockerfile: want CMD [\"serve\"], have %+v", command)
	}
	if labels["org.opencontainers.image.title"] != title {
		t.Errorf("Dockerfile: label org.opencontainers.image.title = %q, want %q", labels["org.opencontainers.image.title"], title)
	}
	if labels["org.opencontainers.image.description"] == "" {
		t.Error("Dockerfile: no org.opencontainers.image.description label")
	}
	if src, ok := labels["org.opencontainers.image.source"]; src != repoURL || ok != (repoURL != "") {
		t.Errorf("Dockerfile: label org.opencontainers.image.source = %q, want %q", src, repoURL)
	}
}

// TestDockerfileBuildCommand runs the build stage's go commands as the image
// build would, but on this machine (no Docker engine here): in a copy of the
// build context that .dockerignore filters, with the output folder moved to
// a temporary one. The result must be a static binary, built without the
// context's path (-trimpath).
func TestDockerfileBuildCommand(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is not on PATH: these tests run the Dockerfile's go build")
	}
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			svc := service(t, db)
			df := parseDockerfile(t, artefactstest.ReadFile(t, dir, "Dockerfile"))
			build := df.stage(t, "build")
			var cmds []string
			workdir := ""
			for _, c := range build.Commands {
				switch c := c.(type) {
				case *instructions.WorkdirCommand:
					workdir = c.Path
				case *instructions.RunCommand:
					if goCommand.MatchString(cmdText(c)) {
						if !c.PrependShell {
							t.Fatalf("Dockerfile: %q: want the shell form", cmdText(c))
						}
						cmds = append(cmds, cmdText(c))
					}
				}
			}
			if workdir != "/src" || len(cmds) < 2 {
				t.Fatalf("Dockerfile: build stage WORKDIR %q and go commands %q: want /src, go mod download and go build", workdir, cmds)
			}
			ctxDir := filepath.Join(t.TempDir(), "src")
			copyContext(t, dir, ctxDir, ignorePatterns(t, dir))
			out := t.TempDir()
			for _, c := range cmds {
				c = strings.ReplaceAll(c, "/out/", out+"/")
				run := exec.Command("sh", "-c", c)
				run.Dir = ctxDir
				run.Env = append(os.Environ(), "CGO_ENABLED=0")
				start := time.Now()
				if b, err := run.CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", c, err, b)
				}
				t.Logf("%s: %v", c, time.Since(start).Round(time.Millisecond))
			}
			checkStatic(t, filepath.Join(out, svc.Cmd), ctxDir)
		})
	}
}

// checkStatic fails unless path is a statically linked ELF executable that
// does not hold the build folder's path.
func checkStatic(t *testing.T, path, buildDir string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("the build wrote no ELF binary at %s: %v", path, err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: not statically linked", path)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("%s links shared libraries %v (%v)", path, libs, err)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("%s: ELF type %v, want a (non-PIE) executable", path, f.Type)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(buildDir)) {
		t.Errorf("%s holds the build folder %s: built without -trimpath", path, buildDir)
	}
}

// ignorePatterns reads the .dockerignore of dir. The matcher of this test
// handles Docker's patterns without exceptions (!) or **; it fails on others
// rather than guess.
func ignorePatterns(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for line := range strings.SplitSeq(string(artefactstest.ReadFile(t, dir, ".dockerignore")), "\n") {
		p := strings.TrimSpace(line)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.HasPrefix(p, "!") || strings.Contains(p, "**") {
			t.Fatalf(".dockerignore: pattern %q needs moby/patternmatcher, which this test does not link", p)
		}
		p = strings.TrimPrefix(filepath.Clean(p), "/")
		if _, err := filepath.Match(p, ""); err != nil {
			t.Fatalf(".dockerignore: bad pattern %q: %v", p, err)
		}
		out = append(out, p)
	}
	return out
}

// ignored reports whether Docker leaves rel (slash-separated, relative to
// the context) out of the build context: a pattern matches it or one of its
// parent folders.
func ignored(rel string, patterns []string) bool {
	parts := strings.Split(rel, "/")
	for i := range parts {
		prefix := strings.Join(parts[:i+1], "/")
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, prefix); ok {
				return true
			}
		}
	}
	return false
}

// copyContext copies the files of src that the patterns keep into dst.
func copyContext(t *testing.T, src, dst string, patterns []string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && ignored(rel, patterns) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy the build context: %v", err)
	}
}

// TestDockerignore: the build context keeps what the build needs (the module
// files, every Go file, the migrations) and leaves out the repository's
// history, local settings and databases.
func TestDockerignore(t *testing.T) {
	for _, db := range artefactstest.Databases {
		t.Run(db, func(t *testing.T) {
			dir := generated(t, db)
			patterns := ignorePatterns(t, dir)
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, err := filepath.Rel(dir, p)
				if err != nil {
					return err
				}
				rel = filepath.ToSlash(rel)
				needed := rel == "go.mod" || rel == "go.sum" || strings.HasSuffix(rel, ".go") && !strings.HasPrefix(rel, ".bkgen/") ||
					strings.HasPrefix(rel, "migrations/") || strings.HasPrefix(rel, "internal/")
				if needed && ignored(rel, patterns) {
					t.Errorf(".dockerignore leaves %s out of the build context", rel)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			svc := service(t, db)
			for _, rel := range []string{".git/config", ".env", "data/" + svc.Name + ".db", "coverage.out", svc.Cmd, ".bkgen/lock.json"} {
				if !ignored(rel, patterns) {
					t.Errorf(".dockerignore keeps %s in the build context", rel)
				}
			}
		})
	}
}
