package render

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "github.com/ncruces/go-sqlite3/driver"
	_ "github.com/ncruces/go-sqlite3/embed"

	"github.com/bkgen/bkgen/generator/ir"
)

// migrateEngines are the engines a Model may name.
var migrateEngines = []string{"postgres", "mysql", "sqlite"}

// petService is a service of two tables, owners and their pets, the base
// of the migration tests; change edits its tables before the model is taken.
func petService(engine string, change func(owners, pets *ir.Table)) *ir.Service {
	zero, hundred := 0.0, 100.0
	owners := &ir.Table{
		Name: "owners", PrimaryKey: "id",
		Columns: []*ir.Column{
			{Name: "id", Type: ir.ColBigint, NotNull: true, Identity: true},
			{Name: "name", Type: ir.ColText, NotNull: true},
			{Name: "created_at", Type: ir.ColTimestamp, NotNull: true, Default: ir.DefaultNow},
		},
	}
	pets := &ir.Table{
		Name: "pets", PrimaryKey: "id",
		Columns: []*ir.Column{
			{Name: "id", Type: ir.ColBigint, NotNull: true, Identity: true},
			{Name: "name", Type: ir.ColVarchar, Length: 50, NotNull: true},
			{Name: "age", Type: ir.ColInt, Min: &zero, Max: &hundred},
			{Name: "owner_id", Type: ir.ColBigint, NotNull: true},
		},
		Indexes:     []*ir.Index{{Name: "idx_pets_owner_id", Columns: []string{"owner_id"}}},
		ForeignKeys: []*ir.ForeignKey{{Name: "fk_pets_owner_id", Column: "owner_id", RefTable: "owners", RefColumn: "id"}},
	}
	if change != nil {
		change(owners, pets)
	}
	svc := &ir.Service{Database: engine}
	ro := &ir.Resource{Table: owners}
	svc.Resources = []*ir.Resource{{Table: pets, Parent: ro}, ro}
	return svc
}

// petModel is petService's model.
func petModel(engine string, change func(owners, pets *ir.Table)) *Model {
	return ModelOf(petService(engine, change))
}

// sections parses a goose file as goose does: its Up and Down statements,
// and whether it runs in a transaction.
func sections(t *testing.T, file []byte) (up, down []string, tx bool) {
	t.Helper()
	tx = true
	part := 0
	var buf strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line := sc.Text()
		switch strings.TrimSpace(line) {
		case "-- +goose Up":
			part = 1
			continue
		case "-- +goose Down":
			part = 2
			continue
		case "-- +goose NO TRANSACTION":
			tx = false
			continue
		}
		trimmed := strings.TrimSpace(line)
		if part == 0 || buf.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")) {
			continue
		}
		buf.WriteString(line + "\n")
		if strings.HasSuffix(trimmed, ";") && !strings.HasPrefix(trimmed, "--") {
			if part == 1 {
				up = append(up, strings.TrimSpace(buf.String()))
			} else {
				down = append(down, strings.TrimSpace(buf.String()))
			}
			buf.Reset()
		}
	}
	if part != 2 || buf.Len() > 0 {
		t.Fatalf("not a goose file:\n%s", file)
	}
	return up, down, tx
}

// migrate is Migration, which must write a file.
func migrate(t *testing.T, from, to *Model, allow bool) *MigrationFile {
	t.Helper()
	f, err := Migration(from, to, MigrationOptions{AllowDestructive: allow})
	if err != nil {
		t.Fatal(err)
	}
	if f == nil {
		t.Fatal("Migration: nil for different models")
	}
	return f
}

// TestModelOfSpellsDDLUp: the tables written from the model alone are
// ddlUp's, for every engine.
func TestModelOfSpellsDDLUp(t *testing.T) {
	t.Parallel()
	for _, engine := range migrateEngines {
		svc := petService(engine, func(owners, pets *ir.Table) {
			owners.Columns = append(owners.Columns,
				&ir.Column{Name: "email", Type: ir.ColText},
				&ir.Column{Name: "kind", Type: ir.ColText, NotNull: true, Enum: []string{"person", "shop"}, Default: ir.DefaultZero},
				&ir.Column{Name: "version", Type: ir.ColInt, NotNull: true, Default: "1"},
				&ir.Column{Name: "tags", Type: ir.ColJSON})
			owners.Uniques = []*ir.Index{{Name: "uq_owners_email", Columns: []string{"email"}}}
			pets.Columns[0] = &ir.Column{Name: "id", Type: ir.ColUUID, NotNull: true, Identity: true}
		})
		m := ModelOf(svc)
		e := newEngine(engine)
		var tables []string
		for _, r := range orderTables(svc.Resources) {
			tables = append(tables, strings.Join(e.createTable(*m.table(r.Table.Name), r.Table.Name), "\n"))
		}
		if diff := cmp.Diff(ddlUp(svc), strings.Join(tables, "\n\n")); diff != "" {
			t.Errorf("%s: createTable differs from ddlUp (-ddlUp +createTable):\n%s", engine, diff)
		}
	}
}

// TestModelOfMySQLKeys: MySQL spells a text column VARCHAR(255) when it is
// a key, TEXT otherwise.
func TestModelOfMySQLKeys(t *testing.T) {
	t.Parallel()
	m := petModel("mysql", func(owners, _ *ir.Table) {
		owners.Indexes = []*ir.Index{{Name: "idx_owners_name", Columns: []string{"name"}}}
		owners.Columns = append(owners.Columns, &ir.Column{Name: "note", Type: ir.ColText})
	})
	owners := m.table("owners")
	if got := owners.column("name").Type; got != "VARCHAR(255)" {
		t.Errorf("indexed text column: %s, want VARCHAR(255)", got)
	}
	if got := owners.column("note").Type; got != "TEXT" {
		t.Errorf("text column: %s, want TEXT", got)
	}
}

