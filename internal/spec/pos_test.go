package spec

import (
	"testing"

	"github.com/bkgen/bkgen/generator/diag"
)

func TestPos(t *testing.T) {
	t.Parallel()
	path := fixture("loader-pos.yaml")
	doc, diags := Load(path)
	if diags.HasErrors() {
		t.Fatal(format(diags))
	}
	ext := fixture("loader-ext.yaml")
	bundled, diags := Load(ext)
	if diags.HasErrors() {
		t.Fatal(format(diags))
	}
	tests := []struct {
		doc     *Document
		pointer string
		file    string
		line    int
		col     int
	}{
		{doc, "", path, 1, 1},
		{doc, "#", path, 1, 1},
		{doc, "/info/title", path, 3, 3},
		{doc, "/paths/~1pets/get", path, 7, 5},
		{doc, "/paths/~1pets/get/parameters/0", path, 10, 11},
		{doc, "/paths/~1pets/get/parameters/0/in", path, 11, 11},
		{doc, "/paths/~1pets~1{id}/parameters/0/schema/format", path, 28, 33},
		{doc, "/components/schemas/Pet/required/1", path, 42, 22},
		{doc, "/components/schemas/Pet/properties/a~1b~0c", path, 47, 9},
		// Elements that do not exist fall back to their nearest ancestor.
		{doc, "/paths/~1pets/get/responses/404", path, 14, 7},
		{doc, "/paths/~1nope/get", path, 5, 1},
		{doc, "/paths/~1pets/get/parameters/7", path, 9, 7},
		{doc, "/paths/~1pets/get/parameters/00", path, 9, 7},
		// Bundled parts point into the files they came from.
		{bundled, "/components/schemas/Pet/allOf/1/properties/id", fixture("loader-ext/loader-ext-pet.yaml"), 7, 9},
		{bundled, "/components/schemas/loader-ext-owner/properties/pets", fixture("loader-ext/loader-ext-owner.json"), 5, 5},
		{bundled, "/components/responses/Error/description", fixture("loader-ext/loader-ext-common.yaml"), 14, 7},
		{bundled, "/paths/~1pets~1{id}/get/operationId", fixture("loader-ext/loader-ext-paths.yaml"), 8, 5},
		{bundled, "/paths/~1pets/post", ext, 22, 5},
		{bundled, "/components/schemas/Error/properties/local", ext, 43, 9},
	}
	for _, tt := range tests {
		want := diag.Pos{File: tt.file, Line: tt.line, Col: tt.col}
		if got := tt.doc.Pos(tt.pointer); got != want {
			t.Errorf("Pos(%q) = %s, want %s", tt.pointer, got, want)
		}
	}
}

func TestSplitPointer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"#", nil},
		{"/", []string{""}},
		{"/a~1b/~0c/0", []string{"a/b", "~c", "0"}},
		{"#/paths/~1pets~1{id}", []string{"paths", "/pets/{id}"}},
		{"/~01", []string{"~1"}},
	}
	for _, tt := range tests {
		got := splitPointer(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("splitPointer(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("splitPointer(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
		if tt.in != "" && tt.in != "#" && joinPointer(got) != tt.in && "#"+joinPointer(got) != tt.in {
			t.Errorf("joinPointer(%q) = %q, want %q", got, joinPointer(got), tt.in)
		}
	}
}
