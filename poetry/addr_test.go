package poetry

import (
	"errors"
	"testing"
)

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
		str  string
	}{
		{"10000", "127.0.0.1", 10000, "127.0.0.1:10000"},
		{"localhost:10002", "localhost", 10002, "localhost:10002"},
		{"127.0.0.1:10003", "127.0.0.1", 10003, "127.0.0.1:10003"},
		{":10000", "", 10000, ":10000"},
		{"[::1]:10000", "::1", 10000, "[::1]:10000"},
		{"[fe80::1%eth0]:80", "fe80::1%eth0", 80, "[fe80::1%eth0]:80"},
		{"010000", "127.0.0.1", 10000, "127.0.0.1:10000"},
		{"1", "127.0.0.1", 1, "127.0.0.1:1"},
		{"65535", "127.0.0.1", 65535, "127.0.0.1:65535"},
		{"poetry.example.org:7", "poetry.example.org", 7, "poetry.example.org:7"},
	} {
		a, err := ParseAddress(tc.in)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", tc.in, err)
			continue
		}
		if a.Host != tc.host || a.Port != tc.port || a.String() != tc.str {
			t.Errorf("ParseAddress(%q) = %#v (%s), want %q %d (%s)", tc.in, a, a, tc.host, tc.port, tc.str)
		}
	}
}

func TestParseAddressRejects(t *testing.T) {
	for _, in := range []string{
		"", "abc", "127.0.0.1:abc", "localhost:", ":", "-1", "+80",
		" 80", "80 ", "1e3", "::1:10000", "[::1]", "[::1]:", "[::1]10000",
		"host:10:20", "[localhost]:80", "[]:80", "[[::1]]:80", "١٢٣", // Python's isdigit() would take these Arabic-Indic digits; we keep to ASCII
	} {
		_, err := ParseAddress(in)
		var ae *AddressError
		if !errors.As(err, &ae) || ae.Input != in || ae.OutOfRange || err.Error() != "Ports must be integers." {
			t.Errorf("ParseAddress(%q): %v, want *AddressError", in, err)
		}
	}
}

// TestParseAddressOutOfRange: a port of digits is an integer; when it is
// not one a socket can connect to, the message says which integers are.
func TestParseAddressOutOfRange(t *testing.T) {
	for _, in := range []string{
		"0", "00", "65536", "70000", "99999999999999999999999", "localhost:0", "[::1]:65536",
	} {
		_, err := ParseAddress(in)
		var ae *AddressError
		if !errors.As(err, &ae) || ae.Input != in || !ae.OutOfRange || err.Error() != "Ports must be integers from 1 to 65535." {
			t.Errorf("ParseAddress(%q): %v, want an out-of-range *AddressError", in, err)
		}
	}
}

func TestParseAddresses(t *testing.T) {
	addrs, err := ParseAddresses([]string{"10001", "localhost:10002"})
	if err != nil || len(addrs) != 2 || addrs[1].Host != "localhost" {
		t.Fatalf("got %v, %v", addrs, err)
	}
	if _, err := ParseAddresses([]string{"10001", "x"}); err == nil {
		t.Error("a bad address in second place was accepted")
	}
	if addrs, err := ParseAddresses(nil); err != nil || len(addrs) != 0 {
		t.Errorf("no arguments: %v, %v", addrs, err)
	}
}

// FuzzParseAddress: the parser never panics, an accepted address has a
// valid port, and its String form parses back to the same address.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"10000", "localhost:10002", ":1", "[::1]:10000", "[a]:b]:1", "a[b:2", "[]:3", "[[]:1", "[::]]:1", "a]:4", "0", "x:65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Fatalf("%q: error of type %T", s, err)
			}
			return
		}
		if a.Port < 1 || a.Port > 65535 {
			t.Fatalf("%q: port %d out of range", s, a.Port)
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q -> %#v -> %q -> %#v, %v", s, a, a.String(), b, err)
		}
	})
}
