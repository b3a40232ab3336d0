package generator

import (
	"slices"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/internal/spec"
)

// buildSpec builds the IR of a spec of testdata/specs.
func buildSpec(t *testing.T, name string) *ir.Service {
	t.Helper()
	doc, d := spec.Load("../testdata/specs/" + name)
	if d.HasErrors() {
		t.Fatalf("load: %v", d)
	}
	cfg := config.Default()
	cfg.Database = "none"
	svc, d := buildService(doc.OpenAPI, &cfg, "openapi.yaml", doc.Pos)
	if d.HasErrors() {
		t.Fatalf("build: %v", d)
	}
	return svc
}

func typeNamed(t *testing.T, svc *ir.Service, name string) *ir.Type {
	t.Helper()
	for _, ty := range svc.Types {
		if ty.Name == name {
			return ty
		}
	}
	t.Fatalf("no type %s", name)
	return nil
}

func fieldNamed(t *testing.T, ty *ir.Type, name string) *ir.Field {
	t.Helper()
	for _, f := range ty.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("%s has no field %s", ty.Name, name)
	return nil
}

func TestBuildSchemaConstructs(t *testing.T) {
	t.Parallel()
	svc := buildSpec(t, "constructs.yaml")

	item := typeNamed(t, svc, "Item")
	if !item.IsStruct() {
		t.Fatalf("Item (allOf) is not a struct")
	}
	// allOf: the properties of NewItem and of the second member, merged.
	for _, name := range []string{"name", "price", "id", "createdAt", "tags", "attributes", "dimensions"} {
		fieldNamed(t, item, name)
	}
	id := fieldNamed(t, item, "id")
	if !id.Required || !id.ReadOnly || id.Schema.Kind != ir.KindString || id.Schema.Format != "uuid" {
		t.Errorf("id = %+v", id)
	}
	if f := fieldNamed(t, item, "createdAt"); f.Schema.Kind != ir.KindTime {
		t.Errorf("createdAt kind %v, want time", f.Schema.Kind)
	}
	if f := fieldNamed(t, item, "homepage"); !f.Nullable || !f.Ptr {
		t.Errorf("homepage ([string, null]) = %+v, want a nullable pointer", f)
	}
	if f := fieldNamed(t, item, "attributes"); f.Schema.Kind != ir.KindMap || f.Schema.Elem.Kind != ir.KindString {
		t.Errorf("attributes = %+v, want map[string]string", f.Schema)
	}
	if f := fieldNamed(t, item, "kind"); !f.Schema.HasConst || f.Schema.Const != "item" || f.Schema.Kind != ir.KindString {
		t.Errorf("kind (const) = %+v", f.Schema)
	}
	if f := fieldNamed(t, item, "price"); f.Schema.Minimum == nil || !f.Schema.ExclusiveMin || f.Schema.MultipleOf == nil {
		t.Errorf("price bounds = %+v", f.Schema)
	}
	if f := fieldNamed(t, item, "2fa"); f.GoName != "X2fa" {
		t.Errorf("2fa Go name %q", f.GoName)
	}
	if f := fieldNamed(t, item, "secret"); !f.WriteOnly {
		t.Error("secret is not writeOnly")
	}
	dims := fieldNamed(t, item, "dimensions").Schema
	if !dims.IsStruct() || !dims.Named.Closed || dims.Named.Name != "NewItemDimensions" {
		t.Errorf("inline object = %+v, want the closed struct NewItemDimensions", dims.Named)
	}

	status := typeNamed(t, svc, "Status")
	if !status.IsEnum() || len(status.Values) != 3 || status.Values[0].GoName != "StatusAvailable" {
		t.Errorf("Status = %+v", status)
	}
	if p := typeNamed(t, svc, "Priority"); p.Base != ir.KindInt64 || p.Values[0].Value != int64(1) {
		t.Errorf("Priority = %+v", p)
	}

	shape := typeNamed(t, svc, "Shape")
	if !shape.IsUnion() || !shape.OneOf || shape.Discriminator != "kind" || len(shape.Variants) != 2 {
		t.Fatalf("Shape = %+v", shape)
	}
	if v := shape.Variants[0]; v.GoName != "Circle" || len(v.Tags) != 1 || v.Tags[0] != "circle" {
		t.Errorf("Shape variant 0 = %+v", v)
	}
	label := typeNamed(t, svc, "Label")
	if label.OneOf || len(label.Variants) != 2 || label.Variants[0].Schema.Kind != ir.KindString {
		t.Errorf("Label (anyOf) = %+v", label)
	}

	// Recursion: Node holds itself through a pointer and a slice.
	node := typeNamed(t, svc, "Node")
	if f := fieldNamed(t, node, "parent"); !f.Ptr || f.Schema.Named != node {
		t.Errorf("parent = %+v", f)
	}
	if f := fieldNamed(t, node, "children"); f.Schema.Kind != ir.KindSlice || f.Schema.Elem.Named != node {
		t.Errorf("children = %+v", f.Schema)
	}
}

