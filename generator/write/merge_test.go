package write

import (
	"bytes"
	"strings"
	"testing"
)

// lines joins its arguments, each ended by a newline.
func lines(ls ...string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

func conflictBlock(ours, theirs []string) []string {
	out := []string{markerOurs}
	out = append(out, ours...)
	out = append(out, markerSep)
	out = append(out, theirs...)
	return append(out, markerTheirs)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	base := lines("a", "b", "c", "d", "e", "f", "g")
	tests := []struct {
		name               string
		base, ours, theirs string
		nilBase            bool
		want               string
		conflict           bool
	}{
		{
			name: "only theirs changed",
			base: base, ours: base, theirs: lines("a", "b", "C", "d", "e", "f", "g"),
			want: lines("a", "b", "C", "d", "e", "f", "g"),
		},
		{
			name: "only ours changed",
			base: base, ours: lines("a", "B", "c", "d", "e", "f", "g"), theirs: base,
			want: lines("a", "B", "c", "d", "e", "f", "g"),
		},
		{
			name: "same change on both sides",
			base: base, ours: lines("a", "X", "c", "d", "e", "f", "g"), theirs: lines("a", "X", "c", "d", "e", "f", "g", "h"),
			want: lines("a", "X", "c", "d", "e", "f", "g", "h"),
		},
		{
			name: "changes far apart",
			base: base, ours: lines("a", "B", "c", "d", "e", "f", "g"), theirs: lines("a", "b", "c", "d", "e", "F", "g"),
			want: lines("a", "B", "c", "d", "e", "F", "g"),
		},
		{
			name: "insert at top and append at end",
			base: base, ours: lines("// mine", "a", "b", "c", "d", "e", "f", "g"), theirs: lines("a", "b", "c", "d", "e", "f", "g", "h", "i"),
			want: lines("// mine", "a", "b", "c", "d", "e", "f", "g", "h", "i"),
		},
		{
			name: "ours deletes, theirs edits elsewhere",
			base: base, ours: lines("a", "c", "d", "e", "f", "g"), theirs: lines("a", "b", "c", "d", "e", "f", "G"),
			want: lines("a", "c", "d", "e", "f", "G"),
		},
		{
			name: "both insert different lines at different places",
			base: base, ours: lines("a", "b", "mine", "c", "d", "e", "f", "g"), theirs: lines("a", "b", "c", "d", "e", "theirs", "f", "g"),
			want: lines("a", "b", "mine", "c", "d", "e", "theirs", "f", "g"),
		},
		{
			name: "same line changed differently",
			base: base, ours: lines("a", "b", "X", "d", "e", "f", "g"), theirs: lines("a", "b", "Y", "d", "e", "f", "g"),
			want:     lines(append(append([]string{"a", "b"}, conflictBlock([]string{"X"}, []string{"Y"})...), "d", "e", "f", "g")...),
			conflict: true,
		},
		{
			name: "common lines moved out of the conflict",
			base: base, ours: lines("a", "b", "P", "X", "Q", "d", "e", "f", "g"), theirs: lines("a", "b", "P", "Y", "Q", "d", "e", "f", "g"),
			want:     lines(append(append([]string{"a", "b", "P"}, conflictBlock([]string{"X"}, []string{"Y"})...), "Q", "d", "e", "f", "g")...),
			conflict: true,
		},
		{
			name: "ours deleted what theirs changed",
			base: lines("a", "b", "c"), ours: lines("a", "c"), theirs: lines("a", "B", "c"),
			want:     lines(append(append([]string{"a"}, conflictBlock(nil, []string{"B"})...), "c")...),
			conflict: true,
		},
		{
			name: "no trailing newline in a conflict",
			base: "a\nb", ours: "a\nX", theirs: "a\nY",
			want:     lines(append([]string{"a"}, conflictBlock([]string{"X"}, []string{"Y"})...)...),
			conflict: true,
		},
		{
			name:    "no common ancestor",
			nilBase: true, ours: lines("a", "b", "c"), theirs: lines("a", "x", "c"),
			want:     lines(append(append([]string{"a"}, conflictBlock([]string{"b"}, []string{"x"})...), "c")...),
			conflict: true,
		},
		{
			name:    "no common ancestor, same content",
			nilBase: true, ours: lines("a"), theirs: lines("a"),
			want: lines("a"),
		},
		{
			name: "CRLF lines are lines",
			base: "a\r\nb\r\nc\r\n", ours: "A\r\nb\r\nc\r\n", theirs: "a\r\nb\r\nC\r\n",
			want: "A\r\nb\r\nC\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var base []byte
			if !tt.nilBase {
				base = []byte(tt.base)
			}
			got, conflict := Merge(base, []byte(tt.ours), []byte(tt.theirs))
			if string(got) != tt.want || conflict != tt.conflict {
				t.Errorf("Merge() = %v\n%s\nwant %v\n%s", conflict, got, tt.conflict, tt.want)
			}
			if hasConflictMarkers(got) != tt.conflict {
				t.Errorf("hasConflictMarkers(result) = %v, want %v", !tt.conflict, tt.conflict)
			}
		})
	}
}

