package compat_test

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/compat"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
)

// testConfig is bkgen.yaml's defaults with no database, as the generator's
// end-to-end tests use: building the IR is all these tests need.
func testConfig() config.Config {
	cfg := config.Default()
	cfg.Database = "none"
	return cfg
}

// build runs the generator on a spec and returns its service.
func build(tb testing.TB, path string) *ir.Service {
	tb.Helper()
	_, svc, diags, err := generator.Generate(context.Background(), path, testConfig())
	if err != nil {
		tb.Fatalf("generate %s: %v\n%v", path, err, diags)
	}
	return svc
}

// builtBase caches the base spec's service, which most cases compare against.
var builtBase = sync.OnceValues(func() (*ir.Service, error) {
	_, svc, _, err := generator.Generate(context.Background(), filepath.Join("..", "..", "testdata", "compat", "base.yaml"), testConfig())
	return svc, err
})

// base returns the base spec's service.
func base(t *testing.T) *ir.Service {
	t.Helper()
	svc, err := builtBase()
	if err != nil {
		t.Fatalf("generate base.yaml: %v", err)
	}
	return svc
}

// brief is the part of a change the table asserts: Summary is prose.
type brief struct {
	Breaking bool
	Kind     string
	Where    string
}

func briefs(changes []compat.Change) []brief {
	out := make([]brief, len(changes))
	for i, c := range changes {
		out[i] = brief{c.Breaking, c.Kind, c.Where}
	}
	return out
}

