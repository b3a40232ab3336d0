package render

import (
	"fmt"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// crudBody is the Go body of the generated default of a CRUD operation: it
// turns the request into query arguments, runs the query and builds the
// declared success response.
func crudBody(svc *ir.Service, op *ir.Operation) string {
	r := op.Resource
	d := dialectOf(svc)
	q := queryName(r, op.CRUD)
	var b strings.Builder
	b.WriteString("if d.Store == nil {\nreturn nil, api.ErrNotImplemented\n}\n")
	fmt.Fprintf(&b, "var p store.%sParams\n", q)
	if r.ParentColumn != nil {
		if pp := findParam(op, "path", r.ParentParam); pp != nil {
			fmt.Fprintf(&b, "p.%s = %s\n", ir.GoName(r.ParentColumn.Name), convert("req."+pp.GoName, goType(pp.Schema), storeType(r.ParentColumn)))
		}
	}
	if c := r.OwnerColumn; c != nil {
		owner := "owner"
		if strings.HasPrefix(storeType(c), "*") {
			owner = "&owner"
		}
		fmt.Fprintf(&b, "owner, err := ownerOf(ctx)\nif err != nil {\nreturn nil, err\n}\np.%s = %s\n", ir.GoName(c.Name), owner)
	}
	item := op.CRUD == ir.Get || op.CRUD == ir.Replace || op.CRUD == ir.Update || op.CRUD == ir.Delete
	if item {
		pk := r.Table.Column(r.Table.PrimaryKey)
		if pp := findParam(op, "path", r.IDParam); pp != nil {
			fmt.Fprintf(&b, "p.%s = %s\n", ir.GoName(pk.Name), convert("req."+pp.GoName, goType(pp.Schema), storeType(pk)))
		}
	}
	switch op.CRUD {
	case ir.List:
		b.WriteString(listArgs(d, op))
		fmt.Fprintf(&b, "rows, err := d.Store.%s(ctx, p)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
		fmt.Fprintf(&b, "items := make([]api.%s, 0, len(rows))\nfor _, row := range rows {\nv, err := %s(row)\nif err != nil {\nreturn nil, err\n}\nitems = append(items, v)\n}\n", r.Entity.Name, rowFunc(r))
		fmt.Fprintf(&b, "return %s, nil\n", successValue(op, listBody(op)))
		return b.String()
	case ir.Create, ir.Replace, ir.Update:
		body := op.Body.Schema.Named
		fmt.Fprintf(&b, "if err := %s(&p, %s); err != nil {\nreturn nil, err\n}\n", paramsFunc(r, op.CRUD, body), bodyRef(op))
		if op.MergePatch() {
			for _, fc := range bodyColumns(r, body) {
				f, c := fc[0].(*ir.Field), fc[1].(*ir.Column)
				fmt.Fprintf(&b, "p.%s = req.Members[%q]\n", ir.GoName(setArg(c)), f.Name)
			}
		}
		if op.CRUD != ir.Create {
			if vf := versionField(r, body); vf != nil {
				ref := "req.Body." + vf.GoName
				if vf.Ptr {
					fmt.Fprintf(&b, "if %s != nil {\np.%s = ptrTo(int64(*%s))\n}\n", ref, ir.GoName(argVersion), ref)
				} else {
					fmt.Fprintf(&b, "p.%s = ptrTo(int64(%s))\n", ir.GoName(argVersion), ref)
				}
			}
		}
		if !d.returning() {
			return b.String() + execThenFetch(d, op)
		}
		if op.CRUD != ir.Create && versionField(r, body) != nil && r.Has(ir.Get) {
			return b.String() + versionedUpdate(op)
		}
	}
	if op.CRUD == ir.Delete {
		fmt.Fprintf(&b, "n, err := d.Store.%s(ctx, p)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\nif n == 0 {\nreturn nil, notFound(%q)\n}\n", q, r.Name, r.Name)
		fmt.Fprintf(&b, "return %s, nil\n", successValue(op, ""))
		return b.String()
	}
	if !returnsEntity(op) {
		// The declared success response has no body to fill.
		fmt.Fprintf(&b, "if _, err := d.Store.%s(ctx, p); err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
		fmt.Fprintf(&b, "return %s, nil\n", successValue(op, ""))
		return b.String()
	}
	fmt.Fprintf(&b, "row, err := d.Store.%s(ctx, p)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
	return b.String() + answerRow(op)
}

// answerRow is the end of a default whose query gave the item's row: map it
// to the entity and answer with the success response holding it.
func answerRow(op *ir.Operation) string {
	return fmt.Sprintf("v, err := %s(row)\nif err != nil {\nreturn nil, err\n}\nreturn %s, nil\n", rowFunc(op.Resource), successValue(op, "v"))
}

// versionField is the body's member carrying the version the client read.
func versionField(r *ir.Resource, body *ir.Type) *ir.Field {
	if r.Version == nil || r.Version.Field == nil {
		return nil
	}
	for _, f := range body.Fields {
		if f.Name == r.Version.Field.Name && (f.Schema.Kind == ir.KindInt32 || f.Schema.Kind == ir.KindInt64) {
			return f
		}
	}
	return nil
}

// versionedUpdate runs an optimistic update: no row means either no such
// item (404) or a version that moved on (409).
func versionedUpdate(op *ir.Operation) string {
	r := op.Resource
	q := queryName(r, op.CRUD)
	get := queryName(r, ir.Get)
	var b strings.Builder
	fmt.Fprintf(&b, "row, err := d.Store.%s(ctx, p)\n", q)
	fmt.Fprintf(&b, "if errors.Is(err, errNoRows) && p.%s != nil {\n", ir.GoName(argVersion))
	fmt.Fprintf(&b, "var g store.%sParams\ng.%s = p.%s\n", get, ir.GoName(r.Table.PrimaryKey), ir.GoName(r.Table.PrimaryKey))
	for _, c := range []*ir.Column{r.ParentColumn, r.OwnerColumn} {
		if c != nil {
			fmt.Fprintf(&b, "g.%s = p.%s\n", ir.GoName(c.Name), ir.GoName(c.Name))
		}
	}
	fmt.Fprintf(&b, "if _, gerr := d.Store.%s(ctx, g); gerr == nil {\nreturn nil, api.NewStatusError(http.StatusConflict, %q)\n}\n}\n", get,
		r.Name+" was changed since the version sent; read it again")
	fmt.Fprintf(&b, "if err != nil {\nreturn nil, storeError(err, %q)\n}\n", r.Name)
	if !returnsEntity(op) {
		fmt.Fprintf(&b, "_ = row\nreturn %s, nil\n", successValue(op, ""))
		return b.String()
	}
	return b.String() + answerRow(op)
}

// returnsEntity reports whether the success response's body is the entity.
func returnsEntity(op *ir.Operation) bool {
	r := op.Success()
	return r != nil && r.IsJSON() && r.Schema != nil && r.Schema.IsStruct() && r.Schema.Named == op.Resource.Entity
}

// bodyRef is the request body as a value (optional bodies are pointers; a
// CRUD operation's body is required in practice, and nil answers 400).
func bodyRef(op *ir.Operation) string {
	if bodyIsPtr(op.Body) {
		return "req.Body"
	}
	return "&req.Body"
}

func findParam(op *ir.Operation, in, name string) *ir.Param {
	for _, p := range op.Params {
		if p.In == in && p.Name == name {
			return p
		}
	}
	return nil
}

// listArgs sets paging and filter arguments of a list query.
func listArgs(d dialect, op *ir.Operation) string {
	r := op.Resource
	pg := r.Page
	var b strings.Builder
	fmt.Fprintf(&b, "limit := int64(%d)\n", pg.DefaultLimit)
	if pg.Limit != nil {
		ref := "req." + pg.Limit.GoName
		if pg.Limit.Required {
			fmt.Fprintf(&b, "limit = int64(%s)\n", ref)
		} else {
			fmt.Fprintf(&b, "if %s != nil {\nlimit = int64(*%s)\n}\n", ref, ref)
		}
	}
	limitArg, offsetArg := d.pageArgs()
	fmt.Fprintf(&b, "limit = max(1, min(limit, %d))\np.%s = clampInt32(limit)\n", pg.MaxLimit, ir.GoName(limitArg))
	if o := pg.Offset; o != nil {
		ref := "req." + o.GoName
		val := "*" + ref
		open, closing := fmt.Sprintf("if %s != nil {\n", ref), "}\n"
		if o.Required {
			val, open, closing = ref, "", ""
		}
		switch pg.Style {
		case ir.PageOffset:
			fmt.Fprintf(&b, "%sp.%s = clampInt32(int64(%s))\n%s", open, ir.GoName(offsetArg), val, closing)
		case ir.PagePage:
			fmt.Fprintf(&b, "%sp.%s = clampInt32((int64(%s) - 1) * limit)\n%s", open, ir.GoName(offsetArg), val, closing)
		case ir.PageCursor:
			pk := r.Table.Column(r.Table.PrimaryKey)
			fmt.Fprintf(&b, "%sif %s != \"\" {\n%s}\n%s", open, val, cursorArg(val, pk), closing)
		}
	}
	if srt := r.Sort; srt != nil {
		ref := "req." + srt.Param.GoName
		dst := "p." + ir.GoName(argSort)
		if srt.Param.Required {
			fmt.Fprintf(&b, "%s = string(%s)\n", dst, ref)
		} else {
			fmt.Fprintf(&b, "if %s != nil {\n%s = string(*%s)\n}\n", ref, dst, ref)
		}
	}
	for _, f := range r.Filters {
		ref := "req." + f.Param.GoName
		dst := "p." + ir.GoName(filterArg(f))
		col := strings.TrimPrefix(storeType(f.Column), "*")
		if f.In {
			// inArg (the engine's, in db_gen.go) passes the list as the engine takes it.
			flag, ptrElems := d.inFilter(f.Column)
			elem, item := col, convert("x", goType(f.Param.Schema.Elem), col)
			if ptrElems {
				elem, item = "*"+col, "ptrTo("+item+")"
			}
			set := ""
			if flag {
				set = fmt.Sprintf("p.%s = true\n", ir.GoName(inFlagArg(filterArg(f))))
			}
			fmt.Fprintf(&b, "if len(%s) > 0 {\nlist := make([]%s, len(%s))\nfor i, x := range %s {\nlist[i] = %s\n}\n%s = inArg(list)\n%s}\n",
				ref, elem, ref, ref, item, dst, set)
			continue
		}
		if f.Param.Required {
			fmt.Fprintf(&b, "%s = ptrTo(%s)\n", dst, convert(ref, goType(f.Param.Schema), col))
		} else {
			fmt.Fprintf(&b, "if %s != nil {\n%s = ptrTo(%s)\n}\n", ref, dst, convert("*"+ref, goType(f.Param.Schema), col))
		}
	}
	return b.String()
}

// cursorArg parses a cursor (the last id of the previous page).
func cursorArg(val string, pk *ir.Column) string {
	dst := "p." + ir.GoName(argAfter)
	switch strings.TrimPrefix(storeType(pk), "*") {
	case "int64", "int32":
		return fmt.Sprintf("after, err := strconv.ParseInt(%s, 10, 64)\nif err != nil {\nreturn nil, api.NewStatusError(http.StatusBadRequest, \"invalid cursor\")\n}\n%s = ptrTo(%s(after))\n", val, dst, strings.TrimPrefix(storeType(pk), "*"))
	}
	return fmt.Sprintf("%s = ptrTo(%s)\n", dst, val)
}

// convert writes expr (of Go type from) as a value of Go type to.
func convert(expr, from, to string) string {
	to = strings.TrimPrefix(to, "*")
	if from == to {
		return expr
	}
	return to + "(" + expr + ")"
}

// listBody is the expression of a list response's body from items: the
// list itself, or the envelope the resource recorded holding it.
func listBody(op *ir.Operation) string {
	s := op.Success().Schema
	wrap := func(list *ir.Schema) string {
		if list.Kind == ir.KindNamed {
			return "api." + list.Named.Name + "(items)"
		}
		return "items"
	}
	if env := op.Resource.Envelope; env != nil && s.IsStruct() {
		return fmt.Sprintf("api.%s{%s: %s}", s.Named.Name, env.GoName, wrap(env.Schema))
	}
	return wrap(s)
}

// successValue builds the operation's success response around body.
func successValue(op *ir.Operation, body string) string {
	r := op.Success()
	if r == nil {
		return "nil"
	}
	var fields []string
	if r.Status == 0 {
		status := "http.StatusOK"
		switch op.CRUD {
		case ir.Create:
			status = "http.StatusCreated"
		case ir.Delete:
			status = "http.StatusNoContent"
		}
		fields = append(fields, "StatusCode: "+status)
	}
	if r.MediaType != "" && r.IsJSON() && body != "" {
		fields = append(fields, "Body: "+body)
	}
	return fmt.Sprintf("api.%s{%s}", r.GoName, strings.Join(fields, ", "))
}

func rowFunc(r *ir.Resource) string { return lowerFirst(r.Name) + "FromRow" }

func paramsFunc(r *ir.Resource, op ir.CRUD, body *ir.Type) string {
	return lowerFirst(string(op)) + r.Name + "Params"
}

func lowerFirst(s string) string { return ir.LowerName(s) }

// execThenFetch runs a create, replace or update on an engine without
// RETURNING: the statement, then the item's get for the row it wrote. A
// create's id is the one the database numbered (LastInsertId), or for a text
// id one made here (newID, in the engine's db_gen.go). An update that
// matched no row is a missing item, or with a version sent that moved on, a
// conflict.
func execThenFetch(d dialect, op *ir.Operation) string {
	r := op.Resource
	q := queryName(r, op.CRUD)
	pkCol := r.Table.Column(r.Table.PrimaryKey)
	pk := ir.GoName(pkCol.Name)
	entity := returnsEntity(op)
	versioned := op.CRUD != ir.Create && versionField(r, op.Body.Schema.Named) != nil
	var b strings.Builder
	id := "p." + pk
	switch {
	case op.CRUD != ir.Create:
		fmt.Fprintf(&b, "n, err := d.Store.%s(ctx, p)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
	case pkCol.Identity && !madeID(d, r) && entity:
		fmt.Fprintf(&b, "id, err := d.Store.%s(ctx, p)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
		id = "id"
		if storeType(pkCol) == "int32" {
			id = "int32(id) //nolint:gosec // an INT column's AUTO_INCREMENT value"
		}
	case pkCol.Identity && !madeID(d, r):
		fmt.Fprintf(&b, "if _, err := d.Store.%s(ctx, p); err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
	default:
		if madeID(d, r) {
			fmt.Fprintf(&b, "p.%s = newID()\n", pk)
		}
		fmt.Fprintf(&b, "if err := d.Store.%s(ctx, p); err != nil {\nreturn nil, storeError(err, %q)\n}\n", q, r.Name)
	}
	get := queryName(r, ir.Get)
	if entity || versioned {
		fmt.Fprintf(&b, "var g store.%sParams\ng.%s = %s\n", get, pk, id)
		for _, c := range []*ir.Column{r.ParentColumn, r.OwnerColumn} {
			if c != nil {
				fmt.Fprintf(&b, "g.%s = p.%s\n", ir.GoName(c.Name), ir.GoName(c.Name))
			}
		}
	}
	if op.CRUD != ir.Create {
		b.WriteString("if n == 0 {\n")
		if versioned {
			fmt.Fprintf(&b, "if p.%s != nil {\nif _, gerr := d.Store.%s(ctx, g); gerr == nil {\nreturn nil, api.NewStatusError(http.StatusConflict, %q)\n}\n}\n",
				ir.GoName(argVersion), get, r.Name+" was changed since the version sent; read it again")
		}
		fmt.Fprintf(&b, "return nil, notFound(%q)\n}\n", r.Name)
	}
	if !entity {
		fmt.Fprintf(&b, "return %s, nil\n", successValue(op, ""))
		return b.String()
	}
	fmt.Fprintf(&b, "row, err := d.Store.%s(ctx, g)\nif err != nil {\nreturn nil, storeError(err, %q)\n}\n", get, r.Name)
	return b.String() + answerRow(op)
}

// createResults are the results of the create query's Go method: the
// row, the id the database made, or none.
func createResults(svc *ir.Service, r *ir.Resource) string {
	d := dialectOf(svc)
	switch {
	case d.returning():
		return "store." + modelName(r) + ", error"
	case r.Table.Column(r.Table.PrimaryKey).Identity && !madeID(d, r):
		return "int64, error"
	}
	return "error"
}

// createReturn is the return statement of a fake create query failing with f.err.
func createReturn(svc *ir.Service, r *ir.Resource) string {
	switch createResults(svc, r) {
	case "error":
		return "return f.err"
	case "int64, error":
		return "return 0, f.err"
	}
	return "return store." + modelName(r) + "{}, f.err"
}
