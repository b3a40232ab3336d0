package render

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const unformatted = "package x\nfunc  f( ) {  }\n"

func TestFmtCacheHitEqualsFormat(t *testing.T) {
	t.Parallel()
	c := openFmtCache(t.TempDir())
	want, err := formatGo([]byte(unformatted))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // a miss that fills the cache, then a hit
		got, err := c.format([]byte(unformatted))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("run %d: format = %q, %v; want %q", i, got, err, want)
		}
	}
	if _, ok := c.get(c.key([]byte(unformatted))); !ok {
		t.Fatal("the entry was not stored")
	}
}

func TestFmtCacheDamagedEntryIsAMiss(t *testing.T) {
	t.Parallel()
	c := openFmtCache(t.TempDir())
	key := c.key([]byte(unformatted))
	c.put(key, []byte("package x\n"))
	name := c.path(key)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	data[0] ^= 0xff
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, ok := c.get(key); ok {
		t.Fatalf("damaged entry read as %q", out)
	}
	got, err := c.format([]byte(unformatted))
	if err != nil || !bytes.Contains(got, []byte("func f() {}")) {
		t.Fatalf("format after a damaged entry = %q, %v", got, err)
	}
}

func TestFmtCacheOff(t *testing.T) {
	t.Parallel()
	c := openFmtCache("off")
	c.put(c.key([]byte("a")), []byte("b"))
	if _, ok := c.get(c.key([]byte("a"))); ok {
		t.Fatal("a disabled cache returned an entry")
	}
	if _, err := c.format([]byte(unformatted)); err != nil {
		t.Fatal(err)
	}
}

func TestFmtCacheTrimRemovesUnusedEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := openFmtCache(dir)
	oldKey, newKey := c.key([]byte("old")), c.key([]byte("new"))
	c.put(oldKey, []byte("o"))
	c.put(newKey, []byte("n"))
	long := time.Now().Add(-cacheMaxAge - time.Hour)
	if err := os.Chtimes(c.path(oldKey), long, long); err != nil {
		t.Fatal(err)
	}
	// The stamp says the last trim is recent: nothing happens.
	c.trim(time.Now())
	if _, ok := c.get(oldKey); !ok {
		t.Fatal("trimmed before a day passed")
	}
	if err := os.Chtimes(c.path(oldKey), long, long); err != nil {
		t.Fatal(err)
	}
	c.trim(time.Now().Add(cacheTrimEvery + time.Minute))
	if _, err := os.Stat(c.path(oldKey)); !os.IsNotExist(err) {
		t.Fatalf("unused entry kept: %v", err)
	}
	if _, ok := c.get(newKey); !ok {
		t.Fatal("recent entry removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "gofmt", "trim.txt")); err != nil {
		t.Fatal(err)
	}
}
