package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/write"
	"github.com/bkgen/bkgen/internal/sqlc"
)

// repoState is the repository a regen updates, as plan needs it: sqlc
// compiles the inputs the repository will hold after the regen, not fresh
// renders of files bkgen does not rewrite (the user's queries.sql, the
// scaffolded sqlc.yaml). Without it, the user's queries would be missing
// from the generated code, and the code their own `sqlc generate` wrote
// would be taken for a hand edit of a generated file.
type repoState struct {
	dir  string      // the repository's folder
	lock *write.Lock // its lock
}

// sqlcInputs returns sqlc's inputs (rendered files) as the repository will
// hold them after write.Apply, and the paths among them that differ from
// bkgen's render. A user file is read from disk; one the user deleted (the
// lock knows it) stays deleted, so it is read as empty: no queries. A
// scaffold file is three-way merged as Apply merges it. A file not written
// yet, a merge that conflicts (Apply then writes markers and stops), and
// every other owner keep bkgen's render.
func (r *repoState) sqlcInputs(files []write.File) ([]write.File, []string, error) {
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open the repository: %w", err)
	}
	defer root.Close() //nolint:errcheck // read only
	read := func(p string) ([]byte, bool, error) {
		data, err := root.ReadFile(filepath.FromSlash(p))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("read %s: %w", p, err)
		}
		return data, true, nil
	}
	out := slices.Clone(files)
	var changed []string
	for i := range out {
		f := &out[i]
		if f.Owner != write.User && f.Owner != write.Scaffold && f.Owner != write.Marked {
			continue
		}
		data, exists, err := read(f.Path)
		if err != nil {
			return nil, nil, err
		}
		_, inLock := r.lock.File(f.Path)
		switch {
		case f.Owner == write.User && !exists && inLock:
			data = []byte{}
		case !exists || slices.Contains(r.lock.Conflicts, f.Path):
			continue
		case f.Owner != write.User:
			base, _, err := read(".bkgen/base/" + f.Path)
			if err != nil {
				return nil, nil, err
			}
			merged, conflict := write.Merge(base, data, f.Data)
			if conflict {
				continue
			}
			data = merged
		}
		if !bytes.Equal(data, f.Data) {
			f.Data = data
			changed = append(changed, f.Path)
		}
	}
	return out, changed, nil
}

// sqlcError turns sqlc's verdict on inputs that hold the user's text
// (fromRepo) into diagnostics at the places sqlc names: bad input (exit 3),
// where on bkgen's own inputs it would be a bkgen bug. It is the user's when
// sqlc read their sqlc.yaml (its settings bear on every query) or names one
// of their files; otherwise, and when sqlc could not run at all, err is
// returned as it is.
func (r *repoState) sqlcError(err error, fromRepo []string) error {
	var sqlErr *sqlc.Error
	if !errors.As(err, &sqlErr) {
		return err
	}
	if !slices.Contains(fromRepo, sqlc.ConfigFile) && !slices.ContainsFunc(sqlErr.Problems, func(p sqlc.Problem) bool {
		return slices.Contains(fromRepo, p.File)
	}) {
		return err
	}
	// sqlc's schema is the render's: the spec's data model, as one
	// migration; migrations the user added are not read.
	hint := fmt.Sprintf("bkgen regen runs sqlc on your %s, with the tables of the spec's data model (not your own migrations): fix it, then run bkgen regen again",
		strings.Join(fromRepo, " and "))
	var l diag.List
	for _, p := range sqlErr.Problems {
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: diag.Pos{File: filepath.Join(r.dir, filepath.FromSlash(p.File)), Line: p.Line, Col: p.Col},
			Summary: "sqlc: " + p.Message, Hint: hint,
		})
	}
	if len(l) == 0 { // an error of the (user's) sqlc.yaml: at most a line
		pos := diag.Pos{File: filepath.Join(r.dir, sqlc.ConfigFile)}
		if m := yamlLineRE.FindStringSubmatch(sqlErr.Output); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
		}
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: pos,
			Summary: "sqlc: " + strings.Join(strings.Fields(sqlErr.Output), " "),
			Hint:    "bkgen regen runs sqlc with your sqlc.yaml (bkgen's changes merged in): fix it, then run bkgen regen again",
		})
	}
	return l.Err()
}

// yamlLineRE finds the line a YAML error of sqlc.yaml names.
var yamlLineRE = regexp.MustCompile(`\bline (\d+):`)
