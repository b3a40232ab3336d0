package generator

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
)

// maxSchemaDepth bounds inline nesting; deeper schemas are taken as free-form
// values (a guard against pathological specs, not a limit real APIs reach).
const maxSchemaDepth = 64

// schemaUse builds the use of ref at pointer; hint names a type the use may need.
func (b *builder) schemaUse(ref *openapi3.SchemaRef, hint, pointer string) *ir.Schema {
	return b.schemaUseDepth(ref, hint, pointer, 0)
}

func (b *builder) schemaUseDepth(ref *openapi3.SchemaRef, hint, pointer string, depth int) *ir.Schema {
	if ref == nil || ref.Value == nil || depth > maxSchemaDepth {
		return &ir.Schema{Kind: ir.KindAny, Pointer: pointer}
	}
	s := ref.Value
	if ref.Ref != "" {
		pointer = refPointer(ref.Ref, pointer)
	}
	b.warnUnenforced(s, pointer)
	if t, ok := b.byValue[s]; ok {
		return b.withNullable(&ir.Schema{Kind: ir.KindNamed, Named: t, Pointer: pointer}, s)
	}
	if s.Always != nil {
		return &ir.Schema{Kind: ir.KindAny, Pointer: pointer}
	}
	// allOf with a single member (often used to add a description or nullable to a $ref).
	// (3.1 also allows siblings of a $ref, which kin-openapi reads as an
	// allOf of the target: `{$ref: Id, type: number}` is an Id.)
	if len(s.AllOf) == 1 && len(s.Properties) == 0 && !slices.Contains(schemaTypes(s), "object") && len(s.OneOf) == 0 && len(s.AnyOf) == 0 {
		use := b.schemaUseDepth(s.AllOf[0], hint, pointer+"/allOf/0", depth+1)
		return b.withNullable(cloneSchema(use), s)
	}
	// oneOf/anyOf of one real member plus null: a nullable member.
	if alts := nonNull(unionOf(s)); len(alts) == 1 && len(unionOf(s)) == 2 && len(s.Properties) == 0 {
		use := cloneSchema(b.schemaUseDepth(alts[0], hint, pointer, depth+1))
		use.Nullable = true
		return use
	}
	types := schemaTypes(s)
	nullable := s.Nullable || slices.Contains(types, "null")
	types = slices.DeleteFunc(types, func(t string) bool { return t == "null" })

	var use *ir.Schema
	switch {
	case len(unionOf(s)) > 0 && len(s.Properties) == 0 && len(s.AllOf) == 0:
		t := b.namedType(ref, hint, pointer, ir.TypeUnion)
		b.fillUnion(t, s, pointer, depth)
		use = &ir.Schema{Kind: ir.KindNamed, Named: t}
	case len(s.AllOf) > 0 && !objectLike(s, 0):
		// An allOf of scalars (a string with a pattern, and another with a
		// length): the first member's type and constraints.
		use = cloneSchema(b.schemaUseDepth(s.AllOf[0], hint, pointer+"/allOf/0", depth+1))
	case len(s.AllOf) > 0 || len(s.Properties) > 0 || (slices.Contains(types, "object") && s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has):
		t := b.namedType(ref, hint, pointer, ir.TypeStruct)
		b.fillStruct(t, s, pointer, depth)
		use = &ir.Schema{Kind: ir.KindNamed, Named: t}
	case len(types) > 1:
		use = &ir.Schema{Kind: ir.KindAny}
	case len(enumValues(s)) > 0 && (len(types) == 0 || types[0] == "string" || types[0] == "integer" || types[0] == "number"):
		if base, ok := enumBase(s, types); ok {
			t := b.namedType(ref, hint, pointer, ir.TypeEnum)
			b.fillEnum(t, s, base)
			use = &ir.Schema{Kind: ir.KindNamed, Named: t}
		} else {
			use = &ir.Schema{Kind: ir.KindAny}
		}
	case len(types) == 0 && s.Items == nil && s.AdditionalProperties.Schema == nil && s.AdditionalProperties.Has == nil:
		use = b.primitive(s, "")
	case len(types) == 0 && s.Items != nil, len(types) == 1 && types[0] == "array":
		elem := b.schemaUseDepth(s.Items, hint+"Item", pointer+"/items", depth+1)
		if isComponent(ref) {
			t := b.namedType(ref, hint, pointer, ir.TypeSlice)
			t.Elem = elem
			t.Schema = b.bounds(s)
			use = &ir.Schema{Kind: ir.KindNamed, Named: t}
		} else {
			use = b.bounds(s)
			use.Kind = ir.KindSlice
			use.Elem = elem
		}
	case len(types) == 0 || types[0] == "object":
		elem := &ir.Schema{Kind: ir.KindAny}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			elem = b.schemaUseDepth(ap, hint+"Value", pointer+"/additionalProperties", depth+1)
		}
		use = b.bounds(s)
		use.Kind = ir.KindMap
		use.Elem = elem
	default:
		use = b.primitive(s, types[0])
	}
	use.Pointer = pointer
	use.Nullable = use.Nullable || nullable
	if s.Example != nil {
		use.Example = s.Example
	} else if len(s.Examples) > 0 {
		use.Example = s.Examples[0]
	}
	use.Default = s.Default
	return use
}

