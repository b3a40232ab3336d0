package render

import (
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// LoadWalk is one resource's part in the generated load and fault tests
// (cmd/<service>/stress_gen_test.go, built with the load or fault tag): the
// requests of its integration walk, which many clients send over and over
// against the running service.
type LoadWalk struct {
	// Name names the resource in the load report: its entity.
	Name    string
	IDField string
	// Headers are sent with every request of the walk.
	Headers [][2]string
	// Parent, for a nested resource, creates the one parent row every walk
	// of the load shares (one per parent operation, whichever walks need
	// it); ParentID is the member of its answer holding the id that
	// replaces "{parent}" in the targets.
	Parent   *LoadRequest
	ParentID string
	// Create makes the row the other requests address ("{id}" in their
	// targets); nil when no operation creates rows, and then the walk only
	// lists.
	Create *LoadRequest
	// Once is true when rows cannot be made over and over (the table has a
	// unique constraint, and the example body is always the same): one row
	// is created before the load (shared with the walks whose parent it
	// is), every walk reads and updates it, and nothing deletes it.
	Once bool
	// The requests of the walk in the order they are sent; each is nil
	// when the walk does not send it. Update and Replace are left out when
	// they carry the version of an optimistic update: concurrent walks would
	// send stale versions, rightly answered 409.
	Get, List, Update, Replace, Delete *LoadRequest
}

// LoadRequest is one request of a [LoadWalk], with what its operation
// answers an error in (the fault test checks the 503s' shape).
type LoadRequest struct {
	*RequestCase
	// Op is the operation's id, the request's name in the report.
	Op string
	// ErrorType is the content type of the operation's error responses;
	// StatusField is the member of their body holding the HTTP status, ""
	// when the declared error schema has none.
	ErrorType, StatusField string
}

// LoadWalks returns the walks of the generated load test: those of the
// resource walks whose rows the service makes itself or that can at least
// be listed. The services the load test is rendered for are the ones that
// have any (see [TestData.Loadable]).
func (td *TestData) LoadWalks() []*LoadWalk {
	var out []*LoadWalk
	for _, rc := range td.Resources {
		if w := loadWalk(rc); w != nil {
			out = append(out, w)
		}
	}
	return out
}

// Loadable reports whether the service gets the load test; see
// [TestData.LoadSkip].
func (td *TestData) Loadable(svc *ir.Service) bool { return td.LoadSkip(svc) == "" }

// LoadSkip says why the service gets no load test, "" when it does: it
// needs a resource with a walk to drive, and operations that need no
// credentials (the test runs the service as deployed, with no keys it could
// sign requests with).
func (td *TestData) LoadSkip(svc *ir.Service) string {
	switch {
	case svc.HasAuth():
		return "its operations need credentials, and the load test runs the service with no keys to sign requests with"
	case len(td.LoadWalks()) == 0:
		return "no resource has CRUD operations that work from the examples of the spec alone"
	}
	return ""
}

// FaultTestable reports whether the service gets the fault test; see
// [TestData.FaultSkip].
func (td *TestData) FaultTestable(svc *ir.Service) bool { return td.FaultSkip(svc) == "" }

// FaultSkip says why the service gets no fault test, "" when it does: it
// must be load tested, reach a database server over TCP (PostgreSQL or
// MySQL; a SQLite file cannot be cut off), and some walk must create rows
// and read them back, which the test needs to check that no acknowledged
// write is lost.
func (td *TestData) FaultSkip(svc *ir.Service) string {
	if why := td.LoadSkip(svc); why != "" {
		return why
	}
	if svc.Database != "postgres" && svc.Database != "mysql" {
		return "its database (" + svc.Database + ") is not a server the test can cut off"
	}
	for _, w := range td.LoadWalks() {
		if w.Create != nil && !w.Once && w.Get != nil {
			return ""
		}
	}
	return "no resource both creates rows over and over and reads each back"
}

func loadWalk(rc *ResourceCase) *LoadWalk {
	r := rc.R
	w := &LoadWalk{Name: r.Name, IDField: rc.IDField, Headers: rc.Headers}
	if rc.Parent != nil {
		w.Parent, w.ParentID = loadRequest(rc.Parent.Create, rc.Parent.R.Op(ir.Create)), rc.Parent.IDField
	}
	if rc.Create != nil {
		w.Create, w.Once = loadRequest(rc.Create, r.Op(ir.Create)), rc.Unique
	}
	if rc.List != nil {
		w.List = loadRequest(rc.List, r.Op(ir.List))
	}
	if w.Create == nil {
		// No row of the walk's own to address: only the list is sent.
		if w.List == nil {
			return nil
		}
		return w
	}
	if rc.Item != "" {
		item := func(method string) *RequestCase {
			return &RequestCase{Method: method, Target: rc.Item}
		}
		if rc.Get {
			w.Get = loadRequest(item("GET"), r.Op(ir.Get))
		}
		if rc.Delete && !w.Once {
			w.Delete = loadRequest(item("DELETE"), r.Op(ir.Delete))
		}
		if rc.Update != nil && !versioned(r, ir.Update, rc.Update) {
			w.Update = loadRequest(rc.Update, r.Op(ir.Update))
		}
		if rc.Replace != nil && !versioned(r, ir.Replace, rc.Replace) {
			w.Replace = loadRequest(rc.Replace, r.Op(ir.Replace))
		}
	}
	if w.Get == nil && w.List == nil {
		return nil // nothing reads the rows back
	}
	return w
}

// versioned reports whether the request of the resource's crud operation
// sends the version of an optimistic update.
func versioned(r *ir.Resource, crud ir.CRUD, req *RequestCase) bool {
	op := r.Op(crud)
	if op == nil || op.Body == nil || op.Body.Schema == nil || op.Body.Schema.Named == nil {
		return false
	}
	vf := versionField(r, op.Body.Schema.Named)
	return vf != nil && strings.Contains(req.Body, `"`+vf.Name+`"`)
}

func loadRequest(c *RequestCase, op *ir.Operation) *LoadRequest {
	req := &LoadRequest{RequestCase: c, ErrorType: "application/problem+json", StatusField: "status"}
	if op == nil {
		return req
	}
	req.Op = op.ID
	if e := op.Error; e != nil {
		req.ErrorType, req.StatusField = e.Response.MediaType, ""
		if len(e.StatusFields) > 0 {
			req.StatusField = e.StatusFields[0].Name
		}
	}
	return req
}