// TestParseModel reads both lock formats.
func TestParseModel(t *testing.T) {
	t.Parallel()
	for _, engine := range migrateEngines {
		svc := petService(engine, func(owners, _ *ir.Table) {
			owners.Indexes = []*ir.Index{{Name: "idx_owners_name", Columns: []string{"name"}}}
		})
		tables := []*ir.Table{svc.Resources[0].Table, svc.Resources[1].Table}
		legacy, err := json.Marshal(struct {
			Engine string      `json:"engine"`
			Tables []*ir.Table `json:"tables"`
		}{engine, tables})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseModel(legacy)
		if err != nil {
			t.Fatalf("%s: ParseModel(legacy): %v", engine, err)
		}
		if diff := cmp.Diff(ModelOf(svc), got); diff != "" {
			t.Errorf("%s: ParseModel(legacy) (-want +got):\n%s", engine, diff)
		}
		current, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseModel(current)
		if err != nil || !sameModel(got, again) {
			t.Errorf("%s: ParseModel(Model's JSON) = %+v, %v; want the model back", engine, again, err)
		}
	}
	for _, data := range []string{"", "null", "  "} {
		if m, err := ParseModel([]byte(data)); m != nil || err != nil {
			t.Errorf("ParseModel(%q) = %v, %v; want nil, nil", data, m, err)
		}
	}
	for _, data := range []string{
		`{`,
		`{"engine": "oracle", "tables": []}`,
		`{"engine": "oracle", "tables": [{"name": "t", "columns": [], "primary_key": "id"}]}`,
		`{"engine": "postgres", "tables": [{"name": "t", "columns": [{"name": "a", "type": "text"}, {"name": "a", "type": "text"}], "primary_key": {"columns": ["a"]}}]}`,
		`{"engine": "postgres", "tables": [null, {"name": "t", "primary_key": "id"}]}`,
	} {
		if _, err := ParseModel([]byte(data)); err == nil {
			t.Errorf("ParseModel(%s): no error", data)
		}
	}
}

// TestMigrationSameModels: no migration between equal models; an error
// between engines.
func TestMigrationSameModels(t *testing.T) {
	t.Parallel()
	for _, engine := range migrateEngines {
		m := petModel(engine, nil)
		if f, err := Migration(m, m, MigrationOptions{}); f != nil || err != nil {
			t.Errorf("%s: Migration(m, m) = %v, %v; want nil, nil", engine, f, err)
		}
		reordered := m.clone()
		slices.Reverse(reordered.Tables)
		if f, err := Migration(m, reordered, MigrationOptions{AllowDestructive: true}); f != nil || err != nil {
			t.Errorf("%s: Migration of the same tables in another order = %v, %v; want nil, nil", engine, f, err)
		}
	}
	if f, err := Migration(nil, nil, MigrationOptions{}); f != nil || err != nil {
		t.Errorf("Migration(nil, nil) = %v, %v", f, err)
	}
	if _, err := Migration(petModel("postgres", nil), petModel("mysql", nil), MigrationOptions{}); err == nil {
		t.Error("Migration between engines: no error")
	}
}

// migrationCase is a change of petService's tables and the statements
// each engine's migration runs for it.
type migrationCase struct {
	name   string
	change func(owners, pets *ir.Table)
	allow  bool
	// up are the Up statements by engine; down, when set, the Down ones.
	up, down map[string][]string
	slug     string
}

