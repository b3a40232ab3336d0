package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// flagSet is the flags of one command, in titled groups for its help text.
type flagSet struct {
	cmd      string // "new"
	synopsis string // "bkgen new [--from FILE] [flags]"
	about    string
	// examples are shown under "Examples:" after the flags, one command
	// line each, optionally followed by "  # what it does".
	examples []string
	groups   []flagGroup
	help     bool
}

type flagGroup struct {
	title string
	fs    *pflag.FlagSet
}

func newFlagSet(cmd, synopsis, about string) *flagSet {
	return &flagSet{cmd: cmd, synopsis: synopsis, about: about}
}

// group returns a new group of flags shown under title. The first group
// holds --help.
func (f *flagSet) group(title string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(f.cmd, pflag.ContinueOnError)
	fs.SortFlags = false
	if len(f.groups) == 0 {
		boolFlagP(fs, &f.help, "help", "h", "show this help")
	}
	f.groups = append(f.groups, flagGroup{title, fs})
	return fs
}

// parse parses args. When the command should stop here (--help, or a usage
// error already printed), done is true and code is its exit code; otherwise
// it returns the arguments left after the flags.
func (f *flagSet) parse(a *app, args []string) (rest []string, code int, done bool) {
	all := pflag.NewFlagSet(f.cmd, pflag.ContinueOnError)
	all.SortFlags = false
	all.SetOutput(io.Discard)
	all.Usage = func() {} // errors and help are printed below
	for _, g := range f.groups {
		all.AddFlagSet(g.fs)
	}
	err := all.Parse(args)
	switch {
	case f.help || errors.Is(err, pflag.ErrHelp):
		f.usage(a.stdout)
		return nil, ExitOK, true
	case err != nil:
		return nil, a.usageError(f.cmd, "%v", err), true
	}
	return all.Args(), ExitOK, false
}

// usage writes the help text of the command.
func (f *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", f.synopsis, strings.TrimSpace(f.about))
	for _, g := range f.groups {
		fmt.Fprintf(w, "\n%s:\n%s", g.title, g.fs.FlagUsages())
	}
	if len(f.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range f.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// Flag values of our own, so that help shows "--stack name" rather than
// "--stack string", and "--force" rather than "--force[=true|false]".

// textValue is a string flag; typ names its value in help.
type textValue struct {
	p   *string
	typ string
}

func (v *textValue) Set(s string) error { *v.p = s; return nil }
func (v *textValue) String() string     { return *v.p }
func (v *textValue) Type() string       { return v.typ }

// listValue is a list flag that takes "a,b" or repeats: the first use
// replaces the default, later ones append. Items are trimmed and empty ones
// dropped, so --deploy "" gives an empty list.
type listValue struct {
	p   *[]string
	typ string
	set bool
}

func (v *listValue) Set(s string) error {
	items := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	if !v.set {
		*v.p, v.set = items, true
	} else {
		*v.p = append(*v.p, items...)
	}
	return nil
}

func (v *listValue) String() string { return strings.Join(*v.p, ",") }
func (v *listValue) Type() string   { return v.typ }

// textFlag defines a string flag with value *p, shown as "--name typ".
func textFlag(fs *pflag.FlagSet, p *string, name, typ, usage string) {
	fs.Var(&textValue{p, typ}, name, usage)
}

// listFlag defines a list flag, shown as "--name typ".
func listFlag(fs *pflag.FlagSet, p *[]string, name, typ, usage string) {
	fs.Var(&listValue{p: p, typ: typ}, name, usage)
}

// boolFlag defines a switch: "--name" sets *p, "--name=false" clears it.
func boolFlag(fs *pflag.FlagSet, p *bool, name, usage string) {
	boolFlagP(fs, p, name, "", usage)
}

func boolFlagP(fs *pflag.FlagSet, p *bool, name, short, usage string) {
	fs.BoolFuncP(name, short, usage, func(s string) error {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		*p = v
		return nil
	})
}
