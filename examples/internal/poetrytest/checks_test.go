package poetrytest

import "testing"

// TestIsFrame: an entry of CheckStack's want matches the functions it
// names, one or several separated by "|", and no other.
func TestIsFrame(t *testing.T) {
	for _, tc := range []struct {
		f, want string
		ok      bool
	}{
		{"main.main", "main.main", true},
		{"main.main", "main.mai", false},
		{"a.(*C).DoRead", "a.(*C).DoRead|a.(*R).readBatch", true},
		{"a.(*R).readBatch", "a.(*C).DoRead|a.(*R).readBatch", true},
		{"a.(*R).read", "a.(*C).DoRead|a.(*R).readBatch", false},
	} {
		if got := isFrame(tc.f, tc.want); got != tc.ok {
			t.Errorf("isFrame(%q, %q) = %v, want %v", tc.f, tc.want, got, tc.ok)
		}
	}
}
