package main

import (
	"bytes"
	"fmt"
	"go/doc/comment"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/internal/cli"
)

// key is one key of bkgen.yaml as docs/config.md describes it.
type key struct {
	name    string // "base_path"
	field   string // "BasePath"
	typ     string // "string"
	def     string // the default, as markdown
	flag    string // "--base-path"; "" when no flag sets it
	allowed []string
	doc     *comment.Doc
}

// generate returns docs/config.md, from the package config whose source is
// in dir.
func generate(dir string) ([]byte, error) {
	src, err := readSource(dir)
	if err != nil {
		return nil, err
	}
	flags, err := generationFlags()
	if err != nil {
		return nil, err
	}
	keys, err := keysOf(src, flags)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writePage(&b, keys, src); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// keysOf lists the keys of bkgen.yaml in the order of Config's fields, which
// is the order config.Marshal writes them in. flags are the generation flags
// of bkgen new; each must belong to a key.
func keysOf(src *source, flags []string) ([]key, error) {
	t := reflect.TypeFor[config.Config]()
	defaults := reflect.ValueOf(config.Default())
	var keys []key
	used := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			return nil, fmt.Errorf("field Config.%s has no yaml key", f.Name)
		}
		typ, err := typeName(f.Type)
		if err != nil {
			return nil, fmt.Errorf("field Config.%s: %w", f.Name, err)
		}
		k := key{name: name, field: f.Name, typ: typ, def: defaultOf(defaults.Field(i)), doc: src.fields[f.Name]}
		if k.doc == nil {
			return nil, fmt.Errorf("field Config.%s has no doc comment", f.Name)
		}
		if flag := "--" + strings.ReplaceAll(name, "_", "-"); slices.Contains(flags, flag) {
			k.flag = flag
			used[flag] = true
		}
		if k.allowed, err = allowedValues(k.doc, src.lists); err != nil {
			return nil, fmt.Errorf("field Config.%s: %w", f.Name, err)
		}
		keys = append(keys, k)
	}
	for _, flag := range flags {
		if !used[flag] {
			return nil, fmt.Errorf("generation flag %s of bkgen new sets no key of bkgen.yaml named after it", flag)
		}
	}
	return keys, nil
}

// typeName names the type of a key's value as bkgen.yaml spells it.
func typeName(t reflect.Type) (string, error) {
	switch {
	case t.Kind() == reflect.Int:
		return "integer", nil
	case t.Kind() == reflect.String:
		return "string", nil
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String:
		return "string", nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "list of strings", nil
	}
	return "", fmt.Errorf("configdoc cannot describe a value of type %s", t)
}

// defaultOf writes the default value v as markdown.
func defaultOf(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int:
		return "`" + strconv.FormatInt(v.Int(), 10) + "`"
	case reflect.String:
		if v.String() == "" {
			return "unset"
		}
		return "`" + v.String() + "`"
	case reflect.Pointer:
		if v.IsNil() {
			return "unset"
		}
		return defaultOf(v.Elem())
	case reflect.Slice:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = v.Index(i).String()
		}
		return "`[" + strings.Join(items, ", ") + "]`"
	}
	return "unset"
}

// allowedValues returns the values of the list a doc comment links to
// ([Stacks]); nil when it links to none. A comment may link to one list, and
// to nothing else.
func allowedValues(d *comment.Doc, lists map[string][]string) ([]string, error) {
	var names []string
	var bad error
	walkLinks(d, func(l *comment.DocLink) {
		switch _, ok := lists[l.Name]; {
		case ok && l.ImportPath == "" && l.Recv == "":
			names = append(names, l.Name)
		default:
			bad = fmt.Errorf("doc link [%s] is not a list of values of package config: docs/config.md cannot show it", linkName(l))
		}
	})
	switch {
	case bad != nil:
		return nil, bad
	case len(names) == 0:
		return nil, nil
	case slices.ContainsFunc(names, func(n string) bool { return n != names[0] }):
		return nil, fmt.Errorf("doc links to several lists of values: %s", strings.Join(names, ", "))
	}
	return lists[names[0]], nil
}

