package write

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/modfile"
)

// modPlan is a plan with a go.mod and a go.sum, as bkgen renders them.
func modPlan(gomod, gosum string) *Plan {
	return &Plan{Files: []File{
		{Path: "go.mod", Owner: Managed, Data: []byte(gomod)},
		{Path: "go.sum", Owner: Managed, Data: []byte(gosum)},
		{Path: "api_gen.go", Owner: Generated, Data: []byte("package api\n")},
	}}
}

// modV1 is bkgen's first go.mod.
const modV1 = `module example.com/petstore

go 1.26.0

require (
	github.com/go-chi/chi/v5 v5.4.0
	github.com/jackc/pgx/v5 v5.12.0
)

require golang.org/x/text v0.43.0 // indirect
`

const sumV1 = `github.com/go-chi/chi/v5 v5.4.0 h1:chi54=
github.com/go-chi/chi/v5 v5.4.0/go.mod h1:chi54mod=
`

// managedRepo writes modPlan(modV1, sumV1) into a fresh folder, then replaces
// go.mod with the user's version when mine is not empty.
func managedRepo(t *testing.T, mine string) (string, *Plan) {
	t.Helper()
	dir := t.TempDir()
	p := modPlan(modV1, sumV1)
	mustApply(t, p, dir, Options{Mode: New})
	if mine != "" {
		writeFiles(t, dir, map[string]string{gomod: mine})
	}
	return dir, p
}

// wantIdempotent regens p again and wants nothing to change.
func wantIdempotent(t *testing.T, p *Plan, dir string) {
	t.Helper()
	before := readTree(t, dir)
	rep := regen(t, p, dir)
	if rep.Changed() || len(rep.Updated)+len(rep.Created) > 0 {
		t.Errorf("second regen changed things: %+v", rep)
	}
	if diff := cmp.Diff(before, readTree(t, dir)); diff != "" {
		t.Errorf("second regen changed the tree (-before +after):\n%s", diff)
	}
}

// wantLockHash wants the lock to record the hash of data for p.
func wantLockHash(t *testing.T, dir, p, data string) {
	t.Helper()
	e, ok := lockEntry(t, dir, p)
	if !ok || e.Hash != hashOf([]byte(data)) {
		t.Errorf("lock entry of %s = %+v, %v; want the hash of\n%s", p, e, ok, data)
	}
}

