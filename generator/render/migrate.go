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

// migrationStep is one change of a migration, with the statements doing and undoing it.
type migrationStep struct {
	kind   string
	table  string
	column string
	// lines describe the change, one per change (a SQLite rebuild makes many).
	lines []string
	slug  string
	// notes are comments written above the statements.
	notes    []string
	up, down []string
	// danger says why the step can lose data; "" when it cannot.
	danger string
	// foreignKeysOff is true for a SQLite rebuild of a table others
	// reference: it must run with foreign keys off (see engine.file).
	foreignKeysOff bool
}

// kindRebuild is the kind of a SQLite table rebuild.
const kindRebuild = "rebuild"

// file writes the goose migration of the steps; deferred ones are commented out.
func (e migrator) file(active, deferred []migrationStep) *MigrationFile {
	f := &MigrationFile{}
	var names []string
	tables := make(map[string]bool)
	for _, s := range active {
		f.Steps = append(f.Steps, s.lines...)
		names = append(names, s.slug)
		tables[s.table] = true
	}
	for _, s := range deferred {
		for _, l := range s.lines {
			f.Steps = append(f.Steps, l+" (commented out)")
			f.Destructive = append(f.Destructive, l+": "+s.danger)
		}
		names = append(names, s.slug)
		tables[s.table] = true
	}
	f.Slug = migrationSlug(f.Steps, names, tables)
	fkOff := slices.ContainsFunc(active, func(s migrationStep) bool { return s.foreignKeysOff }) ||
		slices.ContainsFunc(deferred, func(s migrationStep) bool { return s.foreignKeysOff })
	var b strings.Builder
	b.WriteString("-- Generated by bkgen regen: the data model changed.\n")
	for _, l := range f.Steps {
		b.WriteString("--   " + l + "\n")
	}
	if len(deferred) > 0 {
		b.WriteString(commentBlock("WARNING: the steps that can lose data are commented out below, each under a WARNING that says why. " +
			"Apply them, once nothing needs what they drop, in a migration of their own (bkgen regen --allow-destructive writes them as statements)."))
	}
	b.WriteString(e.headerNotes(active, deferred, fkOff))
	b.WriteString("-- Migrations are never rewritten: a changed model adds the next file.\n\n")
	if fkOff {
		b.WriteString("-- +goose NO TRANSACTION\n")
	}
	b.WriteString("-- +goose Up\n")
	writeSection(&b, active, deferred, fkOff, true)
	b.WriteString("\n-- +goose Down\n")
	writeSection(&b, active, deferred, fkOff, false)
	f.SQL = []byte(strings.TrimRight(b.String(), "\n") + "\n")
	return f
}

// headerNotes explain how the engine runs this migration.
func (e migrator) headerNotes(active, deferred []migrationStep, fkOff bool) string {
	switch e.name {
	case "mysql":
		return commentBlock("MySQL commits each statement of DDL at once: when one fails, those before it stay applied. " +
			"So the statements that drop data (columns, then tables) come last: a failure before them loses none. " +
			"Fix its cause, undo what was applied (the matching statements of the Down section), then run migrate up again. " +
			"DROP CONSTRAINT of a CHECK needs MySQL 8.0.19+ or MariaDB 10.2+.")
	case "sqlite":
		rebuilds := slices.ContainsFunc(active, func(s migrationStep) bool { return s.kind == kindRebuild }) ||
			slices.ContainsFunc(deferred, func(s migrationStep) bool { return s.kind == kindRebuild })
		switch {
		case fkOff:
			return commentBlock("SQLite's ALTER TABLE cannot make some of these changes: the tables are rebuilt " +
				"(https://www.sqlite.org/lang_altertable.html, section 7). Other tables reference a rebuilt table, " +
				"and with foreign keys on, dropping the old copy would delete their rows (ON DELETE CASCADE); " +
				"PRAGMA foreign_keys is a no-op inside a transaction, and PRAGMA defer_foreign_keys defers the checks, " +
				"not the cascade. So goose runs this file outside a transaction (NO TRANSACTION, on one connection), " +
				"and the file turns foreign keys off and opens its own transaction. Should a statement fail, the " +
				"migrate command exits, which rolls the transaction back.")
		case rebuilds:
			return commentBlock("SQLite's ALTER TABLE cannot make some of these changes: the tables are rebuilt " +
				"(https://www.sqlite.org/lang_altertable.html, section 7) in goose's transaction, with foreign keys " +
				"on: no other table references a rebuilt table, so dropping its old copy deletes nothing else.")
		}
	}
	return ""
}

