package write

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var propSeed = flag.Uint64("seed", 0, "seed of TestRegenNeverLosesUserLines and TestCrashMidWrite (0: from the clock)")

// testSeed is -seed, or else one from the clock; it is logged so that a
// failure can be run again.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *propSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (run again with -seed=%d)", seed, seed)
	return seed
}

// TestRegenNeverLosesUserLines plays random sequences of plan changes and
// user edits against regen, and wants every line the user wrote, and has
// not deleted since, to be found after each regen in the file they wrote it
// in, or in that file's rescue under .bkgen/rescued/.
func TestRegenNeverLosesUserLines(t *testing.T) {
	t.Parallel()
	seed := testSeed(t)
	iters := 300
	if testing.Short() {
		iters = 60
	}
	for w := range uint64(4) {
		t.Run(fmt.Sprintf("model%d", w), func(t *testing.T) {
			t.Parallel()
			m := newModel(t, rand.New(rand.NewPCG(seed, w)))
			for m.iter = 1; m.iter <= iters; m.iter++ {
				m.step()
			}
			t.Logf("%d iterations: %s", iters, m.stats)
		})
	}
}

// modelPaths are the paths the model's plans and user use. No path is the
// folder of another.
var modelPaths = func() []string {
	var ps []string
	for i := range 15 {
		ps = append(ps, []string{"", "a/", "b/c/"}[i%3]+fmt.Sprintf("f%02d.txt", i))
	}
	return ps
}()

// modelOwners are the owners plans choose from, weighted.
var modelOwners = []Owner{Generated, Generated, User, Scaffold, Scaffold, Marked, Migration}

// model is one random history of a repository.
type model struct {
	t    *testing.T
	rng  *rand.Rand
	dir  string
	iter int
	plan map[string]modelFile
	// user maps each line the user wrote, and has not deleted, to the path
	// they wrote it in.
	user map[string]string
	next int      // numbers the plans' lines and the user's
	log  []string // what happened in the current iteration
	// stats count what the regens reported, to show what the run covered.
	stats modelStats
}

type modelFile struct {
	owner Owner
	lines []string
}

type modelStats struct {
	regens, rescued, conflicts, pending, orphaned, deleted, skipped int
}

func (s modelStats) String() string {
	return fmt.Sprintf("%d regens; %d rescues, %d conflicts (%d regens refused), %d orphaned, %d deleted, %d skipped",
		s.regens, s.rescued, s.conflicts, s.pending, s.orphaned, s.deleted, s.skipped)
}

func newModel(t *testing.T, rng *rand.Rand) *model {
	t.Helper()
	m := &model{t: t, rng: rng, dir: t.TempDir(), plan: map[string]modelFile{}, user: map[string]string{}}
	for _, p := range modelPaths[:8] {
		m.plan[p] = modelFile{owner: m.owner(), lines: m.newLines(2 + rng.IntN(5))}
	}
	mustApply(t, m.toPlan(), m.dir, Options{Mode: New})
	return m
}

// step is one iteration: plan changes, user edits, a regen, the check.
func (m *model) step() {
	m.t.Helper()
	m.log = m.log[:0]
	for range m.rng.IntN(3) {
		m.mutatePlan()
	}
	for range m.rng.IntN(4) {
		m.edit()
	}
	m.regen()
	m.check()
}

func (m *model) logf(format string, args ...any) {
	m.log = append(m.log, fmt.Sprintf(format, args...))
}

func (m *model) owner() Owner { return modelOwners[m.rng.IntN(len(modelOwners))] }

func (m *model) newLines(n int) []string {
	ls := make([]string, n)
	for i := range ls {
		m.next++
		ls[i] = fmt.Sprintf("line %d", m.next)
	}
	return ls
}

func (m *model) toPlan() *Plan {
	p := &Plan{Lock: LockInfo{BkgenVersion: "v0.1.0"}}
	for _, path := range slices.Sorted(maps.Keys(m.plan)) {
		f := m.plan[path]
		p.Files = append(p.Files, File{Path: path, Owner: f.owner, Data: []byte(joinLines(f.lines))})
	}
	return p
}