func TestHasConflictMarkers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"":                                false,
		"a\n=======\nb\n":                 false, // a markdown heading underline
		"x <<<<<<< yours\n":               false,
		"<<<<<<< yours\nx\n":              true,
		"a\n>>>>>>> bkgen":                true,
		"<<<<<<< HEAD\nx\n>>>>>>> main\n": false, // not ours to judge
	} {
		if got := hasConflictMarkers([]byte(in)); got != want {
			t.Errorf("hasConflictMarkers(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte(lines("a", "b", "c")), []byte(lines("a", "B", "c")), []byte(lines("a", "b", "C")))
	f.Add([]byte(lines("a", "b", "c")), []byte(lines("a", "X", "c")), []byte(lines("a", "Y", "c")))
	f.Add([]byte(""), []byte("x"), []byte("y\n"))
	f.Add([]byte("a\nb\na\nb\n"), []byte("b\na\n"), []byte("a\na\nb\nb"))
	f.Fuzz(func(t *testing.T, base, ours, theirs []byte) {
		// The shortcuts of Merge.
		if got, c := Merge(base, base, theirs); !bytes.Equal(got, theirs) || c {
			t.Fatalf("Merge(base, base, theirs) = %q, %v; want theirs %q", got, c, theirs)
		}
		if got, c := Merge(base, ours, base); !bytes.Equal(got, ours) || c {
			t.Fatalf("Merge(base, ours, base) = %q, %v; want ours %q", got, c, ours)
		}
		// The line merge itself obeys the same rules.
		if got, c := merge3(base, base, theirs); !bytes.Equal(got, theirs) || c {
			t.Fatalf("merge3(base, base, theirs) = %q, %v; want theirs %q", got, c, theirs)
		}
		if got, c := merge3(base, ours, base); !bytes.Equal(got, ours) || c {
			t.Fatalf("merge3(base, ours, base) = %q, %v; want ours %q", got, c, ours)
		}
		if got, c := merge3(base, ours, ours); !bytes.Equal(got, ours) || c {
			t.Fatalf("merge3(base, ours, ours) = %q, %v; want ours %q", got, c, ours)
		}
		got, conflict := Merge(base, ours, theirs)
		if conflict && !bytes.Contains(got, []byte(markerOurs+"\n")) {
			t.Fatalf("conflict reported without markers: %q", got)
		}
		// A line added at the top by the user and one appended by bkgen,
		// both new to the file, merge cleanly.
		if len(base) > 0 && base[len(base)-1] == '\n' && !bytes.Contains(base, []byte("\x01")) {
			top, end := []byte("\x01top\n"), []byte("\x01end\n")
			o := append(append([]byte{}, top...), base...)
			th := append(append([]byte{}, base...), end...)
			want := append(append(append([]byte{}, top...), base...), end...)
			if got, c := Merge(base, o, th); !bytes.Equal(got, want) || c {
				t.Fatalf("Merge(top+base, base+end) = %q, %v; want %q", got, c, want)
			}
		}
	})
}
