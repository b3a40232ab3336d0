package cli

import (
	"context"
	_ "embed" // the completion scripts
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/bkgen/bkgen/generator/config"
)

const completionAbout = `
Prints a script that makes the shell complete bkgen's commands, their flags,
the values of flags such as --stack and --database, and files and folders
where a flag takes one. Load it from the shell's start-up file:

  bash  source <(bkgen completion bash)                  in ~/.bashrc
  zsh   source <(bkgen completion zsh)                   in ~/.zshrc, after compinit
        (or write it to a file _bkgen in a folder of $fpath)
  fish  bkgen completion fish > ~/.config/fish/completions/bkgen.fish

The script asks bkgen itself what may come next, so it always matches the
bkgen on PATH: regenerate it only when the script itself changes.
`

// completeCommand is the hidden command the completion scripts call:
// "bkgen __complete WORD... CURRENT" prints the candidates for CURRENT, the
// word under the cursor ("" after a space), one a line, then a directive
// line: directiveWords (the candidates are the whole words), directiveFiles
// or directiveDirs (the shell completes file or folder names for the value
// of CURRENT, after any "--flag=").
const completeCommand = "__complete"

// Directives of completeCommand's last line.
const (
	directiveWords = ":words"
	directiveFiles = ":files"
	directiveDirs  = ":dirs"
)

// The completion scripts, kept as files so that the shells' own tools (bash
// -n, shellcheck, zsh -n, fish -n) can check them.
var (
	//go:embed completion/bkgen.bash
	bashCompletion string
	//go:embed completion/_bkgen
	zshCompletion string
	//go:embed completion/bkgen.fish
	fishCompletion string
)

// shellScripts are the completion scripts, by shell.
var shellScripts = []struct{ shell, script string }{
	{"bash", bashCompletion},
	{"zsh", zshCompletion},
	{"fish", fishCompletion},
}

// completionFlags returns the flags of `bkgen completion`.
func completionFlags() *flagSet {
	f := newFlagSet("completion", "bkgen completion bash|zsh|fish", completionAbout)
	f.group("Flags")
	f.examples = []string{
		"source <(bkgen completion bash)                        # in ~/.bashrc",
		"bkgen completion zsh > \"${fpath[1]}/_bkgen\"            # then start a new zsh",
		"bkgen completion fish > ~/.config/fish/completions/bkgen.fish",
	}
	return f
}

func runCompletion(_ context.Context, a *app, args []string) int {
	rest, code, done := completionFlags().parse(a, args)
	if done {
		return code
	}
	if len(rest) != 1 {
		return a.usageError("completion", "want one shell: bash, zsh or fish")
	}
	for _, s := range shellScripts {
		if s.shell == rest[0] {
			fmt.Fprint(a.stdout, s.script)
			return ExitOK
		}
	}
	return a.usageError("completion", "unknown shell %q (want bash, zsh or fish)", rest[0])
}

// commandFlags builds the flags of each command that has some, with the
// constructors the commands parse with, so that completion offers exactly
// what they accept. The sub-commands of blueprints are in blueprintsSubs.
var commandFlags = map[string]func() *flagSet{
	"init":       func() *flagSet { f, _ := initFlags(&initOpts{}, &genFlags{}); return f },
	"explain":    func() *flagSet { f, _ := explainFlags(&explainOpts{}, &genFlags{}); return f },
	"new":        func() *flagSet { f, _ := newFlags(); return f },
	"regen":      func() *flagSet { f, _ := regenFlags(); return f },
	"diff":       func() *flagSet { f, _ := diffFlags(); return f },
	"check":      func() *flagSet { f, _ := checkFlags(); return f },
	"doctor":     func() *flagSet { f, _ := doctorFlags(); return f },
	"completion": completionFlags,
	"version":    func() *flagSet { f, _ := versionFlags(); return f },
}

// enumValues are the values of the flags that take one of a few, by flag
// name: the generation flags, mirroring bkgen.yaml's keys.
var enumValues = map[string][]string{
	"stack":    config.Stacks,
	"database": config.Databases,
	"auth":     config.AuthMethods,
	"deploy":   config.DeployTargets,
	"ci":       config.CIs,
}

func runComplete(_ context.Context, a *app, args []string) int {
	cands, directive := complete(args)
	for _, c := range cands {
		fmt.Fprintln(a.stdout, c)
	}
	fmt.Fprintln(a.stdout, directive)
	return ExitOK
}

// positionalFunc completes the n-th argument (from 0) of a command that is
// not a flag or a flag's value.
type positionalFunc func(n int, cur string) ([]string, string)

