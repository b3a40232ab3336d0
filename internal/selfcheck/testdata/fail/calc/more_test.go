package calc

import "testing"

func TestMul(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("wrong", func(t *testing.T) {
		t.Error("2*3 = 5, want 6")
	})
}

func TestBroken(t *testing.T) {
	t.Fatal("broken on purpose")
}