// primitive maps a scalar schema to its Go kind and constraints.
func (b *builder) primitive(s *openapi3.Schema, typ string) *ir.Schema {
	use := b.bounds(s)
	use.Format = s.Format
	switch typ {
	case "string":
		switch s.Format {
		case "date-time":
			use.Kind = ir.KindTime
		case "byte":
			use.Kind = ir.KindBytes
		default:
			use.Kind = ir.KindString
		}
	case "integer":
		if s.Format == "int32" {
			use.Kind = ir.KindInt32
		} else {
			use.Kind = ir.KindInt64
		}
	case "number":
		if s.Format == "float" {
			use.Kind = ir.KindFloat32
		} else {
			use.Kind = ir.KindFloat64
		}
	case "boolean":
		use.Kind = ir.KindBool
	default:
		// A schema with no type but a const takes the const's type.
		switch s.Const.(type) {
		case string:
			use.Kind = ir.KindString
		case bool:
			use.Kind = ir.KindBool
		case float64:
			use.Kind = ir.KindFloat64
		default:
			use.Kind = ir.KindAny
		}
	}
	if s.Const != nil && use.Kind != ir.KindAny {
		use.Const, use.HasConst = s.Const, true
	} else if vals := enumValues(s); len(vals) == 1 && use.Kind == ir.KindBool {
		use.Const, use.HasConst = vals[0], true
	}
	if use.Kind == ir.KindString && s.Pattern != "" {
		use.Pattern = s.Pattern
	}
	return use
}

