package stacks

import "testing"

func TestColonPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ path, want string }{
		{"/pets", "/pets"},
		{"/v2/pets/{petId}", "/v2/pets/:petId"},
		{"/v1/ops:batch/{id}", `/v1/ops\:batch/:id`},
		{"/", "/"},
	} {
		if got := ColonPath("GET", c.path); got != c.want {
			t.Errorf("ColonPath(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}