// migrationCases cover each kind of change.
var migrationCases = []migrationCase{
	{
		name: "add nullable column", slug: "add_pets_tag",
		change: func(_, pets *ir.Table) {
			pets.Columns = append(pets.Columns, &ir.Column{Name: "tag", Type: ir.ColText})
		},
		up: map[string][]string{
			"postgres": {"ALTER TABLE pets ADD COLUMN tag text;"},
			"mysql":    {"ALTER TABLE pets ADD COLUMN tag TEXT;"},
			"sqlite":   {"ALTER TABLE pets ADD COLUMN tag TEXT;"},
		},
		down: map[string][]string{
			"postgres": {"ALTER TABLE pets DROP COLUMN tag;"},
			"sqlite":   {"ALTER TABLE pets DROP COLUMN tag;"},
		},
	},
	{
		name: "add NOT NULL column", slug: "add_pets_species",
		change: func(_, pets *ir.Table) {
			pets.Columns = append(pets.Columns, &ir.Column{Name: "species", Type: ir.ColText, NotNull: true})
		},
		up: map[string][]string{
			"postgres": {"ALTER TABLE pets ADD COLUMN species text DEFAULT '' NOT NULL;", "ALTER TABLE pets ALTER COLUMN species DROP DEFAULT;"},
			"mysql":    {"ALTER TABLE pets ADD COLUMN species TEXT DEFAULT ('') NOT NULL;", "ALTER TABLE pets ALTER COLUMN species DROP DEFAULT;"},
			"sqlite": {
				"CREATE TABLE bkgen_new_pets (\n    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n    name VARCHAR(50) NOT NULL,\n    age INT,\n    owner_id INTEGER NOT NULL,\n    species TEXT NOT NULL,\n" +
					"    CONSTRAINT ck_pets_name_len CHECK (length(name) <= 50),\n    CONSTRAINT ck_pets_age_range CHECK (age >= 0 AND age <= 100),\n" +
					"    CONSTRAINT fk_pets_owner_id FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE\n);",
				"INSERT INTO bkgen_new_pets (id, name, age, owner_id, species)\n    SELECT id, name, age, owner_id, '' FROM pets;",
				"DELETE FROM sqlite_sequence WHERE name = 'bkgen_new_pets';",
				"INSERT INTO sqlite_sequence (name, seq) SELECT 'bkgen_new_pets', seq FROM sqlite_sequence WHERE name = 'pets';",
				"DROP TABLE pets;",
				"ALTER TABLE bkgen_new_pets RENAME TO pets;",
				"CREATE INDEX idx_pets_owner_id ON pets (owner_id);",
			},
		},
	},
	{
		name: "drop column, commented out", slug: "update_pets",
		change: func(_, pets *ir.Table) { pets.Columns = slices.Delete(pets.Columns, 2, 3) },
		// The column, nullable already, waits with its range check.
		up: map[string][]string{"postgres": nil, "mysql": nil, "sqlite": nil},
	},
	{
		name: "drop column", slug: "update_pets", allow: true,
		change: func(_, pets *ir.Table) { pets.Columns = slices.Delete(pets.Columns, 2, 3) },
		up: map[string][]string{
			"postgres": {"ALTER TABLE pets DROP CONSTRAINT ck_pets_age_range;", "ALTER TABLE pets DROP COLUMN age;"},
			"mysql":    {"ALTER TABLE pets DROP CONSTRAINT ck_pets_age_range;", "ALTER TABLE pets DROP COLUMN age;"},
		},
		down: map[string][]string{
			"postgres": {"ALTER TABLE pets ADD COLUMN age integer;", "ALTER TABLE pets ADD CONSTRAINT ck_pets_age_range CHECK (age >= 0 AND age <= 100);"},
		},
	},
	{
		name: "drop NOT NULL column, commented out", slug: "update_pets",
		change: func(_, pets *ir.Table) { pets.Columns = slices.Delete(pets.Columns, 1, 2) },
		up: map[string][]string{
			"postgres": {"ALTER TABLE pets ALTER COLUMN name DROP NOT NULL;"},
			"mysql":    {"ALTER TABLE pets MODIFY COLUMN name VARCHAR(50);"},
		},
	},
	{
		name: "type changes", slug: "update_pets",
		change: func(_, pets *ir.Table) {
			pets.Columns[1].Length = 80                                 // wider
			pets.Columns[2].Type, pets.Columns[2].Min = ir.ColText, nil // integer to text, with a cast
			pets.Columns[2].Max = nil
		},
		up: map[string][]string{
			"postgres": {
				"ALTER TABLE pets DROP CONSTRAINT ck_pets_age_range;",
				"ALTER TABLE pets ALTER COLUMN age TYPE text USING age::text;",
				"ALTER TABLE pets ALTER COLUMN name TYPE varchar(80);",
			},
			"mysql": {
				"ALTER TABLE pets DROP CONSTRAINT ck_pets_age_range;",
				"ALTER TABLE pets MODIFY COLUMN age TEXT;",
				"ALTER TABLE pets MODIFY COLUMN name VARCHAR(80) NOT NULL;",
			},
		},
		down: map[string][]string{
			"postgres": {
				"ALTER TABLE pets ALTER COLUMN name TYPE varchar(50);",
				"ALTER TABLE pets ALTER COLUMN age TYPE integer USING age::integer;",
				"ALTER TABLE pets ADD CONSTRAINT ck_pets_age_range CHECK (age >= 0 AND age <= 100);",
			},
		},
	},
	{
		name: "narrowing, commented out", slug: "alter_pets_name",
		change: func(_, pets *ir.Table) { pets.Columns[1].Length = 20 },
		up:     map[string][]string{"postgres": nil, "mysql": nil},
	},
	{
		name: "narrowing", slug: "alter_pets_name", allow: true,
		change: func(_, pets *ir.Table) { pets.Columns[1].Length = 20 },
		up: map[string][]string{
			"postgres": {"ALTER TABLE pets ALTER COLUMN name TYPE varchar(20);"},
			"mysql":    {"ALTER TABLE pets MODIFY COLUMN name VARCHAR(20) NOT NULL;"},
		},
	},
	{
		name: "nullability and default", slug: "update_owners",
		change: func(owners, _ *ir.Table) {
			owners.Columns[1].NotNull = false
			owners.Columns[2].NotNull, owners.Columns[2].Default = false, ""
		},
		up: map[string][]string{
			"postgres": {
				"ALTER TABLE owners ALTER COLUMN created_at DROP DEFAULT;",
				"ALTER TABLE owners ALTER COLUMN created_at DROP NOT NULL;",
				"ALTER TABLE owners ALTER COLUMN name DROP NOT NULL;",
			},
			"mysql": {"ALTER TABLE owners MODIFY COLUMN created_at DATETIME(6);", "ALTER TABLE owners MODIFY COLUMN name TEXT;"},
		},
		down: map[string][]string{
			"postgres": {
				"UPDATE owners SET name = '' WHERE name IS NULL;",
				"ALTER TABLE owners ALTER COLUMN name SET NOT NULL;",
				"ALTER TABLE owners ALTER COLUMN created_at SET DEFAULT now();",
				"UPDATE owners SET created_at = now() WHERE created_at IS NULL;",
				"ALTER TABLE owners ALTER COLUMN created_at SET NOT NULL;",
			},
			"mysql": {
				"UPDATE owners SET name = ('') WHERE name IS NULL;",
				"ALTER TABLE owners MODIFY COLUMN name TEXT NOT NULL;",
				"UPDATE owners SET created_at = CURRENT_TIMESTAMP(6) WHERE created_at IS NULL;",
				"ALTER TABLE owners MODIFY COLUMN created_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL;",
			},
		},
	},
	{
		name: "checks added and changed", slug: "update_model",
		change: func(owners, pets *ir.Table) {
			owners.Columns[1].Enum = []string{"ann", "bob"}
			ten := 10.0
			pets.Columns[2].Max = &ten
		},
		up: map[string][]string{
			"postgres": {
				"ALTER TABLE pets DROP CONSTRAINT ck_pets_age_range;",
				"ALTER TABLE owners ADD CONSTRAINT ck_owners_name CHECK (name IN ('ann', 'bob'));",
				"ALTER TABLE pets ADD CONSTRAINT ck_pets_age_range CHECK (age >= 0 AND age <= 10);",
			},
		},
	},
	{
		name: "index", slug: "add_idx_pets_age",
		change: func(_, pets *ir.Table) {
			pets.Indexes = append(pets.Indexes, &ir.Index{Name: "idx_pets_age", Columns: []string{"age"}})
		},
		up: map[string][]string{
			"postgres": {"CREATE INDEX idx_pets_age ON pets (age);"},
			"mysql":    {"CREATE INDEX idx_pets_age ON pets (age);"},
			"sqlite":   {"CREATE INDEX idx_pets_age ON pets (age);"},
		},
		down: map[string][]string{
			"postgres": {"DROP INDEX idx_pets_age;"},
			"mysql":    {"DROP INDEX idx_pets_age ON pets;"},
			"sqlite":   {"DROP INDEX idx_pets_age;"},
		},
	},
	{
		name: "keys", slug: "update_model",
		change: func(owners, pets *ir.Table) {
			owners.Uniques = []*ir.Index{{Name: "uq_owners_name", Columns: []string{"name"}}}
			pets.Indexes = []*ir.Index{{Name: "idx_pets_name", Columns: []string{"name"}}}
			pets.ForeignKeys = nil
		},
		up: map[string][]string{
			"postgres": {
				"ALTER TABLE pets DROP CONSTRAINT fk_pets_owner_id;",
				"DROP INDEX idx_pets_owner_id;",
				"ALTER TABLE owners ADD CONSTRAINT uq_owners_name UNIQUE (name);",
				"CREATE INDEX idx_pets_name ON pets (name);",
			},
			"mysql": {
				"ALTER TABLE pets DROP FOREIGN KEY fk_pets_owner_id;",
				"DROP INDEX idx_pets_owner_id ON pets;",
				"ALTER TABLE owners MODIFY COLUMN name VARCHAR(255) NOT NULL;",
				"ALTER TABLE owners ADD CONSTRAINT uq_owners_name UNIQUE (name);",
				"CREATE INDEX idx_pets_name ON pets (name);",
			},
		},
	},
}