// bounds copies the numeric, length and size constraints of s.
func (b *builder) bounds(s *openapi3.Schema) *ir.Schema {
	use := &ir.Schema{}
	if s.MinLength > 0 {
		use.MinLength = new(clampInt(s.MinLength))
	}
	if s.MaxLength != nil {
		use.MaxLength = new(clampInt(*s.MaxLength))
	}
	if s.MinItems > 0 {
		use.MinItems = new(clampInt(s.MinItems))
	}
	if s.MaxItems != nil {
		use.MaxItems = new(clampInt(*s.MaxItems))
	}
	if s.MinProps > 0 {
		use.MinProps = new(clampInt(s.MinProps))
	}
	if s.MaxProps != nil {
		use.MaxProps = new(clampInt(*s.MaxProps))
	}
	use.UniqueItems = s.UniqueItems
	use.Minimum, use.Maximum = finite(s.Min), finite(s.Max)
	if eb := s.ExclusiveMin; eb.Value != nil {
		use.Minimum = finite(eb.Value)
		use.ExclusiveMin = use.Minimum != nil
	} else if eb.Bool != nil && *eb.Bool && use.Minimum != nil {
		use.ExclusiveMin = true
	}
	if eb := s.ExclusiveMax; eb.Value != nil {
		use.Maximum = finite(eb.Value)
		use.ExclusiveMax = use.Maximum != nil
	} else if eb.Bool != nil && *eb.Bool && use.Maximum != nil {
		use.ExclusiveMax = true
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 && !math.IsInf(*s.MultipleOf, 0) {
		use.MultipleOf = s.MultipleOf
	}
	return use
}

// namedType returns the named type for ref, creating it (with a name from the
// component, or from hint for an inline schema) the first time.
func (b *builder) namedType(ref *openapi3.SchemaRef, hint, pointer string, kind ir.TypeKind) *ir.Type {
	s := ref.Value
	if t, ok := b.byValue[s]; ok {
		return t
	}
	name := b.compNames[s]
	if name == "" {
		if ref.Ref != "" {
			name = ir.GoName(refName(ref.Ref))
		} else {
			name = hint
		}
		name = b.typeNames.Take(name)
	}
	t := &ir.Type{Name: name, Kind: kind, Doc: docOf(s), Pointer: pointer, Pos: b.pos(pointer)}
	if v, ok := s.Extensions["x-bkgen-table"]; ok {
		t.Table = b.identExt(v, "x-bkgen-table", pointer)
	}
	b.byValue[s] = t
	b.types = append(b.types, t)
	return t
}

func (b *builder) fillStruct(t *ir.Type, s *openapi3.Schema, pointer string, depth int) {
	props, required, addl, closed := flattenObject(s)
	names := ir.NewNamer(reservedFieldNames...)
	for _, name := range sortedKeys(props) {
		p := props[name]
		fieldPtr := pointer + "/properties/" + ir.EscapePointer(name)
		use := b.schemaUseDepth(p, t.Name+ir.GoName(name), fieldPtr, depth+1)
		f := &ir.Field{
			Name:     name,
			GoName:   names.Take(ir.GoName(name)),
			Doc:      docOf(p.Value),
			Required: required[name],
			Nullable: use.Nullable,
			Schema:   use,
		}
		if p.Value != nil {
			f.ReadOnly, f.WriteOnly = p.Value.ReadOnly, p.Value.WriteOnly
			f.Store = b.storeExt(p.Value.Extensions, fieldPtr)
			f.Sensitive = b.boolExt(p.Value.Extensions, "x-bkgen-sensitive", fieldPtr) || f.WriteOnly || p.Value.Format == "password"
		}
		t.Fields = append(t.Fields, f)
	}
	if addl != nil {
		t.Additional = b.schemaUseDepth(addl, t.Name+"Value", pointer+"/additionalProperties", depth+1)
	}
	t.Closed = closed
	t.Schema = b.bounds(s)
	// Property counts bound by allOf members bound the whole object.
	b.allOfPropBounds(t.Schema, s, 0)
}

// reservedFieldNames are the names a generated struct cannot give a field:
// its methods (a field and a method of one name do not compile) and the
// member that holds additional properties.
var reservedFieldNames = []string{"AdditionalProperties", "Validate", "UnmarshalJSON", "MarshalJSON", "LogValue"}

func (b *builder) allOfPropBounds(into *ir.Schema, s *openapi3.Schema, depth int) {
	if depth > 8 {
		return
	}
	for _, part := range s.AllOf {
		if part == nil || part.Value == nil {
			continue
		}
		pb := b.bounds(part.Value)
		if pb.MaxProps != nil && (into.MaxProps == nil || *pb.MaxProps < *into.MaxProps) {
			into.MaxProps = pb.MaxProps
		}
		if pb.MinProps != nil && (into.MinProps == nil || *pb.MinProps > *into.MinProps) {
			into.MinProps = pb.MinProps
		}
		b.allOfPropBounds(into, part.Value, depth+1)
	}
}

// flattenObject merges the properties of an object schema and its allOf members.
func flattenObject(s *openapi3.Schema) (props map[string]*openapi3.SchemaRef, required map[string]bool, addl *openapi3.SchemaRef, closed bool) {
	props = make(map[string]*openapi3.SchemaRef)
	required = make(map[string]bool)
	seen := make(map[*openapi3.Schema]bool)
	var walk func(s *openapi3.Schema, top bool)
	walk = func(s *openapi3.Schema, top bool) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, part := range s.AllOf {
			if part != nil {
				walk(part.Value, false)
			}
		}
		// A property several members define must satisfy them all; keep the
		// most specific definition (a typed item over a generic envelope's,
		// a composed one over its part), and on a tie the later one.
		for k, v := range s.Properties {
			if old, dup := props[k]; !dup || specificity(v, 0) >= specificity(old, 0) {
				props[k] = v
			}
		}
		for _, r := range s.Required {
			required[r] = true
		}
		if s.AdditionalProperties.Schema != nil && addl == nil {
			addl = s.AdditionalProperties.Schema
		}
		if top && s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has && len(s.AllOf) == 0 {
			closed = true
		}
	}
	walk(s, true)
	// A required name with no property schema (allowed by JSON Schema) is still
	// required: give it a free-form property.
	for r := range required {
		if _, ok := props[r]; !ok {
			props[r] = &openapi3.SchemaRef{Value: &openapi3.Schema{}}
		}
	}
	return props, required, addl, closed
}

