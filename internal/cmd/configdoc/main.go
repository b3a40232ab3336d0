// Command configdoc writes docs/config.md, the reference of bkgen.yaml, from
// the package that reads the file, generator/config:
//
//   - the keys, in order, and their types from the yaml tags and Go types of
//     config.Config (by reflection);
//   - the defaults from config.Default, and the example from config.Marshal,
//     the function that writes bkgen.yaml into every generated repository;
//   - the descriptions from the doc comments of Config's fields, read from
//     the package's source with go/doc; a doc link in them to one of the
//     package's lists of allowed values ([Stacks]) is written as those
//     values, which are also each key's "Allowed values";
//   - the flag of each key from the help of bkgen new.
//
// It is `task docs`; TestConfigDocIsCurrent fails when docs/config.md is out
// of date, and `go test ./internal/cmd/configdoc -update` rewrites it.
//
//	go run ./internal/cmd/configdoc [-src generator/config] [-o docs/config.md]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("configdoc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "generator/config", "the source folder of package generator/config")
	out := fs.String("o", "", "the file to write (default: stdout)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "configdoc: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	page, err := generate(*src)
	if err != nil {
		fmt.Fprintf(stderr, "configdoc: %v\n", err)
		return 1
	}
	if *out == "" {
		if _, err := stdout.Write(page); err != nil {
			fmt.Fprintf(stderr, "configdoc: %v\n", err)
			return 1
		}
		return 0
	}
	//nolint:gosec // G306: a documentation page of the checkout, readable like its other files.
	if err := os.WriteFile(*out, page, 0o644); err != nil {
		fmt.Fprintf(stderr, "configdoc: %v\n", err)
		return 1
	}
	return 0
}
