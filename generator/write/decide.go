package write

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
)

// onDisk is what a path of the plan holds now.
type onDisk struct {
	exists  bool
	symlink bool // exists, as a symlink: never read nor written through
	data    []byte
	perm    fs.FileMode
}

// stat reads a path of the output folder, confined to it. A path reached
// through a symlink that leaves the folder is ErrEscape.
func (a *applier) stat(p string) (onDisk, error) {
	if a.root == nil {
		return onDisk{}, nil
	}
	if err := a.guard.checkParents(p); err != nil {
		return onDisk{}, err
	}
	name := filepath.FromSlash(p)
	fi, err := a.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return onDisk{}, nil
	case err != nil:
		return onDisk{}, fmt.Errorf("inspect %s: %w", p, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return onDisk{exists: true, symlink: true}, nil
	case !fi.Mode().IsRegular():
		return onDisk{}, fmt.Errorf("%s is not a regular file", p)
	}
	data, err := a.root.ReadFile(name)
	if err != nil {
		return onDisk{}, fmt.Errorf("read %s: %w", p, err)
	}
	return onDisk{exists: true, data: data, perm: fi.Mode().Perm()}, nil
}

// readState reads one of bkgen's own files; ok is false when it is absent.
func (a *applier) readState(p string) (data []byte, ok bool, err error) {
	d, err := a.stat(p)
	if err != nil || !d.exists {
		return nil, false, err
	}
	if d.symlink {
		return nil, false, fmt.Errorf("%w: %s is a symlink", ErrEscape, p)
	}
	return d.data, true, nil
}

// decide computes what happens to every file of the plan and, in Regen, to
// every file of the previous lock that left the plan.
func (a *applier) decide() error {
	inPlan := make(map[string]bool, len(a.plan.Files))
	for i := range a.plan.Files {
		f := &a.plan.Files[i]
		inPlan[f.Path] = true
		d, err := a.stat(f.Path)
		if err != nil {
			return err
		}
		switch {
		case a.opts.Mode == New:
			err = a.fresh(f, d)
		case f.Owner == Generated:
			err = a.regenerate(f, d)
		case f.Owner == User, f.Owner == Migration:
			a.once(f, d)
		case f.Owner == Managed:
			err = a.manage(f, d)
		default: // Scaffold, Marked
			err = a.merge(f, d)
		}
		if err != nil {
			return err
		}
	}
	if a.opts.Mode == New {
		return nil
	}
	for _, e := range a.prev.Files {
		if !inPlan[e.Path] {
			if err := a.gone(e); err != nil {
				return err
			}
		}
	}
	// Drop the bases of files no longer merged.
	for _, e := range a.prev.Files {
		if !e.Owner.merged() || a.bases[e.Path] {
			continue
		}
		bp := baseDir + "/" + e.Path
		if _, ok, err := a.readState(bp); err != nil {
			return err
		} else if ok {
			a.ops = append(a.ops, op{phase: phaseState, path: bp, remove: true, state: true})
		}
	}
	return nil
}

// fresh is New: every file is written.
func (a *applier) fresh(f *File, d onDisk) error {
	if d.symlink {
		return fmt.Errorf("%w: %s is a symlink; bkgen does not write through symlinks", ErrEscape, f.Path)
	}
	if a.same(f, d) {
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
	} else {
		a.write(f, f.Data, d, false)
	}
	a.record(f, hashOf(f.Data))
	if f.Owner.merged() {
		return a.setBase(f.Path, f.Data)
	}
	return nil
}

// regenerate is a generated file: always rewritten; a hand edit is rescued
// first.
func (a *applier) regenerate(f *File, d onDisk) error {
	switch {
	case d.symlink:
		return fmt.Errorf("%w: %s is a symlink; bkgen does not write through symlinks", ErrEscape, f.Path)
	case !d.exists:
		a.write(f, f.Data, d, false)
	case a.same(f, d):
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
	default:
		if !bytes.Equal(d.data, f.Data) { // else only the mode differs
			if err := a.rescueEdit(f.Path, d.data); err != nil {
				return err
			}
		}
		a.write(f, f.Data, d, false)
	}
	a.record(f, hashOf(f.Data))
	return nil
}

// once is a user or migration file: written when it does not exist and the
// lock does not know it (a file the user deleted stays deleted); never
// rewritten.
func (a *applier) once(f *File, d onDisk) {
	_, inLock := a.prev.File(f.Path)
	switch {
	case d.exists && !d.symlink && bytes.Equal(d.data, f.Data):
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
		if e, ok := a.journal.File(f.Path); ok && e.Hash == hashOf(d.data) {
			// An interrupted regen wrote it (an edit through Replaces):
			// record it as that regen would have.
			a.record(f, e.Hash)
			return
		}
	case f.Replaces != nil && d.exists && !d.symlink && bytes.Equal(d.data, f.Replaces):
		a.write(f, f.Data, d, true)
		a.record(f, hashOf(f.Data))
		return
	case d.exists || inLock:
		a.rep.Skipped = append(a.rep.Skipped, f.Path)
	default:
		a.write(f, f.Data, d, false)
		a.record(f, hashOf(f.Data))
		return
	}
	a.record(f, a.prevHash(f))
}

