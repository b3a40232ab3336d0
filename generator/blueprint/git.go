package blueprint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// IsRemote reports whether an overlay reference names a git repository
// (a URL, or git@host:path) rather than a folder.
func IsRemote(ref string) bool {
	return strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@")
}

// splitRemote splits "URL@REF" at its last "@" after the host part; ref is
// "" when none is given.
func splitRemote(s string) (url, ref string) {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	} else if strings.HasPrefix(s, "git@") {
		start = len("git@")
	}
	if i := strings.LastIndex(s[start:], "@"); i >= 0 {
		return s[:start+i], s[start+i+1:]
	}
	return s, ""
}

// Fetch makes the overlay of a git reference "URL@TAG" available as a
// folder: cloned (depth 1, the tag only) into bkgen's cache once, then
// reused. A reference without a tag is refused: a service must name the
// version of its overlay. cacheDir "" is the user's cache folder; git must
// be on PATH.
func Fetch(ctx context.Context, remote, cacheDir string) (string, error) {
	url, ref := splitRemote(remote)
	if ref == "" {
		return "", fmt.Errorf("blueprint %s: pin it to a tag: %s@v1.2.3", remote, url)
	}
	if strings.HasPrefix(ref, "-") || strings.HasPrefix(url, "-") {
		return "", fmt.Errorf("blueprint %s: not a git URL and tag", remote)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		return "", fmt.Errorf("blueprint %s: git is needed to fetch it: %w", remote, err)
	}
	if cacheDir == "" {
		if cacheDir, err = cacheRoot(); err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256([]byte(url + "\x00" + ref))
	dir := filepath.Join(cacheDir, "blueprints", hex.EncodeToString(sum[:8])+"-"+safeName(ref))
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return "", fmt.Errorf("blueprint cache: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".clone-*")
	if err != nil {
		return "", fmt.Errorf("blueprint cache: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, git, "clone", "--quiet", "--depth", "1", "--branch", ref, "--", url, tmp) //nolint:gosec // git, with the user's own overlay reference after "--"
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("blueprint %s: git clone: %w: %s", remote, err, strings.TrimSpace(stderr.String()))
	}
	_ = os.RemoveAll(filepath.Join(tmp, ".git")) // the overlay's files only
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, ManifestName)); statErr == nil {
			return dir, nil // another bkgen fetched it meanwhile
		}
		return "", fmt.Errorf("blueprint cache: %w", err)
	}
	return dir, nil
}

// cacheRoot is $BKGEN_CACHE, else bkgen/ under the user's cache folder.
func cacheRoot() (string, error) {
	if d := os.Getenv("BKGEN_CACHE"); d != "" && d != "off" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", errors.New("no cache folder for git blueprints: set BKGEN_CACHE")
	}
	return filepath.Join(base, "bkgen"), nil
}

// safeName keeps the letters, digits, '.', '-' and '_' of s.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
