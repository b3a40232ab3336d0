package write

import (
	"bytes"
	"fmt"
	"strings"
)

// splitLines splits data after each "\n"; a last line without one is kept
// as is, so joining the lines gives data back.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1])
		data = data[i+1:]
	}
	return lines
}

// interner numbers distinct lines, so the diff compares ints.
type interner map[string]int

func (in interner) ids(lines [][]byte) []int {
	ids := make([]int, len(lines))
	for i, l := range lines {
		id, ok := in[string(l)]
		if !ok {
			id = len(in)
			in[string(l)] = id
		}
		ids[i] = id
	}
	return ids
}

// match returns, for each element of a, the index of the element of b it is
// paired with in a longest common subsequence, or -1. It is Myers' O(ND)
// algorithm in linear space: find the middle snake of an optimal path by
// searching from both ends, then recurse on each side of it.
func match(a, b []int) []int {
	// Elements found on one side only cannot be part of a common
	// subsequence: leave them out of the search, which shortens it most
	// when much changed.
	inA, inB := make(map[int]bool, len(a)), make(map[int]bool, len(b))
	for _, x := range a {
		inA[x] = true
	}
	for _, x := range b {
		inB[x] = true
	}
	var fa, fb, ia, ib []int // filtered elements and their indices
	for i, x := range a {
		if inB[x] {
			fa, ia = append(fa, x), append(ia, i)
		}
	}
	for j, x := range b {
		if inA[x] {
			fb, ib = append(fb, x), append(ib, j)
		}
	}
	m := &matcher{a: fa, b: fb, pair: make([]int, len(fa))}
	for i := range m.pair {
		m.pair[i] = -1
	}
	m.compare(0, len(fa), 0, len(fb))
	pair := make([]int, len(a))
	for i := range pair {
		pair[i] = -1
	}
	for i, j := range m.pair {
		if j >= 0 {
			pair[ia[i]] = ib[j]
		}
	}
	return pair
}

type matcher struct {
	a, b []int
	pair []int
}

func (m *matcher) compare(aLo, aHi, bLo, bHi int) {
	for aLo < aHi && bLo < bHi && m.a[aLo] == m.b[bLo] {
		m.pair[aLo] = bLo
		aLo++
		bLo++
	}
	for aLo < aHi && bLo < bHi && m.a[aHi-1] == m.b[bHi-1] {
		aHi--
		bHi--
		m.pair[aHi] = bHi
	}
	if aLo == aHi || bLo == bHi {
		return
	}
	x, y, ok := m.bisect(aLo, aHi, bLo, bHi)
	if !ok || (x == aLo && y == bLo) || (x == aHi && y == bHi) {
		// No split: the ranges have nothing in common. (A split at a
		// corner cannot happen; it would recurse forever.)
		return
	}
	m.compare(aLo, x, bLo, y)
	m.compare(x, aHi, y, bHi)
}