// manage is go.mod or go.sum. While the file is absent or holds bkgen's own
// last render (pristine), it gets the new render; once the user changed it,
// the render is merged into it (mergeManaged), keeping everything the user
// added. A
// file bkgen cannot merge (a go.mod that does not parse) is left alone, with
// a note saying why.
//
// The lock records the hash of the render, not of a merged file. The lock's
// hash is how the next regen knows the file is bkgen's own and may be
// replaced by a new render outright; a merged file holds the user's lines,
// and if the lock recorded it, the next regen would take it for bkgen's own
// and overwrite it, dropping what the user added.
func (a *applier) manage(f *File, d onDisk) error {
	if d.symlink {
		a.rep.Skipped = append(a.rep.Skipped, f.Path)
		a.record(f, hashOf(f.Data))
		return nil
	}
	data := f.Data
	if d.exists && !bytes.Equal(d.data, f.Data) {
		own, err := a.pristine(f.Path, d.data)
		if err != nil {
			return err
		}
		if !own {
			data, err = mergeManaged(f.Path, d.data, f.Data)
			if errors.Is(err, errUnmergeable) {
				a.rep.Skipped = append(a.rep.Skipped, f.Path)
				a.note(fmt.Sprintf("%s: left as it is, without bkgen's changes: %v", f.Path, err))
				a.record(f, a.prevHash(f))
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	if d.exists && bytes.Equal(d.data, data) {
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
	} else {
		a.write(f, data, d, true)
	}
	a.record(f, hashOf(f.Data))
	return nil
}

// merge is a scaffold (or, for now, marked) file: three-way merged with
// base = bkgen's previous render, ours = the file now, theirs = the new
// render.
func (a *applier) merge(f *File, d onDisk) error {
	_, inLock := a.prev.File(f.Path)
	if err := a.setBase(f.Path, f.Data); err != nil {
		return err
	}
	switch {
	case d.symlink || (!d.exists && inLock): // the user's choice: leave it
		a.rep.Skipped = append(a.rep.Skipped, f.Path)
		a.record(f, a.prevHash(f))
		return nil
	case !d.exists:
		a.write(f, f.Data, d, false)
		a.record(f, hashOf(f.Data))
		return nil
	case bytes.Equal(d.data, f.Data):
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
		a.record(f, hashOf(f.Data))
		return nil
	}
	base, hasBase, err := a.readState(baseDir + "/" + f.Path)
	if err != nil {
		return err
	}
	if !hasBase && inLock && a.known(f.Path, d.data) {
		// No base kept, but the file is what bkgen wrote: the base.
		base = d.data
	}
	merged, conflict := Merge(base, d.data, f.Data)
	if bytes.Equal(merged, d.data) { // only the user changed it
		a.rep.Unchanged = append(a.rep.Unchanged, f.Path)
		if a.known(f.Path, d.data) {
			// An interrupted regen wrote this merge (its journal says so):
			// record it as that regen would have.
			a.record(f, hashOf(d.data))
		} else {
			a.record(f, a.prevHash(f))
		}
		return nil
	}
	a.write(f, merged, d, true)
	a.record(f, hashOf(merged))
	if conflict {
		a.rep.Conflicts = append(a.rep.Conflicts, f.Path)
		a.conflicts = append(a.conflicts, f.Path)
	}
	return nil
}

// gone handles a file of the previous lock that is not in the plan any more.
func (a *applier) gone(e LockFile) error {
	if e.Owner == Migration && !slices.Contains(a.plan.Retire, e.Path) { // history: kept, still recorded
		a.files = append(a.files, e)
		return nil
	}
	d, err := a.stat(e.Path)
	if err != nil || !d.exists {
		return err
	}
	if d.symlink {
		a.rep.Orphaned = append(a.rep.Orphaned, e.Path)
		return nil
	}
	unmodified := a.known(e.Path, d.data)
	switch e.Owner {
	case Generated:
		if !unmodified {
			if err := a.rescue(e.Path, d.data); err != nil {
				return err
			}
		}
		unmodified = true
	case Scaffold, Marked:
		base, ok, err := a.readState(baseDir + "/" + e.Path)
		if err != nil {
			return err
		}
		if ok {
			unmodified = bytes.Equal(d.data, base)
		}
	case User:
		unmodified = false
	case Migration: // retired: the plan holds its copy
		unmodified = true
	}
	if !unmodified {
		a.rep.Orphaned = append(a.rep.Orphaned, e.Path)
		return nil
	}
	a.ops = append(a.ops, op{phase: phaseRemove, path: e.Path, remove: true, old: d.data, existed: true})
	a.rep.Deleted = append(a.rep.Deleted, e.Path)
	return nil
}

// same reports whether the disk already holds f, executable bit included.
func (a *applier) same(f *File, d onDisk) bool {
	return d.exists && !d.symlink && bytes.Equal(d.data, f.Data) && (d.perm&0o111 != 0) == (f.perm()&0o111 != 0)
}

// known reports whether data is what bkgen last wrote at p, by the previous
// lock or an interrupted regen's journal.
func (a *applier) known(p string, data []byte) bool {
	h := hashOf(data)
	for _, l := range []*Lock{a.prev, a.journal} {
		if e, ok := l.File(p); ok && e.Hash == h {
			return true
		}
	}
	return false
}

// pristine reports whether data is bkgen's own output at p, holding
// nothing of the user's, so that it may be replaced without a rescue. That
// is what bkgen last wrote there (known), except where it wrote a merge with
// the user's edits (a scaffold or marked file, until its owner changed):
// such a file is bkgen's own only when it is also the merge base, bkgen's
// last render.
func (a *applier) pristine(p string, data []byte) (bool, error) {
	h := hashOf(data)
	for _, l := range []*Lock{a.prev, a.journal} {
		e, ok := l.File(p)
		if !ok || e.Hash != h {
			continue
		}
		if !e.Owner.merged() {
			return true, nil
		}
		base, ok, err := a.readState(baseDir + "/" + p)
		if err != nil {
			return false, err
		}
		if ok && bytes.Equal(base, data) {
			return true, nil
		}
	}
	return false, nil
}

// prevHash is the hash to record for a file bkgen did not write this time:
// what it wrote before, or else what it would have written. The previous
// hash is carried only while the owner stays the same: a merged file's hash
// may be of the user's lines merged in, and once carried to an owner that
// is not merged, without a base to tell, it would pass for bkgen's bare
// render (pristine) and a later regen could overwrite those lines.
func (a *applier) prevHash(f *File) string {
	if e, ok := a.prev.File(f.Path); ok && e.Owner == f.Owner {
		return e.Hash
	}
	return hashOf(f.Data)
}

func (a *applier) write(f *File, data []byte, d onDisk, keepPerm bool) {
	a.ops = append(a.ops, op{phase: phaseFile, path: f.Path, data: data, perm: f.perm(), keepPerm: keepPerm, old: d.data, existed: d.exists})
	if d.exists {
		a.rep.Updated = append(a.rep.Updated, f.Path)
	} else {
		a.rep.Created = append(a.rep.Created, f.Path)
	}
}

func (a *applier) record(f *File, hash string) {
	a.files = append(a.files, LockFile{Path: f.Path, Owner: f.Owner, Hash: hash})
}

// rescueEdit rescues data, found at p, unless it is bkgen's own output.
func (a *applier) rescueEdit(p string, data []byte) error {
	own, err := a.pristine(p, data)
	if err != nil || own {
		return err
	}
	return a.rescue(p, data)
}

// rescue saves a hand edit of the generated file p before it is
// overwritten or removed: at .bkgen/rescued/<p>, or, when an earlier rescue
// of p is there, at the first free .bkgen/rescued/<p>.~N~ (N from 2, as GNU
// numbered backups), with a note. It never overwrites an earlier rescue: the
// user may not have looked at it yet. The same content rescued already (by a
// regen interrupted after its rescues) is not written again.
func (a *applier) rescue(p string, data []byte) error {
	a.rep.Rescued = append(a.rep.Rescued, p)
	first := rescuedDir + "/" + p
	for n := 1; ; n++ {
		rp := first
		if n > 1 {
			rp = fmt.Sprintf("%s.~%d~", first, n)
		}
		old, ok, err := a.readState(rp)
		switch {
		case err != nil:
			return err
		case ok && bytes.Equal(old, data):
			return nil
		case ok:
			continue
		}
		a.ops = append(a.ops, op{phase: phaseRescue, path: rp, data: data, perm: 0o644, state: true})
		if n > 1 {
			a.note(fmt.Sprintf("%s: your edit is saved as %s; earlier ones are kept next to it", p, rp))
		}
		return nil
	}
}

// setBase keeps data as the merge base of p for the next regen.
func (a *applier) setBase(p string, data []byte) error {
	a.bases[p] = true
	bp := baseDir + "/" + p
	old, ok, err := a.readState(bp)
	if err != nil {
		return err
	}
	if !ok || !bytes.Equal(old, data) {
		a.ops = append(a.ops, op{phase: phaseState, path: bp, data: data, perm: 0o644, state: true})
	}
	return nil
}
