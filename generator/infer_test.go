package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/spec"
)

// TestInferResourcesOnTheCorpus infers the resources of every corpus spec
// (logged: go test ./generator -run InferResources -v) and checks the ones
// whose shape is known.
func TestInferResourcesOnTheCorpus(t *testing.T) {
	t.Parallel()
	var files []string
	err := filepath.WalkDir("../../shared/specs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".json")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		t.Fatalf("the corpus is missing: %v", err)
	}
	want := map[string]map[string][]ir.CRUD{
		"oai-petstore-expanded.yaml": {"pets": {ir.Create, ir.Delete, ir.Get, ir.List}},
		"oai-petstore.yaml":          {"pets": {ir.Create, ir.List}},
		"redocly-museum.yaml":        {"special_events": {ir.Create, ir.Delete, ir.Get, ir.List, ir.Update}},
	}
	for _, f := range files {
		doc, d := spec.Load(f)
		if d.HasErrors() {
			t.Fatalf("%s: %v", f, d)
		}
		cfg := config.Default()
		svc, _ := buildService(doc.OpenAPI, &cfg, "openapi.yaml", doc.Pos)
		crud := 0
		reasons := map[string]int{}
		var tables []string
		for _, r := range svc.Resources {
			crud += len(r.Ops)
			tables = append(tables, fmt.Sprintf("%s(%d)", r.Table.Name, len(r.Ops)))
			for _, u := range r.NotCRUD {
				reasons[reasonKind(u.Reason)]++
			}
		}
		t.Logf("%-38s %3d ops, %2d resources, %3d CRUD, %3d stay 501; on resource paths: %v", filepath.Base(f), len(svc.Operations), len(svc.Resources), crud, len(svc.Operations)-crud, reasons)
		if w, ok := want[filepath.Base(f)]; ok {
			got := map[string][]ir.CRUD{}
			for _, r := range svc.Resources {
				for op := range r.Ops {
					got[r.Table.Name] = append(got[r.Table.Name], op)
				}
				slices.Sort(got[r.Table.Name])
			}
			for table, ops := range w {
				if !slices.Equal(got[table], ops) {
					t.Errorf("%s: %s has %v, want %v (tables %v)", filepath.Base(f), table, got[table], ops, tables)
				}
			}
		}
	}
}

// reasonKind shortens a reason to its kind, for the summary.
func reasonKind(reason string) string {
	switch {
	case strings.Contains(reason, "cannot address"):
		return "id type mismatch"
	case strings.Contains(reason, "not a JSON object"):
		return "body not JSON object"
	case strings.Contains(reason, "is not a column"), strings.Contains(reason, "is not of the type"):
		return "body does not match entity"
	case strings.Contains(reason, "success response"):
		return "response is not the entity"
	case strings.Contains(reason, "no id"):
		return "no id"
	}
	return reason
}