// bisect finds a point (x, y) on an optimal edit path through the box, strictly
// inside it: the end of the middle snake (Myers 1986, section 4b). The ranges
// have no common prefix or suffix, so the path has at least two edits and
// both halves are smaller than the whole.
func (m *matcher) bisect(aLo, aHi, bLo, bHi int) (x, y int, ok bool) {
	n, mm := aHi-aLo, bHi-bLo
	maxD := (n + mm + 1) / 2
	off := maxD
	size := 2*maxD + 2
	vf := make([]int, size)
	vb := make([]int, size)
	for i := range vf {
		vf[i], vb[i] = -1, -1
	}
	vf[off+1], vb[off+1] = 0, 0
	delta := n - mm
	front := delta%2 != 0 // the paths meet in the forward pass
	// Diagonals whose path ran off the grid are not explored again.
	var kfStart, kfEnd, kbStart, kbEnd int
	for d := range maxD {
		for k := -d + kfStart; k <= d-kfEnd; k += 2 {
			i := off + k
			var x int
			if k == -d || (k != d && vf[i-1] < vf[i+1]) {
				x = vf[i+1]
			} else {
				x = vf[i-1] + 1
			}
			y := x - k
			for x < n && y < mm && m.a[aLo+x] == m.b[bLo+y] {
				x++
				y++
			}
			vf[i] = x
			switch {
			case x > n:
				kfEnd += 2
			case y > mm:
				kfStart += 2
			case front:
				j := off + delta - k
				if j >= 0 && j < size && vb[j] != -1 && x >= n-vb[j] {
					return aLo + x, bLo + y, true
				}
			}
		}
		for k := -d + kbStart; k <= d-kbEnd; k += 2 {
			i := off + k
			var x int
			if k == -d || (k != d && vb[i-1] < vb[i+1]) {
				x = vb[i+1]
			} else {
				x = vb[i-1] + 1
			}
			y := x - k
			for x < n && y < mm && m.a[aHi-1-x] == m.b[bHi-1-y] {
				x++
				y++
			}
			vb[i] = x
			switch {
			case x > n:
				kbEnd += 2
			case y > mm:
				kbStart += 2
			case !front:
				j := off + delta - k
				if j >= 0 && j < size && vf[j] != -1 {
					fx := vf[j]
					fy := fx - (j - off)
					if fx >= n-x {
						return aLo + fx, bLo + fy, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// edit is one line of an edit script: ' ' keeps a[i] (== b[j]), '-'
// deletes a[i], '+' inserts b[j].
type edit struct {
	op   byte
	i, j int
}

// editScript turns a's pairing with b into an edit script, deletions before
// insertions in each changed run.
func editScript(pair []int, nb int) []edit {
	var es []edit
	j := 0
	for i, pj := range pair {
		if pj < 0 {
			es = append(es, edit{op: '-', i: i, j: j})
			continue
		}
		for ; j < pj; j++ {
			es = append(es, edit{op: '+', i: i, j: j})
		}
		es = append(es, edit{op: ' ', i: i, j: j})
		j++
	}
	for ; j < nb; j++ {
		es = append(es, edit{op: '+', i: len(pair), j: j})
	}
	return es
}

// diffContext is the number of unchanged lines around each hunk.
const diffContext = 3

// unifiedDiff returns the unified diff turning old into new for one file;
// nil old or new with its exists flag false stands for /dev/null. It is ""
// when nothing differs.
func unifiedDiff(name string, old []byte, oldExists bool, new []byte, newExists bool) string {
	if oldExists == newExists && bytes.Equal(old, new) {
		return ""
	}
	var sb strings.Builder
	from, to := "a/"+name, "b/"+name
	if !oldExists {
		from = "/dev/null"
	}
	if !newExists {
		to = "/dev/null"
	}
	if bytes.IndexByte(old, 0) >= 0 || bytes.IndexByte(new, 0) >= 0 {
		fmt.Fprintf(&sb, "Binary files %s and %s differ\n", from, to)
		return sb.String()
	}
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", from, to)
	a, b := splitLines(old), splitLines(new)
	in := interner{}
	ai, bi := in.ids(a), in.ids(b)
	es := editScript(match(ai, bi), len(bi))
	for lo := 0; lo < len(es); {
		// Find the next change, then extend the hunk while the gap to the
		// following change is at most two contexts.
		first := lo
		for first < len(es) && es[first].op == ' ' {
			first++
		}
		if first == len(es) {
			break
		}
		last := first
		for k := first; k < len(es); k++ {
			if es[k].op != ' ' {
				last = k
			} else if k-last > 2*diffContext {
				break
			}
		}
		start := max(first-diffContext, lo)
		end := min(last+diffContext+1, len(es))
		writeHunk(&sb, es[start:end], a, b)
		lo = end
	}
	return sb.String()
}

func writeHunk(sb *strings.Builder, es []edit, a, b [][]byte) {
	aStart, bStart := es[0].i, es[0].j
	var aCount, bCount int
	for _, e := range es {
		switch e.op {
		case ' ':
			aCount++
			bCount++
		case '-':
			aCount++
		case '+':
			bCount++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, e := range es {
		var line []byte
		if e.op == '+' {
			line = b[e.j]
		} else {
			line = a[e.i]
		}
		sb.WriteByte(e.op)
		sb.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk's line range as diff does: an empty range names
// the line before it, a one-line range omits its length.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}