// mutatePlan makes one random change to the plan.
func (m *model) mutatePlan() {
	inPlan := slices.Sorted(maps.Keys(m.plan))
	var outside []string
	for _, p := range modelPaths {
		if _, ok := m.plan[p]; !ok {
			outside = append(outside, p)
		}
	}
	switch r := m.rng.IntN(10); {
	case r < 6 && len(inPlan) > 0: // change lines
		p := pick(m.rng, inPlan)
		f := m.plan[p]
		f.lines = m.changeLines(slices.Clone(f.lines))
		m.plan[p] = f
		m.logf("plan: change %s (%s)", p, f.owner)
	case r < 8 && len(outside) > 0:
		p := pick(m.rng, outside)
		m.plan[p] = modelFile{owner: m.owner(), lines: m.newLines(1 + m.rng.IntN(5))}
		m.logf("plan: add %s (%s)", p, m.plan[p].owner)
	case r < 9 && len(inPlan) > 1:
		p := pick(m.rng, inPlan)
		delete(m.plan, p)
		m.logf("plan: remove %s", p)
	case len(inPlan) > 0:
		p := pick(m.rng, inPlan)
		f := m.plan[p]
		f.owner = m.owner()
		m.plan[p] = f
		m.logf("plan: %s now %s", p, f.owner)
	}
}

// changeLines inserts, deletes or replaces one to three lines.
func (m *model) changeLines(ls []string) []string {
	for range 1 + m.rng.IntN(3) {
		switch i := m.rng.IntN(len(ls) + 1); m.rng.IntN(3) {
		case 0:
			ls = slices.Insert(ls, i, m.newLines(1)...)
		case 1:
			if i < len(ls) {
				ls = slices.Delete(ls, i, i+1)
			}
		default:
			if i < len(ls) {
				ls[i] = m.newLines(1)[0]
			}
		}
	}
	return ls
}

// edit makes one random edit as the user.
func (m *model) edit() {
	var present, absent []string
	for _, p := range modelPaths {
		if _, ok := m.read(p); ok {
			present = append(present, p)
		} else {
			absent = append(absent, p)
		}
	}
	switch r := m.rng.IntN(20); {
	case r < 9 && len(present) > 0: // a line of their own, in any file
		p := pick(m.rng, present)
		if r < 4 { // most often in a generated file
			for _, q := range present {
				if m.plan[q].owner == Generated && m.rng.IntN(2) == 0 {
					p = q
				}
			}
		}
		m.insertUserLine(p)
	case r < 11 && len(absent) > 0: // a new file
		p := pick(m.rng, absent)
		m.write(p, "")
		m.insertUserLine(p)
	case r < 13 && len(present) > 0:
		p := pick(m.rng, present)
		m.remove(p)
		m.logf("user: delete %s", p)
		for l, q := range m.user {
			if q == p {
				m.forget(l, p)
			}
		}
	case r < 15 && len(m.user) > 0: // delete a line of their own
		l := pick(m.rng, slices.Sorted(maps.Keys(m.user)))
		p := m.user[l]
		if data, ok := m.read(p); ok && slices.Contains(fileLines(data), l) {
			m.write(p, joinLines(slices.DeleteFunc(fileLines(data), func(s string) bool { return s == l })))
			m.logf("user: delete %s from %s", l, p)
			m.forget(l, p)
		}
	case r < 18 && len(present) > 0: // delete a line bkgen wrote
		p := pick(m.rng, present)
		data, _ := m.read(p)
		ls := fileLines(data)
		if i := m.rng.IntN(len(ls) + 1); i < len(ls) && !strings.HasPrefix(ls[i], "USER-") {
			m.write(p, joinLines(slices.Delete(ls, i, i+1)))
			m.logf("user: delete %q from %s", ls[i], p)
		}
	default:
		m.resolve()
	}
}

func (m *model) insertUserLine(p string) {
	data, _ := m.read(p)
	ls := fileLines(data)
	m.next++
	l := fmt.Sprintf("USER-%d-%d", m.iter, m.next)
	ls = slices.Insert(ls, m.rng.IntN(len(ls)+1), l)
	m.write(p, joinLines(ls))
	m.user[l] = p
	m.logf("user: add %s to %s (%s)", l, p, m.plan[p].owner)
}

// forget stops tracking a line the user deleted from p, unless a rescue of
// p holds it: that copy must stay.
func (m *model) forget(l, p string) {
	if !slices.ContainsFunc(m.rescues(p), func(r string) bool { return slices.Contains(fileLines(r), l) }) {
		delete(m.user, l)
	}
}

// resolve resolves every conflict by keeping both sides: it removes the
// marker lines.
func (m *model) resolve() {
	for _, p := range modelPaths {
		data, ok := m.read(p)
		if !ok || !hasConflictMarkers([]byte(data)) {
			continue
		}
		ls := slices.DeleteFunc(fileLines(data), func(s string) bool {
			return s == markerOurs || s == markerSep || s == markerTheirs
		})
		m.write(p, joinLines(ls))
		m.logf("user: resolve %s", p)
	}
}

