package write

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Apply writes plan into dir.
//
// Everything is decided before anything is written: the plan's paths are
// checked (relative, clean, no "..", nothing in .git/ or in bkgen's state),
// the folder is checked (New: absent or empty unless Force; never a symlink,
// nor reached through a symlink that leaves it), every file's fate is
// computed from its owner, the disk and the previous lock, and every target
// is checked again (no symlink is written through). Then each file is
// replaced atomically, parents created as needed, and .bkgen/lock.json is
// written last.
//
// If writing fails part-way in New mode, what Apply created is removed (the
// folder itself if it created it); files that a forced New overwrote stay
// overwritten. In Regen mode each file is either old or new, and
// .bkgen/journal.json lets the next regen recognise bkgen's own output.
//
// Merge conflicts are not an error: they are listed in Report.Conflicts (the
// CLI exits 6). With opts.DryRun nothing is written and Report.Diff holds a
// unified diff of every file that would change.
func Apply(ctx context.Context, plan *Plan, dir string, opts Options) (*Report, error) {
	if plan == nil {
		return nil, fmt.Errorf("%w: no plan", ErrInvalidPlan)
	}
	if opts.Mode != New && opts.Mode != Regen {
		return nil, fmt.Errorf("%w: unknown mode %d", ErrInvalidPlan, opts.Mode)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	if err := validatePlan(plan.Files); err != nil {
		return nil, err
	}
	out, err := resolveOut(dir)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.Mode == Regen && !out.exists:
		return nil, fmt.Errorf("regen %s: %w", dir, fs.ErrNotExist)
	case opts.Mode == New && out.exists && !opts.Force:
		empty, err := isEmptyDir(out.real)
		if err != nil {
			return nil, err
		}
		if !empty {
			return nil, fmt.Errorf("%w: %s", ErrNotEmpty, dir)
		}
	}
	a := &applier{plan: plan, opts: opts, out: out, guard: newGuard(out.real), bases: map[string]bool{}}
	// Refuse a path that goes through a symlink out of the folder before
	// reading anything through it.
	for i := range plan.Files {
		if err := a.guard.checkParents(plan.Files[i].Path); err != nil {
			return nil, err
		}
	}
	if out.exists {
		if a.root, err = openRoot(out.real); err != nil {
			return nil, err
		}
		defer func() { _ = a.root.Close() }()
	}
	if err := a.prepare(); err != nil {
		return nil, err
	}
	if opts.DryRun {
		a.rep.Diff = a.diff()
		return &a.rep, nil
	}
	if err := a.commit(ctx); err != nil {
		return nil, err
	}
	return &a.rep, nil
}

// phase orders the writes: the journal first, rescues before the files they
// save, the lock last, then the journal goes.
type phase int

const (
	phaseJournal phase = iota
	phaseRescue
	phaseFile
	phaseRemove
	phaseState
	phaseLock
	phaseDone
)

// op is one change to the disk.
type op struct {
	phase    phase
	path     string
	data     []byte
	remove   bool
	perm     fs.FileMode
	keepPerm bool
	// state marks bkgen's own files under .bkgen/: written, never diffed.
	state bool
	// old and existed describe the file before, for the diff.
	old     []byte
	existed bool
}

type applier struct {
	plan  *Plan
	opts  Options
	out   outDir
	guard *guard
	root  *os.Root // the output folder; nil while it does not exist

	prev    *Lock // the previous lock (Regen)
	journal *Lock // the lock of an interrupted regen, if any

	ops       []op
	files     []LockFile      // the new lock's entries
	conflicts []string        // the new lock's conflicts
	bases     map[string]bool // merged files whose base is kept

	// Rollback of New; mu guards them and the creation of folders while
	// New writes concurrently (runNew).
	mu           sync.Mutex
	createdFiles []string
	createdDirs  []string

	rep Report
}

// prepare computes every op and checks every target.
func (a *applier) prepare() error {
	if a.opts.Mode == Regen {
		if err := a.loadState(); err != nil {
			return err
		}
	}
	if err := a.decide(); err != nil {
		return err
	}
	if err := a.lockOps(); err != nil {
		return err
	}
	for i := range a.ops {
		if err := a.guard.checkTarget(a.ops[i].path); err != nil {
			return err
		}
	}
	for _, l := range []*[]string{
		&a.rep.Created, &a.rep.Updated, &a.rep.Unchanged, &a.rep.Deleted,
		&a.rep.Skipped, &a.rep.Rescued, &a.rep.Conflicts, &a.rep.Orphaned,
	} {
		slices.Sort(*l)
	}
	slices.SortStableFunc(a.ops, func(x, y op) int {
		if x.phase != y.phase {
			return int(x.phase - y.phase)
		}
		return strings.Compare(x.path, y.path)
	})
	return nil
}

