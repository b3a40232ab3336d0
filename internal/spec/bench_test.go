package spec

import (
	"testing"
)

func BenchmarkLoadStripe(b *testing.B) {
	for b.Loop() {
		_, diags := Load(corpusDir + "/large/stripe-spec3.yaml")
		if diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
