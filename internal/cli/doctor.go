package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/bkgen/bkgen/generator/blueprint"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/internal/selfcheck"
	"github.com/bkgen/bkgen/stacks"
	"github.com/bkgen/bkgen/stacks/gochi"
	"github.com/bkgen/bkgen/stacks/goecho"
	"github.com/bkgen/bkgen/stacks/gogin"
	"github.com/bkgen/bkgen/stacks/gostdlib"
)

const doctorAbout = `
Checks that this machine has what a generated service and its self-check
need, one line each, and says what to do about what is missing:

  go            on PATH, and new enough for the go directive of the go.mod
                bkgen generates
  module proxy  GOPROXY (as go env reports it) answers: the self-check
                downloads the service's modules; off and direct are honoured
  git           on PATH: new makes the first commit with it, and a blueprint
                overlay given as a git URL is cloned with it
  postgres,     the server the self-check would use answers (BKGEN_POSTGRES_URL
  mysql         or BKGEN_MYSQL_URL, DATABASE_URL, else the local server), or
                it can start a throwaway one (initdb, mariadbd found on PATH
                or where packages put them); sqlite needs no server
  redis         the server the tests of shared rate limits use (optional:
                without one, they skip)
  docker        the docker command and its daemon, to build the image of a
                service deployed with docker, kubernetes or helm (optional)

What is needed comes from the config: --config FILE, else DIR/bkgen.yaml
with --dir, else ./bkgen.yaml when present. Without one, every database is
checked and none is needed (go and the module proxy always are).

Exits 5 when something the config needs is missing (✗), 0 otherwise, also
with warnings (!). The checks run at once, each given a few seconds.
--json prints the checks as JSON on stdout instead.
`

// doctorTimeout bounds each check, so that doctor answers within a few
// seconds even when a proxy or server does not.
const doctorTimeout = 3 * time.Second

// Statuses of a doctor check.
const (
	doctorOK      = "ok"      // ✓
	doctorWarning = "warning" // !: missing or degraded, but not needed
	doctorMissing = "missing" // ✗: needed and missing: exit 5
	// doctorLacking is what a check returns for what it did not find:
	// doctor.run makes it missing when the config needs it, else a warning.
	doctorLacking = "lacking"
)

// doctorOpts are the flags of `bkgen doctor`.
type doctorOpts struct {
	dir, config      string
	jsonOut, noColor bool
}

// doctorFlags returns the flags of `bkgen doctor`, bound to the doctorOpts
// it returns.
func doctorFlags() (*flagSet, *doctorOpts) {
	o := &doctorOpts{}
	f := newFlagSet("doctor", "bkgen doctor [--dir DIR | --config FILE] [--json]", doctorAbout)
	fs := f.group("Flags")
	textFlag(fs, &o.dir, "dir", "dir", "check for the repository in DIR (its bkgen.yaml)")
	textFlag(fs, &o.config, "config", "file", "check for this bkgen.yaml (default: ./bkgen.yaml when present)")
	boolFlag(fs, &o.jsonOut, "json", "print the checks, as JSON, on stdout")
	boolFlag(fs, &o.noColor, "no-color", "no colours (also NO_COLOR)")
	f.examples = []string{
		"bkgen doctor                        # before the first bkgen new; with ./bkgen.yaml, for its choices",
		"bkgen doctor --dir pets             # what the repository in pets needs",
		"bkgen doctor --config ci/bkgen.yaml --json | jq '.checks[] | select(.status != \"ok\")'",
	}
	return f, o
}

// doctorCheck is one line of doctor's report.
type doctorCheck struct {
	Name string `json:"name"`
	// Status is ok, warning or missing (needed and not there).
	Status string `json:"status"`
	// Needed is whether the config needs it; only what is needed fails.
	Needed bool   `json:"needed"`
	Detail string `json:"detail"`
	// Fix says what to do, when the status is not ok.
	Fix string `json:"fix,omitempty"`
}