func TestManagedGoMod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mine string // the user's go.mod; "" leaves bkgen's
		v2   string // bkgen's next go.mod
		want string
		// unchanged says the merge leaves the user's file as it is.
		unchanged bool
	}{
		{
			name: "user added a requirement, bkgen bumps one and adds one",
			mine: strings.Replace(modV1, "\tgithub.com/jackc/pgx/v5 v5.12.0\n",
				"\tgithub.com/jackc/pgx/v5 v5.12.0\n\tgithub.com/rs/zerolog v1.33.0 // logging\n", 1),
			v2: `module example.com/petstore

go 1.26.0

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/prometheus/client_golang v1.25.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	golang.org/x/text v0.43.0 // indirect
)
`,
			// A block with a commented line is the user's: like go get,
			// modfile adds new requirements in a block of their own.
			want: `module example.com/petstore

go 1.26.0

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/rs/zerolog v1.33.0 // logging
)

require github.com/prometheus/client_golang v1.25.0

require (
	github.com/beorn7/perks v1.0.1 // indirect
	golang.org/x/text v0.43.0 // indirect
)
`,
		},
		{
			name: "user's requirement in bkgen's block, bkgen adds one there",
			mine: strings.Replace(modV1, "\tgithub.com/jackc/pgx/v5 v5.12.0\n",
				"\tgithub.com/jackc/pgx/v5 v5.12.0\n\tgithub.com/rs/zerolog v1.33.0\n", 1),
			v2: strings.Replace(modV1, "\tgithub.com/jackc/pgx/v5 v5.12.0\n",
				"\tgithub.com/jackc/pgx/v5 v5.12.0\n\tgithub.com/prometheus/client_golang v1.25.0\n", 1),
			want: strings.Replace(modV1, "\tgithub.com/jackc/pgx/v5 v5.12.0\n",
				"\tgithub.com/jackc/pgx/v5 v5.12.0\n\tgithub.com/prometheus/client_golang v1.25.0\n\tgithub.com/rs/zerolog v1.33.0\n", 1),
		},
		{
			name: "user's higher version is kept",
			mine: strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.9.1", 1),
			v2:   strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.5.0", 1),
			want: strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.9.1", 1), unchanged: true,
		},
		{
			name: "user's lower version is raised, pseudo-versions compared as versions",
			mine: strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.4.1-0.20250101000000-abcdefabcdef", 1),
			v2:   strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.4.1", 1),
			want: strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.4.1", 1),
		},
		{
			name: "replace, exclude, tool, toolchain, godebug and comments kept",
			mine: `// The petstore service.
module example.com/petstore

go 1.26.0

toolchain go1.26.3

godebug default=go1.25

require (
	github.com/go-chi/chi/v5 v5.4.0
	github.com/jackc/pgx/v5 v5.12.0 // pinned: see ADR 7
)

require golang.org/x/text v0.43.0 // indirect

replace github.com/jackc/pgx/v5 => ../pgx

exclude github.com/go-chi/chi/v5 v5.4.5

tool golang.org/x/tools/cmd/stringer
`,
			v2: strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.5.0", 1),
			want: `// The petstore service.
module example.com/petstore

go 1.26.0

toolchain go1.26.3

godebug default=go1.25

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/jackc/pgx/v5 v5.12.0 // pinned: see ADR 7
)

require golang.org/x/text v0.43.0 // indirect

replace github.com/jackc/pgx/v5 => ../pgx

exclude github.com/go-chi/chi/v5 v5.4.5

tool golang.org/x/tools/cmd/stringer
`,
		},
		{
			name: "module path of the file on disk kept",
			mine: strings.Replace(modV1, "example.com/petstore", "github.com/acme/pets", 1),
			v2:   strings.Replace(modV1, "jackc/pgx/v5 v5.12.0", "jackc/pgx/v5 v5.13.0", 1),
			want: strings.Replace(strings.Replace(modV1, "example.com/petstore", "github.com/acme/pets", 1),
				"jackc/pgx/v5 v5.12.0", "jackc/pgx/v5 v5.13.0", 1),
		},
		{
			name: "go directive raised when lower",
			mine: strings.Replace(modV1, "go 1.26.0", "go 1.24", 1) + "\nrequire example.com/mine v1.0.0\n",
			v2:   modV1,
			want: modV1 + "\nrequire example.com/mine v1.0.0\n",
		},
		{
			name: "go directive kept when higher",
			mine: strings.Replace(modV1, "go 1.26.0", "go 1.27", 1),
			v2:   strings.Replace(modV1, "v0.43.0", "v0.44.0", 1),
			want: strings.Replace(strings.Replace(modV1, "go 1.26.0", "go 1.27", 1), "v0.43.0", "v0.44.0", 1),
		},
		{
			name: "a requirement listed twice keeps the higher version",
			mine: modV1 + "\nrequire github.com/go-chi/chi/v5 v5.6.0\n",
			v2:   strings.Replace(modV1, "jackc/pgx/v5 v5.12.0", "jackc/pgx/v5 v5.13.0", 1),
			want: strings.Replace(strings.Replace(modV1, "jackc/pgx/v5 v5.12.0", "jackc/pgx/v5 v5.13.0", 1),
				"chi/v5 v5.4.0", "chi/v5 v5.6.0", 1),
		},
		{
			name: "user's formatting kept when nothing is needed",
			mine: "module   example.com/petstore\ngo 1.26.0\nrequire github.com/go-chi/chi/v5   v5.4.0\n" +
				"require github.com/jackc/pgx/v5 v5.12.0\nrequire golang.org/x/text v0.43.0\n",
			v2: modV1,
			want: "module   example.com/petstore\ngo 1.26.0\nrequire github.com/go-chi/chi/v5   v5.4.0\n" +
				"require github.com/jackc/pgx/v5 v5.12.0\nrequire golang.org/x/text v0.43.0\n",
			unchanged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, p := managedRepo(t, tt.mine)
			p2 := with(p, gomod, Managed, tt.v2)
			rep := regen(t, p2, dir)
			if tt.unchanged {
				wantList(t, "Updated", rep.Updated)
				if !slices.Contains(rep.Unchanged, gomod) {
					t.Errorf("Unchanged = %q, want go.mod in it", rep.Unchanged)
				}
			} else {
				wantList(t, "Updated", rep.Updated, gomod)
			}
			wantList(t, "Skipped", rep.Skipped)
			wantList(t, "Notes", rep.Notes)
			wantFile(t, dir, gomod, tt.want)
			if _, err := modfile.Parse(gomod, []byte(readFile(t, dir, gomod)), nil); err != nil {
				t.Errorf("merged go.mod does not parse: %v", err)
			}
			wantLockHash(t, dir, gomod, tt.v2)
			wantIdempotent(t, p2, dir)
		})
	}
}

