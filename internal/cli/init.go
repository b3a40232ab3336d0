package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/spf13/pflag"
	"golang.org/x/mod/module"
	"golang.org/x/term"

	"github.com/bkgen/bkgen/generator/blueprint"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/spec"
)

const initAbout = `
Writes bkgen.yaml, the generation choices 'bkgen new' reads, with values
derived from an OpenAPI document:

  spec      the document, relative to the folder of bkgen.yaml
  module    from the git remote origin of the current folder, else
            example.com/<slug of info.title>
  auth      from the spec's securitySchemes: auto when it declares some (they
            are enforced as written), none when it declares none
  the rest  bkgen's defaults

Generation flags override any of them. Every key is written with a comment
saying what it is and the values it takes. Without --from, the current folder
is searched for openapi.yaml, openapi.yml, openapi.json, api.yaml, api.yml,
api.json, swagger.yaml, swagger.yml and swagger.json. An existing file is
never overwritten without --force.

On a terminal (stdin and stderr), a form asks for each choice, prefilled with
the derived values, then for confirmation; --no-input, or CI set, skips it.
ACCESSIBLE=1 (or TERM=dumb) asks with plain numbered prompts instead.

What was written and the next command go to stderr; --json prints only the
resolved config, as JSON, on stdout.
`

// specNames are the files init looks for, in this order, when --from is not
// given.
var specNames = []string{
	"openapi.yaml", "openapi.yml", "openapi.json",
	"api.yaml", "api.yml", "api.json",
	"swagger.yaml", "swagger.yml", "swagger.json",
}

// initOpts are the flags of `bkgen init` other than the generation flags.
type initOpts struct {
	from, out               string
	force, noInput, jsonOut bool
}

// initFlags defines the flags of `bkgen init` into o and g.
func initFlags(o *initOpts, g *genFlags) (*flagSet, *pflag.FlagSet) {
	f := newFlagSet("init", "bkgen init [--from FILE] [--out FILE] [--force] [flags]", initAbout)
	flags := f.group("Flags")
	textFlag(flags, &o.from, "from", "file", "the OpenAPI document (default: openapi.yaml, api.yaml, swagger.yaml… in the current folder)")
	textFlag(flags, &o.out, "out", "file", "the file to write (default: bkgen.yaml)")
	boolFlag(flags, &o.force, "force", "overwrite an existing --out")
	boolFlag(flags, &o.noInput, "no-input", "never prompt, even on a terminal (nor when CI is set)")
	boolFlag(flags, &o.jsonOut, "json", "print only the resolved config, as JSON, on stdout")
	gfs := f.group("Generation flags (override the derived values; list flags take a,b or repeat)")
	g.define(gfs)
	f.examples = []string{
		"bkgen init                                     # ./openapi.yaml (or api.yaml…); asks on a terminal",
		"bkgen init --from specs/pets.yaml --database sqlite --ci gitlab",
		"bkgen init --no-input --module github.com/acme/pets --json",
		"bkgen init --out svc/bkgen.yaml --force         # replace an existing file",
	}
	return f, gfs
}

func runInit(ctx context.Context, a *app, args []string) int {
	var o initOpts
	var g genFlags
	f, gfs := initFlags(&o, &g)

	rest, code, done := f.parse(a, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return a.usageError("init", "unexpected argument %q (give the spec with --from)", rest[0])
	}
	out := o.out
	if out == "" {
		out = defaultConfigFile
	} else if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		out = filepath.Join(out, defaultConfigFile)
	}
	if !o.force && occupied(out) {
		return a.usageError("init", "%s already exists; nothing was written (give --force to overwrite it)", out)
	}
	specPath := o.from
	if specPath == "" {
		if specPath = findSpec("."); specPath == "" {
			return a.usageError("init", "no OpenAPI document in the current folder (looked for %s); give one with --from FILE", strings.Join(specNames, ", "))
		}
		fmt.Fprintf(a.stderr, "Found %s (give --from to use another document).\n", specPath)
	}

	base := config.Default()
	set, l := g.apply(gfs, &base)
	l = append(l, base.ValidateAt(flagPos)...) // only flags can have set a wrong value
	if l.HasErrors() {
		a.printDiags(l)
		return ExitInvalid
	}
	doc, l := spec.Load(specPath)
	if doc == nil || l.HasErrors() {
		a.printDiags(l)
		return ExitInvalid
	}
	if len(l) > 0 {
		a.printDiags(l) // warnings, as new prints them
	}
	remote := ""
	if !set["module"] {
		remote = gitRemote(ctx)
	}
	ic := deriveInit(doc.OpenAPI, specPath, out, base, set, remote)

	if a.interactive(o.noInput) {
		derived := ic.cfg
		// huh itself turns accessible mode on with TERM=dumb.
		accessible := a.getenv("ACCESSIBLE") != "" || a.getenv("TERM") == "dumb"
		ok, err := askInit(ctx, a.stdin, a.stderr, accessible, out, &ic)
		if err != nil {
			return a.fail(err)
		}
		if !ok {
			fmt.Fprintf(a.stderr, "bkgen init: cancelled; %s was not written\n", out)
			return ExitInternal
		}
		ic.dropStaleNotes(derived)
	}

	data, err := ic.render(out)
	if err != nil {
		return a.fail(err)
	}
	switch err := writeAtomic(out, data, o.force); {
	case errors.Is(err, fs.ErrExist):
		return a.usageError("init", "%s already exists; nothing was written (give --force to overwrite it)", out)
	case err != nil:
		return a.fail(err)
	}
	if o.jsonOut {
		if err := writeJSON(a.stdout, jsonConfig(&ic.cfg)); err != nil {
			return a.fail(err)
		}
	}
	printInitSummary(a, out, &ic, doc.OpenAPI)
	return ExitOK
}

