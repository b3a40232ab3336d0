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
		{"TYPE", "type_"}, // all capitals, a keyword once lowered
		{"ϒ", "xϒ"},       // an upper-case letter with no lower case
		{"日本", "x日本"},
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

func TestTakeWithin(t *testing.T) {
	t.Parallel()
	n := NewNamer()
	long := "a_very_long_property_name_that_goes_on_and_on_past_every_limit_and_more"
	for _, want := range []string{long[:63], long[:62] + "2", long[:62] + "3"} {
		if got := n.TakeWithin(long, 63); got != want {
			t.Errorf("TakeWithin = %q, want %q", got, want)
		}
	}
	if got := n.TakeWithin("é", 1); got != "" {
		t.Errorf("TakeWithin cut a rune: %q", got)
	}
}

func TestSQLText(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"active": true, "a'b": true, "x;y": true, "日本": true, "": true, "a -b": true,
		"a\nb": false, "a\rb": false, "a\x00b": false, "C:\\x": false, "a--b": false, "--": false,
		"a\u2028b": false, "\xff": false,
	} {
		if got := SQLText(s); got != want {
			t.Errorf("SQLText(%q) = %v, want %v", s, got, want)
		}
	}
}
