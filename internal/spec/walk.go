package spec

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// kind is what an element of an OpenAPI document is, as far as $refs are
// concerned: where a $ref may appear, what it must point to, and which parts
// are plain data (examples, defaults) whose "$ref" keys mean nothing.
type kind uint8

const (
	kOther         kind = iota // an object whose members are not tracked further
	kDoc                       // the document root
	kData                      // example, default, enum, const: literal values
	kExt                       // inside an x- extension: refs are not followed
	kPathItem                  // Path Item Object
	kOperation                 // Operation Object
	kParameter                 // Parameter Object (also 2.0 body/formData parameters)
	kRequestBody               // Request Body Object
	kResponse                  // Response Object
	kHeader                    // Header Object
	kMediaType                 // Media Type Object
	kSchema                    // Schema Object
	kExample                   // Example Object
	kLink                      // Link Object
	kCallback                  // Callback Object: expression -> Path Item
	kSecurity                  // Security Scheme Object
	kEncoding                  // Encoding Object
	kComponents                // Components Object
	kDiscriminator             // Discriminator Object: mapping values are refs
)

// collection is how the members of a value are shaped: a mapping whose
// values (or a sequence whose items) are all of one kind.
type collection struct {
	of     kind
	isList bool // sequence of `of` (a mapping is also accepted, for 2.0 and 3.x alike)
}

// fieldKinds says, per kind of object, what its known fields hold. A field
// missing here is kOther (or kData when listed in dataFields).
var fieldKinds = map[kind]map[string]any{
	kDoc: {
		"paths": collection{of: kPathItem}, "webhooks": collection{of: kPathItem},
		"components": kComponents,
		// Swagger 2.0
		"definitions": collection{of: kSchema}, "parameters": collection{of: kParameter},
		"responses": collection{of: kResponse}, "securityDefinitions": collection{of: kSecurity},
	},
	kComponents: {
		"schemas": collection{of: kSchema}, "responses": collection{of: kResponse},
		"parameters": collection{of: kParameter}, "examples": collection{of: kExample},
		"requestBodies": collection{of: kRequestBody}, "headers": collection{of: kHeader},
		"securitySchemes": collection{of: kSecurity}, "links": collection{of: kLink},
		"callbacks": collection{of: kCallback}, "pathItems": collection{of: kPathItem},
		"mediaTypes": collection{of: kMediaType},
	},
	kPathItem: {
		"parameters": collection{of: kParameter, isList: true},
		"get":        kOperation, "put": kOperation, "post": kOperation, "delete": kOperation,
		"options": kOperation, "head": kOperation, "patch": kOperation, "trace": kOperation,
		"query": kOperation, "additionalOperations": collection{of: kOperation},
	},
	kOperation: {
		"parameters": collection{of: kParameter, isList: true}, "requestBody": kRequestBody,
		"responses": collection{of: kResponse}, "callbacks": collection{of: kCallback},
	},
	kParameter: {
		"schema": kSchema, "content": collection{of: kMediaType}, "examples": collection{of: kExample},
		"items": kSchema, // Swagger 2.0
	},
	kHeader: {
		"schema": kSchema, "content": collection{of: kMediaType}, "examples": collection{of: kExample},
		"items": kSchema, // Swagger 2.0
	},
	kRequestBody: {"content": collection{of: kMediaType}},
	kResponse: {
		"headers": collection{of: kHeader}, "content": collection{of: kMediaType},
		"links":  collection{of: kLink},
		"schema": kSchema, "examples": kData, // Swagger 2.0
	},
	kMediaType: {
		"schema": kSchema, "itemSchema": kSchema, "examples": collection{of: kExample},
		"encoding": collection{of: kEncoding},
	},
	kEncoding: {"headers": collection{of: kHeader}},
	kCallback: {},
	kExample:  {"value": kData},
	kLink:     {"parameters": kData, "requestBody": kData},
	kSchema: {
		"properties": collection{of: kSchema}, "patternProperties": collection{of: kSchema},
		"$defs": collection{of: kSchema}, "definitions": collection{of: kSchema},
		"dependentSchemas": collection{of: kSchema},
		"items":            kSchema, "additionalProperties": kSchema, "not": kSchema,
		"additionalItems": kSchema, "contains": kSchema, "propertyNames": kSchema,
		"if": kSchema, "then": kSchema, "else": kSchema, "unevaluatedItems": kSchema,
		"unevaluatedProperties": kSchema, "contentSchema": kSchema,
		"allOf": collection{of: kSchema, isList: true}, "anyOf": collection{of: kSchema, isList: true},
		"oneOf": collection{of: kSchema, isList: true}, "prefixItems": collection{of: kSchema, isList: true},
		"discriminator": kDiscriminator, "examples": kData, "x-examples": kData,
	},
}