func TestBuildOperations(t *testing.T) {
	t.Parallel()
	svc := buildSpec(t, "constructs.yaml")
	if svc.BasePath != "/v1" {
		t.Errorf("base path %q, want /v1 from servers[0]", svc.BasePath)
	}
	ops := make(map[string]*ir.Operation)
	for _, op := range svc.Operations {
		ops[op.GoName] = op
	}
	list := ops["ListItems"]
	if list == nil {
		t.Fatalf("no ListItems among %v", svc.Operations)
	}
	ins := map[string]string{}
	for _, p := range list.Params {
		ins[p.Name] = p.In
	}
	if ins["limit"] != "query" || ins["X-Trace"] != "header" || ins["session"] != "cookie" {
		t.Errorf("params = %v", ins)
	}
	if list.Error == nil || list.Error.Type.Name != "Error" || len(list.Error.StatusFields) != 1 || len(list.Error.MessageFields) != 1 {
		t.Errorf("error shape = %+v", list.Error)
	}
	if op := ops["FindItemByID"]; op == nil || op.Params[0].In != "path" || op.Params[0].Schema.Format != "uuid" {
		t.Errorf("path-level parameter not inherited: %+v", op)
	}
	if op := ops["CreateItem"]; op.InvalidStatus != 422 {
		t.Errorf("createItem declares 422 and not 400: invalid status %d", op.InvalidStatus)
	}
	if op := ops["SubmitForm"]; op.Body == nil || op.Body.Kind != ir.BodyForm {
		t.Errorf("form body = %+v", op.Body)
	}
	if op := ops["Upload"]; op.Body == nil || op.Body.Kind != ir.BodyMultipart {
		t.Errorf("multipart body = %+v", op.Body)
	}
	if op := ops["GetImage"]; op.Responses[0].Kind != ir.BodyBinary || op.Responses[0].MediaType != "image/png" {
		t.Errorf("binary response = %+v", op.Responses[0])
	}
	if op := ops["Delete"]; op == nil {
		t.Error("operationId delete (a Go keyword in lower case) lost")
	}
	if g := list.Group; g.Name != "Items" || g.File != "items" {
		t.Errorf("group %+v", g)
	}
}

func TestRouteNamesShareWildcards(t *testing.T) {
	t.Parallel()
	r := newRouteNames()
	a := r.route("/files/{FolderId}")
	b := r.route("/files/{FileId}/content")
	c := r.route("/files/{file-id}/versions/{v}")
	if a.Pattern != "/files/{FolderId}" || b.Pattern != "/files/{FolderId}/content" || b.Params["FileId"] != "FolderId" {
		t.Errorf("routes %+v %+v", a, b)
	}
	if c.Params["file-id"] != "FolderId" || c.Params["v"] != "v" {
		t.Errorf("route %+v", c)
	}
	d := r.route("/transfers/{id}/reversals/{id}")
	if d.Pattern != "/transfers/{id}/reversals/{id2}" || d.Params["id"] != "id" {
		t.Errorf("a name twice in one path: %+v", d)
	}
	if got := safeParamName("file-id", 3); got != "fileid" {
		t.Errorf("safeParamName = %q", got)
	}
	if got := safeParamName("1x", 3); got != "p31x" {
		t.Errorf("safeParamName = %q", got)
	}
}

func TestDerivedOperationID(t *testing.T) {
	t.Parallel()
	if got := ir.GoName(derivedOperationID("DELETE", "/api/v1/app/{app_id}")); got != "DeleteAPIV1AppByAppID" {
		t.Errorf("derived name %q", got)
	}
}

func TestUndeclaredPathParameterIsTakenWithAWarning(t *testing.T) {
	t.Parallel()
	doc, d := spec.Load("../testdata/specs/undeclared-param.yaml")
	if d.HasErrors() {
		t.Fatal(d)
	}
	cfg := config.Default()
	svc, d := buildService(doc.OpenAPI, &cfg, "openapi.yaml", doc.Pos)
	if d.HasErrors() || len(d.Warnings()) != 1 {
		t.Fatalf("diagnostics %v, want one warning", d)
	}
	w := d.Warnings()[0]
	if w.Pointer != "/paths/~1apps~1{app_id}/delete" || w.Pos.Line != 5 {
		t.Errorf("warning at %s %s", w.Pos, w.Pointer)
	}
	p := svc.Operations[0].Params
	if len(p) != 1 || p[0].Name != "app_id" || p[0].In != "path" || p[0].RouteName != "app_id" {
		t.Errorf("params %+v", p)
	}
}

