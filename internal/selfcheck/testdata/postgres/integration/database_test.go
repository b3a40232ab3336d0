//go:build integration

package integration

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestDatabase connects to the database the self-check provides.
func TestDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var one int
	var name string
	if err := conn.QueryRow(ctx, "SELECT 1, current_database()").Scan(&one, &name); err != nil {
		t.Fatal(err)
	}
	if one != 1 || !strings.HasPrefix(name, "bkgen_check_") {
		t.Fatalf("SELECT 1, current_database() = %d, %q; want 1 and a bkgen_check_ database", one, name)
	}
}
