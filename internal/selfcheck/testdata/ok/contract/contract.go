// Package contract stands for a generated repository's contract tests.
package contract

// Version is the API version the contract pins.
const Version = "v1"
