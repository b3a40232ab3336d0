// Package write is the only package that writes into a generated repository.
// It takes the whole plan, built in memory, validates it and the output folder
// before touching the disk, then writes each file atomically, applying the
// file's ownership rule (DESIGN.md, "Output ownership") against the lock
// written by the previous run, and finally writes .bkgen/lock.json.
//
// Layout of the state it keeps in the output repository:
//
//	.bkgen/lock.json        what bkgen wrote last: versions, spec hash, table model, per-file hash
//	.bkgen/base/<path>      the last render of each scaffold file: the merge base of the next regen
//	.bkgen/rescued/<path>   hand edits found in generated files, saved before they were overwritten
//	.bkgen/journal.json     the lock a regen is writing; present only when a regen was interrupted
package write

import (
	"encoding/json"
	"errors"
	"io/fs"
)

// Owner says who owns a file, and so what a regen may do to it.
type Owner string

// The owners of DESIGN.md, "Output ownership".
const (
	// Generated files are rewritten on every run; hand edits are rescued.
	Generated Owner = "generated"
	// User files are written once and never touched again.
	User Owner = "user"
	// Scaffold files are three-way merged with the user's edits.
	Scaffold Owner = "scaffold"
	// Managed files (go.mod, go.sum) are rewritten while the user leaves them alone.
	Managed Owner = "managed"
	// Marked files get fragments at // +bkgen:<name> markers; for now they
	// are merged like scaffold files.
	Marked Owner = "marked"
	// Migration files are written once, when absent, and never rewritten.
	Migration Owner = "migration"
)

func (o Owner) valid() bool {
	switch o {
	case Generated, User, Scaffold, Managed, Marked, Migration:
		return true
	}
	return false
}

// merged reports whether files of this owner are three-way merged.
func (o Owner) merged() bool { return o == Scaffold || o == Marked }

// File is one file of the plan.
type File struct {
	// Path is slash-separated and relative to the output folder.
	Path string
	// Data is the complete content.
	Data []byte
	// Owner decides what a regen may do with the file.
	Owner Owner
	// Mode holds the permission bits; 0 means 0o644. Scripts use 0o755.
	Mode fs.FileMode
	// Replaces, when not nil, lets a regen rewrite a user or migration
	// file that exists: an edit bkgen makes on the user's behalf (the new
	// spec of `regen --from`, an override renamed with its operation, the
	// first migration of a new database engine). It is the content the edit
	// was computed from, and the file is rewritten only while the disk still
	// holds exactly that, so nothing the user wrote in between is lost.
	Replaces []byte
	// Source names the template the file was rendered from ("bkgen:<path>"
	// for a built-in one, "<overlay>@<version>:<path>" for an overlay's);
	// empty for files made otherwise. Apply does not use it.
	Source string
}

func (f *File) perm() fs.FileMode {
	if f.Mode&fs.ModePerm == 0 {
		return 0o644
	}
	return f.Mode & fs.ModePerm
}

// Plan is everything one run writes: the files and what the lock records
// about the inputs.
type Plan struct {
	Files []File
	Lock  LockInfo
	// Retire lists migration files of the previous lock that a regen
	// removes: the migrations of a previous database engine, which the plan
	// copies elsewhere (a migration that leaves the plan is otherwise kept).
	Retire []string
}

// LockInfo is what the lock records about the inputs of a run.
type LockInfo struct {
	BkgenVersion string
	Stack        string
	SpecHash     string
	// Tables is the table model, opaque here; the generator diffs it with the
	// next one to number migrations.
	Tables json.RawMessage
	// Blueprints are the overlays applied, in order.
	Blueprints []Blueprint
}

// Blueprint records one blueprint overlay that took part in a run.
type Blueprint struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Hash    string `json:"hash"`
}

// Mode says whether Apply writes a fresh repository or updates one.
type Mode int

const (
	// New writes a fresh repository: every file of the plan is written.
	New Mode = iota
	// Regen updates a repository written before, applying the ownership
	// rules against its lock.
	Regen
)

// Options control Apply.
type Options struct {
	Mode Mode
	// Force allows New into a folder that is not empty; files of the plan
	// that exist there are overwritten.
	Force bool
	// DryRun computes everything and writes nothing; the report's Diff holds
	// the changes.
	DryRun bool
}

// Report says what Apply did (or, with DryRun, would do). Every list holds
// paths of the plan, relative and slash-separated, sorted.
type Report struct {
	// Created files did not exist.
	Created []string `json:"created,omitempty"`
	// Updated files existed and got new content (scaffold merges included).
	Updated []string `json:"updated,omitempty"`
	// Unchanged files already had the content they should have, or are
	// scaffold files where only the user changed something.
	Unchanged []string `json:"-"`
	// Deleted files left the plan and were removed.
	Deleted []string `json:"deleted,omitempty"`
	// Skipped files were left alone: user and migration files that exist (or
	// that the user deleted), scaffold files the user deleted, managed files
	// the user changed, symlinks bkgen does not need to write through.
	Skipped []string `json:"-"`
	// Rescued are generated files with hand edits; the edited version is
	// saved under .bkgen/rescued/<path> before it is overwritten or deleted.
	Rescued []string `json:"rescued,omitempty"`
	// Conflicts are merged files that now hold conflict markers.
	Conflicts []string `json:"conflicts,omitempty"`
	// Orphaned files left the plan but hold the user's changes (scaffold)
	// or are the user's (user-owned), so they were kept and are no longer
	// tracked.
	Orphaned []string `json:"orphaned,omitempty"`
	// Notes explain, one line each starting with the path, what the lists
	// alone do not: why a managed file was skipped, where a rescue went when
	// an earlier rescue of the same file was in the way. Sorted.
	Notes []string `json:"notes,omitempty"`
	// LockChanged says .bkgen/lock.json got (or would get) new content.
	LockChanged bool `json:"lock_changed"`
	// Diff is a unified diff of every file that changes, with DryRun.
	Diff string `json:"diff,omitempty"`
}

// Changed reports whether the run changes anything in the repository: what
// `bkgen diff` calls stale.
func (r *Report) Changed() bool {
	return len(r.Created)+len(r.Updated)+len(r.Deleted)+len(r.Rescued) > 0 || r.LockChanged
}

// Sentinel errors, for the CLI to choose an exit code with errors.Is.
var (
	// ErrNotEmpty: New into a folder that is not empty, without Force (exit 2).
	ErrNotEmpty = errors.New("output folder is not empty (use --force to write into it)")
	// ErrEscape: a path would be written outside the output folder, through a
	// symlink or by its name (exit 2).
	ErrEscape = errors.New("path escapes the output folder")
	// ErrNewerLock: the lock was written by a newer bkgen (exit 3).
	ErrNewerLock = errors.New("lock written by a newer bkgen: upgrade bkgen")
	// ErrConflictsPending: conflict markers from a previous regen remain (exit 6).
	ErrConflictsPending = errors.New("merge conflicts from the previous regen are not resolved")
	// ErrInvalidPlan: the plan breaks a rule (duplicate path, unknown owner,
	// a path inside .git/ or bkgen's own state); a bug in whoever built it.
	ErrInvalidPlan = errors.New("invalid plan")
	// ErrInvalidLock: .bkgen/lock.json cannot be read as a lock (exit 3).
	ErrInvalidLock = errors.New("invalid lock")
)