// loadState reads the previous lock and an interrupted regen's journal, and
// refuses to go on while conflict markers of the previous regen remain.
func (a *applier) loadState() error {
	raw, ok, err := a.readState(lockPath)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("regen: %w: %w", errNoLock, fs.ErrNotExist)
	}
	if a.prev, err = parseLock(raw); err != nil {
		return fmt.Errorf("%s: %w", lockPath, err)
	}
	if raw, ok, err = a.readState(journalPath); err != nil {
		return err
	} else if ok {
		if a.journal, err = parseLock(raw); err != nil {
			return fmt.Errorf("%s: %w", journalPath, err)
		}
	}
	a.sweepTemps()
	conflicts := slices.Clone(a.prev.Conflicts)
	for _, l := range []*Lock{a.prev, a.journal} {
		if l == nil {
			continue
		}
		conflicts = append(conflicts, l.Conflicts...)
		for _, f := range l.Files {
			if err := a.guard.checkParents(f.Path); err != nil {
				return err
			}
		}
	}
	slices.Sort(conflicts)
	var pending []string
	for _, p := range slices.Compact(conflicts) {
		if err := a.guard.checkParents(p); err != nil {
			return err
		}
		d, err := a.stat(p)
		if err != nil {
			return err
		}
		if d.exists && hasConflictMarkers(d.data) {
			pending = append(pending, p)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w: %s still hold conflict markers; resolve them, then run regen again",
			ErrConflictsPending, strings.Join(pending, ", "))
	}
	return nil
}

// sweepTemps removes the temporary files an interrupted regen left: those
// of the journal in .bkgen/ (a kill while it was written leaves no journal)
// and, when the journal says a regen was interrupted, those in the folders
// of the files it and the lock name, and of their bases and rescues.
func (a *applier) sweepTemps() {
	dirs := map[string]bool{stateDir: true}
	for _, l := range []*Lock{a.prev, a.journal} {
		if a.journal == nil {
			break
		}
		for _, f := range l.Files {
			d := path.Dir(f.Path)
			dirs[d] = true
			dirs[path.Join(baseDir, d)] = true
			dirs[path.Join(rescuedDir, d)] = true
		}
	}
	// The root confines the reads to the folder, symlinks included.
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		entries, err := fs.ReadDir(a.root.FS(), d)
		if err != nil {
			continue // absent, or not a folder: nothing to sweep
		}
		for _, e := range entries {
			if e.Type().IsRegular() && isTemp(e.Name()) {
				a.ops = append(a.ops, op{phase: phaseRemove, path: path.Join(d, e.Name()), remove: true, state: true})
			}
		}
	}
}

// lockOps adds the lock, and in Regen the journal around the writes.
func (a *applier) lockOps() error {
	info := a.plan.Lock
	data, err := encodeLock(&Lock{
		Version:      LockVersion,
		BkgenVersion: info.BkgenVersion,
		Stack:        info.Stack,
		SpecHash:     info.SpecHash,
		Blueprints:   info.Blueprints,
		Tables:       info.Tables,
		Files:        a.files,
		Conflicts:    a.conflicts,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPlan, err)
	}
	old, ok, err := a.readState(lockPath)
	if err != nil {
		return err
	}
	if !ok || !bytes.Equal(old, data) {
		a.rep.LockChanged = true
		a.ops = append(a.ops, op{phase: phaseLock, path: lockPath, data: data, perm: 0o644, state: true, old: old, existed: ok})
	}
	if a.opts.Mode != Regen {
		return nil
	}
	if len(a.ops) > 0 {
		a.ops = append(a.ops, op{phase: phaseJournal, path: journalPath, data: data, perm: 0o644, state: true})
	}
	if len(a.ops) > 0 || a.journal != nil {
		a.ops = append(a.ops, op{phase: phaseDone, path: journalPath, remove: true, state: true})
	}
	return nil
}

// diff is the unified diff of every file of the repository that changes.
func (a *applier) diff() string {
	var sb strings.Builder
	ops := slices.Clone(a.ops)
	slices.SortStableFunc(ops, func(x, y op) int { return strings.Compare(x.path, y.path) })
	for _, o := range ops {
		if !o.state {
			sb.WriteString(unifiedDiff(o.path, o.old, o.existed, o.data, !o.remove))
		}
	}
	return sb.String()
}

// commit carries the ops out, in phase order.
func (a *applier) commit(ctx context.Context) error {
	var top string // the topmost folder created for New
	if a.root == nil {
		var err error
		if top, err = mkdirAll(a.out.real); err != nil {
			return err
		}
		if a.root, err = openRoot(a.out.real); err != nil {
			_ = os.RemoveAll(top)
			return err
		}
		defer func() { _ = a.root.Close() }()
	}
	err := a.run(ctx)
	if err != nil && a.opts.Mode == New {
		a.rollback(top)
	}
	return err
}

// opHook is nil in production. The crash test sets it, in a child process
// only, to kill that process between two ops: run calls it with the number
// of ops done before each op, and once more after the last (in Regen mode:
// New writes a phase's ops concurrently and does not call it).
var opHook func(done int)

func (a *applier) run(ctx context.Context) error {
	if a.opts.Mode == New {
		return a.runNew(ctx)
	}
	for i := range a.ops {
		if opHook != nil {
			opHook(i)
		}
		o := &a.ops[i]
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		if o.remove {
			if err := a.removeFile(o.path); err != nil {
				return err
			}
			continue
		}
		if err := a.writeFile(o.path, o.data, o.perm, o.keepPerm); err != nil {
			return err
		}
	}
	if opHook != nil {
		opHook(len(a.ops))
	}
	return nil
}