// doctorReport is doctor's result, and its --json output.
type doctorReport struct {
	// Config is the bkgen.yaml read, "" when there was none.
	Config string `json:"config"`
	// OK is false when something needed is missing (exit 5).
	OK     bool          `json:"ok"`
	Checks []doctorCheck `json:"checks"`
}

// passed is the result of a check that found what it looked for.
func passed(detail string) doctorCheck { return doctorCheck{Status: doctorOK, Detail: detail} }

// lack is the result of a check that did not find what it looked for.
func lack(detail, fix string) doctorCheck {
	return doctorCheck{Status: doctorLacking, Detail: detail, Fix: fix}
}

// warn is the result of a check that found something that will do, with a
// caveat, even when it is needed.
func warn(detail, fix string) doctorCheck {
	return doctorCheck{Status: doctorWarning, Detail: detail, Fix: fix}
}

func runDoctor(ctx context.Context, a *app, args []string) int {
	f, o := doctorFlags()
	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("doctor", "unexpected argument %q (give the folder with --dir)", rest[0])
	}
	path := o.config
	switch {
	case o.dir != "" && o.config != "":
		return a.usageError("doctor", "give --dir or --config, not both")
	case o.dir != "":
		path = filepath.Join(o.dir, defaultConfigFile)
		if _, err := os.Stat(path); err != nil {
			return a.usageError("doctor", "%s has no %s (give --config FILE, or no flag to check everything)", o.dir, defaultConfigFile)
		}
	}
	cfg, file, l := loadConfig(path)
	if l.HasErrors() {
		a.printDiags(l)
		return ExitInvalid
	}
	if len(l) > 0 {
		a.printDiags(l) // warnings
	}
	if file == "" {
		cfg = nil // no file: no database is needed
	}

	d := &doctor{getenv: a.getenv, cfg: cfg}
	rep := doctorReport{Config: file, OK: true, Checks: d.run(ctx)}
	for _, c := range rep.Checks {
		if c.Status == doctorMissing {
			rep.OK = false
		}
	}
	if o.jsonOut {
		if err := writeJSON(a.stdout, rep); err != nil {
			return a.fail(err)
		}
	} else {
		printDoctor(a.stdout, &rep, cfg, useColor(isTerminal(a.stdout), o.noColor, a.getenv))
	}
	if !rep.OK {
		return ExitCheckFailed
	}
	return ExitOK
}

// doctor runs the checks for a config (nil: none, nothing is needed).
type doctor struct {
	getenv func(string) string
	cfg    *config.Config
	// goEnv runs go env once, for the go and module proxy checks.
	goEnv func() (goEnv, error)
}

// doctorTask is one check: its name, whether the config needs what it
// looks for, and what it does.
type doctorTask struct {
	name   string
	needed bool
	run    func(ctx context.Context) doctorCheck
}

// tasks are the checks the config calls for, in the order of the report.
// Every service needs go and its modules; the config says whether it needs
// git (a blueprint overlay given as a git URL) and which database; Redis and
// Docker are never needed to generate and self-check a service.
func (d *doctor) tasks() []doctorTask {
	t := []doctorTask{
		{"go", true, d.checkGo},
		{"module proxy", true, d.checkProxy},
		{"git", len(d.remoteBlueprints()) > 0, d.checkGit},
	}
	engines := []string{selfcheck.EnginePostgres, selfcheck.EngineMySQL}
	if d.cfg != nil {
		engines = nil
		if d.cfg.Database != "none" {
			engines = []string{d.cfg.Database}
		}
	}
	for _, e := range engines {
		t = append(t, doctorTask{e, d.cfg != nil, func(ctx context.Context) doctorCheck { return d.checkDatabase(ctx, e) }})
	}
	t = append(t, doctorTask{"redis", false, d.checkRedis})
	if d.cfg == nil || slices.ContainsFunc(d.cfg.Deploy, buildsImage) {
		t = append(t, doctorTask{"docker", false, d.checkDocker})
	}
	return t
}