// TestMigrationUsing: PostgreSQL converts within a kind without USING, else with
// a cast, through text where no cast exists.
func TestMigrationUsing(t *testing.T) {
	t.Parallel()
	e := newEngine("postgres")
	for _, tc := range []struct{ from, to, want string }{
		{"varchar(50)", "varchar(20)", ""},
		{"integer", "bigint", ""},
		{"integer", "text", " USING c::text"},
		{"text", "integer", " USING c::integer"},
		{"bigint", "double precision", " USING c::double precision"},
		{"integer", "boolean", " USING c::boolean"},
		{"bigint", "boolean", " USING c::text::boolean"},
		{"uuid", "bigint", " USING c::text::bigint"},
		{"date", "timestamptz", " USING c::timestamptz"},
		{"jsonb", "bigint", " USING c::bigint"},
	} {
		if got := e.using("c", tc.from, tc.to); got != tc.want {
			t.Errorf("using(%s, %s) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestMigrationWidens: the type changes that keep every value.
func TestMigrationWidens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		engine, from, to string
		want             bool
	}{
		{"postgres", "varchar(50)", "varchar(80)", true},
		{"postgres", "varchar(50)", "varchar(20)", false},
		{"postgres", "text", "varchar(20)", false},
		{"postgres", "integer", "text", true},
		{"postgres", "integer", "bigint", true},
		{"postgres", "bigint", "integer", false},
		{"postgres", "integer", "double precision", true},
		{"postgres", "bigint", "double precision", false},
		{"postgres", "uuid", "varchar(36)", true},
		{"postgres", "bytea", "text", false},
		{"postgres", "text", "integer", false},
		{"mysql", "VARCHAR(255)", "TEXT", true},
		{"mysql", "TEXT", "VARCHAR(255)", false},
		{"mysql", "INT", "BIGINT", true},
		{"sqlite", "INT", "INTEGER", true},
		{"sqlite", "INTEGER", "INT", true},
		{"sqlite", "INTEGER", "REAL", false},
	} {
		if got := newEngine(tc.engine).widens(tc.from, tc.to); got != tc.want {
			t.Errorf("%s: widens(%s, %s) = %v, want %v", tc.engine, tc.from, tc.to, got, tc.want)
		}
	}
}

// TestMigrationChanges checks the statements of each kind of change, per engine.
func TestMigrationChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range migrationCases {
		for engine, want := range tc.up {
			t.Run(tc.name+"/"+engine, func(t *testing.T) {
				t.Parallel()
				from, to := petModel(engine, nil), petModel(engine, tc.change)
				if engine == "mysql" && tc.name == "keys" {
					tc.allow = true // TEXT to VARCHAR(255) narrows
				}
				f := migrate(t, from, to, tc.allow)
				up, down, _ := sections(t, f.SQL)
				if diff := cmp.Diff(want, up); diff != "" {
					t.Errorf("Up (-want +got):\n%s\n%s", diff, f.SQL)
				}
				if wantDown, ok := tc.down[engine]; ok {
					if diff := cmp.Diff(wantDown, down); diff != "" {
						t.Errorf("Down (-want +got):\n%s\n%s", diff, f.SQL)
					}
				}
				if f.Slug != tc.slug {
					t.Errorf("Slug = %q, want %q", f.Slug, tc.slug)
				}
				if tc.allow && len(f.Destructive) > 0 {
					t.Errorf("Destructive = %q with AllowDestructive", f.Destructive)
				}
			})
		}
	}
}

// TestMigrationDestructive: without AllowDestructive the steps that lose
// data are commented out under a WARNING, Down too, and listed; the NOT NULL
// column whose drop waits becomes nullable; with it they are statements.
func TestMigrationDestructive(t *testing.T) {
	t.Parallel()
	dropName := func(_, pets *ir.Table) { pets.Columns = slices.Delete(pets.Columns, 1, 2) }
	for _, engine := range migrateEngines {
		from, to := petModel(engine, nil), petModel(engine, dropName)
		f := migrate(t, from, to, false)
		// SQLite rebuilds the table without the column (it has a length check).
		drop := map[string]string{"sqlite": "DROP TABLE pets;"}[engine]
		if drop == "" {
			drop = "ALTER TABLE pets DROP COLUMN name;"
		}
		warning := "-- WARNING: commented out: it drops column pets.name and its values.\n"
		if i := bytes.Index(f.SQL, []byte(warning)); i < 0 || !bytes.Contains(f.SQL[i:], []byte("\n-- "+drop+"\n")) {
			t.Errorf("%s: the drop is not commented out under a WARNING:\n%s", engine, f.SQL)
		}
		up, down, _ := sections(t, f.SQL)
		if slices.Contains(up, "ALTER TABLE pets DROP COLUMN name;") ||
			slices.ContainsFunc(up, func(s string) bool {
				return strings.HasPrefix(s, "CREATE TABLE bkgen_new_pets") && !strings.Contains(s, "    name VARCHAR(50),\n")
			}) ||
			slices.ContainsFunc(down, func(s string) bool { return strings.Contains(s, "ADD COLUMN name") }) {
			t.Errorf("%s: the drop or its undoing runs:\n%s", engine, f.SQL)
		}
		if want := "pets: drop column name: it drops column pets.name and its values"; len(f.Destructive) == 0 || f.Destructive[0] != want {
			t.Errorf("%s: Destructive = %q, want %q first", engine, f.Destructive, want)
		}
		if c := f.Applied.table("pets").column("name"); c == nil || c.NotNull {
			t.Errorf("%s: Applied keeps pets.name nullable: %+v", engine, c)
		}
		if !slices.Contains(f.Steps, "pets: make column name nullable (its drop is commented out below)") {
			t.Errorf("%s: Steps = %q", engine, f.Steps)
		}
		allowed := migrate(t, from, to, true)
		up, _, _ = sections(t, allowed.SQL)
		if !slices.Contains(up, drop) && engine != "sqlite" {
			t.Errorf("%s: with AllowDestructive, the drop does not run:\n%s", engine, allowed.SQL)
		}
		if !sameModel(allowed.Applied, to) {
			t.Errorf("%s: with AllowDestructive, Applied is not the target", engine)
		}
		// Once the pending steps are allowed, they reach the target.
		rest := migrate(t, f.Applied, to, true)
		if len(rest.Destructive) > 0 || !strings.Contains(strings.Join(rest.Steps, "\n"), "pets: drop column name") {
			t.Errorf("%s: the pending migration: %q", engine, rest.Steps)
		}
	}
}

// TestMigrationTables: new tables come referenced first, dropped ones last
// and referencing first; a table of the same columns under another name is
// renamed, with its constraints.
func TestMigrationTables(t *testing.T) {
	t.Parallel()
	pg := func(change func(owners, pets *ir.Table)) *Model { return petModel("postgres", change) }
	empty := &Model{Engine: "postgres"}
	up, down, _ := sections(t, migrate(t, empty, pg(nil), true).SQL)
	if len(up) != 3 || !strings.HasPrefix(up[0], "CREATE TABLE owners") || !strings.HasPrefix(up[1], "CREATE TABLE pets") {
		t.Errorf("created tables in the wrong order: %q", up)
	}
	if want := []string{"DROP TABLE IF EXISTS pets;", "DROP TABLE IF EXISTS owners;"}; !slices.Equal(down, want) {
		t.Errorf("Down = %q, want %q", down, want)
	}
	f := migrate(t, pg(nil), empty, true)
	up, _, _ = sections(t, f.SQL)
	if want := []string{"DROP TABLE pets;", "DROP TABLE owners;"}; !slices.Equal(up, want) {
		t.Errorf("dropped tables: %q, want %q", up, want)
	}
	if f.Applied == nil || len(f.Applied.Tables) != 0 {
		t.Errorf("Applied of an emptied model = %+v, want no table", f.Applied)
	}
	renamed := func(owners, pets *ir.Table) {
		owners.Name = "people"
		owners.Uniques = []*ir.Index{{Name: "uq_people_name", Columns: []string{"name"}}}
		pets.ForeignKeys[0].RefTable = "people"
	}
	from := pg(func(owners, _ *ir.Table) {
		owners.Uniques = []*ir.Index{{Name: "uq_owners_name", Columns: []string{"name"}}}
	})
	f = migrate(t, from, pg(renamed), false)
	up, down, _ = sections(t, f.SQL)
	wantUp := []string{
		"ALTER TABLE owners RENAME TO people;",
		"ALTER TABLE people RENAME CONSTRAINT pk_owners TO pk_people;",
		"ALTER TABLE people RENAME CONSTRAINT uq_owners_name TO uq_people_name;",
		"ALTER SEQUENCE IF EXISTS owners_id_seq RENAME TO people_id_seq;",
	}
	if diff := cmp.Diff(wantUp, up); diff != "" || f.Slug != "rename_owners_to_people" {
		t.Errorf("rename (-want +got):\n%s\nslug %s", diff, f.Slug)
	}
	if len(down) != 4 || down[0] != "ALTER TABLE people RENAME TO owners;" {
		t.Errorf("rename's Down: %q", down)
	}
	// MySQL renames indexes; SQLite rebuilds the renamed table, which pets
	// references: foreign keys off, outside goose's transaction.
	up, _, _ = sections(t, migrate(t, petModel("mysql", func(owners, _ *ir.Table) {
		owners.Uniques = []*ir.Index{{Name: "uq_owners_name", Columns: []string{"name"}}}
	}), petModel("mysql", renamed), false).SQL)
	if want := []string{"ALTER TABLE owners RENAME TO people;", "ALTER TABLE people RENAME INDEX uq_owners_name TO uq_people_name;"}; !slices.Equal(up, want) {
		t.Errorf("MySQL rename: %q, want %q", up, want)
	}
	f = migrate(t, petModel("sqlite", func(owners, _ *ir.Table) {
		owners.Uniques = []*ir.Index{{Name: "uq_owners_name", Columns: []string{"name"}}}
	}), petModel("sqlite", renamed), false)
	up, _, tx := sections(t, f.SQL)
	if tx || up[0] != "PRAGMA foreign_keys = OFF;" || up[1] != "BEGIN IMMEDIATE;" || up[2] != "ALTER TABLE owners RENAME TO people;" ||
		up[len(up)-2] != "COMMIT;" || up[len(up)-1] != "PRAGMA foreign_keys = ON;" {
		t.Errorf("SQLite rename of a referenced table:\n%s", f.SQL)
	}
}

// TestMigrationBkgenTables: the API keys' and sessions' tables appear with
// the init's DDL, and disappear (a destructive step).
func TestMigrationBkgenTables(t *testing.T) {
	t.Parallel()
	for _, engine := range migrateEngines {
		from, to := petModel(engine, nil), petModel(engine, nil)
		to.APIKeys, to.Sessions = true, true
		up, down, _ := sections(t, migrate(t, from, to, false).SQL)
		want := append(slices.Clone(bkgenDDL[engine]["bkgen_api_keys"]), bkgenDDL[engine]["bkgen_sessions"]...)
		if diff := cmp.Diff(want, up); diff != "" {
			t.Errorf("%s: Up (-want +got):\n%s", engine, diff)
		}
		if want := []string{"DROP TABLE bkgen_sessions;", "DROP TABLE bkgen_api_keys;"}; !slices.Equal(down, want) {
			t.Errorf("%s: Down = %q", engine, down)
		}
		f := migrate(t, to, from, false)
		if up, _, _ := sections(t, f.SQL); len(up) != 0 || len(f.Destructive) != 2 {
			t.Errorf("%s: dropping the bkgen tables runs %q, Destructive %q", engine, up, f.Destructive)
		}
	}
}

// TestMigrationBkgenDDLIsTheInit: the bkgen_* tables' DDL is 0001_init's.
func TestMigrationBkgenDDLIsTheInit(t *testing.T) {
	t.Parallel()
	for _, engine := range migrateEngines {
		data, err := os.ReadFile(filepath.Join("..", "..", "blueprints", "db", engine, "migrations", "0001_init.sql.tmpl"))
		if err != nil {
			t.Fatal(err)
		}
		for table, stmts := range bkgenDDL[engine] {
			for _, s := range stmts {
				if !bytes.Contains(data, []byte(s)) {
					t.Errorf("%s: %s's statement is not in 0001_init.sql.tmpl:\n%s", engine, table, s)
				}
			}
		}
	}
}

// TestMigrationMySQLKeyOnText: a column MySQL must narrow to VARCHAR(255)
// for a new index keeps TEXT and waits, index included, without
// AllowDestructive.
func TestMigrationMySQLKeyOnText(t *testing.T) {
	t.Parallel()
	from := petModel("mysql", nil)
	to := petModel("mysql", func(owners, _ *ir.Table) {
		owners.Indexes = []*ir.Index{{Name: "idx_owners_name", Columns: []string{"name"}}}
	})
	f := migrate(t, from, to, false)
	if up, _, _ := sections(t, f.SQL); len(up) != 0 || len(f.Destructive) != 2 {
		t.Errorf("Up %q, Destructive %q; want nothing run and both steps waiting\n%s", up, f.Destructive, f.SQL)
	}
	if f.Slug != "update_owners" || len(f.Applied.table("owners").Indexes) != 0 {
		t.Errorf("slug %q, Applied indexes %+v", f.Slug, f.Applied.table("owners").Indexes)
	}
}

// TestMigrationSlug: a name of [a-z0-9_] of at most 40 characters.
func TestMigrationSlug(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lines, slugs []string
		tables       []string
		want         string
	}{
		{[]string{"x"}, []string{"add_pets_tag"}, []string{"pets"}, "add_pets_tag"},
		{[]string{"x", "y"}, []string{"a", "b"}, []string{"pets"}, "update_pets"},
		{[]string{"x", "y"}, []string{"a", "b"}, []string{"pets", "owners"}, "update_model"},
		{[]string{"x"}, []string{"add_Very-Long.Table.Name_with_a_column_name_beyond_forty"}, []string{"t"}, "add_very_long_table_name_with_a_column_n"},
		{[]string{"x"}, []string{"__"}, []string{"t"}, "update_model"},
	} {
		tables := make(map[string]bool)
		for _, tb := range tc.tables {
			tables[tb] = true
		}
		if got := migrationSlug(tc.lines, tc.slugs, tables); got != tc.want {
			t.Errorf("migrationSlug(%q) = %q, want %q", tc.slugs, got, tc.want)
		}
	}
}

