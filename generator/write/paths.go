package write

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// bkgen's own state inside the output folder (slash-separated, relative).
const (
	stateDir    = ".bkgen"
	lockPath    = ".bkgen/lock.json"
	journalPath = ".bkgen/journal.json"
	baseDir     = ".bkgen/base"
	rescuedDir  = ".bkgen/rescued"
)

// checkPath checks one slash-separated path of a plan or a lock: relative,
// clean, local. A path that leaves the folder wraps ErrEscape; any other
// problem is returned plain, for the caller to wrap.
func checkPath(p string) error {
	switch {
	case p == "" || p == ".":
		return errors.New("empty path")
	case strings.ContainsAny(p, "\\\x00"):
		return fmt.Errorf("path %q: backslash or NUL", p)
	case path.IsAbs(p) || filepath.IsAbs(filepath.FromSlash(p)) || filepath.VolumeName(filepath.FromSlash(p)) != "":
		return fmt.Errorf("%w: path %q is absolute", ErrEscape, p)
	}
	for part := range strings.SplitSeq(p, "/") {
		if part == ".." {
			return fmt.Errorf("%w: path %q leaves the folder", ErrEscape, p)
		}
	}
	if path.Clean(p) != p {
		return fmt.Errorf("path %q is not clean (want %q)", p, path.Clean(p))
	}
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return fmt.Errorf("%w: path %q is not local", ErrEscape, p)
	}
	for part := range strings.SplitSeq(p, "/") {
		if strings.EqualFold(part, ".git") {
			return fmt.Errorf("path %q is inside a .git folder", p)
		}
	}
	if isTemp(path.Base(p)) {
		return fmt.Errorf("path %q is named like bkgen's temporary files", p)
	}
	return nil
}

// reserved reports whether p is part of the state bkgen keeps for itself.
func reserved(p string) bool {
	return p == lockPath || p == journalPath ||
		p == baseDir || strings.HasPrefix(p, baseDir+"/") ||
		p == rescuedDir || strings.HasPrefix(p, rescuedDir+"/")
}

// validatePlan checks the whole plan before anything touches the disk.
func validatePlan(files []File) error {
	seen := make(map[string]string, len(files)) // lower-cased path → path
	for i := range files {
		f := &files[i]
		if err := checkPath(f.Path); err != nil {
			if errors.Is(err, ErrEscape) {
				return err
			}
			return fmt.Errorf("%w: %w", ErrInvalidPlan, err)
		}
		if reserved(f.Path) {
			return fmt.Errorf("%w: %s is bkgen's own state", ErrInvalidPlan, f.Path)
		}
		if !f.Owner.valid() {
			return fmt.Errorf("%w: %s: unknown owner %q", ErrInvalidPlan, f.Path, f.Owner)
		}
		if f.Mode&^fs.ModePerm != 0 {
			return fmt.Errorf("%w: %s: mode %v is not a plain file mode", ErrInvalidPlan, f.Path, f.Mode)
		}
		// Case-insensitive file systems (macOS, Windows) would merge two
		// paths that differ only in case.
		key := strings.ToLower(f.Path)
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("%w: %s and %s name the same file", ErrInvalidPlan, prev, f.Path)
		}
		seen[key] = f.Path
	}
	for i := range files {
		p := files[i].Path
		for dir := path.Dir(strings.ToLower(p)); dir != "."; dir = path.Dir(dir) {
			if other, ok := seen[dir]; ok {
				return fmt.Errorf("%w: %s is a file and the folder of %s", ErrInvalidPlan, other, p)
			}
		}
	}
	return nil
}

// outDir is the output folder the user named.
type outDir struct {
	// real is its absolute path with every symlink resolved.
	real   string
	exists bool
}

