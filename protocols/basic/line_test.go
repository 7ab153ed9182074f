package basic

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// A line over MaxLength is refused as soon as more than MaxLength bytes
// have come without a delimiter, and the framer never holds more than
// MaxLength plus one read: 100 MB with no delimiter, in 64 KiB reads.
func TestLineTooLongWithoutDelimiter(t *testing.T) {
	r, tr := newLineRecorder()
	r.MaxLength = 1000
	read := bytes.Repeat([]byte("y"), 64<<10)
	most := 0
	for sent := 0; sent < 100<<20 && !tr.lost; sent += len(read) {
		r.DataReceived(read[:700])
		most = max(most, r.Buffered(), cap(r.in.buf))
	}
	if !tr.lost || !errors.Is(r.Err(), ErrFrameTooLong) {
		t.Fatalf("lost %v, err %v", tr.lost, r.Err())
	}
	if most > 1000+700 {
		t.Errorf("held %d bytes", most)
	}
	if len(r.lines) != 0 {
		t.Errorf("delivered %q", r.lines)
	}
	// Nothing more is delivered once it has given up.
	r.DataReceived([]byte("late\r\n"))
	if len(r.lines) != 0 {
		t.Errorf("delivered after the failure: %q", r.lines)
	}
}

// A long line with its delimiter in the same read is refused too, and a
// handler's LineLengthExceeded replaces losing the connection; the lines
// before it are delivered.
func TestLineLengthExceededHook(t *testing.T) {
	r, tr := newLineRecorder()
	r.MaxLength = 5
	h := &lengthHook{lineRecorder: r}
	r.Handler = h
	r.DataReceived([]byte("ok\r\ntoolong\r\nnext\r\n"))
	if !slices.Equal(r.lines, []string{"ok"}) || !slices.Equal(h.exceeded, []string{"toolong\r\nnext\r\n"}) {
		t.Errorf("lines %q, exceeded %q", r.lines, h.exceeded)
	}
	if tr.lost {
		t.Error("lost the connection although the handler handles long lines")
	}
	r.DataReceived([]byte("again\r\n")) // exactly MaxLength: accepted
	if !slices.Equal(r.lines, []string{"ok", "again"}) {
		t.Errorf("lines %q", r.lines)
	}
}

// What an over-long line whose delimiter has come drops, and what the
// hook is handed, does not depend on whether the line began in an earlier
// read: completed from the framer's buffer, it drops the rest of its read
// too, as when it came whole in one read. (A line refused before its
// delimiter comes drops only what had come.)
func TestLineLengthExceededFromBuffer(t *testing.T) {
	const stream = "ok\r\n0123456789AB\r\nnext\r\n"
	// The first read ends within the long line's first 11 bytes: not yet
	// known to be too long (MaxLength 10, plus a possible "\r").
	for cut := 4; cut <= 15; cut++ {
		r, _ := newLineRecorder()
		r.MaxLength = 10
		h := &lengthHook{lineRecorder: r}
		r.Handler = h
		r.DataReceived([]byte(stream[:cut]))
		r.DataReceived([]byte(stream[cut:]))
		r.DataReceived([]byte("after\r\n"))
		if !slices.Equal(r.lines, []string{"ok", "after"}) || !slices.Equal(h.exceeded, []string{"0123456789AB\r\nnext\r\n"}) {
			t.Errorf("cut at %d: lines %q, exceeded %q", cut, r.lines, h.exceeded)
		}
	}
}

type lengthHook struct {
	*lineRecorder
	exceeded []string
}

func (h *lengthHook) LineLengthExceeded(line []byte) { h.exceeded = append(h.exceeded, string(line)) }