// regen runs a regen to the plan; refused for conflicts still marked, it
// resolves them and runs again.
func (m *model) regen() {
	m.t.Helper()
	plan := m.toPlan()
	rep, err := Apply(m.t.Context(), plan, m.dir, Options{Mode: Regen})
	if errors.Is(err, ErrConflictsPending) {
		m.stats.pending++
		m.resolve()
		rep, err = Apply(m.t.Context(), plan, m.dir, Options{Mode: Regen})
	}
	if err != nil {
		m.fail("regen: %v", err)
	}
	m.stats.regens++
	m.stats.rescued += len(rep.Rescued)
	m.stats.conflicts += len(rep.Conflicts)
	m.stats.orphaned += len(rep.Orphaned)
	m.stats.deleted += len(rep.Deleted)
	m.stats.skipped += len(rep.Skipped)
	m.logf("regen: %+v", *rep)
}

// check wants every line of the user's in its file or in a rescue of it.
func (m *model) check() {
	m.t.Helper()
	for _, l := range slices.Sorted(maps.Keys(m.user)) {
		p := m.user[l]
		data, _ := m.read(p)
		if slices.Contains(fileLines(data), l) {
			continue
		}
		rescues := m.rescues(p)
		if slices.ContainsFunc(rescues, func(r string) bool { return slices.Contains(fileLines(r), l) }) {
			continue
		}
		m.fail("%s, written in %s, is lost.\n%s holds:\n%s\nits rescues: %q", l, p, p, data, rescues)
	}
}

func (m *model) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("iteration %d: %s\nthis iteration:\n\t%s", m.iter, fmt.Sprintf(format, args...), strings.Join(m.log, "\n\t"))
}

// rescues returns the content of every rescue of p: .bkgen/rescued/<p> and
// any file next to it whose name starts with p's and a dot.
func (m *model) rescues(p string) []string {
	m.t.Helper()
	dir := filepath.Join(m.dir, filepath.FromSlash(rescuedDir), filepath.FromSlash(path.Dir(p)))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		m.t.Fatal(err)
	}
	var out []string
	base := path.Base(p)
	for _, e := range entries {
		if e.Type().IsRegular() && (e.Name() == base || strings.HasPrefix(e.Name(), base+".")) {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				m.t.Fatal(err)
			}
			out = append(out, string(data))
		}
	}
	return out
}