// complete returns the candidates for the last of args, the word under the
// cursor, given the words before it (after "bkgen"), and the directive.
func complete(args []string) ([]string, string) {
	if len(args) == 0 {
		args = []string{""}
	}
	words, cur := args[:len(args)-1], args[len(args)-1]
	if len(words) == 0 {
		if strings.HasPrefix(cur, "-") {
			return withPrefix([]string{"--help", "--version"}, cur), directiveWords
		}
		return withPrefix(commandNames(), cur), directiveWords
	}
	name, words := words[0], words[1:]
	switch name {
	case "help":
		if len(words) > 0 || strings.HasPrefix(cur, "-") {
			return nil, directiveWords
		}
		return withPrefix(commandNames(), cur), directiveWords
	case "blueprints":
		return completeBlueprints(words, cur)
	case "completion":
		shells := func(n int, cur string) ([]string, string) {
			if n > 0 {
				return nil, directiveWords
			}
			var names []string
			for _, s := range shellScripts {
				names = append(names, s.shell)
			}
			return withPrefix(names, cur), directiveWords
		}
		return completeFlags(completionFlags(), words, cur, shells)
	}
	if mk, ok := commandFlags[name]; ok {
		return completeFlags(mk(), words, cur, nil)
	}
	if lookup(name) != nil { // a command without flags of its own
		f := newFlagSet(name, "", "")
		f.group("Flags")
		return completeFlags(f, words, cur, nil)
	}
	return nil, directiveWords
}

// completeBlueprints completes after "bkgen blueprints".
func completeBlueprints(words []string, cur string) ([]string, string) {
	if len(words) == 0 {
		if strings.HasPrefix(cur, "-") {
			return withPrefix([]string{"--help"}, cur), directiveWords
		}
		var names []string
		for _, s := range blueprintsSubs {
			names = append(names, s.name)
		}
		return withPrefix(names, cur), directiveWords
	}
	for _, s := range blueprintsSubs {
		if s.name != words[0] {
			continue
		}
		var folder positionalFunc
		if s.name == "lint" || s.name == "export" { // DIR
			folder = func(n int, _ string) ([]string, string) {
				if n > 0 {
					return nil, directiveWords
				}
				return nil, directiveDirs
			}
		}
		return completeFlags(s.flags(), words[1:], cur, folder)
	}
	return nil, directiveWords
}

// completeFlags completes cur after words, the arguments of the command
// whose flags are f: a flag's name, a flag's value, or (by positional) an
// argument.
func completeFlags(f *flagSet, words []string, cur string, positional positionalFunc) ([]string, string) {
	lookupFlag := f.lookup
	used := map[string]bool{}
	n := 0 // arguments so far
	dashes := false
	var pending *pflag.Flag // a flag, last of words, waiting for its value
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case dashes || w == "-" || !strings.HasPrefix(w, "-"):
			n++
		case w == "--":
			dashes = true
		case strings.HasPrefix(w, "--"):
			name, _, hasValue := strings.Cut(w[2:], "=")
			fl := lookupFlag(name)
			if fl == nil {
				continue
			}
			used[fl.Name] = true
			if !hasValue && takesValue(fl) {
				if i == len(words)-1 {
					pending = fl
				}
				i++ // its value
			}
		}
	}
	switch {
	case pending != nil:
		return flagValues(pending, "", cur)
	case dashes || !strings.HasPrefix(cur, "-"):
		if positional == nil {
			return nil, directiveWords
		}
		return positional(n, cur)
	}
	if name, val, ok := strings.Cut(strings.TrimPrefix(cur, "--"), "="); ok && strings.HasPrefix(cur, "--") {
		fl := lookupFlag(name)
		if fl == nil || !takesValue(fl) {
			return nil, directiveWords
		}
		return flagValues(fl, "--"+name+"=", val)
	}
	var names []string
	for _, g := range f.groups {
		g.fs.VisitAll(func(fl *pflag.Flag) {
			if !used[fl.Name] || isList(fl) {
				names = append(names, "--"+fl.Name)
			}
		})
	}
	return withPrefix(names, cur), directiveWords
}

// flagValues completes val, the value of the flag fl being typed after
// prefix ("--stack=" or "").
func flagValues(fl *pflag.Flag, prefix, val string) ([]string, string) {
	if values, ok := enumValues[fl.Name]; ok {
		head := "" // the items of a list already typed, with their commas
		if isList(fl) {
			if i := strings.LastIndex(val, ","); i >= 0 {
				head, val = val[:i+1], val[i+1:]
			}
		}
		given := strings.Split(head, ",")
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, val) && !slices.Contains(given, v) {
				out = append(out, prefix+head+v)
			}
		}
		return out, directiveWords
	}
	switch fl.Value.Type() {
	case "file":
		return nil, directiveFiles
	case "dir", "dirs":
		return nil, directiveDirs
	}
	return nil, directiveWords
}

// lookup returns the flag called name ("stack"), nil when f has none.
func (f *flagSet) lookup(name string) *pflag.Flag {
	for _, g := range f.groups {
		if fl := g.fs.Lookup(name); fl != nil {
			return fl
		}
	}
	return nil
}

// takesValue reports whether the flag needs a value (it is no switch).
func takesValue(fl *pflag.Flag) bool { return fl.NoOptDefVal == "" }

// isList reports whether the flag is a list, which may be given again.
func isList(fl *pflag.Flag) bool {
	_, ok := fl.Value.(*listValue)
	return ok
}

// commandNames are the names of bkgen's commands, in help's order.
func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// withPrefix keeps the words that start with prefix.
func withPrefix(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}
