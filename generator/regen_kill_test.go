package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator"
)

// TestRegenAfterKillKeepsTheMigrationInTheLock is a regen killed once it
// had written its migration but not yet the lock: the journal holds the new
// lock, the migration is on disk. The next regen must end where an
// uninterrupted one does: the same lock, the migration recorded in it and
// not written again under the next number.
func TestRegenAfterKillKeepsTheMigrationInTheLock(t *testing.T) {
	t.Parallel()
	before := newPetstore(t)
	spec := strings.Replace(readRepoFile(t, before, "api/openapi.yaml"),
		"        tag: {type: string}\n", "        tag: {type: string}\n        nickname: {type: string}\n", 1)
	next := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(next, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(t.TempDir(), "ref")
	killed := filepath.Join(t.TempDir(), "killed")
	for _, d := range []string{ref, killed} {
		if err := os.CopyFS(d, os.DirFS(before)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := generator.Regen(context.Background(), generator.RegenOptions{Dir: ref, SpecPath: next, NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Migration == nil {
		t.Fatal("adding a property wrote no migration")
	}
	mig := res.Migration.Path
	// What the killed regen left: its spec copy, its migration, and its
	// journal (the lock it was about to write); the old lock.
	for _, rel := range []string{"api/openapi.yaml", mig} {
		if err := os.WriteFile(filepath.Join(killed, filepath.FromSlash(rel)), []byte(readRepoFile(t, ref, rel)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(killed, ".bkgen", "journal.json"), []byte(readRepoFile(t, ref, ".bkgen/lock.json")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Regen(context.Background(), generator.RegenOptions{Dir: killed, NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := readRepoFile(t, killed, ".bkgen/lock.json"), readRepoFile(t, ref, ".bkgen/lock.json"); got != want {
		t.Errorf("the lock after the interrupted regen differs from an uninterrupted one's:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(readRepoFile(t, killed, ".bkgen/lock.json"), `"path": "`+mig+`"`) {
		t.Errorf("the lock does not record %s", mig)
	}
	migs, _ := filepath.Glob(filepath.Join(killed, "migrations", "*.sql"))
	if len(migs) != 2 {
		t.Errorf("migrations after the interrupted regen: %v, want 0001 and %s", migs, mig)
	}
}
