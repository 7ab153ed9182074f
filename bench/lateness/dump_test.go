package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const sampleDump = `# start_us connected_us first_us end_us bytes kind arrivals_us...
275 6619 6619 6201814 615 none 6619 101770 201764
300 0 0 900 0 connect

410 5000 5100 6201900 20 reset 5100 100900
`

func TestParseDump(t *testing.T) {
	conns, err := parseDump(strings.NewReader(sampleDump))
	if err != nil {
		t.Fatal(err)
	}
	want := []conn{
		{start: 275, ok: true, arrivals: []int64{6619, 101770, 201764}},
		{start: 300},
		{start: 410, arrivals: []int64{5100, 100900}},
	}
	if len(conns) != len(want) {
		t.Fatalf("%d connections, want %d", len(conns), len(want))
	}
	for i, c := range conns {
		w := want[i]
		if c.start != w.start || c.ok != w.ok || !slices.Equal(c.arrivals, w.arrivals) {
			t.Errorf("connection %d = %+v, want %+v", i, c, w)
		}
	}
}

func TestParseDumpErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1 2 3 4 5\n", "line 1: 5 fields"},
		{"# header\n1 2 x 4 5 none\n", `line 2: "x" is not a time`},
		{"1 2 3 4 5 none 7 -8\n", `line 1: "-8" is not a time`},
		{"1 2 3 4 5 none 99999999999999999999\n", "is not a time"},
		{strings.Repeat("1", maxDumpLine+1) + "\n", "too long"},
	} {
		_, err := parseDump(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseDump(%.40q) = %v, want an error with %q", c.in, err, c.want)
		}
	}
}

// FuzzParseDump: any input is read or refused with an error, never a
// panic, and what is read comes back the same when written out again.
func FuzzParseDump(f *testing.F) {
	f.Add(sampleDump)
	f.Add("1 2 3 4 5 none\n")
	f.Add("#\n\n 7  8 9 10 11 timeout 12\t13 \n")
	f.Fuzz(func(t *testing.T, in string) {
		conns, err := parseDump(strings.NewReader(in))
		if err != nil {
			return
		}
		var b strings.Builder
		for _, c := range conns {
			kind := "other"
			if c.ok {
				kind = "none"
			}
			fmt.Fprintf(&b, "%d 0 0 0 0 %s", c.start, kind)
			for _, a := range c.arrivals {
				fmt.Fprintf(&b, " %d", a)
			}
			b.WriteByte('\n')
		}
		again, err := parseDump(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("written out again, %q fails: %v", b.String(), err)
		}
		if len(again) != len(conns) {
			t.Fatalf("%d connections read back, want %d", len(again), len(conns))
		}
		for i := range conns {
			if again[i].start != conns[i].start || again[i].ok != conns[i].ok || !slices.Equal(again[i].arrivals, conns[i].arrivals) {
				t.Fatalf("connection %d read back as %+v, want %+v", i, again[i], conns[i])
			}
		}
	})
}
