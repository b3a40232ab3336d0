package ir

// IsDeepObject reports whether the parameter is a query parameter in
// deepObject style: an object or array carried in bracketed keys
// (created[gt]=1, expand[]=a).
func (p *Param) IsDeepObject() bool { return p.In == "query" && p.Style == "deepObject" }

// HasFormBodies reports whether an operation takes a URL-encoded form body.
func (s *Service) HasFormBodies() bool {
	for _, o := range s.Operations {
		if o.Body != nil && o.Body.Kind == BodyForm {
			return true
		}
	}
	return false
}

// HasDeepObjectArrays reports whether an operation takes a deepObject query
// parameter holding an array.
func (s *Service) HasDeepObjectArrays() bool {
	for _, o := range s.Operations {
		for _, p := range o.Params {
			if p.IsDeepObject() && p.Schema.Kind == KindSlice {
				return true
			}
		}
	}
	return false
}