// TestCompare compares base.yaml with one variant per kind of change and
// asserts the whole list of changes: the kind, whether it breaks, and where.
func TestCompare(t *testing.T) {
	t.Parallel()
	const (
		getPet   = "GET /pets/{petId}"
		vaccines = "POST /pets/{petId}/vaccinations body"
	)
	tests := []struct {
		spec string
		want []brief
	}{
		{"operation-removed", []brief{{true, "operation-removed", "DELETE /pets/{petId}"}}},
		{"operation-added", []brief{{false, "operation-added", "PUT /pets/{petId}"}}},
		{"operation-renamed", []brief{{false, "operation-renamed", getPet}}},
		// Renaming a path parameter changes no URL: nothing to report.
		{"path-param-renamed", nil},
		{"base-path-changed", []brief{{true, "base-path-changed", "servers"}}},
		{"response-removed", []brief{{true, "response-removed", getPet + " response 404"}}},
		{"response-added", []brief{{false, "response-added", "POST /pets response 409"}}},
		{"response-body-removed", []brief{{true, "response-body-removed", getPet + " response 404"}}},
		{"required-field-added", []brief{{true, "required-field-added", "components.schemas.NewPet.age"}}},
		{"required-field-added-inline", []brief{{true, "required-field-added", vaccines + ": vet"}}},
		{"field-now-required", []brief{{true, "field-now-required", "components.schemas.NewPet.tag"}}},
		{"field-added-request", []brief{{false, "field-added", "components.schemas.NewPet.color"}}},
		// Pet travels in responses only: a new required field breaks no one.
		{"field-added-response-required", []brief{{false, "field-added", "components.schemas.Pet.color"}}},
		// The server ignores a member it no longer reads.
		{"field-removed-request", []brief{{false, "field-removed", "components.schemas.NewPet.tag"}}},
		{"field-removed-response", []brief{{true, "field-removed", "components.schemas.Pet.tag"}}},
		{"field-now-optional-response", []brief{{true, "field-now-optional", "components.schemas.Pet.name"}}},
		// A readOnly field is never sent: required or not, requests do not change.
		{"required-readonly-field-added", []brief{{false, "field-added", "components.schemas.NewPet.createdAt"}}},
		// additionalProperties: false refuses the member old clients still send.
		{"field-removed-closed", []brief{{true, "field-removed", "components.schemas.NewPet.tag"}}},
		{"response-media-type-changed", []brief{{true, "response-media-type-changed", getPet + " response 200"}}},
		{"media-type-removed", []brief{
			{true, "media-type-removed", "POST /pets body"},
			{false, "media-type-added", "POST /pets body"},
		}},
		{"required-body-added", []brief{{true, "required-body-added", "DELETE /pets/{petId} body"}}},
		{"param-removed", []brief{{false, "param-removed", "GET /pets query: limit"}}},
		{"default-changed", []brief{{false, "default-changed", "GET /pets query: limit"}}},
		{"required-param-added", []brief{{true, "required-param-added", "GET /pets query: owner"}}},
		{"param-now-required", []brief{{true, "param-now-required", "GET /pets query: limit"}}},
		{"param-added", []brief{{false, "param-added", "GET /pets query: sort"}}},
		{"type-narrowed-integer", []brief{{true, "type-narrowed", "components.schemas.NewPet.weight"}}},
		{"type-narrowed-format", []brief{{true, "type-narrowed", "components.schemas.NewPet.tag"}}},
		{"type-narrowed-maxlength", []brief{{true, "type-narrowed", "components.schemas.NewPet.name"}}},
		{"type-narrowed-minimum", []brief{{true, "type-narrowed", "GET /pets query: limit"}}},
		{"type-narrowed-maximum", []brief{{true, "type-narrowed", "GET /pets query: limit"}}},
		{"type-narrowed-pattern", []brief{{true, "type-narrowed", vaccines + ": name"}}},
		{"type-widened-request", []brief{{false, "type-widened", "GET /pets query: limit"}}},
		{"type-widened-response", []brief{{true, "type-widened", "components.schemas.Pet.id"}}},
		{"nullable-response", []brief{{true, "type-widened", "components.schemas.Pet.tag"}}},
		{"enum-narrowed-request", []brief{{true, "enum-narrowed", "components.schemas.NewPet.kind"}}},
		// PetStatus travels in responses only.
		{"enum-narrowed-response", []brief{{false, "enum-narrowed", "components.schemas.PetStatus"}}},
		{"enum-widened-response", []brief{{false, "enum-widened", "components.schemas.PetStatus"}}},
		{"auth-added", []brief{{true, "auth-added", getPet + " security"}}},
		{"auth-changed", []brief{{true, "auth-changed", "DELETE /pets/{petId} security"}}},
		{"scope-added", []brief{{true, "scope-added", "DELETE /pets/{petId} security"}}},
		{"auth-removed", []brief{{false, "auth-removed", "DELETE /pets/{petId} security"}}},
		{"security-scheme-changed", []brief{{true, "security-scheme-changed", "components.securitySchemes.oauth"}}},
		{"auth-relaxed", []brief{{false, "auth-relaxed", "DELETE /pets/{petId} security"}}},
		{"schema-renamed", []brief{{false, "schema-renamed", "components.schemas.Owner"}}},
		{"schema-rename-ambiguous", []brief{
			{false, "schema-removed", "components.schemas.Owner"},
			{false, "schema-added", "components.schemas.Contact"},
			{false, "schema-added", "components.schemas.Person"},
		}},
	}
	old := base(t)
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			r := compat.Compare(old, build(t, filepath.Join("..", "..", "testdata", "compat", tt.spec+".yaml")))
			if diff := gocmp.Diff(sortedBriefs(tt.want), briefs(r.Changes), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes (-want +got):\n%s\n%s", diff, dump(r.Changes))
			}
			for _, c := range r.Changes {
				if c.Summary == "" || !strings.HasSuffix(c.Summary, ".") {
					t.Errorf("%s at %s: summary %q is not a sentence", c.Kind, c.Where, c.Summary)
				}
			}
		})
	}
}

// sortedBriefs orders a table's expectations as a Report orders changes:
// breaking first, then by Where and Kind.
func sortedBriefs(want []brief) []brief {
	out := slices.Clone(want)
	slices.SortStableFunc(out, func(a, b brief) int {
		if a.Breaking != b.Breaking {
			if a.Breaking {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Where, b.Where), strings.Compare(a.Kind, b.Kind))
	})
	return out
}