// TestMigrationSQLiteRebuildKeepsRows runs a rebuild of a referenced table
// on SQLite with foreign keys on: the referencing rows survive (no cascade),
// and AUTOINCREMENT goes on from the highest id ever used.
func TestMigrationSQLiteRebuildKeepsRows(t *testing.T) {
	t.Parallel()
	from := petModel("sqlite", nil)
	to := petModel("sqlite", func(owners, _ *ir.Table) { owners.Columns[1].Enum = []string{"", "ann"} })
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "rebuild.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("close the database: %v", err)
		}
	}()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := conn.Close(); err != nil {
			t.Errorf("close the connection: %v", err)
		}
	}()
	exec := func(stmts ...string) {
		t.Helper()
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	init, _, _ := sections(t, migrate(t, nil, from, true).SQL)
	exec(init...)
	exec("INSERT INTO owners (name) VALUES ('ann')", "INSERT INTO owners (name) VALUES ('bob')", "DELETE FROM owners WHERE id = 2",
		"INSERT INTO pets (name, owner_id) VALUES ('rex', 1)")
	f := migrate(t, from, to, false)
	up, down, tx := sections(t, f.SQL)
	if tx {
		t.Fatalf("the rebuild of a referenced table runs in goose's transaction:\n%s", f.SQL)
	}
	exec(up...)
	var pets, seq int
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM pets), (SELECT seq FROM sqlite_sequence WHERE name = 'owners')").Scan(&pets, &seq); err != nil {
		t.Fatal(err)
	}
	if pets != 1 || seq != 2 {
		t.Errorf("after the rebuild: %d pets, owners' sequence at %d; want 1 and 2", pets, seq)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO owners (name) VALUES ('eve')"); err == nil {
		t.Error("the new check does not hold")
	}
	exec(down...)
	exec("INSERT INTO owners (name) VALUES ('eve')")
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM pets), (SELECT max(id) FROM owners)").Scan(&pets, &seq); err != nil {
		t.Fatal(err)
	}
	if pets != 1 || seq != 3 {
		t.Errorf("after the Down: %d pets, newest owner %d; want 1 and 3", pets, seq)
	}
}

