package gostdlib

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bkgen/bkgen/stacks"
)

// Pattern writes a route as a ServeMux pattern: "GET /v2/pets/{petId}". A
// path ending in "/" ends in "{$}", which matches that path alone, as chi
// does: without it ServeMux would take the path for a prefix.
func Pattern(method, path string) string {
	if strings.HasSuffix(path, "/") {
		path += "{$}"
	}
	return method + " " + path
}

// CheckRoutes returns why ServeMux refuses each route, registered in order:
// a parameter sharing its path segment with other text ("{name}.json", which
// chi matches and ServeMux does not), or a pattern that conflicts with an
// earlier one (both match some path and neither is more specific, which chi
// settles by preferring static segments and ServeMux refuses).
func CheckRoutes(routes []stacks.Route) []error {
	errs := make([]error, len(routes))
	mux := http.NewServeMux()
	for i, rt := range routes {
		if seg := stacks.PartialSegment(rt.Path); seg != "" {
			errs[i] = fmt.Errorf("the path segment %q holds a parameter and other text; net/http's ServeMux matches a parameter to a whole segment only", seg)
			continue
		}
		if err := register(mux, Pattern(rt.Method, rt.Path)); err != nil {
			errs[i] = conflict(routes[:i], errs[:i], rt, err)
		}
	}
	return errs
}

// register adds pattern to mux, returning the error ServeMux panics with.
func register(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, http.NotFoundHandler())
	return nil
}

// conflict names the earlier route rt conflicts with and why; ServeMux's
// own message also names this file's lines, which mean nothing to a user.
func conflict(earlier []stacks.Route, errs []error, rt stacks.Route, err error) error {
	_, why, found := strings.Cut(err.Error(), "):\n")
	if !found {
		return err
	}
	why = strings.ReplaceAll(why, "\n", " ")
	for i, e := range earlier {
		if errs[i] != nil {
			continue
		}
		mux := http.NewServeMux()
		if register(mux, Pattern(e.Method, e.Path)) == nil && register(mux, Pattern(rt.Method, rt.Path)) != nil {
			return fmt.Errorf("net/http's ServeMux cannot route it beside %s %s: %s", e.Method, e.Path, why)
		}
	}
	return errors.New("net/http's ServeMux cannot route it: " + why)
}
