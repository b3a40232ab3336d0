//go:build !windows

package write

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/google/renameio/v2"
)

// replaceFile writes name in dir atomically: a temporary file next to it,
// synced, then renamed over it, so a reader (or a crash) sees the old
// content or the new, never half of it. keepPerm keeps the permissions of
// a file that exists; otherwise perm applies (less the umask).
func replaceFile(dir *os.Root, name string, data []byte, perm fs.FileMode, keepPerm bool) error {
	opts := []renameio.Option{renameio.WithRoot(dir), renameio.WithPermissions(perm)}
	if keepPerm {
		opts = append(opts, renameio.WithExistingPermissions())
	}
	f, err := renameio.NewPendingFile(name, opts...)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer f.Cleanup() //nolint:errcheck // a no-op once replaced; otherwise best effort
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	return nil
}
