package render

import (
	"net/http"
	"slices"
)

// NotAllowed are requests on routes that exist with a method none of the
// route's operations take, which every stack's router answers 405: a method
// no operation uses, on the route of the first valid request; and HEAD on the
// route of the first valid GET request when no operation takes HEAD (net/http's
// ServeMux serves HEAD with a GET route, chi does not: the stacks agree on
// 405).
func (td *TestData) NotAllowed() []*RequestCase {
	used := make(map[string]bool)
	var first, firstGet *RequestCase
	for _, oc := range td.Ops {
		used[oc.Op.Method] = true
		if oc.Valid == nil {
			continue
		}
		if first == nil {
			first = oc.Valid
		}
		if firstGet == nil && oc.Op.Method == http.MethodGet {
			firstGet = oc.Valid
		}
	}
	var out []*RequestCase
	methods := []string{http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost, http.MethodGet, http.MethodOptions, http.MethodTrace}
	if i := slices.IndexFunc(methods, func(m string) bool { return !used[m] }); i >= 0 && first != nil {
		out = append(out, &RequestCase{Name: "unused method", Method: methods[i], Target: first.Target})
	}
	if !used[http.MethodHead] && firstGet != nil {
		out = append(out, &RequestCase{Name: "HEAD on a GET route", Method: http.MethodHead, Target: firstGet.Target})
	}
	return out
}
