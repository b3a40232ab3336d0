package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/bkgen/bkgen/generator/blueprint"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
)

// defaultConfigFile is the config read when --config is not given, if present.
const defaultConfigFile = "bkgen.yaml"

// genFlags are the generation flags: each mirrors a key of bkgen.yaml and,
// when given, overrides it.
type genFlags struct {
	module, stack, database, auth, coverage, ci, basePath string
	deploy, blueprints                                    []string
}

// flagOfKey names the flag of each bkgen.yaml key that has one.
var flagOfKey = map[string]string{
	"module":     "module",
	"stack":      "stack",
	"database":   "database",
	"auth":       "auth",
	"coverage":   "coverage",
	"deploy":     "deploy",
	"ci":         "ci",
	"blueprints": "blueprints",
	"base_path":  "base-path",
}

func (g *genFlags) define(fs *pflag.FlagSet) {
	or := func(allowed []string) string { return strings.Join(allowed, " | ") }
	textFlag(fs, &g.module, "module", "path", "the Go module path of the service")
	textFlag(fs, &g.stack, "stack", "name", or(config.Stacks))
	textFlag(fs, &g.database, "database", "name", or(config.Databases))
	textFlag(fs, &g.auth, "auth", "method", or(config.AuthMethods))
	textFlag(fs, &g.coverage, "coverage", "percent", "the coverage target, 0 to 100")
	listFlag(fs, &g.deploy, "deploy", "list", or(config.DeployTargets)+` ("" for none)`)
	textFlag(fs, &g.ci, "ci", "name", or(config.CIs))
	listFlag(fs, &g.blueprints, "blueprints", "dirs", "blueprint overlay folders, applied in order")
	textFlag(fs, &g.basePath, "base-path", "path", `the URL path the API is mounted under ("" for the root)`)
}

// apply copies the flags that were given into c, and returns the keys they
// set. Blueprint folders given as flags are relative to the current
// directory. A --coverage that is not a number is reported in l.
func (g *genFlags) apply(fs *pflag.FlagSet, c *config.Config) (set map[string]bool, l diag.List) {
	set = map[string]bool{}
	for key, name := range flagOfKey {
		if fs.Changed(name) {
			set[key] = true
		}
	}
	if set["module"] {
		c.Module = g.module
	}
	if set["stack"] {
		c.Stack = g.stack
	}
	if set["database"] {
		c.Database = g.database
	}
	if set["auth"] {
		c.Auth = g.auth
	}
	if set["ci"] {
		c.CI = g.ci
	}
	if set["coverage"] {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(g.coverage), "%"))
		if err != nil {
			l.Errorf(flagPos("coverage"), "", "coverage must be a whole percent from 0 to 100, not %q", g.coverage)
		} else {
			c.Coverage = n
		}
	}
	if set["deploy"] {
		c.Deploy = slices.Clone(g.deploy)
	}
	if set["blueprints"] {
		c.Blueprints = slices.Clone(g.blueprints)
	}
	if set["base_path"] {
		p := g.basePath
		c.BasePath = &p
	}
	return set, l
}

// flagPos is the place a diagnostic about the flag of key points at.
func flagPos(key string) diag.Pos {
	return diag.Pos{File: "flag --" + flagOfKey[key]}
}

// loadConfig returns the config a command starts from: the file at path when
// given, else ./bkgen.yaml when present, else the defaults. file is the config
// file read ("" for the defaults). Paths inside the file (blueprints) are
// made relative to the current directory; Spec is left as written (see
// specFrom).
func loadConfig(path string) (c *config.Config, file string, l diag.List) {
	if path == "" {
		_, err := os.Stat(defaultConfigFile)
		if errors.Is(err, fs.ErrNotExist) {
			d := config.Default()
			return &d, "", nil
		}
		path = defaultConfigFile
	}
	c, l = config.Load(path)
	if c == nil {
		return nil, path, l
	}
	for i, b := range c.Blueprints {
		if !blueprint.IsRemote(b) { // a git URL@TAG stays as written
			c.Blueprints[i] = relativeTo(path, b)
		}
	}
	return c, path, l
}

// specFrom is the spec named by the config file at file, as a path from the
// current directory; "" when there is none.
func specFrom(c *config.Config, file string) string {
	if c.Spec == "" || file == "" {
		return ""
	}
	return relativeTo(file, c.Spec)
}

// relativeTo resolves path, written in the file at file, from the current
// directory.
func relativeTo(file, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
}

// resolveConfig is the config of a command: loadConfig's, with the
// generation flags applied and checked, and the keys the file or a flag set
// (explicit), to which blueprint overlays' defaults do not apply.
// Diagnostics about a flag point at "flag --name".
func resolveConfig(path string, fs *pflag.FlagSet, g *genFlags) (c *config.Config, file string, explicit []string, l diag.List) {
	c, file, l = loadConfig(path)
	if c == nil {
		return nil, file, nil, l
	}
	set, fl := g.apply(fs, c)
	if file != "" {
		if data, err := os.ReadFile(file); err == nil {
			explicit = config.KeysIn(data)
		}
	}
	for k := range set {
		if !slices.Contains(explicit, k) {
			explicit = append(explicit, k)
		}
	}
	l = append(l, fl...)
	l = append(l, c.ValidateAt(func(key string) diag.Pos {
		if set[key] {
			return flagPos(key)
		}
		// Values from the file were checked, with their line, by Load.
		return diag.Pos{File: file}
	})...)
	if l.HasErrors() {
		return nil, file, nil, l
	}
	return c, file, explicit, l
}
