// Package integration holds the fixture's integration tests.
package integration