// writeSection writes the Up (or Down: undone in reverse order) statements.
func writeSection(b *strings.Builder, active, deferred []migrationStep, fkOff, up bool) {
	if fkOff {
		b.WriteString("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n")
	}
	write := func(s migrationStep, commented bool) {
		b.WriteString("\n")
		for i, l := range s.lines {
			if !up && i == 0 {
				l = "undo: " + l
			}
			b.WriteString("-- " + l + "\n")
		}
		switch {
		case commented && up:
			b.WriteString(commentBlock("WARNING: commented out: " + s.danger + "."))
		case commented:
			b.WriteString("-- (commented out, as its Up is)\n")
		case up && s.danger != "":
			b.WriteString(commentBlock("WARNING: " + s.danger + "."))
		}
		stmts := s.down
		if up {
			stmts = s.up
			for _, n := range s.notes {
				b.WriteString(commentBlock(n))
			}
		}
		for _, st := range stmts {
			if commented {
				st = "-- " + strings.ReplaceAll(st, "\n", "\n-- ")
			}
			b.WriteString(st + "\n")
		}
	}
	if up {
		for _, s := range active {
			write(s, false)
		}
		for _, s := range deferred {
			write(s, true)
		}
	} else {
		for _, s := range slices.Backward(deferred) {
			write(s, true)
		}
		for _, s := range slices.Backward(active) {
			write(s, false)
		}
	}
	if fkOff {
		b.WriteString("\nCOMMIT;\nPRAGMA foreign_keys = ON;\n")
	}
}