// FuzzMigration mutates a model at random into two models: Migration must
// not fail between them, must be deterministic, must write a goose file,
// and must find nothing between a model and itself.
func FuzzMigration(f *testing.F) {
	f.Add(uint8(0), []byte{0, 1, 2, 3, 4, 5}, []byte{6, 7, 8, 9})
	f.Add(uint8(1), []byte{10, 11, 12}, []byte{13, 14, 15, 16, 17})
	f.Add(uint8(2), []byte{1, 3, 5, 7, 9, 11, 13, 15}, []byte{0, 2, 4, 6, 8, 10, 12, 14, 16})
	f.Add(uint8(2), []byte{}, []byte{18, 19, 20, 21, 22, 23})
	slug := regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	f.Fuzz(func(t *testing.T, engine uint8, ma, mb []byte) {
		name := migrateEngines[int(engine)%len(migrateEngines)]
		base := petModel(name, nil)
		a, b := mutate(base, ma), mutate(base, mb)
		for _, allow := range []bool{false, true} {
			f1, err := Migration(a, b, MigrationOptions{AllowDestructive: allow})
			if err != nil {
				t.Fatalf("Migration: %v", err)
			}
			f2, _ := Migration(a, b, MigrationOptions{AllowDestructive: allow})
			if (f1 == nil) != sameModel(a, b) {
				t.Fatalf("Migration is nil: %v, models equal: %v", f1 == nil, sameModel(a, b))
			}
			if f1 == nil {
				continue
			}
			if !bytes.Equal(f1.SQL, f2.SQL) || f1.Slug != f2.Slug {
				t.Fatal("Migration is not deterministic")
			}
			if !slug.MatchString(f1.Slug) {
				t.Fatalf("slug %q", f1.Slug)
			}
			sections(t, f1.SQL)
			if allow && (len(f1.Destructive) > 0 || !sameModel(f1.Applied, b)) {
				t.Fatalf("with AllowDestructive: Destructive %q", f1.Destructive)
			}
		}
		for _, m := range []*Model{a, b} {
			if f, err := Migration(m, m, MigrationOptions{}); f != nil || err != nil {
				t.Fatalf("Migration(m, m) = %v, %v", f, err)
			}
		}
	})
}

