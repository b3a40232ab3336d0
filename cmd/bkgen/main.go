// Command bkgen turns an OpenAPI document into a Go service repository and
// keeps it up to date; see `bkgen help`.
package main

import (
	"os"

	"github.com/bkgen/bkgen/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