// occupied reports whether something (a file, a folder, a dangling symlink)
// is at path.
func occupied(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// findSpec returns the first of specNames that is a file in dir, "" when
// none is.
func findSpec(dir string) string {
	for _, name := range specNames {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// interactive reports whether init may ask questions: stdin and stderr are
// terminals, and neither --no-input nor CI says otherwise.
func (a *app) interactive(noInput bool) bool {
	if noInput || a.getenv("CI") != "" {
		return false
	}
	in, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(in.Fd())) && isTerminal(a.stderr)
}

// initConfig is the bkgen.yaml init writes: its values, and for those derived
// from the spec or the folder, comment lines saying where they came from.
type initConfig struct {
	cfg config.Config
	// notes holds the comment lines written above a key, by key.
	notes map[string][]string
}

// deriveInit returns what init writes for the document doc, read from
// specPath, into the file out. base is config.Default() with the flags
// applied, set the keys they set; remote is the URL of the git remote origin
// of the current folder ("" when there is none). Paths (spec, blueprint
// folders given as flags) are made relative to the folder of out.
func deriveInit(doc *openapi3.T, specPath, out string, base config.Config, set map[string]bool, remote string) initConfig {
	ic := initConfig{cfg: *base.Clone(), notes: map[string][]string{}}
	dir := filepath.Dir(out)
	ic.cfg.Spec = relativeFrom(dir, specPath)
	for i, b := range ic.cfg.Blueprints {
		if !blueprint.IsRemote(b) {
			ic.cfg.Blueprints[i] = relativeFrom(dir, b)
		}
	}
	if !set["module"] {
		if m, ok := moduleFromRemote(remote); ok {
			ic.cfg.Module = m
			ic.notes["module"] = []string{"module: from the git remote origin of the current folder"}
		} else {
			ic.cfg.Module = "example.com/" + titleSlug(doc)
			ic.notes["module"] = []string{
				"module: example.com/<slug of info.title>, as new chooses (no git remote origin here);",
				"write where the code will live, such as github.com/acme/" + titleSlug(doc),
			}
		}
	}
	if !set["auth"] {
		ic.cfg.Auth, ic.notes["auth"] = authFromSpec(doc)
	}
	return ic
}

// dropStaleNotes removes the notes of the derived values the user changed at
// the prompts: they no longer say where the value came from.
func (ic *initConfig) dropStaleNotes(derived config.Config) {
	if ic.cfg.Module != derived.Module {
		delete(ic.notes, "module")
	}
	if ic.cfg.Auth != derived.Auth {
		delete(ic.notes, "auth")
	}
}

// titleSlug is the name bkgen new gives the service of doc: the slug of
// its title, "service" without one (generator.buildService).
func titleSlug(doc *openapi3.T) string {
	if doc.Info == nil || doc.Info.Title == "" {
		return "service"
	}
	return ir.Slug(doc.Info.Title)
}

// relativeFrom is path, relative to the current directory, as a slash path
// from the folder dir; path made absolute when there is no relative way.
func relativeFrom(dir, path string) string {
	absDir, err1 := filepath.Abs(dir)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(absDir, absPath)
	if err != nil {
		return filepath.ToSlash(absPath)
	}
	return filepath.ToSlash(rel)
}

// gitRemote is the URL of the git remote origin of the current folder, ""
// when there is none (or no git).
func gitRemote(ctx context.Context) string {
	if _, err := exec.LookPath("git"); err != nil {
		return ""
	}
	out, err := exec.CommandContext(ctx, "git", "config", "--get", "remote.origin.url").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// moduleFromRemote turns the URL of a git remote into the module path of a
// repository hosted there: https://github.com/acme/pets.git,
// ssh://git@github.com:22/acme/pets and git@github.com:acme/pets.git all give
// github.com/acme/pets. It fails on local remotes (a path, file://) and on
// anything that is not a valid module path.
func moduleFromRemote(remote string) (string, bool) {
	remote = strings.TrimSpace(remote)
	var host, path string
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil {
			return "", false
		}
		switch u.Scheme {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return "", false
		}
		host, path = u.Hostname(), u.Path
	} else {
		// scp-like: [user@]host:path, where no "/" comes before the ":".
		h, p, ok := strings.Cut(remote, ":")
		if !ok || h == "" || strings.Contains(h, "/") {
			return "", false
		}
		if _, after, found := strings.Cut(h, "@"); found {
			h = after
		}
		host, path = h, p
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if host == "" || path == "" {
		return "", false
	}
	m := strings.ToLower(host) + "/" + path
	if module.CheckPath(m) != nil {
		return "", false
	}
	return m, true
}

// authFromSpec is the auth of a spec, and the note saying why. A spec that
// declares securitySchemes gets auto, which enforces them as written (a
// single method, such as jwt, applies only to specs that declare none, and
// new warns that it is ignored otherwise); the note says what each scheme is
// checked as. A spec that declares none gets none.
func authFromSpec(doc *openapi3.T) (method string, note []string) {
	if doc.Components == nil || len(doc.Components.SecuritySchemes) == 0 {
		return "none", []string{
			"auth: none, as the spec declares no securitySchemes: every operation is public;",
			"jwt, oauth2, session, api-key or basic would require that method on every operation",
		}
	}
	note = []string{"auth: auto enforces the spec's securitySchemes as written:"}
	names := make([]string, 0, len(doc.Components.SecuritySchemes))
	for name := range doc.Components.SecuritySchemes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ref := doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		m := schemeMethod(ref.Value)
		if m == string(ir.SchemeUnsupported) {
			m = "not supported: what requires it answers 401"
		}
		note = append(note, fmt.Sprintf("  securitySchemes.%s (%s) → %s", name, describeScheme(ref.Value), m))
	}
	return "auto", note
}

// schemeMethod is how auth: auto checks a security scheme (the generator's
// security.classify): a method of config.AuthMethods, or "unsupported".
func schemeMethod(v *openapi3.SecurityScheme) string {
	switch strings.ToLower(v.Type) {
	case "http":
		switch strings.ToLower(v.Scheme) {
		case "bearer":
			return string(ir.SchemeJWT)
		case "basic":
			return string(ir.SchemeBasic)
		}
	case "oauth2", "openidconnect":
		return string(ir.SchemeOAuth2)
	case "apikey":
		switch v.In {
		case "header", "query":
			return string(ir.SchemeAPIKey)
		case "cookie":
			return string(ir.SchemeSession)
		}
	}
	return string(ir.SchemeUnsupported)
}

// describeScheme names a security scheme in a few words: "http bearer, JWT",
// "apiKey in header X-API-Key".
func describeScheme(v *openapi3.SecurityScheme) string {
	s := v.Type
	switch strings.ToLower(v.Type) {
	case "http":
		s += " " + strings.ToLower(v.Scheme)
		if v.BearerFormat != "" {
			s += ", " + v.BearerFormat
		}
	case "apikey":
		s += " in " + v.In + " " + v.Name
	}
	// Spec text may hold line breaks: keep the comment on its lines.
	return strings.Join(strings.Fields(s), " ")
}

// initHeader replaces config.Marshal's header in the file init writes.
const initHeader = `# bkgen.yaml: the generation choices 'bkgen new' reads (written by 'bkgen init').
# Edit freely: an unknown key or value is an error that lists the allowed ones.
# Runtime settings are environment variables, not keys here.
`

// render returns the bkgen.yaml of ic, to be written at file: config.Marshal's
// (one commented line per key), headed for init, with the notes of the
// derived values above their keys. It checks that the bytes read back, as
// new reads them, as ic's config.
func (ic *initConfig) render(file string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(initHeader)
	header := true
	for line := range strings.Lines(string(config.Marshal(&ic.cfg))) {
		if header && strings.HasPrefix(line, "#") {
			continue // Marshal's header, for a generated repository
		}
		header = false
		if key, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			for _, n := range ic.notes[key] {
				b.WriteString("# " + n + "\n")
			}
		}
		b.WriteString(line)
	}
	got, l := config.Parse(file, b.Bytes())
	if l.HasErrors() || !sameConfig(got, &ic.cfg) {
		why := "other values"
		if len(l) > 0 {
			why = l[0].Summary
		}
		// A bug of init, not of the user's input: not a diagnostic (exit 3).
		return nil, fmt.Errorf("render %s: it does not read back as the config chosen (%s); please report this", file, why)
	}
	return b.Bytes(), nil
}

// sameConfig reports whether two configs hold the same values (a nil and an
// empty list being the same).
func sameConfig(x, y *config.Config) bool {
	bp := func(c *config.Config) string {
		if c.BasePath == nil {
			return "\x00unset"
		}
		return *c.BasePath
	}
	return x.Version == y.Version && x.Spec == y.Spec && x.Module == y.Module &&
		x.Stack == y.Stack && x.Database == y.Database && x.Auth == y.Auth &&
		x.Coverage == y.Coverage && x.CI == y.CI && bp(x) == bp(y) &&
		slices.Equal(x.Deploy, y.Deploy) && slices.Equal(x.Blueprints, y.Blueprints)
}

// writeAtomic writes data to path through a temporary file in the same
// folder, so that path holds the old content or the new, never a part. Without
// force, an existing path is left alone and the error is fs.ErrExist.
func writeAtomic(path string, data []byte, force bool) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // a project folder, read by its owner's tools
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }() // gone after a rename; after a link, the extra name
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil { //nolint:gosec // bkgen.yaml is committed and read by tools, like any source file
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !force {
		// A hard link fails when path exists, where a rename would replace it.
		err := os.Link(tmp, path)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, fs.ErrExist):
			return fs.ErrExist
		case occupied(path):
			return fs.ErrExist
		}
		// No hard links here: fall back to a rename, just checked for.
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// initJSON is the --json output of init: the config, keyed as in bkgen.yaml.
type initJSON struct {
	Version    int      `json:"version"`
	Spec       string   `json:"spec"`
	Module     string   `json:"module"`
	Stack      string   `json:"stack"`
	Database   string   `json:"database"`
	Auth       string   `json:"auth"`
	Coverage   int      `json:"coverage"`
	Deploy     []string `json:"deploy"`
	CI         string   `json:"ci"`
	BasePath   *string  `json:"base_path,omitempty"`
	Blueprints []string `json:"blueprints"`
}

