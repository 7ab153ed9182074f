package basic

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// A MaxLength close to math.MaxInt means "no limit" to its user; the
// framers must then still read a length too large for an int as too long,
// never let it wrap around to a small or negative one.

// overMaxInt is math.MaxInt+1 in decimal, for ints of 32 or 64 bits.
var overMaxInt = strconv.FormatUint(uint64(math.MaxInt)+1, 10)

func TestNetstringLengthBeyondInt(t *testing.T) {
	for _, c := range []struct {
		maxLen int
		in     string
	}{
		{math.MaxInt, "18446744073709551619:abc,"},       // 2^64+3: wrapped to 3
		{math.MaxInt, "18446744073709551516:abc,"},       // 2^64-100: wrapped negative
		{math.MaxInt/2 + 1, "18446744073709551619:abc,"}, // not only at MaxInt
		{math.MaxInt, overMaxInt + ":abc,"},
		{math.MaxInt - 5, strconv.Itoa(math.MaxInt-4) + ":abc,"}, // one over the limit
	} {
		for _, cut := range []int{len(c.in), 5, len(c.in) - 4} { // one read, or the length split
			n, h, tr := newNetstring(c.maxLen)
			n.DataReceived([]byte(c.in[:cut]))
			n.DataReceived([]byte(c.in[cut:]))
			if len(h.got) != 0 || !tr.lost || !errors.Is(n.Err(), ErrFrameTooLong) {
				t.Errorf("max %d, %q cut at %d: delivered %q, lost %v, err %v", c.maxLen, c.in, cut, h.got, tr.lost, n.Err())
			}
		}
	}
}

// A length that fits MaxLength but not the memory is waited for, as any
// other string still to come.
func TestNetstringLengthNearMaxInt(t *testing.T) {
	for _, in := range []string{strconv.Itoa(math.MaxInt) + ":abc,", strconv.Itoa(math.MaxInt-7) + ":abc,"} {
		for _, cut := range []int{len(in), 5, len(in) - 4} {
			n, h, tr := newNetstring(math.MaxInt)
			n.DataReceived([]byte(in[:cut]))
			n.DataReceived([]byte(in[cut:]))
			if len(h.got) != 0 || tr.lost || n.Err() != nil || n.Buffered() != len(in) {
				t.Errorf("%q cut at %d: delivered %q, lost %v, err %v, buffered %d", in, cut, h.got, tr.lost, n.Err(), n.Buffered())
			}
		}
	}
}

// A 4-byte prefix may hold math.MaxInt of a 32-bit int, which the prefix's
// own size then pushes over (run with GOARCH=386 to see it).
func TestIntStringLengthNearMaxInt(t *testing.T) {
	in := "\x7f\xff\xff\xffabc" // 2^31-1: MaxInt on 32 bits
	for _, cut := range []int{len(in), 2, 5} {
		f := &Int32StringReceiver{}
		h := &stringRecorder{}
		f.Handler, f.MaxLength = h, math.MaxInt
		tr := &fakeTransport{}
		f.MakeConnection(tr)
		f.DataReceived([]byte(in[:cut]))
		f.DataReceived([]byte(in[cut:]))
		if len(h.got) != 0 || tr.lost || f.Err() != nil || f.Buffered() != len(in) {
			t.Errorf("cut at %d: delivered %q, lost %v, err %v, buffered %d", cut, h.got, tr.lost, f.Err(), f.Buffered())
		}
	}
}

// With MaxLength math.MaxInt, a line split across reads is a line like
// any other, not one "longer than the maximum".
func TestLineSplitWithMaxIntLength(t *testing.T) {
	r, tr := newLineRecorder()
	r.MaxLength = math.MaxInt
	r.DataReceived([]byte("hel"))
	r.DataReceived([]byte("lo\r\n"))
	if len(r.lines) != 1 || r.lines[0] != "hello" || tr.lost {
		t.Errorf("LineReceiver: lines %q, lost %v, err %v", r.lines, tr.lost, r.Err())
	}
	o := &lineOnlyRecorder{}
	o.Handler, o.MaxLength = o, math.MaxInt
	ot := &fakeTransport{}
	o.MakeConnection(ot)
	o.DataReceived([]byte("hel"))
	o.DataReceived([]byte("lo\r\n"))
	if len(o.lines) != 1 || o.lines[0] != "hello" || ot.lost {
		t.Errorf("LineOnlyReceiver: lines %q, lost %v, err %v", o.lines, ot.lost, o.Err())
	}
}
