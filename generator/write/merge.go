package write

import (
	"bytes"
	"slices"
)

// Conflict markers, in the two-way style of git's default (without the base
// section): the user's lines first, then bkgen's.
const (
	markerOurs   = "<<<<<<< yours"
	markerSep    = "======="
	markerTheirs = ">>>>>>> bkgen"
)

// Merge merges two descendants of base line by line (diff3): ours, the file
// as the user left it, and theirs, bkgen's new render. A change made on one
// side only is taken; the same change made on both sides is taken once;
// different changes to the same lines (or to adjacent lines) become a
// conflict, written between markers:
//
//	<<<<<<< yours
//	the user's lines
//	=======
//	bkgen's lines
//	>>>>>>> bkgen
//
// Lines common to both sides of a conflict are moved out of it. conflict
// reports whether any marker was written. The result may share memory with
// the inputs. A nil base merges two files with no common ancestor: every
// difference between them is a conflict.
func Merge(base, ours, theirs []byte) (merged []byte, conflict bool) {
	switch {
	case bytes.Equal(ours, base):
		return theirs, false
	case bytes.Equal(theirs, base), bytes.Equal(ours, theirs):
		return ours, false
	}
	return merge3(base, ours, theirs)
}

// merge3 is Merge without its shortcuts.
func merge3(base, ours, theirs []byte) (merged []byte, conflict bool) {
	bl, ol, tl := splitLines(base), splitLines(ours), splitLines(theirs)
	in := interner{}
	bi, oi, ti := in.ids(bl), in.ids(ol), in.ids(tl)
	toOurs, toTheirs := match(bi, oi), match(bi, ti)

	var m merger
	var o, t, b int // start of the current unstable chunk in ours, theirs, base
	for i := range bi {
		if toOurs[i] < 0 || toTheirs[i] < 0 {
			continue
		}
		// base[i] is kept by both sides: a stable line. Resolve the chunk
		// before it, then copy it.
		m.chunk(bi[b:i], oi[o:toOurs[i]], ti[t:toTheirs[i]], ol[o:toOurs[i]], tl[t:toTheirs[i]])
		m.out.Write(bl[i])
		b, o, t = i+1, toOurs[i]+1, toTheirs[i]+1
	}
	m.chunk(bi[b:], oi[o:], ti[t:], ol[o:], tl[t:])
	return m.out.Bytes(), m.conflict
}

type merger struct {
	out      bytes.Buffer
	conflict bool
}

// chunk resolves one unstable chunk: the lines between two stable lines,
// as ids and as text, on each side.
func (m *merger) chunk(base, ours, theirs []int, oursText, theirsText [][]byte) {
	switch {
	case slices.Equal(ours, base): // only theirs changed (or nothing did)
		m.lines(theirsText)
	case slices.Equal(theirs, base), slices.Equal(ours, theirs):
		m.lines(oursText)
	default:
		m.refine(ours, theirs, oursText, theirsText)
	}
}

// refine writes a conflict, narrowed to the lines where the two sides
// differ: lines both sides have in the same order are written once, outside
// the markers (git's "zealous" merge).
func (m *merger) refine(ours, theirs []int, oursText, theirsText [][]byte) {
	pair := match(ours, theirs)
	var o, t int
	for i, j := range pair {
		if j < 0 {
			continue
		}
		m.conflictLines(oursText[o:i], theirsText[t:j])
		m.out.Write(oursText[i])
		o, t = i+1, j+1
	}
	m.conflictLines(oursText[o:], theirsText[t:])
}

func (m *merger) conflictLines(ours, theirs [][]byte) {
	if len(ours) == 0 && len(theirs) == 0 {
		return
	}
	m.conflict = true
	m.markerLine(markerOurs)
	m.lines(ours)
	m.endLine()
	m.markerLine(markerSep)
	m.lines(theirs)
	m.endLine()
	m.markerLine(markerTheirs)
}

func (m *merger) lines(ls [][]byte) {
	for _, l := range ls {
		m.out.Write(l)
	}
}

// endLine ends the output with a newline, so that a marker after a last line
// without one starts a line of its own.
func (m *merger) endLine() {
	if b := m.out.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
		m.out.WriteByte('\n')
	}
}

func (m *merger) markerLine(s string) {
	m.endLine()
	m.out.WriteString(s)
	m.out.WriteByte('\n')
}

// hasConflictMarkers reports whether data holds a line that starts one of
// the markers Merge writes.
func hasConflictMarkers(data []byte) bool {
	for _, l := range splitLines(data) {
		if bytes.HasPrefix(l, []byte(markerOurs)) || bytes.HasPrefix(l, []byte(markerTheirs)) {
			return true
		}
	}
	return false
}
