package ir

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are the words Go writes in one case (Effective Go, golint's list).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"LHS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true,
	"SQL": true, "SSH": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true,
	"UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true, "IDS": false,
}

// GoName turns any spec string into an exported Go identifier: words are split
// on non-alphanumerics and case changes, capitalised, initialisms upper-cased;
// a leading digit or a letter with no upper case gets an "X" prefix. The result
// is never empty and never a keyword (exported names cannot be).
func GoName(s string) string {
	words := splitWords(s)
	var b strings.Builder
	for _, w := range words {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		if up == "IDS" {
			b.WriteString("IDs")
			continue
		}
		r := []rune(strings.ToLower(w))
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	name := b.String()
	if name == "" {
		return "X"
	}
	first := []rune(name)[0]
	if !unicode.IsUpper(first) {
		name = "X" + name
	}
	return name
}

// LowerName is GoName with its first word lower-cased, for unexported names.
func LowerName(s string) string {
	n := GoName(s)
	r := []rune(n)
	// Lower the leading run of capitals, keeping the last one when it starts a word: "HTTPServer" -> "httpServer".
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	var out string
	if i == len(r) {
		out = strings.ToLower(n)
		r = []rune(out)
	} else {
		if i > 1 {
			i--
		}
		for j := 0; j < max(i, 1); j++ {
			r[j] = unicode.ToLower(r[j])
		}
		out = string(r)
	}
	if unicode.IsUpper(r[0]) {
		// An upper-case letter with no lower case (ϒ): still exported.
		out = "x" + out
	}
	if isKeyword(out) {
		out += "_"
	}
	return out
}

// splitWords splits on anything that is not a letter or digit, and on
// lower-to-upper case changes ("petId" -> pet, Id; "HTTPServer" -> HTTP, Server).
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

var keywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true,
	"if": true, "import": true, "interface": true, "map": true, "package": true, "range": true,
	"return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
}

func isKeyword(s string) bool { return keywords[s] }

// Namer hands out names unique within one scope, case-insensitively (two
// files "Pet.go" and "pet.go" collide on some file systems; two Go names that
// differ only in case confuse readers).
type Namer struct {
	used map[string]bool
}

// NewNamer returns a Namer with the reserved names already taken.
func NewNamer(reserved ...string) *Namer {
	n := &Namer{used: make(map[string]bool)}
	for _, r := range reserved {
		n.used[strings.ToLower(r)] = true
	}
	return n
}

// Has reports whether name is taken.
func (n *Namer) Has(name string) bool { return n.used[strings.ToLower(name)] }

// Take returns base, or base with the smallest numeric suffix that is free, and reserves it.
func (n *Namer) Take(base string) string {
	name := base
	for i := 2; n.used[strings.ToLower(name)]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.used[strings.ToLower(name)] = true
	return name
}

// TakeWithin is Take for names of at most limit bytes (SQL identifiers:
// PostgreSQL cuts longer ones, so two names that differ only past the limit
// would be one): base is cut to make room for the suffix.
func (n *Namer) TakeWithin(base string, limit int) string {
	name := cutBytes(base, limit)
	for i := 2; n.used[strings.ToLower(name)]; i++ {
		suffix := strconv.Itoa(i)
		name = cutBytes(base, limit-len(suffix)) + suffix
	}
	n.used[strings.ToLower(name)] = true
	return name
}

// cutBytes is s cut to at most limit bytes, on a rune boundary.
func cutBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit]
}

// Slug turns a title into a lower-case, dash-separated name usable as a
// folder, binary and DNS label: "Swagger Petstore - OpenAPI 3.0" -> "swagger-petstore-openapi-3-0".
func Slug(s string) string {
	slug := strings.Join(asciiWords(s), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	if slug == "" || !unicode.IsLetter(rune(slug[0])) {
		slug = "svc-" + slug
		slug = strings.TrimRight(slug, "-")
	}
	return slug
}

// SnakeName turns a spec name into a lower-case SQL identifier:
// "petId" → "pet_id", "Created At" → "created_at", "2fa" → "c_2fa".
func SnakeName(s string) string {
	name := strings.Join(asciiWords(s), "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "c_" + name
	}
	if len(name) > 63 { // PostgreSQL's identifier limit
		name = name[:63]
	}
	return name
}

// IsSQLName reports whether s is a lower-case SQL name as SnakeName makes
// them: ASCII letters, digits and underscores, not starting with a digit,
// 1 to 63 bytes (PostgreSQL's limit).
func IsSQLName(s string) bool {
	if s == "" || len(s) > 63 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// asciiWords splits s into lower-case words and keeps their ASCII letters
// and digits: names for files, DNS and SQL.
func asciiWords(s string) []string {
	var words []string
	for _, w := range splitWords(s) {
		var b strings.Builder
		for _, r := range strings.ToLower(w) {
			if r < 128 {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	return words
}