// objectLike reports whether s, or a member of its allOf, describes an object.
func objectLike(s *openapi3.Schema, depth int) bool {
	if s == nil || depth > 16 {
		return false
	}
	if len(s.Properties) > 0 || slices.Contains(schemaTypes(s), "object") || s.AdditionalProperties.Schema != nil {
		return true
	}
	for _, m := range s.AllOf {
		if m != nil && objectLike(m.Value, depth+1) {
			return true
		}
	}
	return false
}

// storeExt reads the x-bkgen-* extensions of a property.
func (b *builder) storeExt(ext map[string]any, pointer string) ir.StoreExt {
	var e ir.StoreExt
	if v, ok := ext["x-bkgen-column"]; ok {
		e.Column = b.identExt(v, "x-bkgen-column", pointer)
	}
	e.Unique = b.boolExt(ext, "x-bkgen-unique", pointer)
	e.Index = b.boolExt(ext, "x-bkgen-index", pointer)
	e.Skip = b.boolExt(ext, "x-bkgen-skip", pointer)
	e.Owner = b.boolExt(ext, "x-bkgen-owner", pointer)
	return e
}

// identExt reads an extension naming a table or column: a lower-case SQL identifier.
func (b *builder) identExt(v any, name, pointer string) string {
	s, ok := v.(string)
	if !ok || s == "" || ir.SnakeName(s) != s {
		b.diags.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: b.pos(pointer), Pointer: pointer,
			Summary: fmt.Sprintf("%s must be a lower-case SQL name such as %q, not %v", name, ir.SnakeName(fmt.Sprint(v)), v),
		})
		return ""
	}
	return s
}

func (b *builder) boolExt(ext map[string]any, name, pointer string) bool {
	v, ok := ext[name]
	if !ok {
		return false
	}
	on, isBool := v.(bool)
	if !isBool {
		b.diags.Errorf(b.pos(pointer), pointer, "%s must be true or false, not %v", name, v)
	}
	return on
}

// specificity scores how much a property schema says: references and
// compositions of references say more than inline generic schemas.
func specificity(ref *openapi3.SchemaRef, depth int) int {
	if ref == nil || ref.Value == nil || depth > 8 {
		return 0
	}
	score := 0
	if ref.Ref != "" {
		score = 2
	}
	s := ref.Value
	if len(s.AllOf) > 0 {
		best := 0
		for _, m := range s.AllOf {
			best = max(best, specificity(m, depth+1))
		}
		score += 1 + best
	}
	if s.Items != nil {
		score += specificity(s.Items, depth+1)
	}
	return score
}

