package generator

import (
	"slices"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// tableOf derives the table storing entity: one column per field (nested
// objects and arrays as JSON), the id as the generated primary key.
func (b *builder) tableOf(entity *ir.Type, name, idParam string) *ir.Table {
	t := &ir.Table{Name: name}
	id := idField(entity, idParam)
	// The queries' own arguments (render's argLimit…) are no column's names.
	names := ir.NewNamer("page_limit", "page_offset", "page_after", "sort_key", "expected_version")
	goNames := ir.NewNamer()
	if entity.Table != "" {
		t.Name = entity.Table
	}
	for _, f := range entity.Fields {
		if f.Store.Skip {
			continue
		}
		col := columnOf(f)
		col.Name = takeSQLName(names, goNames, col.Name)
		if i := slices.IndexFunc(col.Enum, func(v string) bool { return !ir.SQLText(v) }); i >= 0 {
			b.warnOnce(f.Schema.Pointer, "enum value %q cannot be written as an SQL literal safely (a line break, control character, backslash or \"--\"): column %s of table %s gets no CHECK constraint; the API still accepts the enum's values alone", col.Enum[i], col.Name, t.Name)
			col.Enum = nil
		}
		if f.Store.Unique {
			t.Uniques = append(t.Uniques, &ir.Index{Columns: []string{col.Name}})
		}
		if f.Store.Index {
			t.Indexes = append(t.Indexes, &ir.Index{Columns: []string{col.Name}})
		}
		if f == id {
			col.NotNull = true
			t.PrimaryKey = col.Name
			// The database makes the id when clients do not send it.
			col.Identity = f.ReadOnly || !f.Required || col.Type == ir.ColUUID
		}
		if f.ReadOnly && col.NotNull && !col.Identity && col.Default == "" {
			// A required member clients cannot send: the database gives it
			// the zero value of its type until the service's code sets it.
			col.Default = ir.DefaultZero
		}
		t.Columns = append(t.Columns, col)
	}
	if t.PrimaryKey == "" {
		t.Columns = append([]*ir.Column{{Name: takeSQLName(names, goNames, "id"), Type: ir.ColBigint, NotNull: true, Identity: true}}, t.Columns...)
		t.PrimaryKey = t.Columns[0].Name
	}
	// The primary key first, as people write tables.
	slices.SortStableFunc(t.Columns, func(a, b *ir.Column) int {
		switch {
		case a.Name == t.PrimaryKey:
			return -1
		case b.Name == t.PrimaryKey:
			return 1
		}
		return 0
	})
	return t
}

// takeSQLName takes a free table or column name for base, within
// PostgreSQL's 63 bytes, whose Go name (sqlc's model or field, ir.GoName)
// is free too: "i_d" and "id" are both ID in Go.
func takeSQLName(names, goNames *ir.Namer, base string) string {
	for {
		name := names.TakeWithin(base, 63)
		if !goNames.Has(ir.GoName(name)) {
			goNames.Take(ir.GoName(name))
			return name
		}
	}
}

// columnName is the column storing field f: x-bkgen-column, else its name in snake case.
func columnName(f *ir.Field) string {
	if f.Store.Column != "" {
		return f.Store.Column
	}
	return ir.SnakeName(f.Name)
}

// columnOf maps a field to its column type and constraints.
func columnOf(f *ir.Field) *ir.Column {
	s := f.Schema
	col := &ir.Column{Name: columnName(f), Field: f, NotNull: f.Required && !f.Nullable}
	switch s.Kind {
	case ir.KindString:
		switch {
		case s.Format == "uuid":
			col.Type = ir.ColUUID
		case s.Format == "date":
			col.Type = ir.ColDate
		case s.MaxLength != nil && *s.MaxLength <= 10485760:
			col.Type, col.Length = ir.ColVarchar, *s.MaxLength
		default:
			col.Type = ir.ColText
		}
	case ir.KindInt32:
		col.Type = ir.ColInt
	case ir.KindInt64:
		col.Type = ir.ColBigint
	case ir.KindFloat32:
		col.Type = ir.ColReal
	case ir.KindFloat64:
		col.Type = ir.ColDouble
	case ir.KindBool:
		col.Type = ir.ColBool
	case ir.KindTime:
		col.Type = ir.ColTimestamp
	case ir.KindBytes:
		col.Type = ir.ColBytes
	case ir.KindNamed:
		if e := s.Named; e.Kind == ir.TypeEnum {
			if e.Base == ir.KindString {
				col.Type = ir.ColText
				for _, v := range e.Values {
					col.Enum = append(col.Enum, v.Value.(string))
				}
			} else {
				col.Type = ir.ColBigint
				if e.Base == ir.KindFloat64 {
					col.Type = ir.ColDouble
				}
			}
			break
		}
		col.Type = ir.ColJSON
	default:
		col.Type = ir.ColJSON
	}
	if s.Kind == ir.KindString && len(col.Enum) == 0 && s.HasConst {
		if c, ok := s.Const.(string); ok {
			col.Enum = []string{c}
		}
	}
	if s.Kind >= ir.KindInt32 && s.Kind <= ir.KindFloat64 {
		col.Min, col.Max = s.Minimum, s.Maximum
	}
	if col.Type == ir.ColTimestamp {
		switch ir.SnakeName(f.Name) {
		case "created_at", "created", "creation_date", "created_on":
			col.Default = ir.DefaultNow
		case "updated_at", "updated", "modified_at", "last_modified":
			col.Default, col.Touch = ir.DefaultNow, true
		}
	}
	return col
}

// listParams reads a list operation's query parameters: pagination, and
// filters on columns.
func (b *builder) listParams(r *ir.Resource, op *ir.Operation) {
	for _, p := range op.Params {
		if p.In != "query" {
			continue
		}
		name := strings.ToLower(ir.SnakeName(p.Name))
		switch name {
		case "limit", "page_size", "pagesize", "per_page", "size", "count":
			if isIntSchema(p.Schema) {
				r.Page.Limit = p
				continue
			}
		case "offset", "skip", "start":
			if isIntSchema(p.Schema) {
				r.Page.Offset, r.Page.Style = p, ir.PageOffset
				continue
			}
		case "page", "page_number":
			if isIntSchema(p.Schema) {
				r.Page.Offset, r.Page.Style = p, ir.PagePage
				continue
			}
		case "cursor", "after", "starting_after", "page_token", "next", "iterator":
			if p.Schema.Kind == ir.KindString && r.Table.Column(r.Table.PrimaryKey) != nil {
				r.Page.Offset, r.Page.Style = p, ir.PageCursor
				continue
			}
		}
		switch name {
		case "sort", "sort_by", "sortby", "order_by", "orderby", "order", "ordering":
			if s := sortOf(r, p); s != nil {
				r.Sort = s
				continue
			}
		}
		if f := filterOf(r, p); f != nil {
			r.Filters = append(r.Filters, f)
			r.Table.Indexes = append(r.Table.Indexes, &ir.Index{Columns: []string{f.Column.Name}})
		}
	}
	if r.Page.Limit != nil && r.Page.Style == ir.PageNone {
		r.Page.Style = ir.PageOffset // a limit alone: the first page
	}
	r.Page.MaxLimit, r.Page.DefaultLimit = 100, 20
	if l := r.Page.Limit; l != nil {
		if l.Schema.Maximum != nil && *l.Schema.Maximum >= 1 && *l.Schema.Maximum < 10000 {
			r.Page.MaxLimit = int64(*l.Schema.Maximum)
		}
		if d, ok := toInt(l.Schema.Default); ok && d >= 1 && d <= r.Page.MaxLimit {
			r.Page.DefaultLimit = d
		}
		r.Page.DefaultLimit = min(r.Page.DefaultLimit, r.Page.MaxLimit)
	}
}

// sortOf reads a sort parameter: its enum values name columns ("name",
// "-name", "name:desc", "name desc"); without an enum every scalar column
// may be named, ascending or with a leading "-" descending.
func sortOf(r *ir.Resource, p *ir.Param) *ir.Sort {
	var values []string
	switch {
	case p.Schema.Kind == ir.KindString:
		for _, c := range r.Table.Columns {
			if c.Type != ir.ColJSON && c.Type != ir.ColBytes && c.Field != nil {
				values = append(values, c.Field.Name, "-"+c.Field.Name)
			}
		}
	case p.Schema.Kind == ir.KindNamed && p.Schema.Named.Kind == ir.TypeEnum && p.Schema.Named.Base == ir.KindString:
		for _, v := range p.Schema.Named.Values {
			values = append(values, v.Value.(string))
		}
	default:
		return nil
	}
	s := &ir.Sort{Param: p}
	for _, v := range values {
		name, desc := v, false
		switch {
		case strings.HasPrefix(name, "-"):
			name, desc = name[1:], true
		case strings.HasPrefix(name, "+"):
			name = name[1:]
		}
		for _, suffix := range []string{":desc", " desc", "_desc", ".desc"} {
			if strings.HasSuffix(strings.ToLower(name), suffix) {
				name, desc = name[:len(name)-len(suffix)], true
			}
		}
		for _, suffix := range []string{":asc", " asc", "_asc", ".asc"} {
			if strings.HasSuffix(strings.ToLower(name), suffix) {
				name = name[:len(name)-len(suffix)]
			}
		}
		var col *ir.Column
		for _, c := range r.Table.Columns {
			if c.Field != nil && (c.Field.Name == name || c.Name == ir.SnakeName(name)) && c.Type != ir.ColJSON && c.Type != ir.ColBytes {
				col = c
			}
		}
		// The value is a literal of the query (render's queries): one that
		// cannot be written safely orders by the primary key, as unknown ones do.
		if col != nil && ir.SQLText(v) {
			s.Keys = append(s.Keys, ir.SortKey{Value: v, Column: col, Desc: desc})
		}
	}
	if len(s.Keys) == 0 {
		return nil
	}
	return s
}

// filterOf matches a query parameter to a scalar column: by name, or as the
// plural of one for an array parameter (tags=a&tags=b on a tag column).
func filterOf(r *ir.Resource, p *ir.Param) *ir.Filter {
	name := ir.SnakeName(p.Name)
	list := p.Schema.Kind == ir.KindSlice
	var candidates []string
	if name != "c_" {
		// (SnakeName's "c_" is a name with no ASCII letter or digit,
		// which says nothing of the column: "名前" is not the column c_.)
		candidates = append(candidates, name)
		if list {
			candidates = append(candidates, strings.TrimSuffix(name, "s"), strings.TrimSuffix(name, "es"))
		}
	}
	// A property of the parameter's very name comes first.
	if i := slices.IndexFunc(r.Table.Columns, func(c *ir.Column) bool { return c.Field != nil && c.Field.Name == p.Name }); i >= 0 {
		candidates = append([]string{r.Table.Columns[i].Name}, candidates...)
	}
	for _, c := range candidates {
		col := r.Table.Column(c)
		if col == nil {
			// The property's own name, when x-bkgen-column renamed its column.
			for _, x := range r.Table.Columns {
				if x.Field != nil && ir.SnakeName(x.Field.Name) == c {
					col = x
				}
			}
		}
		if col == nil || col.Field == nil || col.Type == ir.ColJSON || col.Type == ir.ColBytes {
			continue
		}
		elem := p.Schema
		if list {
			elem = p.Schema.Elem
		}
		if !filterCompatible(elem, col.Field.Schema) {
			continue
		}
		return &ir.Filter{Param: p, Column: col, In: list}
	}
	return nil
}

func filterCompatible(param, field *ir.Schema) bool {
	if param.Kind == ir.KindNamed && field.Kind == ir.KindNamed {
		return param.Named == field.Named
	}
	if field.Kind == ir.KindNamed && field.Named.Kind == ir.TypeEnum {
		return param.Kind == ir.KindString && field.Named.Base == ir.KindString
	}
	return param.Kind == field.Kind
}

func isIntSchema(s *ir.Schema) bool { return s.Kind == ir.KindInt32 || s.Kind == ir.KindInt64 }

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), x == float64(int64(x))
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}
