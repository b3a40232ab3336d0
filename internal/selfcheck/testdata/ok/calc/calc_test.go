package calc

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Fatalf("Add(2, 3) = %d, want 5", got)
	}
}

func TestSub(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b, want int
	}{
		{"positive", 5, 3, 2},
		{"negative", 3, 5, -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sub(tc.a, tc.b); got != tc.want {
				t.Fatalf("Sub(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestSkipped(t *testing.T) {
	t.Skip("skipped on purpose")
}

func TestDiv(t *testing.T) {
	if got, err := Div(6, 3); err != nil || got != 2 {
		t.Fatalf("Div(6, 3) = %d, %v, want 2, nil", got, err)
	}
}
