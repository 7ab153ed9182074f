package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// conn is one slow download as the load generator's --dump wrote it: times
// in microseconds since the run began.
type conn struct {
	start    int64   // the connect call
	ok       bool    // the download ended without error (kind "none")
	arrivals []int64 // when each chunk's first byte arrived
}

// dumpFields are the fixed columns of a dump line, before the arrivals:
// start connected first end bytes kind.
const dumpFields = 6

// maxDumpLine bounds one line: 100,000 chunks of 20 digits and a space are
// far more than any slow poem has, and a longer line is not a dump.
const maxDumpLine = 2 << 20

// parseDump reads a dump of poetryload --mode slow --dump: a comment line,
// then one line per connection, "start connected first end bytes kind
// arrival...". It reports the first malformed line by its number.
func parseDump(r io.Reader) ([]conn, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxDumpLine)
	var conns []conn
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		c, err := parseConn(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		conns = append(conns, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return conns, nil
}

// parseConn reads one connection's line.
func parseConn(line string) (conn, error) {
	f := strings.Fields(line)
	if len(f) < dumpFields {
		return conn{}, fmt.Errorf("%d fields, want at least %d (start connected first end bytes kind)", len(f), dumpFields)
	}
	var fixed [dumpFields - 1]int64
	for i := range fixed {
		v, err := micros(f[i])
		if err != nil {
			return conn{}, err
		}
		fixed[i] = v
	}
	c := conn{start: fixed[0], ok: f[dumpFields-1] == "none"}
	if len(f) > dumpFields {
		c.arrivals = make([]int64, 0, len(f)-dumpFields)
	}
	for _, s := range f[dumpFields:] {
		v, err := micros(s)
		if err != nil {
			return conn{}, err
		}
		c.arrivals = append(c.arrivals, v)
	}
	return c, nil
}

// micros reads a time of the dump: a whole number of microseconds, never
// negative (the run's clock starts at zero).
func micros(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a time in microseconds", s)
	}
	return v, nil
}
