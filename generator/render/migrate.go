package render

import (
	"fmt"
	"slices"
	"strings"
)

// MigrationOptions tune [Migration].
type MigrationOptions struct {
	// AllowDestructive writes the steps that can lose data (dropping a table
	// or a column, narrowing a type) as statements rather than as comments.
	AllowDestructive bool
}

// MigrationFile is the next goose migration of a changed data model.
type MigrationFile struct {
	// Slug is the file name's stem after the number: "add_pets_tag", or
	// "update_<table>" / "update_model" when many things changed; it is
	// [a-z0-9_], at most 40 characters.
	Slug string
	// SQL is the whole goose file: a header naming what changed, "-- +goose
	// Up" and its statements, "-- +goose Down" and the statements undoing them.
	SQL []byte
	// Steps has one line per change ("pets: add column tag text"), for the
	// CLI's report.
	Steps []string
	// Destructive lists the steps written commented out (without
	// AllowDestructive), each with why. When it holds every step, the file
	// changes nothing.
	Destructive []string
	// Applied is the model the database has once the migration ran: the
	// target model, less what the commented-out steps would have done. A
	// lock records it rather than the target, so that the next migration
	// starts from what the database has (and writes the pending steps again).
	Applied *Model
}

// Migration writes the goose migration taking a database from the model
// from to the model to: nil, nil when they agree. A nil model is a service
// without a database. It is an error when the models name different modelEngines.
//
// Without opts.AllowDestructive, the steps that can lose data are written
// commented out under a WARNING, and the migration instead keeps what they
// would drop usable by the new code: a dropped NOT NULL column without a
// default becomes nullable, a narrowed column keeps its type.
func Migration(from, to *Model, opts MigrationOptions) (*MigrationFile, error) {
	if from == nil && to == nil {
		return nil, nil
	}
	engineName := ""
	for _, m := range []*Model{from, to} {
		if m == nil {
			continue
		}
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("write the migration: %w", err)
		}
		if engineName != "" && m.Engine != engineName {
			return nil, fmt.Errorf("write the migration: the database changed from %s to %s; bkgen cannot migrate data between modelEngines", engineName, m.Engine)
		}
		engineName = m.Engine
	}
	a, b := emptyModel(engineName), emptyModel(engineName)
	if from != nil {
		a = from.clone()
	}
	if to != nil {
		b = to.clone()
	}
	if sameModel(a, b) {
		return nil, nil
	}
	e := newEngine(engineName)
	renames := findRenames(a, b)
	var active, deferred []migrationStep
	applied := b
	if opts.AllowDestructive {
		active = e.plan(a, b, renames)
	} else {
		mid := e.applied(a, b, renames)
		applied = mid
		active = e.plan(a, mid, renames)
		deferred = e.plan(mid, b, nil)
		annotateKept(active, a, b, renames)
		for i := range deferred {
			if deferred[i].danger == "" {
				deferred[i].danger = "it goes with the other commented-out steps"
			}
		}
	}
	f := e.file(active, deferred)
	if to != nil || len(applied.Tables) > 0 || applied.APIKeys || applied.Sessions {
		f.Applied = applied
	}
	return f, nil
}

// emptyModel is the model of a database without tables.
func emptyModel(engine string) *Model { return &Model{Engine: engine, Tables: []ModelTable{}} }

// tableRename is a table whose name changed.
type tableRename struct{ from, to string }

// findRenames pairs each dropped table with an added one of the same
// columns (names and types): a renamed table, whose rows are kept.
func findRenames(a, b *Model) []tableRename {
	var dropped, added []ModelTable
	for _, t := range a.Tables {
		if b.table(t.Name) == nil {
			dropped = append(dropped, t)
		}
	}
	for _, t := range b.Tables {
		if a.table(t.Name) == nil {
			added = append(added, t)
		}
	}
	var out []tableRename
	taken := make(map[string]bool)
	for _, d := range dropped { // both sorted by name: deterministic pairs
		for _, n := range added {
			if !taken[n.Name] && columnSignature(d) == columnSignature(n) {
				taken[n.Name] = true
				out = append(out, tableRename{d.Name, n.Name})
				break
			}
		}
	}
	return out
}

