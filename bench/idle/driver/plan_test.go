//go:build linux

package main

import (
	"math"
	"testing"
)

func TestCapConns(t *testing.T) {
	for _, c := range []struct {
		want      int
		hard      uint64
		unlimited bool
		n         int
		capped    bool
	}{
		{100000, 20000, false, 19900, true}, // this machine: both processes stop at the hard limit
		{100000, 1048576, false, 100000, false},
		{100000, 100100, false, 100000, false}, // exactly enough
		{100000, 100099, false, 99999, true},
		{100000, math.MaxUint64, true, 100000, false},
		{2000, 20000, false, 2000, false},
		{2000, 100, false, 0, true}, // nothing left for connections
	} {
		n, capped := capConns(c.want, c.hard, c.unlimited)
		if n != c.n || capped != c.capped {
			t.Errorf("capConns(%d, %d, %v) = %d, %v; want %d, %v", c.want, c.hard, c.unlimited, n, capped, c.n, c.capped)
		}
	}
}

func TestPerSource(t *testing.T) {
	for _, c := range []struct{ lo, hi, limit, want int }{
		{32768, 60999, 50000, 21174}, // Linux's default range: three quarters of 28,232 ports
		{1024, 65535, 50000, 48384},
		{1024, 65535, 40000, 40000}, // -per-source lower than the range allows
		{60000, 60000, 50000, 1},    // a one-port range still makes progress
	} {
		if got := perSource(c.lo, c.hi, c.limit); got != c.want {
			t.Errorf("perSource(%d, %d, %d) = %d, want %d", c.lo, c.hi, c.limit, got, c.want)
		}
	}
}

func TestSources(t *testing.T) {
	srcs, err := sources(100000, 21174)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range srcs {
		got = append(got, a.String())
	}
	want := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"}
	if len(got) != len(want) {
		t.Fatalf("sources(100000, 21174) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sources(100000, 21174) = %v, want %v", got, want)
		}
	}
	// Every connection's address exists, and no address takes more than per.
	if n := len(srcs); (100000-1)/21174 >= n {
		t.Errorf("the last connection has no address among %d", n)
	}
	if srcs, _ := sources(21174, 21174); len(srcs) != 1 {
		t.Errorf("sources(21174, 21174) gave %d addresses, want 1", len(srcs))
	}
	if srcs, _ := sources(21175, 21174); len(srcs) != 2 {
		t.Errorf("sources(21175, 21174) gave %d addresses, want 2", len(srcs))
	}
}

func TestSourceAddr(t *testing.T) {
	for k, want := range map[int]string{
		0:        "127.0.0.2",
		253:      "127.0.0.255",
		254:      "127.0.1.0", // carries into the next byte
		16777212: "127.255.255.254",
	} {
		a, err := sourceAddr(k)
		if err != nil || a.String() != want {
			t.Errorf("sourceAddr(%d) = %v, %v; want %s", k, a, err, want)
		}
	}
	for _, k := range []int{-1, 16777213} { // 127.0.0.1, 127.255.255.255
		if a, err := sourceAddr(k); err == nil {
			t.Errorf("sourceAddr(%d) = %v, want an error", k, a)
		}
	}
}

func TestParsePortRange(t *testing.T) {
	lo, hi, err := parsePortRange([]byte("32768\t60999\n"))
	if err != nil || lo != 32768 || hi != 60999 {
		t.Errorf("parsePortRange = %d, %d, %v; want 32768, 60999", lo, hi, err)
	}
	for _, bad := range []string{"", "32768", "60999 32768", "0 100", "1024 70000", "a b", "1 2 3"} {
		if _, _, err := parsePortRange([]byte(bad)); err == nil {
			t.Errorf("parsePortRange(%q) gave no error", bad)
		}
	}
}

const statusText = `Name:	gyre
Umask:	0022
State:	S (sleeping)
VmPeak:	 1245992 kB
VmSize:	 1245992 kB
VmLck:	       0 kB
VmHWM:	   13208 kB
VmRSS:	   12912 kB
RssAnon:	    4804 kB
Threads:	5
`

func TestParseStatus(t *testing.T) {
	m, err := parseStatus([]byte(statusText))
	if err != nil || m.rssKB != 12912 || m.hwmKB != 13208 {
		t.Errorf("parseStatus = %+v, %v; want rss 12912, hwm 13208", m, err)
	}
	for name, bad := range map[string]string{
		"zombie":  "Name:\tgyre\nState:\tZ (zombie)\nThreads:\t1\n",
		"no hwm":  "VmRSS:\t 12912 kB\n",
		"no unit": "VmHWM:\t13208\nVmRSS:\t12912\n",
		"garbage": "VmHWM:\t13208 kB\nVmRSS:\tlots kB\n",
	} {
		if m, err := parseStatus([]byte(bad)); err == nil {
			t.Errorf("%s: parseStatus = %+v, want an error", name, m)
		}
	}
}

func TestKBPerConn(t *testing.T) {
	if got := kbPerConn(11800, 13196, 2000); math.Abs(got-0.698) > 1e-9 {
		t.Errorf("kbPerConn(11800, 13196, 2000) = %v, want 0.698", got)
	}
	if got := kbPerConn(5000, 4000, 1000); got != -1 {
		t.Errorf("a shrinking RSS gives %v, want -1 (reported as it is)", got)
	}
	if got := kbPerConn(1, 2, 0); got != 0 {
		t.Errorf("no connections gives %v, want 0", got)
	}
}

func TestSettled(t *testing.T) {
	for _, c := range []struct {
		samples []int64
		want    bool
	}{
		{[]int64{10000, 10000, 10000}, false},                   // fewer than 4
		{[]int64{5000, 10000, 10010, 10020, 10030}, true},       // the last 4 within 1%
		{[]int64{10000, 10200, 10400, 10600}, false},            // still climbing
		{[]int64{1000, 1030, 1060, 1050}, true},                 // within the 64 KiB floor
		{[]int64{100000, 100000, 100000, 102000}, false},        // a late jump
		{[]int64{200000, 201000, 201500, 201900, 201999}, true}, // 1% of 200 MB is 2 MB
	} {
		if got := settled(c.samples, 4); got != c.want {
			t.Errorf("settled(%v) = %v, want %v", c.samples, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 19900: "19,900", 100000: "100,000", 1234567: "1,234,567", -2000: "-2,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
