package generator

import (
	"path"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/render"
)

// stressIncluded reports whether the service gets rel when rel is one of
// the load and fault tests (cmd/<service>/, built only with the load or
// fault tag and run by `task test:load` and `task test:fault`, never by the
// self-check): the load test and its helpers when a resource has a walk to
// drive without credentials, the fault test when the database is a server
// the test can cut off. Any other file is included.
func stressIncluded(rel string, svc *ir.Service, td *render.TestData) bool {
	if !strings.HasPrefix(rel, "cmd/") {
		return true
	}
	switch base := path.Base(rel); {
	case strings.HasPrefix(base, "fault_gen"):
		return td.FaultTestable(svc)
	case strings.HasPrefix(base, "load_gen"), strings.HasPrefix(base, "stress_gen"), strings.HasPrefix(base, "freshdb_gen"):
		return td.Loadable(svc)
	}
	return true
}