func (b *builder) fillUnion(t *ir.Type, s *openapi3.Schema, pointer string, depth int) {
	alts := unionOf(s)
	kw := "oneOf"
	if len(s.OneOf) == 0 {
		kw = "anyOf"
	}
	t.OneOf = kw == "oneOf"
	if s.Discriminator != nil {
		t.Discriminator = s.Discriminator.PropertyName
	}
	if t.OneOf && s.Discriminator == nil && len(alts) > 1 {
		for i, alt := range alts {
			if v := alt.Value; v != nil && len(v.Required) == 0 && len(v.Properties) > 0 && v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil {
				b.diags.Warnf(b.pos(pointer), pointer, "oneOf/%d accepts any object (no required member, additional members allowed), so an object matching another variant matches it too and breaks oneOf; the generated decoding takes the first variant that matches", i)
				break
			}
		}
	}
	names := ir.NewNamer()
	for i, alt := range alts {
		if alt == nil || alt.Value == nil {
			continue
		}
		if ts := schemaTypes(alt.Value); len(ts) == 1 && ts[0] == "null" {
			t.Schema = &ir.Schema{Nullable: true}
			continue
		}
		use := b.schemaUseDepth(alt, t.Name+"Variant"+strconv.Itoa(i), fmt.Sprintf("%s/%s/%d", pointer, kw, i), depth+1)
		v := &ir.Variant{GoName: names.Take(variantName(use)), Schema: use}
		if t.Discriminator != "" && use.IsStruct() {
			v.Tags = discriminatorTags(s.Discriminator, alt)
			if len(s.Discriminator.Mapping) == 0 {
				// Without a mapping the tag is the schema's name, but real
				// data carries what the property itself allows (Spotify's
				// "track" for TrackObject): accept both.
				v.Tags = append(v.Tags, propertyValues(use.Named, t.Discriminator)...)
			}
			v.Tags = dedupe(v.Tags) // ("Lit" by name, and by the property's enum)
		}
		t.Variants = append(t.Variants, v)
	}
	if t.Discriminator != "" && !slices.ContainsFunc(t.Variants, func(v *ir.Variant) bool { return len(v.Tags) > 0 }) {
		t.Discriminator = ""
	}
}

// dedupe is ss without its repeats, in order.
func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// discriminatorTags lists the discriminator values that select alt: the
// mapping entries pointing at it, or else its component name.
func discriminatorTags(d *openapi3.Discriminator, alt *openapi3.SchemaRef) []string {
	var tags []string
	for _, k := range sortedKeys(d.Mapping) {
		if m := d.Mapping[k]; m.Ref == alt.Ref || (m.Value != nil && m.Value == alt.Value) || refName(m.Ref) == refName(alt.Ref) && alt.Ref != "" {
			tags = append(tags, k)
		}
	}
	if len(tags) == 0 && alt.Ref != "" {
		tags = []string{refName(alt.Ref)}
	}
	return tags
}

// propertyValues lists the string values a struct's property is limited to
// (by an enum or a const), if any.
func propertyValues(t *ir.Type, prop string) []string {
	for _, f := range t.Fields {
		if f.Name != prop {
			continue
		}
		s := f.Schema
		if s.HasConst {
			if c, ok := s.Const.(string); ok {
				return []string{c}
			}
		}
		if s.Kind == ir.KindNamed && s.Named.Kind == ir.TypeEnum && s.Named.Base == ir.KindString {
			var out []string
			for _, v := range s.Named.Values {
				out = append(out, v.Value.(string))
			}
			return out
		}
	}
	return nil
}

func variantName(use *ir.Schema) string {
	switch use.Kind {
	case ir.KindNamed:
		return use.Named.Name
	case ir.KindString:
		return "String"
	case ir.KindInt32, ir.KindInt64:
		return "Int"
	case ir.KindFloat32, ir.KindFloat64:
		return "Number"
	case ir.KindBool:
		return "Bool"
	case ir.KindTime:
		return "Time"
	case ir.KindBytes:
		return "Bytes"
	case ir.KindSlice:
		return "List"
	case ir.KindMap:
		return "Map"
	default:
		return "Value"
	}
}

func (b *builder) fillEnum(t *ir.Type, s *openapi3.Schema, base ir.Kind) {
	t.Base = base
	seen := make(map[string]bool)
	for _, v := range enumValues(s) {
		var val any
		var label string
		switch base {
		case ir.KindString:
			str, _ := v.(string)
			val, label = str, str
		case ir.KindInt64:
			f, _ := v.(float64)
			if i, ok := v.(int64); ok {
				f = float64(i)
			}
			val, label = int64(f), strconv.FormatInt(int64(f), 10)
		default:
			f, _ := v.(float64)
			val, label = f, strconv.FormatFloat(f, 'g', -1, 64)
		}
		key := fmt.Sprint(val)
		if seen[key] {
			continue
		}
		seen[key] = true
		suffix := ir.GoName(label)
		if label == "" {
			suffix = "Empty"
		} else if base != ir.KindString {
			suffix = "Value" + strings.NewReplacer("-", "Minus", ".", "Dot").Replace(label)
		}
		// Constants share the package with the types: take their names from the same pool.
		t.Values = append(t.Values, ir.EnumValue{GoName: b.typeNames.Take(t.Name + suffix), Value: val})
	}
}