// commentBlock wraps text into SQL comment lines of at most about 100 columns.
func commentBlock(text string) string {
	var b strings.Builder
	line := "--"
	for w := range strings.FieldsSeq(text) {
		if len(line)+1+len(w) > 100 && line != "--" {
			b.WriteString(line + "\n")
			line = "--"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
	return b.String()
}

// migrationSlug names the migration: its one change, the one table it
// changes, or "update_model".
func migrationSlug(lines, slugs []string, tables map[string]bool) string {
	s := "update_model"
	switch {
	case len(lines) == 1 && len(slugs) == 1:
		s = slugs[0]
	case len(tables) == 1:
		for t := range tables {
			s = "update_" + t
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 40 {
		out = out[:40]
	}
	out = strings.Trim(out, "_")
	if out == "" {
		return "update_model"
	}
	return out
}

// plan lists the steps taking a to b, in the order they run: renames,
// new tables, dropped constraints and indexes, added and changed columns,
// added constraints and indexes, the bkgen_* tables, and last what drops
// data (columns, then tables), so that a failure halfway loses none.
func (e migrator) plan(a, b *Model, renames []tableRename) []migrationStep {
	cur := a.clone()
	var steps []migrationStep
	for _, r := range renames {
		old := cur.table(r.from)
		s, after := e.renameStep(*old, *b.table(r.to))
		steps = append(steps, s)
		*old = after
		for i := range cur.Tables {
			for j := range cur.Tables[i].ForeignKeys {
				if fk := &cur.Tables[i].ForeignKeys[j]; fk.RefTable == r.from {
					fk.RefTable = r.to
				}
			}
		}
	}
	sortTables(cur.Tables)
	var created, dropped []ModelTable
	var diffs []tableDiff
	for _, t := range b.Tables {
		if ta := cur.table(t.Name); ta != nil {
			diffs = append(diffs, diffTables(*ta, t))
		} else {
			created = append(created, t)
		}
	}
	for _, t := range cur.Tables {
		if b.table(t.Name) == nil {
			dropped = append(dropped, t)
		}
	}
	for _, t := range byReferences(created) {
		steps = append(steps, e.createStep(t))
	}
	referenced := func(name string) bool {
		for _, m := range []*Model{cur, b} {
			for _, t := range m.Tables {
				if slices.ContainsFunc(t.ForeignKeys, func(fk ModelForeignKey) bool { return fk.RefTable == name }) {
					return true
				}
			}
		}
		return false
	}
	var dropColumns []migrationStep
	if e.name == "sqlite" {
		for _, d := range diffs {
			if d.needsRebuild() {
				steps = append(steps, e.rebuildStep(d, referenced(d.b.Name)))
			}
		}
		for _, d := range diffs {
			if !d.needsRebuild() {
				s, drops := e.simpleSteps(d)
				steps = append(steps, s...)
				dropColumns = append(dropColumns, drops...)
			}
		}
	} else {
		var adds []migrationStep
		for _, d := range diffs {
			steps = append(steps, e.dropConstraintSteps(d)...)
		}
		for _, d := range diffs {
			steps = append(steps, e.addColumnSteps(d)...)
		}
		for _, d := range diffs {
			steps = append(steps, e.alterColumnSteps(d)...)
			adds = append(adds, e.addConstraintSteps(d)...)
			dropColumns = append(dropColumns, e.dropColumnSteps(d)...)
		}
		steps = append(steps, adds...)
	}
	steps = append(steps, e.bkgenSteps(cur, b, true)...)
	steps = append(steps, dropColumns...)
	dropped = byReferences(dropped)
	for _, t := range slices.Backward(dropped) {
		steps = append(steps, e.dropTableStep(t))
	}
	steps = append(steps, e.bkgenSteps(cur, b, false)...)
	return steps
}

// byReferences orders tables so that a referenced table comes before the
// tables referencing it, else by name.
func byReferences(ts []ModelTable) []ModelTable {
	byName := make(map[string]ModelTable)
	for _, t := range ts {
		byName[t.Name] = t
	}
	var out []ModelTable
	state := make(map[string]int) // 1 visiting, 2 done
	var visit func(t ModelTable)
	visit = func(t ModelTable) {
		if state[t.Name] != 0 {
			return
		}
		state[t.Name] = 1
		refs := make([]string, 0, len(t.ForeignKeys))
		for _, fk := range t.ForeignKeys {
			refs = append(refs, fk.RefTable)
		}
		slices.Sort(refs)
		for _, r := range refs {
			if rt, ok := byName[r]; ok && r != t.Name {
				visit(rt)
			}
		}
		state[t.Name] = 2
		out = append(out, t)
	}
	for _, t := range ts {
		visit(t)
	}
	return out
}

// tableDiff is what changed in a table both models have.
type tableDiff struct {
	a, b                     ModelTable
	added, dropped           []ModelColumn
	changed                  [][2]ModelColumn
	addedChecks, dropChecks  []tableCheck
	addedUniques, dropUnique []ModelKey
	addedIndexes, dropIndex  []ModelKey
	addedFKs, dropFKs        []ModelForeignKey
	pkChanged                bool
}

// tableCheck is a check with its column.
type tableCheck struct {
	column string
	check  ModelCheck
}

// diffTables compares the two versions of a table, by name throughout.
func diffTables(a, b ModelTable) tableDiff {
	d := tableDiff{a: a, b: b, pkChanged: a.PrimaryKey.Name != b.PrimaryKey.Name || !slices.Equal(a.PrimaryKey.Columns, b.PrimaryKey.Columns)}
	for _, cb := range sortedColumns(b) {
		ca := a.column(cb.Name)
		switch {
		case ca == nil:
			d.added = append(d.added, cb)
		case ca.Type != cb.Type || ca.NotNull != cb.NotNull || ca.Default != cb.Default || ca.Generated != cb.Generated:
			d.changed = append(d.changed, [2]ModelColumn{*ca, cb})
		}
	}
	for _, ca := range sortedColumns(a) {
		if b.column(ca.Name) == nil {
			d.dropped = append(d.dropped, ca)
		}
	}
	checksA, checksB := tableChecks(a), tableChecks(b)
	for _, c := range checksA {
		if !slices.Contains(checksB, c) {
			d.dropChecks = append(d.dropChecks, c)
		}
	}
	for _, c := range checksB {
		if !slices.Contains(checksA, c) {
			d.addedChecks = append(d.addedChecks, c)
		}
	}
	d.dropUnique, d.addedUniques = diffKeys(a.Uniques, b.Uniques)
	d.dropIndex, d.addedIndexes = diffKeys(a.Indexes, b.Indexes)
	for _, fk := range sortedFKs(a.ForeignKeys) {
		if !slices.Contains(b.ForeignKeys, fk) {
			d.dropFKs = append(d.dropFKs, fk)
		}
	}
	for _, fk := range sortedFKs(b.ForeignKeys) {
		if !slices.Contains(a.ForeignKeys, fk) {
			d.addedFKs = append(d.addedFKs, fk)
		}
	}
	return d
}

// sortedColumns are t's columns by name.
func sortedColumns(t ModelTable) []ModelColumn {
	cols := slices.Clone(t.Columns)
	slices.SortFunc(cols, func(x, y ModelColumn) int { return strings.Compare(x.Name, y.Name) })
	return cols
}

// sortedFKs are foreign keys by name.
func sortedFKs(fks []ModelForeignKey) []ModelForeignKey {
	out := slices.Clone(fks)
	slices.SortFunc(out, func(x, y ModelForeignKey) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// tableChecks are t's checks, by column name then check name.
func tableChecks(t ModelTable) []tableCheck {
	var out []tableCheck
	for _, c := range sortedColumns(t) {
		for _, ck := range c.Checks {
			out = append(out, tableCheck{c.Name, ck})
		}
	}
	return out
}

// diffKeys are the keys of a that b lacks (or has with other columns), and
// those of b that a lacks, by name.
func diffKeys(a, b []ModelKey) (dropped, added []ModelKey) {
	same := func(x ModelKey, in []ModelKey) bool {
		return slices.ContainsFunc(in, func(y ModelKey) bool { return x.Name == y.Name && slices.Equal(x.Columns, y.Columns) })
	}
	for _, k := range a {
		if !same(k, b) {
			dropped = append(dropped, k)
		}
	}
	for _, k := range b {
		if !same(k, a) {
			added = append(added, k)
		}
	}
	byName := func(x, y ModelKey) int { return strings.Compare(x.Name, y.Name) }
	slices.SortFunc(dropped, byName)
	slices.SortFunc(added, byName)
	return dropped, added
}

// needsRebuild reports whether SQLite must rebuild the table: its ALTER
// TABLE adds and drops plain columns only (no constraint, no key, a
// constant default), and changes nothing else.
func (d tableDiff) needsRebuild() bool {
	if d.pkChanged || len(d.changed) > 0 || len(d.addedChecks) > 0 || len(d.dropChecks) > 0 ||
		len(d.addedUniques) > 0 || len(d.dropUnique) > 0 || len(d.addedFKs) > 0 || len(d.dropFKs) > 0 {
		return true
	}
	for _, c := range d.added {
		if !sqlitePlainColumn(d.b, c) || needsValue(c) || !sqliteConstant(c.Default) {
			return true
		}
	}
	for _, c := range d.dropped {
		// Undone, the column comes back: as a plain column only if it can
		// be added so.
		if !sqlitePlainColumn(d.a, c) || needsValue(c) || !sqliteConstant(c.Default) {
			return true
		}
	}
	return false
}

// sqlitePlainColumn reports whether ALTER TABLE can add or drop c: it has
// no check, is no key, and no value is made for it.
func sqlitePlainColumn(t ModelTable, c ModelColumn) bool {
	if len(c.Checks) > 0 || c.Generated != "" || slices.Contains(t.PrimaryKey.Columns, c.Name) {
		return false
	}
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, c.Name) {
			return false
		}
	}
	return !slices.ContainsFunc(t.ForeignKeys, func(fk ModelForeignKey) bool { return fk.Column == c.Name })
}

// sqliteConstant reports whether a default is one ALTER TABLE ADD COLUMN
// takes: none, or a constant (no function, no CURRENT_TIMESTAMP).
func sqliteConstant(expr string) bool {
	return !strings.ContainsAny(expr, "(") && !strings.HasPrefix(strings.ToUpper(expr), "CURRENT_")
}

// createStep creates a table with its indexes.
func (e migrator) createStep(t ModelTable) migrationStep {
	return migrationStep{
		kind: "create", table: t.Name, slug: "create_" + t.Name,
		lines: []string{t.Name + ": create table"},
		up:    e.createTable(t, t.Name),
		down:  []string{"DROP TABLE IF EXISTS " + e.id(t.Name) + ";"},
	}
}

// dropTableStep drops a table; undone, it is back empty.
func (e migrator) dropTableStep(t ModelTable) migrationStep {
	return migrationStep{
		kind: "drop_table", table: t.Name, slug: "drop_" + t.Name,
		lines:  []string{t.Name + ": drop table"},
		up:     []string{"DROP TABLE " + e.id(t.Name) + ";"},
		down:   e.createTable(t, t.Name),
		danger: "it drops table " + t.Name + " and its rows",
	}
}

// renameStep renames table from to to's name, with the constraints and
// indexes the engine can rename; after is from as the statements leave it.
func (e migrator) renameStep(from, to ModelTable) (migrationStep, ModelTable) {
	up, after := e.renameTable(from, to)
	down, _ := e.renameTable(after, from)
	return migrationStep{
		kind: "rename", table: to.Name, slug: "rename_" + from.Name + "_to_" + to.Name,
		lines: []string{from.Name + ": rename table to " + to.Name},
		up:    up, down: down,
	}, after
}

// dropConstraintSteps drop what b lacks of a's constraints and indexes
// (PostgreSQL, MySQL), before any column changes.
func (e migrator) dropConstraintSteps(d tableDiff) []migrationStep {
	t := d.b.Name
	var out []migrationStep
	for _, fk := range d.dropFKs {
		out = append(out, e.keyStep(t, "drop", "foreign key", fk.Name, fkText(fk), e.dropForeignKey(t, fk), e.addForeignKey(t, fk)))
	}
	for _, u := range d.dropUnique {
		out = append(out, e.keyStep(t, "drop", "unique", u.Name, "("+strings.Join(u.Columns, ", ")+")", e.dropUnique(t, u), e.addUnique(t, u)))
	}
	for _, ix := range d.dropIndex {
		out = append(out, e.keyStep(t, "drop", "index", ix.Name, "("+strings.Join(ix.Columns, ", ")+")", e.dropIndex(t, ix), e.addIndex(t, ix)))
	}
	for _, c := range d.dropChecks {
		out = append(out, e.keyStep(t, "drop", "check", c.check.Name, "("+c.check.Expr+")", e.dropCheck(t, c.check), e.addCheck(t, c.check)))
	}
	if d.pkChanged {
		out = append(out, migrationStep{
			kind: "pk", table: t, slug: "drop_pk_" + t,
			lines: []string{t + ": drop primary key (" + strings.Join(d.a.PrimaryKey.Columns, ", ") + ")"},
			up:    []string{e.dropPrimaryKey(t, d.a.PrimaryKey)}, down: []string{e.addPrimaryKey(t, d.a.PrimaryKey)},
		})
	}
	return out
}

// addConstraintSteps add what a lacks of b's constraints and indexes, after
// the column changes.
func (e migrator) addConstraintSteps(d tableDiff) []migrationStep {
	t := d.b.Name
	var out []migrationStep
	if d.pkChanged {
		out = append(out, migrationStep{
			kind: "pk", table: t, slug: "add_pk_" + t,
			lines: []string{t + ": add primary key (" + strings.Join(d.b.PrimaryKey.Columns, ", ") + ")"},
			up:    []string{e.addPrimaryKey(t, d.b.PrimaryKey)}, down: []string{e.dropPrimaryKey(t, d.b.PrimaryKey)},
		})
	}
	for _, c := range d.addedChecks {
		out = append(out, e.keyStep(t, "add", "check", c.check.Name, "("+c.check.Expr+")", e.addCheck(t, c.check), e.dropCheck(t, c.check)))
	}
	for _, u := range d.addedUniques {
		out = append(out, e.keyStep(t, "add", "unique", u.Name, "("+strings.Join(u.Columns, ", ")+")", e.addUnique(t, u), e.dropUnique(t, u)))
	}
	for _, ix := range d.addedIndexes {
		out = append(out, e.keyStep(t, "add", "index", ix.Name, "("+strings.Join(ix.Columns, ", ")+")", e.addIndex(t, ix), e.dropIndex(t, ix)))
	}
	for _, fk := range d.addedFKs {
		out = append(out, e.keyStep(t, "add", "foreign key", fk.Name, fkText(fk), e.addForeignKey(t, fk), e.dropForeignKey(t, fk)))
	}
	return out
}

// keyStep adds or drops a constraint or an index.
func (e migrator) keyStep(table, verb, what, name, detail, up, down string) migrationStep {
	return migrationStep{
		kind: verb + "_key", table: table, slug: verb + "_" + name,
		lines: []string{fmt.Sprintf("%s: %s %s %s %s", table, verb, what, name, detail)},
		up:    []string{up}, down: []string{down},
	}
}

// fkText describes a foreign key.
func fkText(fk ModelForeignKey) string {
	return "(" + fk.Column + " references " + fk.RefTable + "(" + fk.RefColumn + "))"
}

// addColumnSteps add b's new columns.
func (e migrator) addColumnSteps(d tableDiff) []migrationStep {
	var out []migrationStep
	for _, c := range d.added {
		up, notes := e.addColumn(d.b.Name, c)
		out = append(out, migrationStep{
			kind: "add_column", table: d.b.Name, column: c.Name, slug: "add_" + d.b.Name + "_" + c.Name,
			lines: []string{fmt.Sprintf("%s: add column %s %s", d.b.Name, c.Name, columnSummary(c))},
			notes: notes, up: up, down: []string{e.dropColumn(d.b.Name, c)},
		})
	}
	return out
}

// columnSummary is a column's type and constraints, for a step's line.
func columnSummary(c ModelColumn) string {
	s := c.Type
	if c.NotNull {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	return s
}

// dropColumnSteps drop the columns b lacks; undone, they are back with
// their zero value (or NULL).
func (e migrator) dropColumnSteps(d tableDiff) []migrationStep {
	var out []migrationStep
	for _, c := range d.dropped {
		down, _ := e.addColumn(d.b.Name, c)
		out = append(out, migrationStep{
			kind: "drop_column", table: d.b.Name, column: c.Name, slug: "drop_" + d.b.Name + "_" + c.Name,
			lines:  []string{fmt.Sprintf("%s: drop column %s", d.b.Name, c.Name)},
			up:     []string{e.dropColumn(d.b.Name, c)},
			down:   down,
			danger: "it drops column " + d.b.Name + "." + c.Name + " and its values",
		})
	}
	return out
}

// alterColumnSteps change the columns whose type, nullability or default changed.
func (e migrator) alterColumnSteps(d tableDiff) []migrationStep {
	var out []migrationStep
	for _, pair := range d.changed {
		a, b := pair[0], pair[1]
		s := migrationStep{
			kind: "alter", table: d.b.Name, column: b.Name, slug: "alter_" + d.b.Name + "_" + b.Name,
			lines: columnChanges(d.b.Name, a, b),
			up:    e.alterColumn(d.b.Name, a, b),
			down:  e.alterColumn(d.b.Name, b, a),
		}
		if a.Type != b.Type && !e.widens(a.Type, b.Type) {
			s.danger = fmt.Sprintf("it changes %s.%s from %s to %s, which existing values may not fit", d.b.Name, b.Name, a.Type, b.Type)
		}
		if !a.NotNull && b.NotNull {
			s.notes = append(s.notes, fmt.Sprintf("Existing rows where %s.%s is NULL get its zero value, %s: backfill them with real values.", d.b.Name, b.Name, b.Zero))
		}
		out = append(out, s)
	}
	return out
}

// columnChanges describe a changed column, one line per aspect.
func columnChanges(table string, a, b ModelColumn) []string {
	var out []string
	p := table + ": "
	if a.Type != b.Type {
		out = append(out, fmt.Sprintf("%schange column %s from %s to %s", p, b.Name, a.Type, b.Type))
	}
	switch {
	case !a.NotNull && b.NotNull:
		out = append(out, fmt.Sprintf("%smake column %s NOT NULL", p, b.Name))
	case a.NotNull && !b.NotNull:
		out = append(out, fmt.Sprintf("%smake column %s nullable", p, b.Name))
	}
	switch {
	case a.Default == b.Default:
	case b.Default == "":
		out = append(out, fmt.Sprintf("%sdrop the default of column %s", p, b.Name))
	default:
		out = append(out, fmt.Sprintf("%sset the default of column %s to %s", p, b.Name, b.Default))
	}
	switch {
	case a.Generated == b.Generated:
	case b.Generated == "":
		out = append(out, fmt.Sprintf("%sstop generating column %s (%s)", p, b.Name, a.Generated))
	default:
		out = append(out, fmt.Sprintf("%sgenerate column %s (%s)", p, b.Name, b.Generated))
	}
	return out
}

// simpleSteps are SQLite's changes of a table that needs no rebuild:
// indexes, and plain columns added or dropped (returned apart: they run last).
func (e migrator) simpleSteps(d tableDiff) (steps, drops []migrationStep) {
	t := d.b.Name
	for _, ix := range d.dropIndex {
		steps = append(steps, e.keyStep(t, "drop", "index", ix.Name, "("+strings.Join(ix.Columns, ", ")+")", e.dropIndex(t, ix), e.addIndex(t, ix)))
	}
	steps = append(steps, e.addColumnSteps(d)...)
	for _, ix := range d.addedIndexes {
		steps = append(steps, e.keyStep(t, "add", "index", ix.Name, "("+strings.Join(ix.Columns, ", ")+")", e.addIndex(t, ix), e.dropIndex(t, ix)))
	}
	return steps, e.dropColumnSteps(d)
}

// rebuildStep rebuilds a SQLite table into its new shape (and back, undone).
func (e migrator) rebuildStep(d tableDiff, referenced bool) migrationStep {
	t := d.b.Name
	s := migrationStep{
		kind: kindRebuild, table: t, slug: "update_" + t,
		up: e.rebuild(d.a, d.b), down: e.rebuild(d.b, d.a),
		foreignKeysOff: referenced,
	}
	var slugs, dangers []string
	add := func(slug, format string, args ...any) {
		slugs = append(slugs, slug)
		s.lines = append(s.lines, t+": "+fmt.Sprintf(format, args...))
	}
	for _, c := range d.added {
		add("add_"+t+"_"+c.Name, "add column %s %s", c.Name, columnSummary(c))
		if needsValue(c) {
			s.notes = append(s.notes, fmt.Sprintf("Existing rows get the zero value of %s.%s, %s: backfill them with real values.", t, c.Name, c.Zero))
		}
	}
	for _, pair := range d.changed {
		for _, l := range columnChanges(t, pair[0], pair[1]) {
			add("alter_"+t+"_"+pair[1].Name, "%s", strings.TrimPrefix(l, t+": "))
		}
		if pair[0].Type != pair[1].Type && !e.widens(pair[0].Type, pair[1].Type) {
			dangers = append(dangers, fmt.Sprintf("it changes %s.%s from %s to %s, which existing values may not fit", t, pair[1].Name, pair[0].Type, pair[1].Type))
		}
		if !pair[0].NotNull && pair[1].NotNull {
			s.notes = append(s.notes, fmt.Sprintf("Rows where %s.%s is NULL get its zero value, %s: backfill them with real values.", t, pair[1].Name, pair[1].Zero))
		}
	}
	for _, c := range d.dropped {
		add("drop_"+t+"_"+c.Name, "drop column %s", c.Name)
		dangers = append(dangers, "it drops column "+t+"."+c.Name+" and its values")
	}
	for _, c := range d.dropChecks {
		add("drop_"+c.check.Name, "drop check %s (%s)", c.check.Name, c.check.Expr)
	}
	for _, c := range d.addedChecks {
		add("add_"+c.check.Name, "add check %s (%s)", c.check.Name, c.check.Expr)
	}
	for _, k := range []struct {
		verb, what string
		keys       []ModelKey
	}{{"drop", "unique", d.dropUnique}, {"drop", "index", d.dropIndex}, {"add", "unique", d.addedUniques}, {"add", "index", d.addedIndexes}} {
		for _, key := range k.keys {
			add(k.verb+"_"+key.Name, "%s %s %s (%s)", k.verb, k.what, key.Name, strings.Join(key.Columns, ", "))
		}
	}
	for _, fk := range d.dropFKs {
		add("drop_"+fk.Name, "drop foreign key %s %s", fk.Name, fkText(fk))
	}
	for _, fk := range d.addedFKs {
		add("add_"+fk.Name, "add foreign key %s %s", fk.Name, fkText(fk))
	}
	if d.pkChanged {
		add("alter_pk_"+t, "change the primary key to %s (%s)", d.b.PrimaryKey.Name, strings.Join(d.b.PrimaryKey.Columns, ", "))
	}
	if len(slugs) == 1 {
		s.slug = slugs[0]
	}
	s.notes = append([]string{"SQLite's ALTER TABLE cannot make this change: " + t + " is rebuilt, its rows copied."}, s.notes...)
	s.danger = strings.Join(dangers, "; ")
	return s
}

// bkgenSteps create (or, with create false, drop) the tables of the API
// keys and the sessions that appear (disappear) between a and b.
func (e migrator) bkgenSteps(a, b *Model, create bool) []migrationStep {
	var out []migrationStep
	for _, x := range []struct {
		table, what string
		had, has    bool
	}{
		{"bkgen_api_keys", "the API keys", a.APIKeys, b.APIKeys},
		{"bkgen_sessions", "the sessions", a.Sessions, b.Sessions},
	} {
		ddl := e.bkgenTable(x.table)
		drop := []string{"DROP TABLE " + x.table + ";"}
		switch {
		case create && !x.had && x.has:
			out = append(out, migrationStep{
				kind: "create", table: x.table, slug: "create_" + x.table,
				lines: []string{x.table + ": create table (" + x.what + " are stored in the database)"},
				up:    ddl, down: drop,
			})
		case !create && x.had && !x.has:
			out = append(out, migrationStep{
				kind: "drop_table", table: x.table, slug: "drop_" + x.table,
				lines: []string{x.table + ": drop table (" + x.what + " are no longer stored in the database)"},
				up:    drop, down: ddl,
				danger: "it drops " + x.what + " stored in " + x.table,
			})
		}
	}
	return out
}
