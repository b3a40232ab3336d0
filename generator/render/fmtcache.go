package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// fmtCache keeps formatGo's output on disk, by a hash of its input, in the
// way the go command keeps its build cache: formatting is most of the cost
// of rendering a large service, and a regen after a small spec change
// renders mostly the same sources again. The cache is an optimisation only:
// a miss, a damaged entry or an unwritable folder falls back to formatting.
//
// It lives in $BKGEN_CACHE, else in bkgen/ under the user's cache folder
// (os.UserCacheDir); BKGEN_CACHE=off disables it. Entries unused for
// cacheMaxAge are removed, at most once a day.
type fmtCache struct {
	dir string // "" when disabled
}

const (
	// cacheMaxAge is how long an unused entry is kept.
	cacheMaxAge = 5 * 24 * time.Hour
	// cacheTouchAge is how old an entry's time may grow before a hit
	// refreshes it (refreshing on every hit would cost a write per file).
	cacheTouchAge = time.Hour
	// cacheTrimEvery is how often the cache is trimmed.
	cacheTrimEvery = 24 * time.Hour
	// cacheDirPerm is the mode of the cache's folders: the cache is its
	// user's, and its entries are made by os.CreateTemp (0600) anyway.
	cacheDirPerm = 0o750
	// cacheStampName is the file whose time is that of the last trim.
	cacheStampName = "trim.txt"
)

var (
	sharedCacheOnce sync.Once
	sharedCache     *fmtCache
)

// defaultFmtCache is the cache of this process, opened (and trimmed) once.
func defaultFmtCache() *fmtCache {
	sharedCacheOnce.Do(func() {
		sharedCache = openFmtCache(os.Getenv("BKGEN_CACHE"))
	})
	return sharedCache
}

// openFmtCache opens the cache in dir: "" for the default folder, "off" for
// no cache.
func openFmtCache(dir string) *fmtCache {
	if dir == "off" {
		return &fmtCache{}
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return &fmtCache{}
		}
		dir = filepath.Join(base, "bkgen")
	}
	c := &fmtCache{dir: filepath.Join(dir, "gofmt")}
	if err := os.MkdirAll(c.dir, cacheDirPerm); err != nil { //nolint:gosec // the folder the user's $BKGEN_CACHE names
		return &fmtCache{}
	}
	c.trim(time.Now())
	return c
}

// key names the formatted form of src: it depends on the Go release too,
// whose go/printer may format differently.
func (c *fmtCache) key(src []byte) string {
	h := sha256.New()
	h.Write([]byte("bkgen gofmt 1\x00" + runtime.Version() + "\x00"))
	h.Write(src)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *fmtCache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key)
}

// get returns the formatted form of the source with key. An entry is the
// output followed by its SHA-256, so a damaged one reads as a miss.
func (c *fmtCache) get(key string) ([]byte, bool) {
	if c.dir == "" {
		return nil, false
	}
	name := c.path(key)
	data, err := os.ReadFile(name) //nolint:gosec // a file of bkgen's own cache, named by a hash
	if err != nil || len(data) < sha256.Size {
		return nil, false
	}
	out, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(out); !bytes.Equal(got[:], sum) {
		return nil, false
	}
	if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) > cacheTouchAge {
		now := time.Now()
		_ = os.Chtimes(name, now, now)
	}
	return out, true
}

// put stores out under key: a temporary file renamed into place, so a
// concurrent reader sees the whole entry or none.
func (c *fmtCache) put(key string, out []byte) {
	if c.dir == "" {
		return
	}
	name := c.path(key)
	if err := os.MkdirAll(filepath.Dir(name), cacheDirPerm); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return
	}
	sum := sha256.Sum256(out)
	_, err1 := f.Write(out)
	_, err2 := f.Write(sum[:])
	err3 := f.Close()
	if errors.Join(err1, err2, err3) != nil || os.Rename(f.Name(), name) != nil {
		_ = os.Remove(f.Name())
	}
}

// trim removes the entries unused for cacheMaxAge, when the last trim is
// older than cacheTrimEvery.
//
// It works in an [os.Root] of the cache folder, so that a symlink put in
// the cache while it walks cannot make it remove a file outside.
func (c *fmtCache) trim(now time.Time) {
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		return
	}
	defer func() { _ = root.Close() }() // nothing was written through it but the stamp
	if fi, err := root.Stat(cacheStampName); err == nil && now.Sub(fi.ModTime()) < cacheTrimEvery {
		return
	}
	_ = root.WriteFile(cacheStampName, []byte(now.UTC().Format(time.RFC3339)+"\n"), 0o600)
	_ = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == cacheStampName {
			return nil //nolint:nilerr // trimming is best effort
		}
		if fi, err := d.Info(); err == nil && now.Sub(fi.ModTime()) > cacheMaxAge {
			_ = root.Remove(filepath.FromSlash(p))
		}
		return nil
	})
}

// format is formatGo through the cache.
func (c *fmtCache) format(src []byte) ([]byte, error) {
	key := c.key(src)
	if out, ok := c.get(key); ok {
		return out, nil
	}
	out, err := formatGo(src)
	if err != nil {
		return nil, err
	}
	c.put(key, out)
	return out, nil
}
