package contract

import "testing"

func TestVersion(t *testing.T) {
	if Version != "v1" {
		t.Fatalf("Version = %q", Version)
	}
}
