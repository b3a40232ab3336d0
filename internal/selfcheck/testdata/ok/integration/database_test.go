//go:build integration

package integration

import (
	"os"
	"strings"
	"testing"
)

// TestDatabaseURL checks that the self-check hands the tests a database.
func TestDatabaseURL(t *testing.T) {
	url := os.Getenv("DATABASE_URL")
	if !strings.HasPrefix(url, "file:") || !strings.HasSuffix(url, "bkgen_check.db") {
		t.Fatalf("DATABASE_URL = %q, want a file: URL of bkgen_check.db", url)
	}
}
