package config

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// commentColumn is where Marshal starts the comment of each key, when the
// key and value leave room for it.
const commentColumn = 30

// Marshal returns c as the bkgen.yaml written into a generated repository:
// every key in the order of Keys with a short comment, so the same Config
// always gives the same bytes and Parse gives the Config back. Spec and
// Module are left out when empty, BasePath when nil.
func Marshal(c *Config) []byte {
	var b bytes.Buffer
	b.WriteString("# bkgen.yaml: the generation choices of this service; `bkgen regen` reads it.\n")
	b.WriteString("# Runtime settings are environment variables, not keys here.\n")
	line := func(key, value, comment string) {
		s := key + ": " + value
		b.WriteString(s)
		if comment != "" {
			b.WriteString(strings.Repeat(" ", max(commentColumn-len(s), 2)))
			b.WriteString("# ")
			b.WriteString(comment)
		}
		b.WriteByte('\n')
	}
	line("version", strconv.Itoa(c.Version), "the format of this file")
	if c.Spec != "" {
		line("spec", scalar(c.Spec), "the OpenAPI document, relative to this file: the source of truth")
	}
	if c.Module != "" {
		line("module", scalar(c.Module), "the Go module path")
	}
	line("stack", scalar(c.Stack), strings.Join(Stacks, " | "))
	line("database", scalar(c.Database), strings.Join(Databases, " | "))
	line("auth", scalar(c.Auth), "auto (re-read from securitySchemes at every regen) | "+strings.Join(AuthMethods[1:], " | "))
	line("coverage", strconv.Itoa(c.Coverage), "percent; the self-check and the generated CI enforce it")
	line("deploy", list(c.Deploy), strings.Join(DeployTargets, " | "))
	line("ci", scalar(c.CI), strings.Join(CIs, " | "))
	if c.BasePath != nil {
		line("base_path", scalar(*c.BasePath), `"" mounts at the root; without this key: the path of servers[0].url`)
	} else {
		b.WriteString("# base_path: unset, so the path of servers[0].url is used; \"\" mounts at the root\n")
	}
	line("blueprints", list(c.Blueprints), "overlay folders (relative to this file), applied in order")
	return b.Bytes()
}

// plainText is what may be written without quotes, if YAML reads it back as
// the same string (so "null", "true" and "1" are still quoted).
var plainText = regexp.MustCompile(`^[A-Za-z0-9_./~+-]+$`)

// scalar returns s as a YAML scalar that reads back as the string s, both in
// block and in flow context.
func scalar(s string) string {
	if plainText.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte("["+s+"]"), &n) == nil && len(n.Content) == 1 {
			seq := n.Content[0]
			if len(seq.Content) == 1 && seq.Content[0].ShortTag() == "!!str" && seq.Content[0].Value == s {
				return s
			}
		}
	}
	// A Go quoted string is a valid YAML double-quoted scalar: YAML knows
	// every escape strconv.Quote writes.
	return strconv.Quote(s)
}

// list returns items as a YAML flow sequence.
func list(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = scalar(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