func TestSharedRoutesAreOrderedForDispatch(t *testing.T) {
	t.Parallel()
	doc, d := spec.Load("../testdata/specs/shared-routes.yaml")
	if d.HasErrors() {
		t.Fatal(d)
	}
	cfg := config.Default()
	cfg.Database = "none"
	svc, d := buildService(doc.OpenAPI, &cfg, "openapi.yaml", doc.Pos)
	if d.HasErrors() {
		t.Fatal(d)
	}
	byID := make(map[string]*ir.Operation)
	for _, op := range svc.Operations {
		byID[op.ID] = op
	}
	var order []string
	for _, op := range byID["getJournal"].Shared {
		order = append(order, op.ID)
	}
	// Typed parameters first, in spec order among equals; plain strings last.
	want := []string{"getJournal", "getJournalByNumber", "getJournalByName", "getJournalByTitle"}
	if !slices.Equal(order, want) {
		t.Fatalf("dispatch order %v, want %v", order, want)
	}
	for _, id := range want {
		if !slices.Equal(byID[id].Shared, byID["getJournal"].Shared) {
			t.Errorf("%s does not share the route", id)
		}
	}
	// The "#" suffix is dropped from the route; the required query parameter tells the two apart.
	search, list := byID["searchJournals"], byID["listJournals"]
	if search.Path != "/journals" || search.SpecPath != "/journals#search" || len(search.Shared) != 2 || search.Shared[0] != search || !search.Matched() || list.Unreachable {
		t.Errorf("search %s (%s), shared %d, matched %v", search.Path, search.SpecPath, len(search.Shared), search.Matched())
	}
	if !byID["getJournalByTitle"].Unreachable || byID["getJournalByName"].Unreachable {
		t.Errorf("unreachable: byName %v, byTitle %v", byID["getJournalByName"].Unreachable, byID["getJournalByTitle"].Unreachable)
	}
	if !byID["getJournal"].Matched() || !byID["getJournalByNumber"].Matched() || byID["getJournalByName"].Matched() {
		t.Error("the typed operations are matched, the last reachable one takes the rest")
	}
	if !byID["getJournal"].ServesRoute() || byID["getJournalByNumber"].ServesRoute() {
		t.Error("the first operation registers the route")
	}
	w := d.Warnings()
	if len(w) != 2 || w[0].Pointer != "/paths/~1journals#search" || w[1].Pointer != "/paths/~1journals~1{journalTitle}/get" || !w[0].Pos.IsValid() || !w[1].Pos.IsValid() {
		t.Fatalf("warnings %v, want one at the '#' path and one at getJournalByTitle", w)
	}
}

// TestGroupFilesAvoidTheServicePackagesOwn: a group's files
// (<group>.go, <group>_gen.go) never take the name of a file the service
// package has anyway (services_gen.go, db_gen.go, crud_gen.go).
func TestGroupFilesAvoidTheServicePackagesOwn(t *testing.T) {
	t.Parallel()
	svc, _ := buildYAML(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /crud/things:
    get: {responses: {'200': {description: ok}}}
  /db/things:
    get: {responses: {'200': {description: ok}}}
  /services/things:
    get: {responses: {'200': {description: ok}}}
  /store/things:
    get: {responses: {'200': {description: ok}}}
`)
	files := make(map[string]bool)
	for _, g := range svc.Groups {
		files[g.File] = true
	}
	for _, own := range []string{"crud", "db", "services"} {
		if files[own] {
			t.Errorf("a group's files are %s.go and %s_gen.go, which the service package has: groups %v", own, own, files)
		}
	}
	if !files["store"] {
		t.Errorf("group files %v: want store (nothing else is named so)", files)
	}
}

// TestGroupFilesAreDistinctPlainSources: a group's files are unique even
// when Slug cuts two long names alike, and go build reads them as plain
// sources on every platform: not tests (ab_test.go), not another
// platform's (x_windows.go), not named like generated files.
func TestGroupFilesAreDistinctPlainSources(t *testing.T) {
	t.Parallel()
	long := "collection_with_a_name_that_is_much_longer_than_forty_bytes_"
	svc, _ := buildYAML(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /ab_test/things:
    get: {responses: {'200': {description: ok}}}
  /x_windows:
    get: {responses: {'200': {description: ok}}}
  /y_arm64:
    get: {responses: {'200': {description: ok}}}
  /z_gen:
    get: {responses: {'200': {description: ok}}}
  /`+long+`a:
    get: {responses: {'200': {description: ok}}}
  /`+long+`b:
    get: {responses: {'200': {description: ok}}}
`)
	want := []string{"ab_test_group", "collection_with_a_name_that_is_much_long", "collection_with_a_name_that_is_much_long2", "x_windows_group", "y_arm64_group", "z_gen_group"}
	var got []string
	for _, g := range svc.Groups {
		got = append(got, g.File)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("group files %q, want %q", got, want)
	}
}