// dataFields hold literal values in every kind of object.
var dataFields = map[string]bool{"example": true, "default": true, "enum": true, "const": true}

// childKind returns what the value of field key in an object of kind k holds.
func childKind(k kind, key string) any {
	switch {
	case k == kData:
		return kData
	case k == kExt || strings.HasPrefix(key, "x-"):
		return kExt
	case k == kCallback:
		return kPathItem
	}
	if c, ok := fieldKinds[k][key]; ok {
		return c
	}
	if dataFields[key] {
		return kData
	}
	return kOther
}

// refSite is a mapping that holds a "$ref" string.
type refSite struct {
	holder *yaml.Node // the mapping holding the $ref
	key    *yaml.Node // the "$ref" key
	value  *yaml.Node // the string it refers to
	toks   []string   // pointer tokens of holder in its file
	kind   kind       // what the holder is: what the $ref must point to
}

// mappingRef is a discriminator mapping value, which refers to a schema by
// name or by $ref-style reference.
type mappingRef struct {
	value *yaml.Node
	toks  []string
}

// walker visits the $refs of a node tree. Aliases are not followed: the
// anchored node is visited where it is defined, which keeps the walk linear
// in the size of the file however aliases multiply it.
type walker struct {
	// ref is called for each $ref outside extensions and data. When it
	// returns false, the holder's other members are not visited.
	ref func(s refSite) bool
	// extRef is called for each $ref inside an x- extension.
	extRef func(s refSite)
	// mapping is called for each discriminator mapping value.
	mapping func(m mappingRef)
	toks    []string
}

// walk visits n, an element of kind k.
func (w *walker) walk(n *yaml.Node, k any) {
	if n == nil || k == kData {
		return
	}
	switch c := k.(type) {
	case collection:
		w.walkCollection(n, c)
		return
	case kind:
		w.walkObject(n, c)
	}
}

func (w *walker) walkCollection(n *yaml.Node, c collection) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.push(n.Content[i].Value)
			w.walk(n.Content[i+1], childOf(c, n.Content[i].Value))
			w.pop()
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			w.push(itoa(i))
			w.walk(item, c.of)
			w.pop()
		}
	}
}

// childOf is the kind of a collection's member named name: extensions among
// the members of a name map (x-foo under paths) are extensions.
func childOf(c collection, name string) any {
	if strings.HasPrefix(name, "x-") && !c.isList && c.of != kSchema {
		return kExt
	}
	return c.of
}

func (w *walker) walkObject(n *yaml.Node, k kind) {
	switch n.Kind {
	case yaml.SequenceNode:
		// A list where an object is expected: items of draft-04 tuple
		// "items", or a malformed document. Visit the items as the same kind.
		for i, item := range n.Content {
			w.push(itoa(i))
			w.walk(item, k)
			w.pop()
		}
		return
	case yaml.MappingNode:
	default:
		return
	}
	if k == kDiscriminator {
		if m := mapValue(n, "mapping"); m != nil && m.Kind == yaml.MappingNode && w.mapping != nil {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if v := m.Content[i+1]; v.Kind == yaml.ScalarNode {
					w.mapping(mappingRef{value: v, toks: w.path("mapping", m.Content[i].Value)})
				}
			}
		}
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Value == "$ref" && key.Kind == yaml.ScalarNode && val.Kind == yaml.ScalarNode {
			site := refSite{holder: n, key: key, value: val, toks: w.path(), kind: k}
			if k == kExt {
				if w.extRef != nil {
					w.extRef(site)
				}
				continue
			}
			if w.ref != nil && !w.ref(site) {
				return
			}
			continue
		}
		w.push(key.Value)
		w.walk(val, childKind(k, key.Value))
		w.pop()
	}
}

func (w *walker) push(tok string) { w.toks = append(w.toks, tok) }
func (w *walker) pop()            { w.toks = w.toks[:len(w.toks)-1] }

// path returns a copy of the current tokens followed by more.
func (w *walker) path(more ...string) []string {
	out := make([]string, 0, len(w.toks)+len(more))
	return append(append(out, w.toks...), more...)
}

func itoa(i int) string { return strconv.Itoa(i) }
