package goecho

import (
	"testing"

	"github.com/bkgen/bkgen/stacks/stacktest"
)

// TestSnapshotIsTidy checks the generated go.mod's requirements and go.sum
// against `go mod tidy`; -update rewrites them.
func TestSnapshotIsTidy(t *testing.T) { stacktest.CheckSnapshot(t, Stack) }
