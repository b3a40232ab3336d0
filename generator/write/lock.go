package write

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// LockVersion is the version of the lock format this bkgen writes. A lock
// with a higher version is refused (ErrNewerLock); a lower one is upgraded
// by the next write.
const LockVersion = 1

// Lock is the content of .bkgen/lock.json: what bkgen wrote last, so that
// the next regen can tell its own output from the user's edits.
type Lock struct {
	Version      int             `json:"version"`
	BkgenVersion string          `json:"bkgen_version"`
	Stack        string          `json:"stack"`
	SpecHash     string          `json:"spec_hash"`
	Blueprints   []Blueprint     `json:"blueprints"`
	Tables       json.RawMessage `json:"tables,omitempty"`
	// Files is sorted by path.
	Files []LockFile `json:"files"`
	// Conflicts lists the merged files left with conflict markers; the next
	// regen refuses to run while any of them still holds markers.
	Conflicts []string `json:"conflicts,omitempty"`
}

// LockFile records one file of the plan.
type LockFile struct {
	Path  string `json:"path"`
	Owner Owner  `json:"owner"`
	// Hash is "sha256:<hex>" of the bytes bkgen last wrote at Path (for a
	// file it never wrote, such as a user file that already existed, of the
	// bytes it would have written).
	Hash string `json:"hash"`
}

// File returns the entry for a path; a nil lock has none.
func (l *Lock) File(p string) (LockFile, bool) {
	if l == nil {
		return LockFile{}, false
	}
	i, ok := slices.BinarySearchFunc(l.Files, p, func(f LockFile, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return LockFile{}, false
	}
	return l.Files[i], true
}

// ReadLock reads dir/.bkgen/lock.json. A missing lock is an error wrapping
// fs.ErrNotExist; one written by a newer bkgen wraps ErrNewerLock; one that
// cannot be read as a lock wraps ErrInvalidLock.
func ReadLock(dir string) (*Lock, error) {
	name := filepath.Join(dir, filepath.FromSlash(lockPath))
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read lock: %w", err)
	}
	l, err := parseLock(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l, nil
}

// ReadJournal reads dir/.bkgen/journal.json, the lock a regen was writing
// when it was interrupted; nil, nil when there is none (the last regen
// finished).
func ReadJournal(dir string) (*Lock, error) {
	name := filepath.Join(dir, filepath.FromSlash(journalPath))
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	l, err := parseLock(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l, nil
}

// parseLock decodes and checks a lock. Its paths are checked like a plan's:
// regen deletes files the lock names, so a hand-edited lock must not be able
// to name anything outside the folder.
func parseLock(data []byte) (*Lock, error) {
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLock, err)
	}
	if v.Version > LockVersion {
		return nil, fmt.Errorf("%w (lock version %d, this bkgen reads up to %d)", ErrNewerLock, v.Version, LockVersion)
	}
	if v.Version < 1 {
		return nil, fmt.Errorf("%w: version %d", ErrInvalidLock, v.Version)
	}
	var l Lock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLock, err)
	}
	slices.SortFunc(l.Files, func(a, b LockFile) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range l.Files {
		if err := checkLockPath(f.Path); err != nil {
			return nil, err
		}
		if i > 0 && l.Files[i-1].Path == f.Path {
			return nil, fmt.Errorf("%w: %s listed twice", ErrInvalidLock, f.Path)
		}
		if !f.Owner.valid() {
			return nil, fmt.Errorf("%w: %s: unknown owner %q", ErrInvalidLock, f.Path, f.Owner)
		}
		if !validHash(f.Hash) {
			return nil, fmt.Errorf("%w: %s: hash %q is not sha256:<64 hex digits>", ErrInvalidLock, f.Path, f.Hash)
		}
	}
	for _, p := range l.Conflicts {
		if err := checkLockPath(p); err != nil {
			return nil, err
		}
	}
	return &l, nil
}

func checkLockPath(p string) error {
	// %v, not %w: an escaping path here is a broken lock (exit 3), not an
	// escaping output folder (exit 2).
	if err := checkPath(p); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidLock, err) //nolint:errorlint // see above
	}
	if reserved(p) {
		return fmt.Errorf("%w: %s is bkgen's own state", ErrInvalidLock, p)
	}
	return nil
}

// encodeLock writes the lock as indented JSON: sorted, no timestamps, so
// the same run gives the same bytes.
func encodeLock(l *Lock) ([]byte, error) {
	c := *l
	c.Files = slices.Clone(l.Files)
	slices.SortFunc(c.Files, func(a, b LockFile) int { return strings.Compare(a.Path, b.Path) })
	c.Conflicts = slices.Clone(l.Conflicts)
	slices.Sort(c.Conflicts)
	c.Conflicts = slices.Compact(c.Conflicts)
	if c.Files == nil {
		c.Files = []LockFile{}
	}
	if c.Blueprints == nil {
		c.Blueprints = []Blueprint{}
	}
	if len(bytes.TrimSpace(c.Tables)) == 0 {
		c.Tables = nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("encode lock: %w", err)
	}
	return buf.Bytes(), nil
}

// hashOf is the hash the lock records for content.
func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	hexPart, ok := strings.CutPrefix(h, "sha256:")
	if !ok || len(hexPart) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil && strings.ToLower(hexPart) == hexPart
}

// errNoLock explains a regen in a folder without a lock.
var errNoLock = errors.New("no .bkgen/lock.json: not a repository written by bkgen (use bkgen new)")