func (m *model) read(p string) (string, bool) {
	m.t.Helper()
	data, err := os.ReadFile(filepath.Join(m.dir, filepath.FromSlash(p)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	if err != nil {
		m.t.Fatal(err)
	}
	return string(data), true
}

func (m *model) write(p, content string) {
	m.t.Helper()
	writeFiles(m.t, m.dir, map[string]string{p: content})
}

func (m *model) remove(p string) {
	m.t.Helper()
	remove(m.t, m.dir, p)
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// fileLines splits a file into lines, without their newlines.
func fileLines(data string) []string {
	if data == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(data, "\n"), "\n")
}

// joinLines is the inverse of fileLines.
func joinLines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

// FuzzMergeKeepsOurs checks Merge against properties that hold whatever the
// input: the shortcuts, and that no line the user (ours) added to base is
// lost, whether it lands inside conflict markers or not. (FuzzMerge, in
// merge_test.go, checks the line merge itself against the shortcuts.)
func FuzzMergeKeepsOurs(f *testing.F) {
	f.Add([]byte(lines("a", "b", "c")), []byte(lines("a", "USER", "b", "c")), []byte(lines("a", "c")))
	f.Add([]byte(lines("a", "b", "c")), []byte(lines("a", "X", "c")), []byte(lines("a", "Y", "c")))
	f.Add([]byte("a\nb"), []byte("a\nb\nmine"), []byte("a\nB"))
	f.Add([]byte(""), []byte("x\nx\n"), []byte("x\n"))
	f.Add([]byte("x\ny\nx\n"), []byte("x\nx\ny\nx\nx\n"), []byte("y\n"))
	f.Fuzz(func(t *testing.T, base, ours, theirs []byte) {
		if got, _ := Merge(base, base, theirs); !bytes.Equal(got, theirs) {
			t.Fatalf("Merge(b, b, t) = %q, want t = %q", got, theirs)
		}
		if got, _ := Merge(base, ours, base); !bytes.Equal(got, ours) {
			t.Fatalf("Merge(b, o, b) = %q, want o = %q", got, ours)
		}
		merged, _ := Merge(base, ours, theirs)
		// Count lines without their newline: a last line without one gets
		// one when a marker follows it.
		count := func(data []byte) map[string]int {
			n := map[string]int{}
			for _, l := range splitLines(data) {
				n[string(bytes.TrimSuffix(l, []byte("\n")))]++
			}
			return n
		}
		inBase, inMerged := count(base), count(merged)
		for l, n := range count(ours) {
			if added := n - inBase[l]; inMerged[l] < added {
				t.Fatalf("ours added %q %d times, the merge holds it %d times\nbase %q\nours %q\ntheirs %q\nmerged %q",
					l, added, inMerged[l], base, ours, theirs, merged)
			}
		}
	})
}

// The losses TestRegenNeverLosesUserLines found, as fixed cases.

// TestRescueKeepsEarlierRescues: a second hand edit of a generated file is
// rescued next to the first, which stays.
func TestRescueKeepsEarlierRescues(t *testing.T) {
	t.Parallel()
	dir, p := newRepo(t)
	first, second := "package api // fix 1\n", "package api // fix 2\n"
	writeFiles(t, dir, map[string]string{apiGen: first})
	regen(t, p, dir)
	writeFiles(t, dir, map[string]string{apiGen: second})
	rep := regen(t, p, dir)
	wantList(t, "Rescued", rep.Rescued, apiGen)
	wantFile(t, dir, rescuedDir+"/"+apiGen, first)
	wantFile(t, dir, rescuedDir+"/"+apiGen+".~2~", second)
	wantList(t, "Notes", rep.Notes, apiGen+": your edit is saved as .bkgen/rescued/"+apiGen+".~2~; earlier ones are kept next to it")

	// The same edit again (as after a regen killed between its rescue and
	// its rewrite) is not saved a third time.
	writeFiles(t, dir, map[string]string{apiGen: second})
	rep = regen(t, p, dir)
	wantList(t, "Rescued", rep.Rescued, apiGen)
	wantList(t, "Notes", rep.Notes)
	if exists(t, dir, rescuedDir+"/"+apiGen+".~3~") {
		t.Error("the same edit was rescued twice")
	}
}

// TestOwnerChangeKeepsMergedLines: the lock's hash of a scaffold file may be
// of a merge holding the user's lines; when the file changes owner, that is
// not taken for bkgen's own output.
func TestOwnerChangeKeepsMergedLines(t *testing.T) {
	t.Parallel()
	orig := string(samplePlan().Files[2].Data)
	mine := strings.Replace(orig, "intro", "my intro", 1)
	// setup leaves README.md holding a merge of the user's line and a new
	// render, the merge recorded in the lock.
	setup := func(t *testing.T) (string, *Plan) {
		t.Helper()
		dir, p := newRepo(t)
		writeFiles(t, dir, map[string]string{readme: mine})
		p = with(p, readme, Scaffold, strings.Replace(orig, "task run", "task serve", 1))
		regen(t, p, dir)
		if got := readFile(t, dir, readme); !strings.Contains(got, "my intro") || !strings.Contains(got, "task serve") {
			t.Fatalf("setup: README.md =\n%s", got)
		}
		return dir, p
	}
	t.Run("scaffold to generated: rescued", func(t *testing.T) {
		t.Parallel()
		dir, p := setup(t)
		p = owned(p, readme, Generated)
		rep := regen(t, p, dir)
		wantList(t, "Rescued", rep.Rescued, readme)
		if got := readFile(t, dir, rescuedDir+"/"+readme); !strings.Contains(got, "my intro") {
			t.Errorf("rescue of README.md =\n%s", got)
		}
	})
	t.Run("scaffold to user to scaffold: merged, not replaced", func(t *testing.T) {
		t.Parallel()
		dir, p := setup(t)
		regen(t, owned(p, readme, User), dir)
		regen(t, with(owned(p, readme, Scaffold), readme, Scaffold, "# v3\n"), dir)
		if got := readFile(t, dir, readme); !strings.Contains(got, "my intro") {
			t.Errorf("README.md lost the user's line:\n%s", got)
		}
	})
}

// owned returns a copy of p with the file at path given another owner.
func owned(p *Plan, path string, owner Owner) *Plan {
	c := *p
	c.Files = slices.Clone(p.Files)
	for i := range c.Files {
		if c.Files[i].Path == path {
			c.Files[i].Owner = owner
		}
	}
	return &c
}