// resolveOut resolves the output folder. The folder itself must not be a
// symlink: the user named it, and everything written must stay inside it.
// Its parents may be symlinks (/tmp on macOS is one).
func resolveOut(dir string) (outDir, error) {
	if dir == "" {
		return outDir{}, errors.New("no output folder given")
	}
	// Lstat the path as given: "." is the working folder even when the
	// absolute path of the working folder goes through a symlink.
	clean := filepath.Clean(dir)
	abs, err := filepath.Abs(clean)
	if err != nil {
		return outDir{}, fmt.Errorf("resolve %s: %w", dir, err)
	}
	fi, err := os.Lstat(clean)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		target, _ := filepath.EvalSymlinks(abs)
		return outDir{}, fmt.Errorf("%w: %s is a symlink (to %s); name the folder itself", ErrEscape, dir, target)
	case err == nil && !fi.IsDir():
		return outDir{}, fmt.Errorf("%s is not a folder", dir)
	case err == nil:
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return outDir{}, fmt.Errorf("resolve %s: %w", dir, err)
		}
		return outDir{real: real, exists: true}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return outDir{}, fmt.Errorf("inspect %s: %w", dir, err)
	}
	// It does not exist: resolve the nearest ancestor that does.
	var rest []string
	anc := abs
	for {
		_, err := os.Lstat(anc)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return outDir{}, fmt.Errorf("inspect %s: %w", anc, err)
		}
		parent := filepath.Dir(anc)
		if parent == anc {
			return outDir{}, fmt.Errorf("resolve %s: no existing ancestor", dir)
		}
		rest = append([]string{filepath.Base(anc)}, rest...)
		anc = parent
	}
	real, err := filepath.EvalSymlinks(anc)
	if err != nil {
		return outDir{}, fmt.Errorf("resolve %s: %w", anc, err)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return outDir{}, fmt.Errorf("create %s: %s is not a folder", dir, anc)
	}
	return outDir{real: filepath.Join(append([]string{real}, rest...)...)}, nil
}

// isEmptyDir reports whether the folder holds nothing at all.
func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", dir, err)
	}
	defer func() { _ = f.Close() }()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read %s: %w", dir, err)
	}
	return true, nil
}

// guard checks, against the disk as it is, that a relative path resolves
// inside the output folder: every existing parent is a folder, and a
// symlinked parent points inside the folder.
type guard struct {
	root string // outDir.real
	dirs map[string]resolved
}

type resolved struct {
	abs    string // with symlinks resolved
	exists bool
	err    error
}

func newGuard(root string) *guard {
	return &guard{root: root, dirs: map[string]resolved{}}
}

// dir resolves a relative folder, memoised.
func (g *guard) dir(rel string) resolved {
	if rel == "." {
		_, err := os.Stat(g.root)
		return resolved{abs: g.root, exists: err == nil}
	}
	if r, ok := g.dirs[rel]; ok {
		return r
	}
	r := g.resolveDir(rel)
	g.dirs[rel] = r
	return r
}

func (g *guard) resolveDir(rel string) resolved {
	parent := g.dir(path.Dir(rel))
	if parent.err != nil || !parent.exists {
		return parent
	}
	next := filepath.Join(parent.abs, path.Base(rel))
	fi, err := os.Lstat(next)
	if errors.Is(err, fs.ErrNotExist) {
		return resolved{abs: next}
	}
	if err != nil {
		return resolved{err: fmt.Errorf("inspect %s: %w", rel, err)}
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(next)
		if err != nil {
			return resolved{err: fmt.Errorf("%w: %s is a symlink that does not resolve: %w", ErrEscape, rel, err)}
		}
		if !within(g.root, target) {
			return resolved{err: fmt.Errorf("%w: %s is a symlink to %s, outside %s", ErrEscape, rel, target, g.root)}
		}
		if fi, err = os.Stat(target); err != nil {
			return resolved{err: fmt.Errorf("inspect %s: %w", rel, err)}
		}
		next = target
	}
	if !fi.IsDir() {
		return resolved{err: fmt.Errorf("%s is not a folder", rel)}
	}
	return resolved{abs: next, exists: true}
}

// checkParents checks the folders above a relative path.
func (g *guard) checkParents(rel string) error {
	return g.dir(path.Dir(rel)).err
}

// checkTarget checks a path about to be written or removed: its parents,
// and that it is not itself a symlink or a folder.
func (g *guard) checkTarget(rel string) error {
	d := g.dir(path.Dir(rel))
	if d.err != nil || !d.exists {
		return d.err
	}
	fi, err := os.Lstat(filepath.Join(d.abs, path.Base(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("inspect %s: %w", rel, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s is a symlink; bkgen does not write through symlinks", ErrEscape, rel)
	case fi.IsDir():
		return fmt.Errorf("%s is a folder, where a file should be written", rel)
	}
	return nil
}

// within reports whether p is root or inside it; both are absolute and
// resolved.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
