package render

import (
	"fmt"
	"slices"
	"strings"
)

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
