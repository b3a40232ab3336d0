package blueprint

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitRemote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"https://git.acme.io/bp.git@v1.2.0":  {"https://git.acme.io/bp.git", "v1.2.0"},
		"https://user@git.acme.io/bp@v1":     {"https://user@git.acme.io/bp", "v1"},
		"git@github.com:acme/bp.git@v2.0.0":  {"git@github.com:acme/bp.git", "v2.0.0"},
		"file:///srv/bp":                     {"file:///srv/bp", ""},
		"ssh://git@host/acme/bp.git@release": {"ssh://git@host/acme/bp.git", "release"},
	} {
		if url, ref := splitRemote(in); url != want[0] || ref != want[1] {
			t.Errorf("splitRemote(%q) = %q, %q; want %q, %q", in, url, ref, want[0], want[1])
		}
	}
	if !IsRemote("https://x/y@v1") || !IsRemote("git@h:x@v1") || IsRemote("../platform") {
		t.Error("IsRemote")
	}
}

// TestFetch clones a tagged overlay from a real git repository into the
// cache, reuses the clone, and refuses a reference without a tag.
func TestFetch(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH: Fetch needs it")
	}
	src := overlay(t, map[string]string{ManifestName: "name: co\nversion: 1.0.0\n", "service/CODEOWNERS": "* @co\n"})
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1.0.0")
	cache := t.TempDir()
	ctx := context.Background()
	remote := "file://" + filepath.ToSlash(src) + "@v1.0.0"
	dir, err := Fetch(ctx, remote, cache)
	if err != nil {
		t.Fatal(err)
	}
	o, l := Load(dir, "(devel)")
	if o == nil || o.Name != "co" {
		t.Fatalf("Load of the clone: %v", l)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !os.IsNotExist(err) {
		t.Errorf("the clone keeps .git: %v", err)
	}
	// Cached: the source may go away.
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	if again, err := Fetch(ctx, remote, cache); err != nil || again != dir {
		t.Fatalf("second Fetch = %q, %v; want the cached %q", again, err, dir)
	}
	if _, err := Fetch(ctx, "file://"+filepath.ToSlash(src), cache); err == nil || !strings.Contains(err.Error(), "pin it to a tag") {
		t.Errorf("Fetch without a tag: %v", err)
	}
	if _, err := Fetch(ctx, "file://"+filepath.ToSlash(src)+"@v9", cache); err == nil || !strings.Contains(err.Error(), "git clone") {
		t.Errorf("Fetch of a missing repository: %v", err)
	}
}