// TestManagedGoModUnmodified: a go.mod the user left alone takes bkgen's
// render outright, module path and dropped requirements included.
func TestManagedGoModUnmodified(t *testing.T) {
	t.Parallel()
	dir, p := managedRepo(t, "")
	v2 := "module example.com/renamed\n\ngo 1.26.0\n\nrequire github.com/labstack/echo/v4 v4.16.0\n"
	p2 := with(p, gomod, Managed, v2)
	rep := regen(t, p2, dir)
	wantList(t, "Updated", rep.Updated, gomod)
	wantFile(t, dir, gomod, v2)
	wantLockHash(t, dir, gomod, v2)
	wantIdempotent(t, p2, dir)
}

// TestManagedGoModMergedTwice: after a merge the next render is merged into
// the merged file again (the lock's hash is the render's, so the merged file
// is not taken for bkgen's own), and the user's requirement survives both.
func TestManagedGoModMergedTwice(t *testing.T) {
	t.Parallel()
	mine := modV1 + "\nrequire example.com/mine v1.0.0\n"
	dir, p := managedRepo(t, mine)
	v2 := strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.5.0", 1)
	v3 := strings.Replace(v2, "jackc/pgx/v5 v5.12.0", "jackc/pgx/v5 v5.13.0", 1)
	for _, v := range []string{v2, v2, v3, v3} {
		regen(t, with(p, gomod, Managed, v), dir)
		if got := readFile(t, dir, gomod); !strings.Contains(got, "example.com/mine v1.0.0") {
			t.Fatalf("go.mod lost the user's requirement:\n%s", got)
		}
	}
	wantFile(t, dir, gomod, v3+"\nrequire example.com/mine v1.0.0\n")
}

func TestManagedGoModUnparseable(t *testing.T) {
	t.Parallel()
	mine := "module example.com/petstore\n\ngo 1.26.0\n\nrequire github.com/go-chi/chi/v5 master\n"
	dir, p := managedRepo(t, mine)
	p2 := with(p, gomod, Managed, strings.Replace(modV1, "chi/v5 v5.4.0", "chi/v5 v5.5.0", 1))
	for range 2 {
		rep := regen(t, p2, dir)
		wantList(t, "Skipped", rep.Skipped, gomod)
		wantFile(t, dir, gomod, mine)
		if len(rep.Notes) != 1 || !strings.HasPrefix(rep.Notes[0], "go.mod: ") || !strings.Contains(rep.Notes[0], "does not parse") {
			t.Errorf("Notes = %q, want one saying go.mod does not parse", rep.Notes)
		}
		// The lock keeps what bkgen wrote before: the user's file is not
		// taken for bkgen's own once they fix it.
		wantLockHash(t, dir, gomod, modV1)
	}
}

func TestManagedRenderMustParse(t *testing.T) {
	t.Parallel()
	dir, p := managedRepo(t, modV1+"\nrequire example.com/mine v1.0.0\n")
	before := readTree(t, dir)
	_, err := Apply(t.Context(), with(p, gomod, Managed, "module\n"), dir, Options{Mode: Regen})
	if !errors.Is(err, ErrInvalidPlan) {
		t.Fatalf("regen with a go.mod render that does not parse: err = %v, want ErrInvalidPlan", err)
	}
	if diff := cmp.Diff(before, readTree(t, dir)); diff != "" {
		t.Errorf("refused regen changed the folder:\n%s", diff)
	}
}

func TestManagedOtherFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := &Plan{Files: []File{{Path: "tools.txt", Owner: Managed, Data: []byte("v1\n")}}}
	mustApply(t, p, dir, Options{Mode: New})
	writeFiles(t, dir, map[string]string{"tools.txt": "mine\n"})
	rep := regen(t, with(p, "tools.txt", Managed, "v2\n"), dir)
	wantList(t, "Skipped", rep.Skipped, "tools.txt")
	wantFile(t, dir, "tools.txt", "mine\n")
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "only go.mod and go.sum") {
		t.Errorf("Notes = %q", rep.Notes)
	}
}

