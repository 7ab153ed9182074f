package basic

import (
	"slices"
	"strconv"
	"testing"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// closeHow is a way a handler closes the connection through its transport,
// as code ported from Twisted does (self.transport.loseConnection()),
// rather than through the framer's own LoseConnection.
var closeHow = []struct {
	name  string
	close func(reactor.Transport)
}{
	{"LoseConnection", reactor.Transport.LoseConnection},
	{"AbortConnection", reactor.Transport.AbortConnection},
	{"StopProducing", reactor.Transport.StopProducing},
}

// A LineReceiver whose handler closes the transport on "QUIT" does not
// act on the lines after it in the same read, as Twisted's checks
// transport.disconnecting after each line.
func TestLineReceiverStopsWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, in := range [][]string{
			{"QUIT\r\nDELETE x\r\n"},
			{"QU", "IT\r\nDELETE x\r\nDELETE y\r\n"}, // QUIT completed from the buffer
		} {
			r, tr := newLineRecorder()
			r.onLine = func(r *lineRecorder, line []byte) {
				if string(line) == "QUIT" {
					how.close(r.Transport)
				}
			}
			for _, d := range in {
				r.DataReceived([]byte(d))
			}
			if !slices.Equal(r.lines, []string{"QUIT"}) || !tr.Disconnecting() {
				t.Errorf("%s, %q: lines %q", how.name, in, r.lines)
			}
		}
	}
}

// The same in raw mode: the lines a raw handler gives back with
// SetLineMode after closing the transport are not delivered.
func TestLineReceiverRawStopsWhenTransportCloses(t *testing.T) {
	r, _ := newLineRecorder()
	r.onLine = func(r *lineRecorder, line []byte) { r.SetRawMode() }
	r.onRaw = func(r *lineRecorder, data []byte) {
		r.Transport.LoseConnection()
		r.SetLineMode(data[4:])
	}
	r.DataReceived([]byte("go\r\nbodyDELETE x\r\n"))
	if !slices.Equal(r.lines, []string{"go"}) || !slices.Equal(r.raw, []string{"bodyDELETE x\r\n"}) {
		t.Errorf("lines %q, raw %q", r.lines, r.raw)
	}
}

// A LineOnlyReceiver does the same (Twisted's checks before each line).
func TestLineOnlyReceiverStopsWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, in := range [][]string{
			{"QUIT\r\nDELETE x\r\n"},
			{"QU", "IT\r\nDELETE x\r\nDELETE y\r\n"},
		} {
			r := &quitLineOnly{}
			r.Handler = r
			r.close = how.close
			tr := &fakeTransport{}
			r.MakeConnection(tr)
			for _, d := range in {
				r.DataReceived([]byte(d))
			}
			if !slices.Equal(r.lines, []string{"QUIT"}) || !tr.Disconnecting() {
				t.Errorf("%s, %q: lines %q", how.name, in, r.lines)
			}
		}
	}
}

type quitLineOnly struct {
	LineOnlyReceiver
	lines []string
	close func(reactor.Transport)
}

func (r *quitLineOnly) LineReceived(line []byte) {
	r.lines = append(r.lines, string(line))
	if string(line) == "QUIT" {
		r.close(r.Transport)
	}
}

// The string framers stop too, where Twisted's IntNStringReceiver and
// NetstringReceiver go on delivering the strings of the same read.
func TestStringFramersStopWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, c := range []struct {
			name  string
			frame func(s string) string
			make  func(h StringHandler, tr reactor.Transport) reactor.Protocol
		}{
			{"netstring", func(s string) string { return netstring(s) }, func(h StringHandler, tr reactor.Transport) reactor.Protocol {
				n := &NetstringReceiver{}
				n.Handler = h
				n.MakeConnection(tr)
				return n
			}},
			{"int16", func(s string) string { return string([]byte{0, byte(len(s))}) + s }, func(h StringHandler, tr reactor.Transport) reactor.Protocol {
				n := &Int16StringReceiver{}
				n.Handler = h
				n.MakeConnection(tr)
				return n
			}},
		} {
			tr := &fakeTransport{}
			h := &quitStrings{close: func() { how.close(tr) }}
			p := c.make(h, tr)
			all := c.frame("QUIT") + c.frame("DELETE x") + c.frame("DELETE y")
			p.DataReceived([]byte(all[:2]))
			p.DataReceived([]byte(all[2:]))
			if !slices.Equal(h.got, []string{"QUIT"}) {
				t.Errorf("%s, %s: strings %q", how.name, c.name, h.got)
			}
		}
	}
}

func netstring(s string) string {
	return strconv.Itoa(len(s)) + ":" + s + ","
}

type quitStrings struct {
	stringRecorder
	close func()
}

func (q *quitStrings) StringReceived(b []byte) {
	q.stringRecorder.StringReceived(b)
	if string(b) == "QUIT" {
		q.close()
	}
}

// Over reactortest.StringTransport, the transport protocol tests use, a
// handler closing the connection stops the rest of the read too.
func TestLineReceiverStringTransportClose(t *testing.T) {
	r := &lineRecorder{}
	r.Handler = r
	r.onLine = func(r *lineRecorder, line []byte) { r.Transport.LoseConnection() }
	tr := reactortest.NewStringTransport()
	tr.Connect(r)
	tr.Receive([]byte("QUIT\r\nDELETE x\r\n"))
	if !slices.Equal(r.lines, []string{"QUIT"}) {
		t.Errorf("lines %q", r.lines)
	}
}
