package write

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// lcsLen is the textbook dynamic-programming length of a longest common
// subsequence, to check match against.
func lcsLen(a, b []int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func TestMatchIsALongestCommonSubsequence(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		a := make([]int, rng.IntN(30))
		b := make([]int, rng.IntN(30))
		alphabet := 1 + rng.IntN(6)
		for i := range a {
			a[i] = rng.IntN(alphabet)
		}
		for i := range b {
			b[i] = rng.IntN(alphabet)
		}
		pair := match(a, b)
		n, last := 0, -1
		for i, j := range pair {
			if j < 0 {
				continue
			}
			if j <= last || a[i] != b[j] {
				t.Fatalf("match(%v, %v) = %v: not an increasing pairing of equal elements", a, b, pair)
			}
			last = j
			n++
		}
		if want := lcsLen(a, b); n != want {
			t.Fatalf("match(%v, %v) pairs %d elements, the LCS has %d", a, b, n, want)
		}
	}
}

func TestMatchLargeRewrite(t *testing.T) {
	t.Parallel()
	// A file of 4,000 lines against its reverse: the edit distance is about
	// 8,000, where the quadratic-memory form of Myers' algorithm would keep
	// tens of millions of ints.
	a, b := make([]int, 4000), make([]int, 4000)
	for i := range a {
		a[i], b[i] = i, len(a)-1-i
	}
	n := 0
	for _, j := range match(a, b) {
		if j >= 0 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("a file and its reverse share %d lines in order, want 1", n)
	}
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	var old, new strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&old, "line %d\n", i)
		switch i {
		case 2:
			new.WriteString("line two\n")
		case 18:
			continue
		default:
			fmt.Fprintf(&new, "line %d\n", i)
		}
	}
	new.WriteString("line 21")
	got := unifiedDiff("x.txt", []byte(old.String()), true, []byte(new.String()), true)
	want := `--- a/x.txt
+++ b/x.txt
@@ -1,5 +1,5 @@
 line 1
-line 2
+line two
 line 3
 line 4
 line 5
@@ -15,6 +15,6 @@
 line 15
 line 16
 line 17
-line 18
 line 19
 line 20
+line 21
\ No newline at end of file
`
	if got != want {
		t.Errorf("unifiedDiff:\n%s\nwant:\n%s", got, want)
	}
	if got := unifiedDiff("x", []byte("a\n"), true, []byte("a\n"), true); got != "" {
		t.Errorf("diff of equal files = %q, want empty", got)
	}
	if got, want := unifiedDiff("n", nil, false, []byte("a\nb\n"), true), "--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+a\n+b\n"; got != want {
		t.Errorf("diff of a new file = %q, want %q", got, want)
	}
	if got, want := unifiedDiff("d", []byte("a\n"), true, nil, false), "--- a/d\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n"; got != want {
		t.Errorf("diff of a deleted file = %q, want %q", got, want)
	}
	if got, want := unifiedDiff("e", nil, false, nil, true), "--- /dev/null\n+++ b/e\n"; got != want {
		t.Errorf("diff of a new empty file = %q, want %q", got, want)
	}
	if got, want := unifiedDiff("bin", []byte("a\x00"), true, []byte("b\x00"), true), "Binary files a/bin and b/bin differ\n"; got != want {
		t.Errorf("diff of binary files = %q, want %q", got, want)
	}
}

// patch applies a unified diff made by unifiedDiff to old, checking every
// context and removed line.
func patch(t *testing.T, old []byte, diff string) []byte {
	t.Helper()
	src := splitLines(old)
	var out [][]byte
	pos := 0
	dl := strings.SplitAfter(diff, "\n")
	for k := 2; k < len(dl) && dl[k] != ""; k++ {
		l := dl[k]
		if strings.HasPrefix(l, "@@ ") {
			f := strings.Fields(l)
			r := strings.SplitN(strings.TrimPrefix(f[1], "-"), ",", 2)
			start, _ := strconv.Atoi(r[0])
			if len(r) == 1 || r[1] != "0" {
				start--
			}
			out = append(out, src[pos:start]...)
			pos = start
			continue
		}
		text := []byte(l[1:])
		if k+1 < len(dl) && strings.HasPrefix(dl[k+1], `\ No newline`) {
			text = bytes.TrimSuffix(text, []byte("\n"))
			k++
		}
		switch l[0] {
		case ' ', '-':
			if pos >= len(src) || !bytes.Equal(src[pos], text) {
				t.Fatalf("line %d: diff expects %q, file has %q\n%s", pos, text, src[min(pos, len(src)-1)], diff)
			}
			if l[0] == ' ' {
				out = append(out, text)
			}
			pos++
		case '+':
			out = append(out, text)
		default:
			t.Fatalf("unexpected diff line %q", l)
		}
	}
	out = append(out, src[pos:]...)
	return bytes.Join(out, nil)
}

func TestUnifiedDiffApplies(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func() []byte {
		var b bytes.Buffer
		for range rng.IntN(40) {
			fmt.Fprintf(&b, "%d\n", rng.IntN(5))
		}
		if rng.IntN(4) == 0 {
			b.WriteString("tail")
		}
		return b.Bytes()
	}
	for range 2000 {
		old, new := gen(), gen()
		d := unifiedDiff("f", old, true, new, true)
		if bytes.Equal(old, new) {
			continue
		}
		if got := patch(t, old, d); !bytes.Equal(got, new) {
			t.Fatalf("patching %q with\n%s\ngives %q, want %q", old, d, got, new)
		}
	}
}