func jsonConfig(c *config.Config) initJSON {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return initJSON{
		Version: c.Version, Spec: c.Spec, Module: c.Module, Stack: c.Stack,
		Database: c.Database, Auth: c.Auth, Coverage: c.Coverage,
		Deploy: nonNil(c.Deploy), CI: c.CI, BasePath: c.BasePath, Blueprints: nonNil(c.Blueprints),
	}
}

// printInitSummary tells, on stderr, what init wrote and what to run next.
func printInitSummary(a *app, out string, ic *initConfig, doc *openapi3.T) {
	w := a.stderr
	c := &ic.cfg
	auth := c.Auth
	if c.Auth == "auto" && len(ic.notes["auth"]) > 1 {
		var schemes []string
		for _, n := range ic.notes["auth"][1:] {
			schemes = append(schemes, strings.TrimPrefix(strings.TrimSpace(n), "securitySchemes."))
		}
		auth += ": " + strings.Join(schemes, "; ")
	}
	deploy := strings.Join(c.Deploy, ", ")
	if deploy == "" {
		deploy = "none"
	}
	fmt.Fprintf(w, "Wrote %s:\n", out)
	for _, kv := range [][2]string{
		{"spec", c.Spec},
		{"module", c.Module},
		{"stack", c.Stack},
		{"database", c.Database},
		{"auth", auth},
		{"coverage", strconv.Itoa(c.Coverage) + "%"},
		{"deploy", deploy},
		{"ci", c.CI},
	} {
		fmt.Fprintf(w, "  %-9s %s\n", kv[0], kv[1])
	}
	// Both read ./bkgen.yaml by themselves.
	withConfig := ""
	if filepath.Clean(out) != defaultConfigFile {
		withConfig = " --config " + out
	}
	explain, gen := "bkgen explain"+withConfig, "bkgen new"+withConfig
	width := len(explain) + 2
	fmt.Fprintf(w, "\nNext:\n  %-*s# what new would build, and why, before building it\n  %-*s# write the service to ./%s and self-check it\n",
		width, explain, width, gen, titleSlug(doc))
}
