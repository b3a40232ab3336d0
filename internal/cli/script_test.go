package cli_test

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkgen/bkgen/internal/cli"
)

var update = flag.Bool("update", false, "update the testscript files' cmp expectations")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"bkgen": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts of testdata/script, one per
// behaviour of the command line.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits, "snapshot": cmdSnapshot, "untouched": cmdUntouched,
			"killwrite": cmdKillWrite, "sametree": cmdSameTree,
		},
		Setup: func(env *testscript.Env) error {
			// Scripts see bkgen's plain output, whatever the caller's terminal.
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

// cmdExits runs a command like exec and checks its exit code, which exec
// cannot: "exits 2 bkgen new --frm x". Its stdout and stderr are then
// checked with stdout and stderr as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits (give the expected code instead)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdSnapshot records every file of a folder (.git aside) with its size,
// modification time and content hash: "snapshot DIR NAME" writes
// $WORK/NAME.snap, for untouched to compare with.
func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: snapshot DIR NAME")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]+".snap"), []byte(treeState(ts, args[0])), 0o644))
}

// cmdUntouched checks that no file of a folder was written, created or
// removed since "snapshot DIR NAME": "untouched DIR NAME".
func cmdUntouched(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: untouched DIR NAME")
	}
	want, err := os.ReadFile(ts.MkAbs(args[1] + ".snap"))
	ts.Check(err)
	if got := treeState(ts, args[0]); got != string(want) {
		ts.Fatalf("%s changed since snapshot %s:\n%s", args[0], args[1], lineDiff(string(want), got))
	}
}

// treeState lists dir's files, one line each: path, executable, size, mtime, sha256.
func treeState(ts *testscript.TestScript, dir string) string {
	root := ts.MkAbs(dir)
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(&b, "%s %v %d %d %x\n", filepath.ToSlash(rel), fi.Mode().Perm()&0o111 != 0, fi.Size(), fi.ModTime().UnixNano(), sha256.Sum256(data))
		return nil
	})
	ts.Check(err)
	return b.String()
}

// lineDiff lists the lines found in one of two listings only.
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for l := range strings.SplitSeq(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for l := range strings.SplitSeq(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for l := range strings.SplitSeq(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// cmdKillWrite runs bkgen with the arguments and kills it (SIGKILL) a
// duration after it starts writing DIR, that is after DIR/.bkgen/journal.json
// appears: "killwrite svc 2ms regen --dir svc". It does not fail when bkgen
// finished first; the log says which happened.
func cmdKillWrite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: killwrite DIR DURATION bkgen-args...")
	}
	journal := filepath.Join(ts.MkAbs(args[0]), ".bkgen", "journal.json")
	d, err := time.ParseDuration(args[1])
	ts.Check(err)
	// testscript puts its commands on the script's PATH.
	bin, err := lookPathIn("bkgen", ts.Getenv("PATH"))
	ts.Check(err)
	var out strings.Builder
	cmd := exec.Command(bin, args[2:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "PATH="+ts.Getenv("PATH"), "NO_COLOR=1")
	ts.Check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var waitErr error
	finished := false
	for !finished {
		select {
		case waitErr = <-done:
			finished = true
		case <-time.After(100 * time.Microsecond):
			if _, err := os.Stat(journal); err == nil {
				time.Sleep(d)
				_ = cmd.Process.Kill()
				waitErr, finished = <-done, true
			}
		}
	}
	var ee *exec.ExitError
	switch {
	case waitErr == nil:
		ts.Logf("bkgen finished before it was killed")
	case errors.As(waitErr, &ee) && !ee.Exited():
		ts.Logf("bkgen killed %s into its writes", d)
	default:
		ts.Fatalf("bkgen failed before it was killed: %v\n%s", waitErr, out.String())
	}
}

// lookPathIn finds an executable in a PATH list.
func lookPathIn(name, pathList string) (string, error) {
	for dir := range strings.SplitSeq(pathList, string(os.PathListSeparator)) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on the script's PATH", name)
}

// cmdSameTree checks that two folders hold the same files with the same
// content and executable bits (.git aside): "sametree DIR1 DIR2".
func cmdSameTree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sametree DIR1 DIR2")
	}
	a, b := treeContent(ts, args[0]), treeContent(ts, args[1])
	if a != b {
		ts.Fatalf("%s and %s differ:\n%s", args[0], args[1], lineDiff(a, b))
	}
}

// treeContent lists dir's files, one line each: path, executable bit and
// sha256, without times.
func treeContent(ts *testscript.TestScript, dir string) string {
	var b strings.Builder
	for l := range strings.SplitSeq(treeState(ts, dir), "\n") {
		f := strings.Fields(l)
		if len(f) == 5 {
			fmt.Fprintf(&b, "%s %s %s\n", f[0], f[1], f[4])
		}
	}
	return b.String()
}