// buildsImage reports whether the deploy target builds a container image.
func buildsImage(target string) bool {
	return target == "docker" || target == "kubernetes" || target == "helm"
}

// run runs every check at once and returns their results in order. Each
// check has doctorTimeout; one that has not answered a moment later is
// reported as such.
func (d *doctor) run(ctx context.Context) []doctorCheck {
	goCtx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	d.goEnv = sync.OnceValues(func() (goEnv, error) { return readGoEnv(goCtx, d.getenv) })

	tasks := d.tasks()
	type answer struct {
		i int
		c doctorCheck
	}
	answers := make(chan answer, len(tasks))
	for i, t := range tasks {
		go func() {
			// The module proxy check's time includes its wait for go env.
			tctx, cancel := context.WithTimeout(ctx, doctorTimeout)
			defer cancel()
			answers <- answer{i, t.run(tctx)}
		}()
	}
	results := make([]doctorCheck, len(tasks))
	got := make([]bool, len(tasks))
	deadline := time.After(doctorTimeout + 2*time.Second)
collect:
	for range tasks {
		select {
		case a := <-answers:
			results[a.i], got[a.i] = a.c, true
		case <-deadline:
			break collect
		}
	}
	for i, t := range tasks {
		r := &results[i]
		if !got[i] {
			*r = lack(fmt.Sprintf("no answer within %s", doctorTimeout), "")
		}
		r.Name, r.Needed = t.name, t.needed
		if r.Status == doctorLacking {
			r.Status = doctorWarning
			if t.needed {
				r.Status = doctorMissing
			}
		}
	}
	return results
}

// goEnv is what go env says.
type goEnv struct {
	Path      string `json:"-"` // the go command found
	Version   string `json:"GOVERSION"`
	Proxy     string `json:"GOPROXY"`
	Toolchain string `json:"GOTOOLCHAIN"`
}

// errNotOnPath is lookPath's error.
var errNotOnPath = errors.New("not on PATH")

// lookPath finds the executable name in the folders of pathList (PATH as
// getenv reads it, like the self-check does).
func lookPath(name, pathList string) (string, error) {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, errNotOnPath)
}

// readGoEnv runs go env for the variables doctor needs.
func readGoEnv(ctx context.Context, getenv func(string) string) (goEnv, error) {
	var e goEnv
	path, err := lookPath("go", getenv("PATH"))
	if err != nil {
		return e, err
	}
	e.Path = path
	cmd := exec.CommandContext(ctx, path, "env", "-json", "GOVERSION", "GOPROXY", "GOTOOLCHAIN") //nolint:gosec // the go command on PATH
	out, err := cmd.Output()
	if err != nil {
		return e, fmt.Errorf("%s env: %s", path, commandError(ctx, err))
	}
	if err := json.Unmarshal(out, &e); err != nil {
		return e, fmt.Errorf("%s env: %w", path, err)
	}
	return e, nil
}

// commandError is the first line a failed command wrote on stderr, or its
// error.
func commandError(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return fmt.Sprintf("no answer within %s", doctorTimeout)
	}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		if line, _, _ := strings.Cut(strings.TrimSpace(string(ee.Stderr)), "\n"); line != "" {
			return line
		}
	}
	return err.Error()
}

// generatedStacks are the stacks bkgen generates, for the go directive
// of each one's go.mod (generator has the same list, unexported; a test
// keeps them the same).
var generatedStacks = []stacks.Stack{gochi.Stack, gogin.Stack, goecho.Stack, gostdlib.Stack}

// goVersionNeeded is the go directive of the go.mod bkgen generates for
// the config: its stack's, or without a config the highest of all stacks.
func goVersionNeeded(cfg *config.Config) string {
	need := stacks.GoVersion
	for _, s := range generatedStacks {
		if cfg != nil && s.Name == cfg.Stack {
			return s.GoVersion
		}
		if cfg == nil && version.Compare("go"+s.GoVersion, "go"+need) > 0 {
			need = s.GoVersion
		}
	}
	return need
}

