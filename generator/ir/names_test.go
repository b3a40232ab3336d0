package ir

import "testing"

func TestGoName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"pet_id", "PetID"},
		{"petId", "PetID"},
		{"find pet by id", "FindPetByID"},
		{"HTTPServer", "HTTPServer"},
		{"urls", "Urls"},
		{"ids", "IDs"},
		{"2fa", "X2fa"},
		{"type", "Type"},
		{"x-request-id", "XRequestID"},
		{"", "X"},
		{"$ref", "Ref"},
		{"日本", "X日本"},
		{"élan", "Élan"},
		{"api.v1/pets", "APIV1Pets"},
	} {
		if got := GoName(c.in); got != c.want {
			t.Errorf("GoName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLowerName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"ListPets", "listPets"},
		{"HTTPServer", "httpServer"},
		{"ID", "id"},
		{"type", "type_"},
		{"range", "range_"},
	} {
		if got := LowerName(c.in); got != c.want {
			t.Errorf("LowerName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Swagger Petstore - OpenAPI 3.0", "swagger-petstore-open-api-3-0"},
		{"Train Travel API", "train-travel-api"},
		{"", "svc"},
		{"3D Printing", "svc-3-d-printing"},
		{"Ünïcode Ärger", "ncode-rger"},
	} {
		if got := Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNamerIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	n := NewNamer("Services")
	if got := n.Take("services"); got != "services2" {
		t.Errorf("reserved name taken again: %q", got)
	}
	if a, b := n.Take("Pet"), n.Take("PET"); a != "Pet" || b != "PET2" {
		t.Errorf("names differing in case: %q, %q", a, b)
	}
	if !n.Has("pet") || n.Has("Dog") {
		t.Error("Has")
	}
}
