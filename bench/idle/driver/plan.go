//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// fdReserve is what each process keeps of its descriptor limit for
// everything that is not a measured connection: the listener, epoll,
// stdio, the runtime's pipes, the /proc files the driver reads.
const fdReserve = 100

// capConns is how many connections a run can hold when the server and the
// driver may each open at most hard descriptors (RLIMIT_NOFILE's hard
// limit, which neither can raise): want, or hard less fdReserve when that
// is lower. unlimited says the limit is RLIM_INFINITY.
func capConns(want int, hard uint64, unlimited bool) (n int, capped bool) {
	if unlimited || hard >= uint64(want)+fdReserve {
		return want, false
	}
	if hard <= fdReserve {
		return 0, true
	}
	return int(hard - fdReserve), true
}

// perSource is how many connections go out from one source address. A
// socket bound to an address with port 0 takes a free port of the local
// port range for that address, whatever the destination, so one address
// can hold at most the range's size; a quarter of it is left free so that
// the kernel's search for a free port stays short and other programs still
// find ports. limit (the -per-source flag) caps it further.
func perSource(portLo, portHi, limit int) int {
	n := (portHi - portLo + 1) * 3 / 4
	return max(min(n, limit), 1)
}

// sourceAddr is the source address of the k-th group of connections:
// 127.0.0.2, 127.0.0.3, ... (127.0.0.1 is the server's), carrying into the
// next byte after 127.0.0.255; the whole of 127/8 is loopback on Linux.
func sourceAddr(k int) (netip.Addr, error) {
	v := uint32(127<<24) + 2 + uint32(k)
	if k < 0 || v >= 128<<24-1 {
		return netip.Addr{}, fmt.Errorf("source address %d is outside 127.0.0.0/8", k)
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}

// sources lists the source addresses of n connections, at most per to an
// address; connection i goes out from sources[i/per].
func sources(n, per int) ([]netip.Addr, error) {
	var out []netip.Addr
	for k := 0; k*per < n; k++ {
		a, err := sourceAddr(k)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// parsePortRange reads /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999").
func parsePortRange(data []byte) (lo, hi int, err error) {
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("local port range %q: want two numbers", strings.TrimSpace(string(data)))
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("local port range %q: not a range of ports", strings.TrimSpace(string(data)))
	}
	return lo, hi, nil
}

// memory is a process's resident set as /proc/PID/status shows it, in KiB
// (the file's "kB").
type memory struct {
	rssKB int64 // VmRSS: resident now
	hwmKB int64 // VmHWM: the peak of VmRSS
}

// parseStatus reads VmRSS and VmHWM from the text of /proc/PID/status.
func parseStatus(data []byte) (memory, error) {
	var m memory
	var seen int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("%s: unexpected %q", name, strings.TrimSpace(rest))
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || v < 0 {
			return memory{}, fmt.Errorf("%s: unexpected %q", name, strings.TrimSpace(rest))
		}
		if name == "VmRSS" {
			m.rssKB = v
			seen |= 1
		} else {
			m.hwmKB = v
			seen |= 2
		}
	}
	if seen != 3 {
		// A zombie's status has no Vm lines.
		return memory{}, errors.New("no VmRSS and VmHWM (has the process exited?)")
	}
	return m, nil
}

// kbPerConn is the growth of the resident set per connection, in KiB.
func kbPerConn(beforeKB, withKB int64, conns int) float64 {
	if conns <= 0 {
		return 0
	}
	return float64(withKB-beforeKB) / float64(conns)
}

// settled says whether the last samples of a resident set (KiB, oldest
// first) have stopped moving: the last want of them lie within 1% (and at
// least 64 KiB) of each other.
func settled(samples []int64, want int) bool {
	if want < 2 || len(samples) < want {
		return false
	}
	last := samples[len(samples)-want:]
	lo, hi := last[0], last[0]
	for _, v := range last[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi-lo <= max(hi/100, 64)
}

// thousands writes n with a comma every three digits: 19,900.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// describeSources names the source addresses for the run's header line.
func describeSources(srcs []netip.Addr) string {
	switch len(srcs) {
	case 0:
		return "no address"
	case 1:
		return "1 source address, " + srcs[0].String()
	}
	return fmt.Sprintf("%d source addresses, %v .. %v", len(srcs), srcs[0], srcs[len(srcs)-1])
}