// mutate applies the changes ops name to a copy of m, keeping it valid.
func mutate(m *Model, ops []byte) *Model {
	m = m.clone()
	types := map[string][]string{
		"postgres": {"text", "varchar(20)", "varchar(80)", "integer", "bigint", "double precision", "boolean", "uuid", "date", "timestamptz", "jsonb"},
		"mysql":    {"TEXT", "VARCHAR(20)", "VARCHAR(255)", "INT", "BIGINT", "DOUBLE", "BOOLEAN", "CHAR(36)", "DATE", "DATETIME(6)", "JSON"},
		"sqlite":   {"TEXT", "VARCHAR(20)", "VARCHAR(80)", "INT", "INTEGER", "REAL", "BOOLEAN", "DATE", "DATETIME", "JSON"},
	}[m.Engine]
	for i, op := range ops {
		if len(m.Tables) == 0 {
			m.Tables = append(m.Tables, ModelTable{Name: "t0", Columns: []ModelColumn{{Name: "id", Type: types[0], NotNull: true, Zero: "''"}}, PrimaryKey: ModelKey{Name: "pk_t0", Columns: []string{"id"}}})
		}
		t := &m.Tables[int(op)%len(m.Tables)]
		c := &t.Columns[i%len(t.Columns)]
		n := string(rune('a' + i%26))
		switch op % 12 {
		case 0: // add a column
			if t.column("c"+n) == nil {
				t.Columns = append(t.Columns, ModelColumn{Name: "c" + n, Type: types[i%len(types)], NotNull: i%2 == 0, Zero: "0"})
			}
		case 1: // drop a column that no key uses
			if len(t.Columns) > 1 && !slices.Contains(t.PrimaryKey.Columns, c.Name) && !usesColumn(*t, c.Name) {
				t.Columns = slices.DeleteFunc(t.Columns, func(x ModelColumn) bool { return x.Name == c.Name })
			}
		case 2:
			c.Type = types[(i+int(op))%len(types)]
		case 3:
			c.NotNull = !c.NotNull
		case 4:
			if c.Default == "" {
				c.Default = "0"
			} else {
				c.Default = ""
			}
		case 5:
			if len(c.Checks) == 0 {
				c.Checks = []ModelCheck{{Name: "ck_" + t.Name + "_" + c.Name, Kind: checkEnum, Expr: c.Name + " IN ('x')"}}
			} else {
				c.Checks = nil
			}
		case 6:
			name := "idx_" + t.Name + "_" + c.Name
			if slices.ContainsFunc(t.Indexes, func(k ModelKey) bool { return k.Name == name }) {
				t.Indexes = slices.DeleteFunc(t.Indexes, func(k ModelKey) bool { return k.Name == name })
			} else {
				t.Indexes = append(t.Indexes, ModelKey{Name: name, Columns: []string{c.Name}})
			}
		case 7:
			name := "uq_" + t.Name + "_" + c.Name
			if slices.ContainsFunc(t.Uniques, func(k ModelKey) bool { return k.Name == name }) {
				t.Uniques = slices.DeleteFunc(t.Uniques, func(k ModelKey) bool { return k.Name == name })
			} else {
				t.Uniques = append(t.Uniques, ModelKey{Name: name, Columns: []string{c.Name}})
			}
		case 8: // add a table, referencing this one
			name := "t" + n + t.Name
			if m.table(name) == nil {
				m.Tables = append(m.Tables, ModelTable{
					Name:        name,
					Columns:     []ModelColumn{{Name: "id", Type: types[3], NotNull: true, Zero: "0"}, {Name: "ref", Type: types[3], Zero: "0"}},
					PrimaryKey:  ModelKey{Name: "pk_" + name, Columns: []string{"id"}},
					ForeignKeys: []ModelForeignKey{{Name: "fk_" + name + "_ref", Column: "ref", RefTable: t.Name, RefColumn: t.PrimaryKey.Columns[0], OnDelete: "CASCADE"}},
				})
			}
		case 9: // drop a table no other references
			name := t.Name
			if !slices.ContainsFunc(m.Tables, func(x ModelTable) bool {
				return x.Name != name && slices.ContainsFunc(x.ForeignKeys, func(fk ModelForeignKey) bool { return fk.RefTable == name })
			}) {
				m.Tables = slices.DeleteFunc(m.Tables, func(x ModelTable) bool { return x.Name == name })
			}
		case 10: // rename a table
			old, name := t.Name, "r"+n+t.Name
			if m.table(name) == nil {
				t.Name = name
				for j := range m.Tables {
					for k := range m.Tables[j].ForeignKeys {
						if m.Tables[j].ForeignKeys[k].RefTable == old {
							m.Tables[j].ForeignKeys[k].RefTable = name
						}
					}
				}
			}
		case 11:
			m.APIKeys, m.Sessions = !m.APIKeys, op%2 == 0
		}
		sortTables(m.Tables)
	}
	return m
}

// usesColumn reports whether a key, index or foreign key of t uses column.
func usesColumn(t ModelTable, column string) bool {
	has := func(k ModelKey) bool { return slices.Contains(k.Columns, column) }
	return slices.ContainsFunc(t.Uniques, has) || slices.ContainsFunc(t.Indexes, has) ||
		slices.ContainsFunc(t.ForeignKeys, func(fk ModelForeignKey) bool { return fk.Column == column })
}
