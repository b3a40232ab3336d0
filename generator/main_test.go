package generator_test

import (
	"os"
	"strings"
	"testing"
)

// TestMain adds -trimpath to GOFLAGS for every go command the tests run
// (the self-checks, builds and lints of generated services). Each service
// lives in a fresh temporary folder, and without -trimpath that folder is
// part of every build action, so no two services share a compiled package or
// a cached test result even where their code is the same: with it, and with
// one module path (e2eModule), the platform, auth and idempotency packages
// that many services have in common are compiled and tested once.
func TestMain(m *testing.M) {
	if flags := os.Getenv("GOFLAGS"); !strings.Contains(flags, "-trimpath") {
		_ = os.Setenv("GOFLAGS", strings.TrimSpace(flags+" -trimpath"))
	}
	os.Exit(m.Run())
}

// e2eModule is the module path of the services the end-to-end tests
// generate, so that what they have in common is built once (see TestMain).
const e2eModule = "example.com/e2e/svc"