// enumBase decides the Go base kind of an enum, false when the values are of mixed or unsupported types.
func enumBase(s *openapi3.Schema, types []string) (ir.Kind, bool) {
	var str, num, integer int
	vals := enumValues(s)
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			str++
		case float64:
			num++
			if x == math.Trunc(x) {
				integer++
			}
		case int64, int:
			num++
			integer++
		}
	}
	switch {
	case str == len(vals) && (len(types) == 0 || types[0] == "string"):
		return ir.KindString, true
	case num == len(vals) && integer == num && (len(types) == 0 || types[0] == "integer"):
		return ir.KindInt64, true
	case num == len(vals) && (len(types) == 0 || types[0] == "number"):
		return ir.KindFloat64, true
	}
	return 0, false
}

func enumValues(s *openapi3.Schema) []any {
	return slices.DeleteFunc(slices.Clone(s.Enum), func(v any) bool { return v == nil })
}

func unionOf(s *openapi3.Schema) openapi3.SchemaRefs {
	if len(s.OneOf) > 0 {
		return s.OneOf
	}
	return s.AnyOf
}

func nonNull(refs openapi3.SchemaRefs) openapi3.SchemaRefs {
	var out openapi3.SchemaRefs
	for _, r := range refs {
		if r == nil || r.Value == nil {
			continue
		}
		if ts := schemaTypes(r.Value); len(ts) == 1 && ts[0] == "null" {
			continue
		}
		out = append(out, r)
	}
	return out
}

func schemaTypes(s *openapi3.Schema) []string {
	if s.Type == nil {
		return nil
	}
	return slices.Clone(s.Type.Slice())
}

func (b *builder) withNullable(use *ir.Schema, s *openapi3.Schema) *ir.Schema {
	if s.Nullable || slices.Contains(schemaTypes(s), "null") {
		use = cloneSchema(use)
		use.Nullable = true
	}
	return use
}

func cloneSchema(s *ir.Schema) *ir.Schema {
	c := *s
	return &c
}

func isComponent(ref *openapi3.SchemaRef) bool { return ref.Ref != "" }

// refName is the last segment of a $ref: "#/components/schemas/Pet" -> "Pet".
func refName(ref string) string {
	if i := strings.LastIndexAny(ref, "/#"); i >= 0 {
		ref = ref[i+1:]
	}
	ref = strings.TrimSuffix(strings.TrimSuffix(ref, ".yaml"), ".json")
	return strings.ReplaceAll(strings.ReplaceAll(ref, "~1", "/"), "~0", "~")
}

// refPointer turns an internal $ref into the JSON pointer of its target;
// external refs keep the pointer of the use.
func refPointer(ref, use string) string {
	if strings.HasPrefix(ref, "#/") {
		return ref[1:]
	}
	return use
}

func docOf(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	if s.Description != "" {
		return s.Description
	}
	return s.Title
}

func finite(f *float64) *float64 {
	if f == nil || math.IsInf(*f, 0) || math.IsNaN(*f) {
		return nil
	}
	return f
}

func clampInt(u uint64) int64 {
	if u > math.MaxInt32 {
		return math.MaxInt32
	}
	return int64(u)
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// warnUnenforced says, once per schema, which JSON Schema 2020-12 keywords of
// s the generated validation does not check: values they would refuse are
// accepted.
func (b *builder) warnUnenforced(s *openapi3.Schema, pointer string) {
	if b.unenforced[pointer] {
		return
	}
	var kw []string
	if len(s.PatternProperties) > 0 {
		kw = append(kw, "patternProperties")
	}
	if len(s.DependentSchemas) > 0 {
		kw = append(kw, "dependentSchemas")
	}
	if s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil {
		kw = append(kw, "unevaluatedProperties")
	}
	if s.If != nil {
		kw = append(kw, "if/then/else")
	}
	if len(kw) == 0 {
		return
	}
	b.unenforced[pointer] = true
	b.diags.Warnf(b.pos(pointer), pointer, "%s: not checked by the generated validation (values they would refuse are accepted)", strings.Join(kw, ", "))
}