// SetRawMode inside LineReceived hands the rest of the same read to
// RawDataReceived, and SetLineMode(extra) hands extra back to the lines:
// a header line announcing a body of n bytes, the body, the next line.
func TestModeSwitchWithinOneRead(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		r, _ := newLineRecorder()
		var body []byte
		want := 0
		r.onLine = func(r *lineRecorder, line []byte) {
			if n, ok := strings.CutPrefix(string(line), "BODY "); ok {
				want = len(n) // the body is as long as the number's digits say, for the test
				r.SetRawMode()
			}
		}
		r.onRaw = func(r *lineRecorder, data []byte) {
			k := min(want-len(body), len(data))
			body = append(body, data[:k]...)
			if len(body) == want {
				r.SetLineMode(data[k:])
			}
		}
		input := []byte("first\r\nBODY 12345\r\nabcde\r\nlast\r\nafter\r\n")
		if chunked {
			for i := range input {
				r.DataReceived(input[i : i+1])
			}
		} else {
			r.DataReceived(input)
		}
		if string(body) != "abcde" || !slices.Equal(r.lines, []string{"first", "BODY 12345", "", "last", "after"}) {
			t.Errorf("chunked %v: body %q lines %q", chunked, body, r.lines)
		}
	}
}

// PauseProducing inside LineReceived stops the delivery at once, even of
// lines already in the same read, and pauses the transport;
// ResumeProducing delivers them in order.
func TestPauseStopsBufferedLines(t *testing.T) {
	r, tr := newLineRecorder()
	r.onLine = func(r *lineRecorder, line []byte) {
		if string(line) == "two" {
			r.PauseProducing()
		}
	}
	r.DataReceived([]byte("one\r\ntwo\r\nthree\r\nfour\r\nfi"))
	if !slices.Equal(r.lines, []string{"one", "two"}) || !tr.paused || !r.Paused() {
		t.Fatalf("lines %q, transport paused %v", r.lines, tr.paused)
	}
	r.DataReceived([]byte("ve\r\n")) // a read that was in flight: kept
	if len(r.lines) != 2 {
		t.Fatalf("delivered while paused: %q", r.lines)
	}
	r.onLine = nil
	r.ResumeProducing()
	if !slices.Equal(r.lines, []string{"one", "two", "three", "four", "five"}) || tr.paused {
		t.Errorf("after resume: %q, transport paused %v", r.lines, tr.paused)
	}
	if r.Buffered() != 0 {
		t.Errorf("%d bytes left", r.Buffered())
	}
}

// The framer's LoseConnection stops the lines left in the current read.
func TestLoseConnectionStopsLines(t *testing.T) {
	r, tr := newLineRecorder()
	r.onLine = func(r *lineRecorder, line []byte) { r.LoseConnection() }
	r.DataReceived([]byte("quit\r\nignored\r\n"))
	if !slices.Equal(r.lines, []string{"quit"}) || !tr.lost {
		t.Errorf("lines %q, lost %v", r.lines, tr.lost)
	}
}

// SendLine writes the line and the delimiter; ClearLineBuffer hands back
// the undelivered rest.
func TestSendLineAndClear(t *testing.T) {
	r, tr := newLineRecorder()
	r.Delimiter = []byte("\n")
	r.SendLine([]byte("hi"))
	if string(tr.out) != "hi\n" {
		t.Errorf("wrote %q", tr.out)
	}
	var rest string
	r.onLine = func(r *lineRecorder, line []byte) { rest = string(r.ClearLineBuffer()) }
	r.DataReceived([]byte("a\nb\nc"))
	if rest != "b\nc" || !slices.Equal(r.lines, []string{"a"}) || r.Buffered() != 0 {
		t.Errorf("rest %q, lines %q, buffered %d", rest, r.lines, r.Buffered())
	}
}

// A framer without a Handler loses the connection with ErrNoHandler
// instead of panicking.
func TestNoHandler(t *testing.T) {
	tr := &fakeTransport{}
	r := &LineReceiver{}
	r.MakeConnection(tr)
	r.DataReceived([]byte("x\r\n"))
	n := &NetstringReceiver{}
	n.MakeConnection(tr)
	n.DataReceived([]byte("1:x,"))
	if !errors.Is(r.Err(), ErrNoHandler) || !errors.Is(n.Err(), ErrNoHandler) || !tr.lost {
		t.Errorf("errors %v, %v, lost %v", r.Err(), n.Err(), tr.lost)
	}
}

