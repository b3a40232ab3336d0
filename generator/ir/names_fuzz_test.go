package ir

import (
	"go/token"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzGoName checks the sanitisers of names.go on any string:
//   - GoName is an exported Go identifier (never a keyword), the same for
//     the same input, and so is GoName of its output;
//   - LowerName is an unexported Go identifier, never a keyword;
//   - SnakeName is a lower-case SQL name (IsSQLName), within 63 bytes;
//   - Slug is a DNS label (lower-case letters, digits and inner dashes,
//     starting with a letter, at most 63 bytes);
//   - EscapePointer is undone by unescaping;
//   - a Namer hands out distinct names (case-insensitively), TakeWithin
//     within its limit.
func FuzzGoName(f *testing.F) {
	for _, s := range []string{
		"pet_id", "petId", "HTTPServer", "ids", "idS", "2fa", "type", "", "$ref", "日本", "élan", "api.v1/pets",
		"user-name", "user_name", "userName", "ǅemal", "ϒ", "ß", "İstanbul", "ı", "٣٤", "Ⅻ", "a\u200bb", "\u202eevil",
		"../../etc/passwd", "a\x00b", "range", "func", "_", "__", "c_", strings.Repeat("long_name_", 10), "😀",
		"\xff\xfe", "ABCDef", "a1B2c3", "_leading", "trailing_", "-x-", "x--y", "TYPE", "RANGE",
	} {
		f.Add(s, "Pet")
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		g := GoName(s)
		if !token.IsIdentifier(g) || !token.IsExported(g) {
			t.Errorf("GoName(%q) = %q: not an exported identifier", s, g)
		}
		if again := GoName(s); again != g {
			t.Errorf("GoName(%q) = %q, then %q", s, g, again)
		}
		if gg := GoName(g); !token.IsIdentifier(gg) || !token.IsExported(gg) {
			t.Errorf("GoName(GoName(%q)) = %q: not an exported identifier", s, gg)
		}

		l := LowerName(s)
		if !token.IsIdentifier(l) || token.IsKeyword(l) {
			t.Errorf("LowerName(%q) = %q: not an identifier", s, l)
		}
		if r, _ := utf8.DecodeRuneInString(l); unicode.IsUpper(r) {
			t.Errorf("LowerName(%q) = %q starts with an upper-case letter: exported", s, l)
		}
		if again := LowerName(s); again != l {
			t.Errorf("LowerName(%q) = %q, then %q", s, l, again)
		}

		sn := SnakeName(s)
		if !IsSQLName(sn) {
			t.Errorf("SnakeName(%q) = %q: not a lower-case SQL name", s, sn)
		}

		slug := Slug(s)
		if !isDNSLabel(slug) {
			t.Errorf("Slug(%q) = %q: not a DNS label", s, slug)
		}

		if back := strings.NewReplacer("~1", "/", "~0", "~").Replace(EscapePointer(s)); back != s {
			t.Errorf("EscapePointer(%q) = %q, unescaped %q", s, EscapePointer(s), back)
		}

		n := NewNamer("Services")
		seen := make(map[string]bool)
		for _, base := range []string{s, other, s, strings.ToUpper(s), other, s} {
			name := n.Take(base)
			if seen[strings.ToLower(name)] {
				t.Errorf("Take(%q) = %q, taken before", base, name)
			}
			seen[strings.ToLower(name)] = true
			w := n.TakeWithin(SnakeName(base), 63)
			if len(w) > 63 || seen[strings.ToLower(w)] || !IsSQLName(w) {
				t.Errorf("TakeWithin(%q, 63) = %q: too long, taken before or no SQL name", SnakeName(base), w)
			}
			seen[strings.ToLower(w)] = true
		}
	})
}

// isDNSLabel reports whether s is an RFC 1123 label that starts with a letter.
func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