func (d *doctor) checkGo(context.Context) doctorCheck {
	e, err := d.goEnv()
	return judgeGo(e, err, goVersionNeeded(d.cfg))
}

// judgeGo is the go check's result for what go env said (or the error of
// running it), when the generated go.mod says go need.
func judgeGo(e goEnv, err error, need string) doctorCheck {
	install := fmt.Sprintf("install Go %s or newer: https://go.dev/dl/", need)
	switch {
	case errors.Is(err, errNotOnPath):
		return lack("go is not on PATH", install)
	case err != nil:
		return lack(err.Error(), install)
	}
	have := e.Version
	if !version.IsValid(have) {
		return passed(fmt.Sprintf("%s (%s); cannot tell whether it is go %s or newer", have, e.Path, need))
	}
	if version.Compare(have, "go"+need) >= 0 {
		return passed(fmt.Sprintf("%s (%s); the generated go.mod needs go %s", have, e.Path, need))
	}
	older := fmt.Sprintf("%s (%s) is older than the go %s the generated go.mod needs", have, e.Path, need)
	// Since go1.21, GOTOOLCHAIN=auto downloads the toolchain a go.mod
	// asks for (through the module proxy).
	if strings.Contains(e.Toolchain, "auto") && version.Compare(have, "go1.21") >= 0 {
		return warn(older+"; GOTOOLCHAIN="+e.Toolchain+" downloads it at the first build", install+" to build offline")
	}
	return lack(older, install+", or set GOTOOLCHAIN=auto so that go downloads it")
}

// proxyEntry is one element of GOPROXY.
type proxyEntry struct {
	url string
	// onAnyError: the next entry is tried after any error ("|"), not only
	// after a 404 or 410 (",").
	onAnyError bool
}

// parseGoproxy splits GOPROXY into its entries.
func parseGoproxy(s string) []proxyEntry {
	var out []proxyEntry
	for s != "" {
		i := strings.IndexAny(s, ",|")
		e := proxyEntry{url: strings.TrimSpace(s)}
		if i >= 0 {
			e = proxyEntry{url: strings.TrimSpace(s[:i]), onAnyError: s[i] == '|'}
			s = s[i+1:]
		} else {
			s = ""
		}
		if e.url != "" {
			out = append(out, e)
		}
	}
	return out
}

// probeModule is the module the proxy check asks a proxy for: the first
// the generated go.mod of the config's stack requires.
func probeModule(cfg *config.Config) module.Version {
	name := config.Default().Stack
	if cfg != nil {
		name = cfg.Stack
	}
	for _, s := range generatedStacks {
		if s.Name != name {
			continue
		}
		f, err := modfile.ParseLax("go.mod", []byte("module x\n"+s.Require), nil)
		if err == nil && len(f.Require) > 0 {
			return f.Require[0].Mod
		}
	}
	return module.Version{Path: "golang.org/x/mod", Version: "v0.20.0"}
}