// newWriters is how many files New writes at once. Each write ends in an
// fsync, which on a disk that takes milliseconds per journal commit is
// most of the time New spends writing; the file system commits concurrent
// fsyncs together, so writing 16 at once takes a fraction of the time.
const newWriters = 16

// runNew carries out the ops of New phase by phase, the files of a phase
// concurrently: unlike a regen, New keeps no journal whose order matters,
// and a failure removes everything it wrote (see commit). The error is that
// of the first op, in order, that failed.
func (a *applier) runNew(ctx context.Context) error {
	for start := 0; start < len(a.ops); {
		end := start + 1
		for end < len(a.ops) && a.ops[end].phase == a.ops[start].phase {
			end++
		}
		ops := a.ops[start:end]
		writers := min(newWriters, len(ops))
		if slices.ContainsFunc(ops, func(o op) bool { return o.remove }) {
			writers = 1 // a removal may remove the folder another op writes into
		}
		errs := make([]error, len(ops))
		var next atomic.Int64
		var failed atomic.Bool // no op starts after one failed, as in a regen
		var wg sync.WaitGroup
		for range writers {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(ops) && !failed.Load(); i = int(next.Add(1) - 1) {
					o := &ops[i]
					switch {
					case ctx.Err() != nil:
						errs[i] = fmt.Errorf("write %s: %w", o.path, ctx.Err())
					case o.remove:
						errs[i] = a.removeFile(o.path)
					default:
						errs[i] = a.writeFile(o.path, o.data, o.perm, o.keepPerm)
					}
					if errs[i] != nil {
						failed.Store(true)
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		start = end
	}
	return nil
}

func (a *applier) writeFile(p string, data []byte, perm fs.FileMode, keepPerm bool) error {
	if err := a.mkdirs(path.Dir(p)); err != nil {
		return err
	}
	name := filepath.FromSlash(p)
	if _, err := a.root.Lstat(name); errors.Is(err, fs.ErrNotExist) {
		a.mu.Lock()
		a.createdFiles = append(a.createdFiles, p)
		a.mu.Unlock()
	}
	dir := a.root
	if d := path.Dir(p); d != "." {
		sub, err := a.root.OpenRoot(filepath.FromSlash(d))
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		defer func() { _ = sub.Close() }()
		dir = sub
	}
	if err := replaceFile(dir, path.Base(p), data, perm, keepPerm); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// mkdirs creates the folders of a relative path that do not exist.
func (a *applier) mkdirs(dir string) error {
	if dir == "." {
		return nil
	}
	// One at a time, so that createdDirs lists a folder before those inside it.
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := ""
	for part := range strings.SplitSeq(dir, "/") {
		cur = path.Join(cur, part)
		err := a.root.Mkdir(filepath.FromSlash(cur), 0o755)
		switch {
		case err == nil:
			a.createdDirs = append(a.createdDirs, cur)
		case !errors.Is(err, fs.ErrExist):
			return fmt.Errorf("create folder %s: %w", cur, err)
		}
	}
	return nil
}

// removeFile removes a file, then the folders above it left empty (but not
// bkgen's state folders).
func (a *applier) removeFile(p string) error {
	if err := a.root.Remove(filepath.FromSlash(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	for dir := path.Dir(p); dir != "." && dir != stateDir && dir != baseDir && dir != rescuedDir; dir = path.Dir(dir) {
		name := filepath.FromSlash(dir)
		fi, err := a.root.Lstat(name)
		if err != nil || !fi.IsDir() || a.root.Remove(name) != nil {
			break
		}
	}
	return nil
}

// rollback undoes a failed New: removes the folder it created, or else the
// files and folders it created inside an existing one.
func (a *applier) rollback(top string) {
	if top != "" {
		_ = os.RemoveAll(top)
		return
	}
	for _, p := range slices.Backward(a.createdFiles) {
		_ = a.root.Remove(filepath.FromSlash(p))
	}
	for _, d := range slices.Backward(a.createdDirs) {
		_ = a.root.Remove(filepath.FromSlash(d))
	}
}

// mkdirAll creates dir and the parents it lacks, and returns the topmost
// folder it created.
func mkdirAll(dir string) (string, error) {
	top := ""
	for d := dir; ; {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		top = d
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // the output repository: its owner's tools must read it
		if top != "" {
			_ = os.RemoveAll(top)
		}
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return top, nil
}

// openRoot opens the output folder for access confined to it, and checks it
// is still the folder that was resolved (not replaced by a symlink since).
func openRoot(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	opened, err1 := root.Stat(".")
	named, err2 := os.Lstat(dir)
	if err := errors.Join(err1, err2); err != nil || !os.SameFile(opened, named) {
		_ = root.Close()
		return nil, fmt.Errorf("%w: %s changed while bkgen was writing it", ErrEscape, dir)
	}
	return root, nil
}
