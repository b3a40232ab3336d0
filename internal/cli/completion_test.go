package cli

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
)

func TestComplete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line      string // the words after bkgen; the last is the one completed
		want      []string
		directive string
	}{
		{"", commandNames(), directiveWords},
		{"re", []string{"regen"}, directiveWords},
		{"-", []string{"--help", "--version"}, directiveWords},
		{"help ch", []string{"check"}, directiveWords},
		{"help check ", nil, directiveWords},
		{"new --f", []string{"--from", "--force"}, directiveWords},
		{"new --stack ", config.Stacks, directiveWords},
		{"new --stack go-", config.Stacks, directiveWords},
		{"new --stack=go-e", []string{"--stack=go-echo"}, directiveWords},
		{"new --database ", config.Databases, directiveWords},
		{"new --auth ", config.AuthMethods, directiveWords},
		{"new --ci g", []string{"github", "gitlab"}, directiveWords},
		{"new --deploy ", config.DeployTargets, directiveWords},
		{"new --deploy docker,kubernetes,", []string{"docker,kubernetes,helm", "docker,kubernetes,serverless", "docker,kubernetes,vm"}, directiveWords},
		{"new --deploy=vm,d", []string{"--deploy=vm,docker"}, directiveWords},
		{"new --coverage ", nil, directiveWords},
		{"new --from ", nil, directiveFiles},
		{"new --config=x", nil, directiveFiles},
		{"new --out ", nil, directiveDirs},
		{"new --blueprints a,", nil, directiveDirs},
		{"new --json --from x --js", nil, directiveWords},               // given already
		{"new --deploy vm --dep", []string{"--deploy"}, directiveWords}, // a list may repeat
		{"new --from --str", nil, directiveFiles},                       // the value of --from
		{"new --json=false --str", []string{"--strict"}, directiveWords},
		{"new -- --str", nil, directiveWords},
		{"new --nope ", nil, directiveWords},
		{"new --force=", nil, directiveWords},
		{"regen --dir=s", nil, directiveDirs},
		{"check --dir . --", []string{"--help", "--strict", "--json", "--no-color"}, directiveWords},
		{"diff --", []string{"--help", "--dir"}, directiveWords},
		{"doctor --config ", nil, directiveFiles},
		{"doctor --dir ", nil, directiveDirs},
		{"version --", []string{"--help", "--json"}, directiveWords},
		{"blueprints ", []string{"list", "lint", "export", "docs"}, directiveWords},
		{"blueprints -", []string{"--help"}, directiveWords},
		{"blueprints lint ", nil, directiveDirs},
		{"blueprints lint --no-build ", nil, directiveDirs},
		{"blueprints lint x ", nil, directiveWords},
		{"blueprints export --only 'ci/**' ", nil, directiveDirs},
		{"blueprints list --dir ", nil, directiveDirs},
		{"blueprints list --", []string{"--help", "--dir", "--all"}, directiveWords},
		{"blueprints nope ", nil, directiveWords},
		{"completion ", []string{"bash", "zsh", "fish"}, directiveWords},
		{"completion f", []string{"fish"}, directiveWords},
		{"completion fish ", nil, directiveWords},
		{"frobnicate ", nil, directiveWords},
	}
	for _, tt := range tests {
		got, directive := complete(strings.Split(tt.line, " "))
		if !slices.Equal(got, tt.want) || directive != tt.directive {
			t.Errorf("bkgen %s|: %q %s, want %q %s", tt.line, got, directive, tt.want, tt.directive)
		}
	}
}

// awaitingFlagConstructor are the commands whose flags completion does
// not know yet, beyond --help: they build their flag set inside their run
// function. Give such a command a constructor (as newFlags), add it to
// commandFlags, and remove it from here.
var awaitingFlagConstructor = []string{}

// TestCompletionKnowsEveryCommand keeps completion's one source of truth:
// each command's flags come from the constructor it parses with.
func TestCompletionKnowsEveryCommand(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		_, known := commandFlags[c.name]
		switch {
		case c.name == "help" || c.name == "blueprints": // no flags; sub-commands in blueprintsSubs
		case slices.Contains(awaitingFlagConstructor, c.name):
			if known {
				t.Errorf("%s is in commandFlags: remove it from awaitingFlagConstructor", c.name)
			}
		case !known:
			t.Errorf("command %s: add the constructor of its flags to commandFlags", c.name)
		}
	}
	for name := range commandFlags {
		if lookup(name) == nil {
			t.Errorf("commandFlags has %s, which is no command", name)
		}
	}
}

// TestCompletedFlagsParse checks that each flag completion offers is one
// the command accepts: "bkgen CMD --FLAG --help" parses and shows help.
func TestCompletedFlagsParse(t *testing.T) {
	t.Parallel()
	for name := range commandFlags {
		flags, _ := complete([]string{name, "--"})
		if !slices.Contains(flags, "--help") {
			t.Errorf("%s: flags %v", name, flags)
		}
		for _, fl := range flags {
			_, rest, _ := strings.Cut(fl, "--")
			f := commandFlags[name]()
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut, getenv: envOf()}
			args := []string{"--" + rest, "--help"}
			if fl := f.lookup(rest); fl != nil && takesValue(fl) {
				args = []string{"--" + rest + "=x", "--help"}
			}
			if _, code, done := f.parse(a, args); !done || code != ExitOK || errOut.Len() > 0 {
				t.Errorf("%s %v: done %v, exit %d, %s", name, args, done, code, errOut.String())
			}
		}
	}
}

func TestRunComplete(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out, getenv: envOf()}
	if code := a.run(t.Context(), []string{completeCommand, "new", "--database", "s"}); code != ExitOK {
		t.Errorf("exit %d", code)
	}
	if got, want := out.String(), "sqlite\n:words\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	out.Reset()
	printUsage(&out)
	if strings.Contains(out.String(), completeCommand) {
		t.Errorf("usage lists %s:\n%s", completeCommand, out.String())
	}
}