func (d *doctor) checkProxy(ctx context.Context) doctorCheck {
	const fix = "check the network and HTTPS_PROXY, or set GOPROXY to a proxy you can reach " +
		"(offline, with the modules in the module cache: GOPROXY=off)"
	proxy := d.getenv("GOPROXY")
	if e, err := d.goEnv(); err == nil {
		proxy = e.Proxy
	}
	if proxy == "" {
		proxy = "https://proxy.golang.org,direct"
	}
	mod := probeModule(d.cfg)
	var tried []string
	for _, e := range parseGoproxy(proxy) {
		switch e.url {
		case "off":
			// go looks in the module cache before any proxy: off is that
			// alone.
			return warn(strings.Join(append(tried, "GOPROXY="+proxy+": modules come only from the module cache"), "; then "),
				"fine when the cache holds the service's modules; otherwise set GOPROXY=https://proxy.golang.org,direct")
		case "direct":
			return passed(strings.Join(append(tried, "modules are fetched from their origins (GOPROXY="+proxy+")"), "; then "))
		}
		name := redactURL(e.url)
		found, err := probeProxy(ctx, e.url, mod)
		switch {
		case found:
			return passed(strings.Join(append(tried, fmt.Sprintf("%s serves %s", name, mod)), "; then "))
		case err == nil: // 404 or 410: go tries the next entry
			tried = append(tried, fmt.Sprintf("%s does not have %s", name, mod))
			continue
		}
		tried = append(tried, name+": "+err.Error())
		if !e.onAnyError {
			return lack(strings.Join(tried, "; "), fix)
		}
	}
	if len(tried) == 0 {
		return lack("GOPROXY="+proxy+" names no proxy", fix)
	}
	return lack(strings.Join(tried, "; "), fix)
}

// redactURL is raw without its password, if it has one.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "a proxy URL that does not parse"
	}
	return u.Redacted()
}

// probeProxy asks the module proxy at raw for the .info of mod, as go does.
// found is false without an error when the proxy does not have it (404 or
// 410, after which go tries the next entry of GOPROXY).
func probeProxy(ctx context.Context, raw string, mod module.Version) (found bool, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return false, errors.New("not a URL")
	}
	escPath, err1 := module.EscapePath(mod.Path)
	escVersion, err2 := module.EscapeVersion(mod.Version)
	if err := errors.Join(err1, err2); err != nil {
		return false, fmt.Errorf("probe %s: %w", mod, err)
	}
	info := escPath + "/@v/" + escVersion + ".info"
	switch u.Scheme {
	case "file":
		dir := filepath.FromSlash(u.Path)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return false, errors.New("no such folder")
		}
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(info)))
		return err == nil, nil
	case "http", "https":
	default:
		return false, fmt.Errorf("scheme %q: want https://, http:// or file://", u.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(raw, "/")+"/"+info, http.NoBody)
	if err != nil {
		return false, fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("no answer within %s", doctorTimeout)
		}
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // its text repeats the URL, password included
		}
		return false, err
	}
	_ = resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound, http.StatusGone:
		return false, nil
	}
	return false, fmt.Errorf("answers %s", resp.Status)
}

// remoteBlueprints are the config's blueprint overlays given as git URLs.
func (d *doctor) remoteBlueprints() []string {
	if d.cfg == nil {
		return nil
	}
	var r []string
	for _, b := range d.cfg.Blueprints {
		if blueprint.IsRemote(b) {
			r = append(r, b)
		}
	}
	return r
}