func linkName(l *comment.DocLink) string {
	parts := []string{}
	for _, p := range []string{l.ImportPath, l.Recv, l.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// walkLinks calls fn for every doc link of d.
func walkLinks(d *comment.Doc, fn func(*comment.DocLink)) {
	var text func([]comment.Text)
	text = func(ts []comment.Text) {
		for _, t := range ts {
			switch t := t.(type) {
			case *comment.DocLink:
				fn(t)
			case *comment.Link:
				text(t.Text)
			}
		}
	}
	var blocks func([]comment.Block)
	blocks = func(bs []comment.Block) {
		for _, b := range bs {
			switch b := b.(type) {
			case *comment.Paragraph:
				text(b.Text)
			case *comment.Heading:
				text(b.Text)
			case *comment.List:
				for _, item := range b.Items {
					blocks(item.Content)
				}
			}
		}
	}
	blocks(d.Content)
}

// generationFlags returns the flags of the "Generation flags" group of
// bkgen new's help: those that mirror a key of bkgen.yaml.
func generationFlags() ([]string, error) {
	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"new", "--help"}, strings.NewReader(""), &out, &errOut); code != cli.ExitOK {
		return nil, fmt.Errorf("bkgen new --help exited %d: %s", code, errOut.String())
	}
	var flags []string
	in := false
	for line := range strings.Lines(out.String()) {
		switch {
		case strings.HasPrefix(line, "Generation flags"):
			in = true
		case in && strings.TrimSpace(line) == "":
			in = false
		case in:
			for word := range strings.FieldsSeq(line) {
				if strings.HasPrefix(word, "--") {
					flags = append(flags, strings.TrimSuffix(word, ","))
				}
			}
		}
	}
	if len(flags) == 0 {
		return nil, fmt.Errorf("no group of generation flags in the help of bkgen new:\n%s", out.String())
	}
	return flags, nil
}

// docsLink is a mention of a page of docs/ in a comment; configdoc makes it
// a link, relative to docs/config.md.
var docsLink = regexp.MustCompile(`\bdocs/([a-z0-9-]+\.md)\b`)

// markdown writes the blocks of a doc comment as markdown, paragraphs
// wrapped at wrapWidth. Doc links to a list of values are written as the
// values. A first paragraph starting with the Go name of the field, as Go
// comments do, starts with the key instead.
func markdown(w io.Writer, d *comment.Doc, k key, lists map[string][]string) {
	for i, b := range d.Content {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if p, ok := b.(*comment.Paragraph); ok && i == 0 && len(p.Text) > 0 {
			if first, ok := p.Text[0].(comment.Plain); ok && strings.HasPrefix(string(first), k.field+" ") {
				text := slices.Clone(p.Text)
				text[0] = comment.Plain("`" + k.name + "`" + strings.TrimPrefix(string(first), k.field))
				b = &comment.Paragraph{Text: text}
			}
		}
		writeBlock(w, b, lists, "")
	}
}

// wrapWidth is the width paragraphs are wrapped at.
const wrapWidth = 76

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for word := range strings.FieldsSeq(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

func writeBlock(w io.Writer, b comment.Block, lists map[string][]string, indent string) {
	switch b := b.(type) {
	case *comment.Paragraph:
		for line := range strings.Lines(wrap(inline(b.Text, lists), wrapWidth-len(indent))) {
			fmt.Fprint(w, indent+line)
		}
		fmt.Fprintln(w)
	case *comment.Heading:
		fmt.Fprintf(w, "%s#### %s\n", indent, inline(b.Text, lists))
	case *comment.Code:
		fmt.Fprintf(w, "%s```\n", indent)
		for line := range strings.Lines(b.Text) {
			fmt.Fprint(w, indent+line)
		}
		fmt.Fprintf(w, "%s```\n", indent)
	case *comment.List:
		for _, item := range b.Items {
			marker := "- "
			if item.Number != "" {
				marker = item.Number + ". "
			}
			var sub bytes.Buffer
			for _, c := range item.Content {
				writeBlock(&sub, c, lists, "")
			}
			for j, line := range slices.Collect(strings.Lines(sub.String())) {
				if j == 0 {
					fmt.Fprint(w, indent+marker+line)
				} else {
					fmt.Fprint(w, indent+strings.Repeat(" ", len(marker))+line)
				}
			}
		}
	}
}

// inline writes doc comment text as markdown: plain text as it is (but "<",
// which markdown would take for HTML), docs/ pages as links, doc links to
// lists as their values.
func inline(ts []comment.Text, lists map[string][]string) string {
	var b strings.Builder
	for _, t := range ts {
		switch t := t.(type) {
		case comment.Plain:
			s := strings.ReplaceAll(string(t), "<", "&lt;")
			b.WriteString(docsLink.ReplaceAllString(s, "[docs/$1]($1)"))
		case comment.Italic:
			b.WriteString("*" + string(t) + "*")
		case *comment.Link:
			fmt.Fprintf(&b, "[%s](%s)", inline(t.Text, lists), t.URL)
		case *comment.DocLink:
			b.WriteString(codeList(lists[t.Name]))
		}
	}
	return b.String()
}

// codeList writes values as code, separated by commas.
func codeList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
