package write

import (
	"bytes"
	"errors"
	"fmt"
	"go/version"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// errUnmergeable marks a managed file on disk that bkgen cannot merge its
// render into, and so leaves alone; the error text says why, for the
// report's notes.
var errUnmergeable = errors.New("cannot merge")

// mergeManaged merges bkgen's render of a managed file into the file on
// disk, keeping everything the user added: go.mod by its requirements
// (mergeGoMod), go.sum by its lines (mergeGoSum). A file bkgen cannot merge
// is an error wrapping errUnmergeable; a render that is not a valid go.mod
// wraps ErrInvalidPlan.
func mergeManaged(p string, disk, render []byte) ([]byte, error) {
	switch path.Base(p) {
	case "go.mod":
		return mergeGoMod(p, disk, render)
	case "go.sum":
		return mergeGoSum(disk, render), nil
	}
	return nil, fmt.Errorf("%w: bkgen merges only go.mod and go.sum files", errUnmergeable)
}

// mergeGoMod merges the go.mod bkgen renders (theirs) into the one on disk
// (ours): every requirement of bkgen's is present at bkgen's version or
// higher, the go directive is at least bkgen's, and everything else is the
// user's: the module path, their own requirements, replace, exclude,
// retract, tool, ignore, godebug and toolchain directives, and comments.
// Only requirements and the go directive come from the render; bkgen
// renders no other directive.
//
// When ours already meets bkgen's needs, ours is returned as it is, not
// reformatted, so that a merged go.mod stays unchanged on the next regen.
func mergeGoMod(p string, ours, theirs []byte) ([]byte, error) {
	want, err := modfile.Parse(p, theirs, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: bkgen's %s does not parse: %w", ErrInvalidPlan, p, err)
	}
	have, err := modfile.Parse(p, ours, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not parse: %w", errUnmergeable, err)
	}
	changed := false
	if have.Module == nil && want.Module != nil {
		// Without a module line the go command refuses the file; the
		// module path is bkgen's only when the user left none.
		if err := have.AddModuleStmt(want.Module.Mod.Path); err != nil {
			return nil, fmt.Errorf("%w: %w", errUnmergeable, err)
		}
		changed = true
	}
	if want.Go != nil && (have.Go == nil || version.Compare("go"+have.Go.Version, "go"+want.Go.Version) < 0) {
		if err := have.AddGoStmt(want.Go.Version); err != nil {
			return nil, fmt.Errorf("%w: %w", errUnmergeable, err)
		}
		changed = true
	}
	if reqs, ok := mergeRequires(have.Require, want.Require); ok {
		have.SetRequireSeparateIndirect(reqs)
		changed = true
	}
	if !changed {
		return ours, nil
	}
	have.Cleanup()
	out, err := have.Format()
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", p, err)
	}
	return out, nil
}

// mergeRequires returns the requirements of the merged go.mod: every one of
// the user's (have), each at the highest version the file lists for it,
// raised to bkgen's version (want) when lower, and bkgen's requirements the
// user lacks. changed reports whether that differs from what have lists.
//
// A user's version higher than bkgen's is kept: the user upgraded on purpose
// (a security fix, a feature their code uses), and minimal version selection
// would pick the higher version anyway as soon as any module required it, so
// lowering it would undo the user's choice without making bkgen's code any
// more likely to build. The user's "// indirect" marking is kept too: the go
// command ignores it when building, and go mod tidy corrects it.
func mergeRequires(have, want []*modfile.Require) (reqs []*modfile.Require, changed bool) {
	byPath := make(map[string]*modfile.Require, len(have)+len(want))
	var order []string
	for _, r := range have {
		prev, ok := byPath[r.Mod.Path]
		switch {
		case !ok:
			order = append(order, r.Mod.Path)
			byPath[r.Mod.Path] = &modfile.Require{Mod: r.Mod, Indirect: r.Indirect}
		case semver.Compare(prev.Mod.Version, r.Mod.Version) < 0:
			// The same path listed twice: the go command would use the
			// higher version, so the merge keeps that one.
			prev.Mod.Version = r.Mod.Version
		}
	}
	for _, w := range want {
		r, ok := byPath[w.Mod.Path]
		switch {
		case !ok:
			order = append(order, w.Mod.Path)
			byPath[w.Mod.Path] = &modfile.Require{Mod: w.Mod, Indirect: w.Indirect}
			changed = true
		case semver.Compare(r.Mod.Version, w.Mod.Version) < 0:
			r.Mod.Version = w.Mod.Version
			changed = true
		}
	}
	if !changed {
		return nil, false
	}
	reqs = make([]*modfile.Require, 0, len(order))
	for _, p := range order {
		reqs = append(reqs, byPath[p])
	}
	return reqs, true
}

// mergeGoSum is the union of the lines of two go.sum files, without
// duplicates or blank lines, in the order the go command writes them (by
// module path, then version), so that a go.sum the go command wrote and
// bkgen merged stays as it is when neither changes. A checksum line only
// vouches for one module version, so keeping every line of both never makes
// the go command accept what either file alone would refuse.
func mergeGoSum(ours, theirs []byte) []byte {
	var ls [][]byte
	for _, data := range [][]byte{ours, theirs} {
		for l := range bytes.SplitSeq(data, []byte("\n")) {
			if l = bytes.TrimRight(l, " \t\r"); len(l) > 0 {
				ls = append(ls, l)
			}
		}
	}
	slices.SortFunc(ls, compareSumLines)
	ls = slices.CompactFunc(ls, bytes.Equal)
	var out bytes.Buffer
	for _, l := range ls {
		out.Write(l)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// compareSumLines orders go.sum lines as module.Sort orders module versions:
// by path, then by the semantic version, then by what follows it ("/go.mod"),
// then by the checksum. Lines that are not "path version hash" come last.
func compareSumLines(a, b []byte) int {
	fa, fb := bytes.Fields(a), bytes.Fields(b)
	if okA, okB := len(fa) == 3, len(fb) == 3; okA != okB {
		if okA {
			return -1
		}
		return 1
	} else if !okA {
		return bytes.Compare(a, b)
	}
	if c := bytes.Compare(fa[0], fb[0]); c != 0 {
		return c
	}
	va, fileA, _ := strings.Cut(string(fa[1]), "/")
	vb, fileB, _ := strings.Cut(string(fb[1]), "/")
	if c := semver.Compare(va, vb); c != 0 {
		return c
	}
	if c := strings.Compare(va, vb); c != 0 { // equal by semver, not by text
		return c
	}
	if c := strings.Compare(fileA, fileB); c != 0 {
		return c
	}
	return bytes.Compare(a, b)
}

// note adds a line to the report's notes, keeping them sorted.
func (a *applier) note(s string) {
	i, _ := slices.BinarySearch(a.rep.Notes, s)
	a.rep.Notes = slices.Insert(a.rep.Notes, i, s)
}
