package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/mod/module"

	"github.com/bkgen/bkgen/generator/config"
)

// askInit asks for init's choices on a terminal, each prefilled with ic's
// value, then whether to write file; the answers replace ic's values. It
// returns false when the user declined or quit the form (Ctrl-C). With
// accessible, questions are plain numbered prompts read line by line from
// in (huh's accessible mode, for screen readers).
func askInit(ctx context.Context, in io.Reader, out io.Writer, accessible bool, file string, ic *initConfig) (bool, error) {
	c := &ic.cfg
	coverage := strconv.Itoa(c.Coverage)
	write := true
	validModule, validCoverage := checkModule, checkCoverage
	if accessible {
		// An empty answer keeps the prefilled value; huh validates the answer
		// as typed.
		validModule, validCoverage = orEmpty(checkModule), orEmpty(checkCoverage)
		// Plain lines: colours only where the terminal and NO_COLOR allow them.
		out = colorprofile.NewWriter(out, os.Environ())
	}
	// Accessible mode shows neither the prefilled values nor descriptions:
	// the titles say them.
	title := func(t, value string, notes []string) string {
		if !accessible {
			return t
		}
		t += " (Enter keeps " + value + ")"
		if len(notes) > 0 {
			t = strings.Join(notes, "\n") + "\n" + t
		}
		return t
	}
	form := huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Title(title("Go module path", c.Module, ic.notes["module"])).
				Description(strings.Join(ic.notes["module"], "\n")).
				Value(&c.Module).Validate(validModule),
			huh.NewSelect[string]().Title(title("Stack", c.Stack, nil)).
				Options(huh.NewOptions(config.Stacks...)...).Value(&c.Stack),
			huh.NewSelect[string]().Title(title("Database", c.Database, nil)).
				Options(huh.NewOptions(config.Databases...)...).Value(&c.Database),
			huh.NewSelect[string]().Title(title("Auth", c.Auth, ic.notes["auth"])).
				Description(strings.Join(ic.notes["auth"], "\n")).
				Options(huh.NewOptions(config.AuthMethods...)...).Value(&c.Auth),
			huh.NewInput().Title(title("Coverage target (percent)", coverage, nil)).
				Value(&coverage).Validate(validCoverage),
			huh.NewMultiSelect[string]().Title("Deploy targets").
				Options(huh.NewOptions(config.DeployTargets...)...).Value(&c.Deploy),
			huh.NewSelect[string]().Title(title("CI", c.CI, nil)).
				Options(huh.NewOptions(config.CIs...)...).Value(&c.CI),
		),
		huh.NewGroup(
			huh.NewConfirm().Title("Write "+file+"?").
				Affirmative("Write").Negative("Cancel").Value(&write),
		),
	).WithInput(in).WithOutput(out)
	if accessible {
		form = form.WithAccessible(true)
	}
	err := form.RunWithContext(ctx)
	if errors.Is(err, huh.ErrUserAborted) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ask for the choices: %w", err)
	}
	// Accessible mode takes an answer as given once it fails validation at
	// end of input, so check again.
	if err := errors.Join(checkModule(c.Module), checkCoverage(coverage)); err != nil {
		return false, fmt.Errorf("ask for the choices: %w", err)
	}
	c.Coverage, _ = strconv.Atoi(strings.TrimSpace(coverage))
	return write, nil
}

// orEmpty is check that also accepts a blank answer.
func orEmpty(check func(string) error) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return check(s)
	}
}

// checkModule accepts a valid Go module path.
func checkModule(s string) error {
	if err := module.CheckPath(s); err != nil {
		return fmt.Errorf("not a Go module path, such as github.com/acme/pets: %w", err)
	}
	return nil
}

// checkCoverage accepts a whole percent from 0 to 100.
func checkCoverage(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 100 {
		return errors.New("a whole percent from 0 to 100")
	}
	return nil
}