func (d *doctor) checkGit(ctx context.Context) doctorCheck {
	const install = "install git (Debian, Ubuntu: apt-get install git; macOS: xcode-select --install)"
	remote := d.remoteBlueprints()
	path, err := lookPath("git", d.getenv("PATH"))
	if err != nil {
		if len(remote) > 0 {
			return lack("git is not on PATH, and the blueprint overlay "+remote[0]+" is cloned with it", install)
		}
		return lack("git is not on PATH: bkgen new will not make the repository's first commit", install)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output() //nolint:gosec // git on PATH
	if err != nil {
		return lack(fmt.Sprintf("%s --version: %s", path, commandError(ctx, err)), install)
	}
	return passed(fmt.Sprintf("%s (%s)", strings.TrimSpace(string(out)), path))
}

func (d *doctor) checkDatabase(ctx context.Context, engine string) doctorCheck {
	loc := selfcheck.Locate(ctx, engine, d.getenv)
	switch {
	case loc.Err == nil && loc.Source == selfcheck.SourceFile:
		return passed("a file in the self-check's temporary folder; no server needed")
	case loc.Err == nil && loc.Source == selfcheck.SourceThrowaway:
		return passed("no server answers; the self-check will start a throwaway one with " + loc.Server)
	case loc.Err == nil:
		return passed(fmt.Sprintf("%s answers (%s)", loc.Server, sourceName(loc.Source)))
	case loc.Source != selfcheck.SourceNone:
		return lack(fmt.Sprintf("%s: %v", loc.Source, loc.Err), "fix or unset "+loc.Source)
	}
	return lack("no server answers, and no throwaway server can be started", loc.Err.Error())
}

// sourceName says where a database server was found, for people.
func sourceName(source string) string {
	if source == selfcheck.SourceLocal {
		return "the local server"
	}
	return "from " + source
}

func (d *doctor) checkRedis(ctx context.Context) doctorCheck {
	const skip = "the tests of shared rate limits and idempotency records will skip"
	u, answers := selfcheck.LocateRedis(ctx, d.getenv)
	switch {
	case u == "":
		return lack("no Redis on 127.0.0.1:6379 and no BKGEN_REDIS_URL: "+skip,
			"optional: run Redis, or set BKGEN_REDIS_URL=redis://HOST:6379/0")
	case !answers:
		return lack(u+" does not answer PING: "+skip, "optional: start it, or fix BKGEN_REDIS_URL or REDIS_URL")
	}
	return passed(u + " answers PING")
}

func (d *doctor) checkDocker(ctx context.Context) doctorCheck {
	why := "only to build the service's image"
	if d.cfg != nil {
		why += " (deploy: " + strings.Join(d.cfg.Deploy, ", ") + ")"
	}
	path, err := lookPath("docker", d.getenv("PATH"))
	if err != nil {
		return lack("docker is not on PATH: needed "+why, "install Docker: https://docs.docker.com/get-docker/")
	}
	out, err := exec.CommandContext(ctx, path, "version", "--format", "{{.Server.Version}}").Output() //nolint:gosec // docker on PATH
	if err != nil {
		return lack(fmt.Sprintf("%s: the daemon does not answer (%s): needed %s", path, commandError(ctx, err), why),
			"start the Docker daemon, or set DOCKER_HOST to one")
	}
	return passed(fmt.Sprintf("%s; daemon %s answers", path, strings.TrimSpace(string(out))))
}

// printDoctor writes the report for people: a line per check, and under a
// check that is not ok, what to do.
func printDoctor(w io.Writer, rep *doctorReport, cfg *config.Config, color bool) {
	paint := func(style, s string) string {
		if !color {
			return s
		}
		return style + s + reset
	}
	if cfg == nil {
		fmt.Fprintf(w, "No %s here: every database is checked, none is needed (give --dir or --config).\n\n", defaultConfigFile)
	} else {
		deploy := strings.Join(cfg.Deploy, ", ")
		if deploy == "" {
			deploy = "none"
		}
		fmt.Fprintf(w, "Checking for %s (stack %s, database %s, deploy %s).\n\n", rep.Config, cfg.Stack, cfg.Database, deploy)
	}
	width := 0
	for _, c := range rep.Checks {
		width = max(width, len(c.Name))
	}
	var missing []string
	warnings := 0
	for _, c := range rep.Checks {
		mark := paint(green, "✓")
		switch c.Status {
		case doctorMissing:
			mark = paint(red, "✗")
			missing = append(missing, c.Name)
		case doctorWarning:
			mark = paint(yellow, "!")
			warnings++
		}
		fmt.Fprintf(w, "%s %-*s  %s\n", mark, width, c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(w, "  %-*s  %s\n", width, "", paint(dim, "→ "+c.Fix))
		}
	}
	fmt.Fprintln(w)
	warned := ""
	if warnings > 0 {
		warned = " (" + plural(warnings, "warning") + ")"
	}
	what := "a service"
	if cfg != nil {
		what = rep.Config
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "Missing what %s needs: %s.\n", what, strings.Join(missing, ", "))
	} else {
		fmt.Fprintf(w, "Everything %s needs is here%s.\n", what, warned)
	}
}
