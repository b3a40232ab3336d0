package write

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// tempSuffix ends the name of the temporary file a write goes through, so
// that the regen after an interrupted one can find and remove those a kill
// left behind (see sweepTemps); no planned path may end with it.
const tempSuffix = ".bkgen-tmp"

// isTemp reports whether a file's base name is one of replaceFile's
// temporary files: ".<name>.<16 hex digits>.bkgen-tmp".
func isTemp(base string) bool {
	rest, ok := strings.CutSuffix(base, tempSuffix)
	if !ok || !strings.HasPrefix(rest, ".") {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	_, err := hex.DecodeString(rest[i+1:])
	return i > 0 && len(rest)-i-1 == 16 && err == nil
}

// replaceFile writes name in dir atomically: a temporary file next to it,
// synced, then renamed over it, so a reader (or a crash) sees the old
// content or the new, never half of it. keepPerm keeps the permissions of
// a file that exists; otherwise perm applies (less the umask).
func replaceFile(dir *os.Root, name string, data []byte, perm fs.FileMode, keepPerm bool) error {
	if keepPerm {
		if fi, err := dir.Lstat(name); err == nil && fi.Mode().IsRegular() {
			perm = fi.Mode().Perm()
		}
	}
	var suffix [8]byte
	_, _ = rand.Read(suffix[:])
	tmp := "." + name + "." + hex.EncodeToString(suffix[:]) + tempSuffix
	f, err := dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && keepPerm {
		// OpenFile applied the umask; an existing file's mode is kept as is.
		err = dir.Chmod(tmp, perm)
	}
	if err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		_ = dir.Remove(tmp)
		return fmt.Errorf("replace: %w", err)
	}
	return nil
}
