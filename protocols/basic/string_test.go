package basic

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func newNetstring(maxLen int) (*NetstringReceiver, *stringRecorder, *fakeTransport) {
	n := &NetstringReceiver{}
	h := &stringRecorder{}
	n.Handler, n.MaxLength = h, maxLen
	t := &fakeTransport{}
	n.MakeConnection(t)
	return n, h, t
}

// Malformed netstrings and over-long ones lose the connection with a
// reason that says what was wrong, and what came before is delivered.
func TestNetstringBadInput(t *testing.T) {
	for _, c := range []struct {
		in, reason string
		target     error
	}{
		{"3:abc,x:", `'x' is not a digit`, ErrMalformed},
		{"3:abc,:", "no length", ErrMalformed},
		{"3:abc,3:abcd", `ends with 'd': malformed frame: want ','`, ErrMalformed},
		{"3:abc,012:", "leading zero", ErrMalformed},
		{"3:abc,-1:", `'-' is not a digit`, ErrMalformed},
		{"3:abc,1001:", "longer than the maximum (1000)", ErrFrameTooLong},
		{"3:abc,99999999999999999999999999", "longer than the maximum", ErrFrameTooLong},
	} {
		n, h, tr := newNetstring(1000)
		n.DataReceived([]byte(c.in))
		err := n.Err()
		if !tr.lost || !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%q: lost %v, err %v (want %q)", c.in, tr.lost, err, c.reason)
		}
		if !slices.Equal(h.got, []string{"abc"}) {
			t.Errorf("%q: delivered %q", c.in, h.got)
		}
		n.DataReceived([]byte("1:z,"))
		if len(h.got) != 1 {
			t.Errorf("%q: delivered after the failure", c.in)
		}
	}
}

// Limits: a string exactly MaxLength long passes, one byte more is refused
// as soon as the prefix shows it, before its data arrives; SendString
// refuses what the prefix cannot say.
func TestIntStringLimits(t *testing.T) {
	f := &Int16StringReceiver{}
	h := &stringRecorder{}
	f.Handler, f.MaxLength = h, 300
	tr := &fakeTransport{}
	f.MakeConnection(tr)
	if err := f.SendString(make([]byte, 300)); err != nil {
		t.Fatal(err)
	}
	f.DataReceived(tr.out)
	if len(h.got) != 1 || len(h.got[0]) != 300 || tr.lost {
		t.Fatalf("exact maximum: %d strings, lost %v", len(h.got), tr.lost)
	}
	f.DataReceived([]byte{1, 45}) // 301
	if !tr.lost || !errors.Is(f.Err(), ErrFrameTooLong) {
		t.Errorf("over the maximum: lost %v, err %v", tr.lost, f.Err())
	}
	var i8 Int8StringReceiver
	i8.MakeConnection(&fakeTransport{})
	if err := i8.SendString(make([]byte, 256)); !errors.Is(err, ErrFrameTooLong) {
		t.Errorf("256 bytes with a one-byte prefix: %v", err)
	}
}

// InvalidFrame replaces losing the connection.
func TestInvalidFrameHook(t *testing.T) {
	n, _, tr := newNetstring(0)
	hook := &invalidHook{}
	n.Handler = hook
	n.DataReceived([]byte("x"))
	if tr.lost || len(hook.errs) != 1 || !errors.Is(hook.errs[0], ErrMalformed) {
		t.Errorf("lost %v, hook %v", tr.lost, hook.errs)
	}
}

type invalidHook struct {
	stringRecorder
	errs []error
}

func (h *invalidHook) InvalidFrame(err error) { h.errs = append(h.errs, err) }

// Pausing a string framer from its handler holds the strings of the same
// read back until ResumeProducing.
func TestStringPause(t *testing.T) {
	n := &Int32StringReceiver{}
	tr := &fakeTransport{}
	n.MakeConnection(tr)
	p := &pausingHandler{f: n}
	n.Handler = p
	for _, s := range []string{"a", "bb", "ccc"} {
		n.SendString([]byte(s))
	}
	in := tr.out
	tr.out = nil
	n.DataReceived(in)
	if !slices.Equal(p.got, []string{"a"}) || !tr.paused {
		t.Fatalf("got %q, paused %v", p.got, tr.paused)
	}
	n.ResumeProducing() // delivers "bb", which pauses again
	n.ResumeProducing()
	if !slices.Equal(p.got, []string{"a", "bb", "ccc"}) {
		t.Errorf("got %q", p.got)
	}
}

type pausingHandler struct {
	f   *Int32StringReceiver
	got []string
}

func (p *pausingHandler) StringReceived(s []byte) {
	p.got = append(p.got, string(s))
	p.f.PauseProducing()
}

// SendString writes a netstring.
func TestNetstringSend(t *testing.T) {
	n, _, tr := newNetstring(0)
	n.SendString([]byte("hello"))
	n.SendString(nil)
	if string(tr.out) != "5:hello,0:," {
		t.Errorf("wrote %q", tr.out)
	}
}