// columnSignature is a table's column names and types, in name order.
func columnSignature(t ModelTable) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name + " " + c.Type
	}
	slices.Sort(cols)
	return strings.Join(cols, ",")
}

// applied is the model the non-destructive part of a migration from a to b
// reaches: b, plus the tables and columns b drops (a dropped NOT NULL column
// without default made nullable, so that the new code's inserts work), with
// the types b narrows kept as a has them (and, on MySQL, without the keys
// that a kept TEXT type cannot have).
func (e migrator) applied(a, b *Model, renames []tableRename) *Model {
	mid := b.clone()
	mid.APIKeys = a.APIKeys || b.APIKeys
	mid.Sessions = a.Sessions || b.Sessions
	newName := make(map[string]string)
	for _, r := range renames {
		newName[r.from] = r.to
	}
	renamed := func(name string) string {
		if n, ok := newName[name]; ok {
			return n
		}
		return name
	}
	for _, ta := range a.Tables {
		tm := mid.table(renamed(ta.Name))
		if tm == nil {
			kept := ta.clone()
			for i := range kept.ForeignKeys {
				kept.ForeignKeys[i].RefTable = renamed(kept.ForeignKeys[i].RefTable)
			}
			mid.Tables = append(mid.Tables, kept)
			continue
		}
		for _, ca := range ta.Columns {
			cm := tm.column(ca.Name)
			if cm == nil {
				kept := ca
				kept.Checks = slices.Clone(ca.Checks)
				if needsValue(kept) {
					kept.NotNull = false
				}
				tm.Columns = append(tm.Columns, kept)
				continue
			}
			if ca.Type != cm.Type && !e.widens(ca.Type, cm.Type) {
				cm.Type = ca.Type
				if e.name == "mysql" {
					dropUnindexable(tm, cm)
				}
				checks := slices.DeleteFunc(slices.Clone(ca.Checks), func(c ModelCheck) bool { return c.Kind != checkLength })
				for _, c := range cm.Checks {
					if c.Kind != checkLength {
						checks = append(checks, c)
					}
				}
				cm.Checks = checks
			}
		}
	}
	sortTables(mid.Tables)
	return mid
}

// needsValue reports whether an insert must give the column a value: NOT
// NULL, without a default or a value the database makes.
func needsValue(c ModelColumn) bool { return c.NotNull && c.Default == "" && c.Generated == "" }

// dropUnindexable removes the keys and indexes on c when MySQL cannot
// index its (kept) type without a prefix length: TEXT, BLOB and JSON.
func dropUnindexable(t *ModelTable, c *ModelColumn) {
	switch strings.ToUpper(c.Type) {
	case "TEXT", "LONGBLOB", "JSON":
	default:
		return
	}
	on := func(k ModelKey) bool { return slices.Contains(k.Columns, c.Name) }
	t.Uniques = slices.DeleteFunc(t.Uniques, on)
	t.Indexes = slices.DeleteFunc(t.Indexes, on)
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk ModelForeignKey) bool { return fk.Column == c.Name })
}

// annotateKept says, on the steps making a dropped column nullable, why:
// its drop is commented out, and the new code no longer writes it.
func annotateKept(steps []migrationStep, a, b *Model, renames []tableRename) {
	for _, ta := range a.Tables {
		name := ta.Name
		for _, r := range renames {
			if r.from == name {
				name = r.to
			}
		}
		tb := b.table(name)
		if tb == nil {
			continue
		}
		for _, c := range ta.Columns {
			if tb.column(c.Name) != nil || !needsValue(c) {
				continue
			}
			line := fmt.Sprintf("%s: make column %s nullable", name, c.Name)
			for i := range steps {
				for j, l := range steps[i].lines {
					if l == line {
						steps[i].lines[j] += " (its drop is commented out below)"
						steps[i].notes = append(steps[i].notes, fmt.Sprintf("The new code no longer writes %s.%s: it must take NULL until the column is dropped.", name, c.Name))
					}
				}
			}
		}
	}
}