func TestManagedGoSum(t *testing.T) {
	t.Parallel()
	dir, p := managedRepo(t, "")
	// The user ran go get: go.sum gained lines (in the go command's order,
	// v5.10.0 after v5.9.0), one of them also in bkgen's next snapshot.
	mine := sumV1 + `github.com/rs/zerolog v1.9.0 h1:zl9=
github.com/rs/zerolog v1.9.0/go.mod h1:zl9mod=
github.com/rs/zerolog v1.10.0 h1:zl10=
github.com/rs/zerolog v1.10.0/go.mod h1:zl10mod=
`
	writeFiles(t, dir, map[string]string{"go.sum": mine})
	v2 := `github.com/go-chi/chi/v5 v5.5.0 h1:chi55=
github.com/go-chi/chi/v5 v5.5.0/go.mod h1:chi55mod=
github.com/rs/zerolog v1.10.0 h1:zl10=
`
	p2 := with(p, "go.sum", Managed, v2)
	rep := regen(t, p2, dir)
	wantList(t, "Updated", rep.Updated, "go.sum")
	wantFile(t, dir, "go.sum", `github.com/go-chi/chi/v5 v5.4.0 h1:chi54=
github.com/go-chi/chi/v5 v5.4.0/go.mod h1:chi54mod=
github.com/go-chi/chi/v5 v5.5.0 h1:chi55=
github.com/go-chi/chi/v5 v5.5.0/go.mod h1:chi55mod=
github.com/rs/zerolog v1.9.0 h1:zl9=
github.com/rs/zerolog v1.9.0/go.mod h1:zl9mod=
github.com/rs/zerolog v1.10.0 h1:zl10=
github.com/rs/zerolog v1.10.0/go.mod h1:zl10mod=
`)
	wantLockHash(t, dir, "go.sum", v2)
	wantIdempotent(t, p2, dir)

	// The user's go.sum already holds every line of bkgen's: unchanged.
	dir, p = managedRepo(t, "")
	writeFiles(t, dir, map[string]string{"go.sum": mine})
	rep = regen(t, p, dir)
	wantList(t, "Updated", rep.Updated)
	wantFile(t, dir, "go.sum", mine)
}

func TestMergeGoSum(t *testing.T) {
	t.Parallel()
	tests := []struct{ ours, theirs, want string }{
		{"", "", ""},
		{"a v1.0.0 h1:x\n", "", "a v1.0.0 h1:x\n"},
		{"", "a v1.0.0 h1:x", "a v1.0.0 h1:x\n"},
		{"a v1.0.0 h1:x\r\n\n\n", "a v1.0.0 h1:x\n", "a v1.0.0 h1:x\n"},
		{"b v1.0.0 h1:x\na v1.0.0/go.mod h1:y\n", "a v1.0.0 h1:z\n", "a v1.0.0 h1:z\na v1.0.0/go.mod h1:y\nb v1.0.0 h1:x\n"},
		{"a v1.10.0 h1:x\n", "a v1.2.0 h1:y\n", "a v1.2.0 h1:y\na v1.10.0 h1:x\n"},
		{"not a go.sum line\n", "a v1.0.0 h1:x\n", "a v1.0.0 h1:x\nnot a go.sum line\n"},
	}
	for _, tt := range tests {
		if got := string(mergeGoSum([]byte(tt.ours), []byte(tt.theirs))); got != tt.want {
			t.Errorf("mergeGoSum(%q, %q) = %q, want %q", tt.ours, tt.theirs, got, tt.want)
		}
	}
}

// TestMergeGoModKeepsRequirements checks the merge directly on requirement
// sets: every requirement of either side is in the result at the higher of
// the two versions.
func TestMergeGoModKeepsRequirements(t *testing.T) {
	t.Parallel()
	ours := "module m\n\ngo 1.25\n\nrequire (\n\ta v1.2.0\n\tb v1.0.0\n\tc v0.1.0 // indirect\n)\n"
	theirs := "module n\n\ngo 1.26.0\n\nrequire (\n\ta v1.1.0\n\tb v1.3.0\n\td v2.0.0+incompatible\n)\n\nrequire e v0.0.1 // indirect\n"
	out, err := mergeGoMod("go.mod", []byte(ours), []byte(theirs))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", out, nil)
	if err != nil {
		t.Fatalf("merged go.mod does not parse: %v\n%s", err, out)
	}
	got := map[string]string{}
	indirect := map[string]bool{}
	for _, r := range f.Require {
		got[r.Mod.Path] = r.Mod.Version
		indirect[r.Mod.Path] = r.Indirect
	}
	want := map[string]string{"a": "v1.2.0", "b": "v1.3.0", "c": "v0.1.0", "d": "v2.0.0+incompatible", "e": "v0.0.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requirements (-want +got):\n%s\n%s", diff, out)
	}
	if diff := cmp.Diff(map[string]bool{"a": false, "b": false, "c": true, "d": false, "e": true}, indirect); diff != "" {
		t.Errorf("indirect markings (-want +got):\n%s", diff)
	}
	if f.Module.Mod.Path != "m" || f.Go.Version != "1.26.0" {
		t.Errorf("module %q, go %q; want m, 1.26.0", f.Module.Mod.Path, f.Go.Version)
	}
	// Merging the result again changes nothing.
	if again, err := mergeGoMod("go.mod", out, []byte(theirs)); err != nil || string(again) != string(out) {
		t.Errorf("second merge = %v\n%s\nwant the first:\n%s", err, again, out)
	}
}