// dump renders changes for a failure message.
func dump(changes []compat.Change) string {
	var b strings.Builder
	for _, c := range changes {
		fmt.Fprintf(&b, "  %v %s %s: %s\n", c.Breaking, c.Kind, c.Where, c.Summary)
	}
	return b.String()
}

// TestCompareRenames checks the rename maps: an operation with a new
// operationId, a schema with a new name and the same shape, and no schema
// rename when two candidates match.
func TestCompareRenames(t *testing.T) {
	t.Parallel()
	old := base(t)
	dir := filepath.Join("..", "..", "testdata", "compat")
	tests := []struct {
		spec       string
		operations map[string]string
		schemas    map[string]string
	}{
		{"operation-renamed", map[string]string{"getPet": "fetchPet"}, map[string]string{}},
		{"schema-renamed", map[string]string{}, map[string]string{"Owner": "Person"}},
		{"schema-rename-ambiguous", map[string]string{}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			r := compat.Compare(old, build(t, filepath.Join(dir, tt.spec+".yaml")))
			if diff := gocmp.Diff(tt.operations, r.Operations); diff != "" {
				t.Errorf("Operations (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(tt.schemas, r.Schemas); diff != "" {
				t.Errorf("Schemas (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBreaking checks that Breaking keeps exactly the breaking changes, in order.
func TestBreaking(t *testing.T) {
	t.Parallel()
	r := &compat.Report{Changes: []compat.Change{
		{Breaking: true, Kind: "operation-removed", Where: "A"},
		{Breaking: true, Kind: "response-removed", Where: "B"},
		{Kind: "operation-added", Where: "A"},
	}}
	want := r.Changes[:2]
	if diff := gocmp.Diff(want, r.Breaking()); diff != "" {
		t.Errorf("Breaking (-want +got):\n%s", diff)
	}
	var none *compat.Report
	if got := none.Breaking(); got != nil {
		t.Errorf("nil Report: Breaking() = %v, want nil", got)
	}
}

// TestCompareReverse compares variants the other way round, where the
// direction of a change flips whether it breaks.
func TestCompareReverse(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "testdata", "compat")
	tests := []struct {
		spec string
		want []brief
	}{
		// A removed operation, read backwards, is added.
		{"operation-removed", []brief{{false, "operation-added", "DELETE /pets/{petId}"}}},
		// A public operation that was protected.
		{"auth-added", []brief{{false, "auth-removed", "GET /pets/{petId} security"}}},
		// Fewer scopes: every old token still works.
		{"scope-added", []brief{{false, "auth-relaxed", "DELETE /pets/{petId} security"}}},
		// int64 in a response becoming number is widening; number becoming int64 narrows, which responses allow.
		{"type-widened-response", []brief{{false, "type-narrowed", "components.schemas.Pet.id"}}},
		// A request enum gaining a value breaks no one.
		{"enum-narrowed-request", []brief{{false, "enum-widened", "components.schemas.NewPet.kind"}}},
		// A nullable response field that no longer is: narrowing, not breaking.
		{"nullable-response", []brief{{false, "type-narrowed", "components.schemas.Pet.tag"}}},
		// A request constraint raised: widening, not breaking.
		{"type-narrowed-maxlength", []brief{{false, "type-widened", "components.schemas.NewPet.name"}}},
		// A request field gone from the old spec is a new optional one.
		{"field-removed-request", []brief{{false, "field-added", "components.schemas.NewPet.tag"}}},
		{"field-now-optional-response", []brief{{false, "field-now-required", "components.schemas.Pet.name"}}},
	}
	newer := base(t)
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			r := compat.Compare(build(t, filepath.Join(dir, tt.spec+".yaml")), newer)
			if diff := gocmp.Diff(sortedBriefs(tt.want), briefs(r.Changes), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes (-want +got):\n%s\n%s", diff, dump(r.Changes))
			}
		})
	}
}

// TestCompareUnions compares union.yaml with variants that change a
// oneOf: a variant added to a response union breaks readers, one removed
// from a request union breaks writers, and a union renamed along with its
// inline variants is only a rename.
func TestCompareUnions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "testdata", "compat")
	old := build(t, filepath.Join(dir, "union.yaml"))
	tests := []struct {
		spec    string
		want    []brief
		schemas map[string]string
	}{
		{"union-variant-added", []brief{
			{true, "type-widened", "components.schemas.Animal"},
			{false, "schema-added", "components.schemas.Bird"},
		}, map[string]string{}},
		{"union-variant-removed", []brief{{true, "type-narrowed", "components.schemas.NewAnimal"}}, map[string]string{}},
		{"union-renamed", []brief{{false, "schema-renamed", "components.schemas.Shape"}}, map[string]string{"Shape": "Figure"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			r := compat.Compare(old, build(t, filepath.Join(dir, tt.spec+".yaml")))
			if diff := gocmp.Diff(sortedBriefs(tt.want), briefs(r.Changes), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes (-want +got):\n%s\n%s", diff, dump(r.Changes))
			}
			if diff := gocmp.Diff(tt.schemas, r.Schemas); diff != "" {
				t.Errorf("Schemas (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompareNil treats a missing service as an empty one.
func TestCompareNil(t *testing.T) {
	t.Parallel()
	svc := base(t)
	if r := compat.Compare(nil, nil); len(r.Changes) != 0 {
		t.Errorf("Compare(nil, nil) = %s", dump(r.Changes))
	}
	r := compat.Compare(svc, nil)
	if got, want := len(r.Breaking()), len(svc.Operations); got != want {
		t.Errorf("Compare(svc, nil): %d breaking changes, want one per operation (%d):\n%s", got, want, dump(r.Changes))
	}
	for _, c := range compat.Compare(nil, svc).Changes {
		if c.Breaking {
			t.Errorf("Compare(nil, svc): breaking %s at %s", c.Kind, c.Where)
		}
	}
}

// TestCompareCorpusSelf compares every spec of the shared corpus with
// itself, as one service and as two builds of it: nothing may change.
func TestCompareCorpusSelf(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "shared", "specs")
	var specs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".json") {
			specs = append(specs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the spec corpus is missing: %v", err)
	}
	if len(specs) == 0 {
		t.Fatalf("no spec under %s", root)
	}
	for _, path := range specs {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			a, b := build(t, path), build(t, path)
			if r := compat.Compare(a, a); len(r.Changes) != 0 || len(r.Operations) != 0 || len(r.Schemas) != 0 {
				t.Errorf("Compare(s, s): %d changes, renames %v %v\n%s", len(r.Changes), r.Operations, r.Schemas, dump(r.Changes))
			}
			if r := compat.Compare(a, b); len(r.Changes) != 0 || len(r.Operations) != 0 || len(r.Schemas) != 0 {
				t.Errorf("Compare of two builds: %d changes, renames %v %v\n%s", len(r.Changes), r.Operations, r.Schemas, dump(r.Changes))
			}
		})
	}
}

// BenchmarkCompare measures Compare on the synthetic spec with 100
// resources (600 operations): against a second build of itself (no
// changes), and against the spec of another seed (every schema changed):
// go test ./generator/compat -run '^$' -bench Compare -benchmem
func BenchmarkCompare(b *testing.B) {
	synth := func(args ...string) *ir.Service {
		spec := filepath.Join(b.TempDir(), "synth.yaml")
		args = append([]string{filepath.Join("..", "..", "..", "shared", "tools", "synth-spec.py")}, args...)
		out, err := exec.Command("python3", args...).Output()
		if err != nil {
			b.Fatalf("synth-spec.py: %v", err)
		}
		if err := os.WriteFile(spec, out, 0o600); err != nil {
			b.Fatal(err)
		}
		return build(b, spec)
	}
	old := synth("100")
	cases := []struct {
		name string
		new  *ir.Service
	}{
		{"synth100-self", synth("100")},
		{"synth100-seed7", synth("100", "--seed", "7")},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			var changes int
			for b.Loop() {
				changes = len(compat.Compare(old, bc.new).Changes)
			}
			b.ReportMetric(float64(changes), "changes")
			b.ReportMetric(float64(len(old.Operations)), "ops")
		})
	}
}
