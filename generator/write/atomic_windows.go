package write

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
)

// replaceFile writes name in dir through a temporary file renamed over it
// (renameio does not support Windows, where rename is MoveFileEx with
// MOVEFILE_REPLACE_EXISTING).
func replaceFile(dir *os.Root, name string, data []byte, perm fs.FileMode, keepPerm bool) error {
	if keepPerm {
		if fi, err := dir.Lstat(name); err == nil && fi.Mode().IsRegular() {
			perm = fi.Mode().Perm()
		}
	}
	var suffix [8]byte
	_, _ = rand.Read(suffix[:])
	tmp := "." + name + hex.EncodeToString(suffix[:])
	f, err := dir.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
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
	if err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		_ = dir.Remove(tmp)
		return fmt.Errorf("replace: %w", err)
	}
	return nil
}