// LineOnlyReceiver enforces MaxLength also before a delimiter.
func TestLineOnlyTooLong(t *testing.T) {
	r := &lineOnlyRecorder{}
	r.Handler = r
	r.MaxLength = 10
	tr := &fakeTransport{}
	r.MakeConnection(tr)
	r.DataReceived([]byte("short\r\n0123456789\r"))
	if tr.lost {
		t.Fatal("lost at exactly MaxLength, the delimiter's start received")
	}
	r.DataReceived([]byte("X"))
	if !tr.lost || !errors.Is(r.Err(), ErrFrameTooLong) || !slices.Equal(r.lines, []string{"short"}) {
		t.Errorf("lost %v err %v lines %q", tr.lost, r.Err(), r.lines)
	}
}

// lineOnlyHook is a LineOnlyReceiver handler that keeps over-long lines.
type lineOnlyHook struct {
	*lineOnlyRecorder
	exceeded []string
}

func (h *lineOnlyHook) LineLengthExceeded(line []byte) { h.exceeded = append(h.exceeded, string(line)) }

// With a LineLengthExceeded hook, LineOnlyReceiver does as Twisted's: the
// hook gets the over-long line alone, the other whole lines of that read
// are dropped, and its last, partial line is kept to be finished by the
// next read. The partial line was dropped too.
func TestLineOnlyTooLongHook(t *testing.T) {
	r := &lineOnlyRecorder{}
	h := &lineOnlyHook{lineOnlyRecorder: r}
	r.Handler = h
	r.MaxLength = 8
	r.MakeConnection(&fakeTransport{})
	r.DataReceived([]byte("ok\r\ntoo long!\r\ndropped\r\npar"))
	r.DataReceived([]byte("tial\r\nnext\r\n"))
	if !slices.Equal(r.lines, []string{"ok", "partial", "next"}) || !slices.Equal(h.exceeded, []string{"too long!"}) {
		t.Errorf("lines %q, exceeded %q", r.lines, h.exceeded)
	}
}

// Data fed to the framer from inside its own callback joins the stream
// where it is: after every byte already received, before the reads still
// to come (even in the middle of a line, as any read would), and
// SetLineMode(extra) in line mode puts extra before what is left.
func TestReentrantFeeding(t *testing.T) {
	for _, cut := range []int{0, 3, 9, 13, 14} {
		r, _ := newLineRecorder()
		r.onLine = func(r *lineRecorder, line []byte) {
			switch string(line) {
			case "inject":
				r.DataReceived([]byte("late\r\n"))
			case "front":
				r.SetLineMode([]byte("first\r\n"))
			}
		}
		in := []byte("a\r\ninject\r\nb\r\nfront\r\nc\r\n")
		r.DataReceived(in[:cut])
		r.DataReceived(in[cut:])
		want := []string{"a", "inject", "b", "front", "first", "c", "late"}
		switch cut {
		case 13: // fed between "b\r" and "\n"
			want = []string{"a", "inject", "b\rlate", "\nfront", "c"}
		case 14: // fed before the read holding "front" comes
			want = []string{"a", "inject", "b", "late", "front", "first", "c"}
		}
		if !slices.Equal(r.lines, want) {
			t.Errorf("cut at %d: %q, want %q", cut, r.lines, want)
		}
	}
}

// A handler that panics (the reactor recovers it) leaves a framer that
// delivers nothing more rather than one stuck inside its loop.
func TestPanicInHandler(t *testing.T) {
	r, _ := newLineRecorder()
	r.onLine = func(*lineRecorder, []byte) { panic("boom") }
	func() {
		defer func() { recover() }()
		r.DataReceived([]byte("a\r\nb\r\n"))
	}()
	r.onLine = nil
	r.DataReceived([]byte("c\r\n"))
	if !slices.Equal(r.lines, []string{"a"}) || r.in.busy {
		t.Errorf("lines %q, busy %v", r.lines, r.in.busy)
	}
}
