package basic

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// The fuzz targets check each framer against a reference (the models of
// Twisted's line receivers in twisted_lines_test.go, the byte-at-a-time
// grammars in grammar_test.go) on what the fuzzer chooses: the input, the
// reads it is cut into, the delimiter, MaxLength (huge ones included),
// and, through the input itself, what the handlers do (switch modes,
// pause, clear the buffer, feed data, lose the connection). Each input is
// cut short at maxFuzzInput bytes: one run costs little, and so does the
// minimizing of a new input, whose time grows with the square of its size
// (a long one can take the whole of CI's 10 seconds).

const maxFuzzInput = 512

// fuzzRead is one read and what the driver does before it.
type fuzzRead struct {
	data   []byte
	resume bool // ResumeProducing
	clear  bool // ClearLineBuffer (LineReceiver); the string targets close the transport instead
}

// fuzzReads cuts data into reads, one per byte of cuts: its low six bits
// are the read's length less one, the top one asks for a resume before
// it, the next for a clear (or a close). The data past the cuts is one
// last read.
func fuzzReads(data, cuts []byte) []fuzzRead {
	data = data[:min(len(data), maxFuzzInput)]
	var reads []fuzzRead
	for _, c := range cuts {
		if len(data) == 0 {
			break
		}
		n := min(1+int(c&0x3f), len(data))
		reads = append(reads, fuzzRead{data[:n], c&0x80 != 0, c&0x40 != 0})
		data = data[n:]
	}
	if len(data) > 0 {
		reads = append(reads, fuzzRead{data: data})
	}
	return reads
}

// fuzzDelimiter is the delimiter a line target uses: the fuzzer's, at
// most 8 bytes, or the default for an empty one.
func fuzzDelimiter(delim string) []byte {
	if delim == "" {
		return defaultDelimiter
	}
	return []byte(delim[:min(len(delim), 8)])
}

// lineSeeds are shared by the two line targets.
func lineSeeds(f *testing.F) {
	for _, s := range []struct {
		delim  string
		maxLen int
		data   string
		cuts   string
	}{
		{"", 0, "a\r\nb\r\n", ""},
		{"\n", 4, "x\nR\nraw bytesLyy\nzzzzzz\n", "\x03\x05"},
		{"\r\n", 8, "ab\r\nP\r\ncd\r\nef\r\n", "\x05\x82\x41"},
		{"\r\n", 6, "C\r\nx\r\nF\r\nyy", "\x01"},
		{"abab", 3, "toolongababXabababY", "\x04"},
		{"\r\n\r\n", 12, "T\r\n\r\nF\r\n\r\nQ\r\n\r\nx", ""},
		{"\r\n", math.MaxInt, "hello\r\nworld", "\x02\x40"},
		{"\r\n", math.MaxInt/2 + 1, "R\r\nbodyMline\r\nR\r\nmoreL", "\x01\x09"},
		{"\n", 5, "long line without end", "\x07"},
	} {
		f.Add(s.delim, s.maxLen, []byte(s.data), []byte(s.cuts))
	}
}

func FuzzLineReceiver(f *testing.F) {
	lineSeeds(f)
	f.Fuzz(func(t *testing.T, delim string, maxLen int, data, cuts []byte) {
		d := fuzzDelimiter(delim)
		m := &twLineReceiver{delim: d, max: effectiveMax(maxLen)}
		r := &scriptedLines{}
		r.Handler, r.Delimiter, r.MaxLength = r, d, maxLen
		if delim == "" {
			r.Delimiter = nil // the default
		}
		r.MakeConnection(&fakeTransport{})
		resume := func() {
			if m.paused {
				m.resumeProducing()
			}
			if r.Paused() {
				r.ResumeProducing()
			}
		}
		for _, rd := range fuzzReads(data, cuts) {
			if rd.resume {
				resume()
			}
			if rd.clear && !m.lost {
				m.ev = append(m.ev, "c:"+string(m.buf))
				m.buf = nil
				r.ev = append(r.ev, "c:"+string(r.ClearLineBuffer()))
			}
			m.dataReceived(rd.data)
			r.DataReceived(rd.data)
			if !m.lost && r.Buffered() != len(m.buf) {
				t.Fatalf("after %q: %d bytes buffered, Twisted's %d (%q)\nevents %q", rd.data, r.Buffered(), len(m.buf), m.buf, mergeRaw(r.ev))
			}
		}
		for range len(data) + 1 { // each resume may meet another "P"
			resume()
		}
		if want, got := mergeRaw(m.ev), mergeRaw(r.ev); !slices.Equal(want, got) {
			t.Fatalf("events %q\nTwisted's %q", got, want)
		}
		if !m.lost && r.Buffered() != len(m.buf) {
			t.Fatalf("%d bytes buffered at the end, Twisted's %d (%q)", r.Buffered(), len(m.buf), m.buf)
		}
		if r.Err() != nil {
			t.Fatalf("gave up with a LineLengthExceeded hook: %v", r.Err())
		}
	})
}

func FuzzLineOnlyReceiver(f *testing.F) {
	lineSeeds(f)
	f.Fuzz(func(t *testing.T, delim string, maxLen int, data, cuts []byte) {
		d := fuzzDelimiter(delim)
		m := &twLineOnlyReceiver{delim: d, max: effectiveMax(maxLen)}
		r := &scriptedLineOnly{}
		r.Handler, r.Delimiter, r.MaxLength = r, d, maxLen
		r.MakeConnection(&fakeTransport{})
		for _, rd := range fuzzReads(data, cuts) {
			m.dataReceived(rd.data)
			r.DataReceived(rd.data)
			if !m.lost && len(r.buf) != len(m.buf) {
				t.Fatalf("after %q: %d bytes kept, Twisted's %d (%q)\nevents %q", rd.data, len(r.buf), len(m.buf), m.buf, r.ev)
			}
		}
		if !slices.Equal(m.ev, r.ev) {
			t.Fatalf("events %q\nTwisted's %q", r.ev, m.ev)
		}
	})
}

// stringScript is the handler of a string framer under fuzzing: a string
// beginning with 'P' pauses the framer, one beginning with 'Q' loses the
// connection; InvalidFrame is used when hook is set.
type stringScript struct {
	f       *stringFramer
	got     []string
	invalid []error
}

func (h *stringScript) StringReceived(s []byte) {
	h.got = append(h.got, string(s))
	if len(s) > 0 && s[0] == 'P' {
		h.f.PauseProducing()
	}
	if len(s) > 0 && s[0] == 'Q' {
		h.f.LoseConnection()
	}
}

type hookedScript struct{ *stringScript }

func (h hookedScript) InvalidFrame(err error) { h.invalid = append(h.invalid, err) }

// expectStrings runs the grammar over data: the strings a framer must
// deliver, and why it must give up (nil: it must not). It stops at the
// first string beginning with 'Q', after which nothing is delivered nor
// kept, and reports how many bytes of a frame are left over at the end.
func expectStrings(data []byte, step func(byte) ([]byte, bool, error)) (want []string, pending int, bad error) {
	for _, c := range data {
		pending++
		frame, ok, err := step(c)
		if err != nil {
			return want, 0, err
		}
		if ok {
			want, pending = append(want, string(frame)), 0
			if len(frame) > 0 && frame[0] == 'Q' {
				return want, 0, nil
			}
		}
	}
	return want, pending, nil
}

// checkStrings feeds a string framer the reads and compares it with the
// grammar's verdict. A read flagged clear is preceded by closing the
// transport from outside any handler (before the resume, if both are
// asked): from then on nothing more is delivered, the strings held back
// by a pause included.
func checkStrings(t *testing.T, sf *stringFramer, hook bool, feed func([]byte), resume func(), data, cuts []byte, step func(byte) ([]byte, bool, error)) {
	t.Helper()
	h := &stringScript{f: sf}
	sf.Handler = h
	if hook {
		sf.Handler = hookedScript{h}
	}
	tr := &fakeTransport{}
	sf.MakeConnection(tr)
	reads := fuzzReads(data, cuts)
	closedAt := -1 // how many strings had come when the transport closed
	for _, rd := range reads {
		if rd.clear && closedAt < 0 {
			tr.LoseConnection()
			closedAt = len(h.got)
		}
		if rd.resume && sf.in.paused {
			resume()
		}
		feed(rd.data)
	}
	for range len(data) + 1 { // each resume may meet another "P"
		if sf.in.paused {
			resume()
		}
	}
	want, pending, bad := expectStrings(data[:min(len(data), maxFuzzInput)], step)
	if closedAt >= 0 {
		if len(h.got) != closedAt || len(h.got) > len(want) || !slices.Equal(h.got, want[:len(h.got)]) {
			t.Fatalf("strings %q (%d when the transport closed), want at most %q", h.got, closedAt, want)
		}
		return
	}
	if !slices.Equal(h.got, want) {
		t.Fatalf("strings %q, want %q", h.got, want)
	}
	if bad == nil {
		if sf.Err() != nil || len(h.invalid) > 0 {
			t.Fatalf("gave up (%v, %v) on a valid stream", sf.Err(), h.invalid)
		}
		if sf.Buffered() != pending {
			t.Fatalf("%d bytes buffered, want %d", sf.Buffered(), pending)
		}
		return
	}
	if !errors.Is(sf.Err(), bad) {
		t.Fatalf("error %v, want %v", sf.Err(), bad)
	}
	if hook && (len(h.invalid) != 1 || h.invalid[0] != sf.Err()) || !hook && !tr.lost {
		t.Fatalf("InvalidFrame got %v, connection lost %v", h.invalid, tr.lost)
	}
	if sf.Buffered() != 0 {
		t.Fatalf("%d bytes buffered after giving up", sf.Buffered())
	}
}

// stringMax is the MaxLength a string framer applies.
func stringMax(maxLen int) int {
	if maxLen <= 0 {
		return DefaultMaxStringLength
	}
	return maxLen
}

func FuzzNetstringReceiver(f *testing.F) {
	for _, s := range []struct {
		maxLen int
		data   string
		cuts   string
	}{
		{0, "3:abc,0:,0:,", ""},
		{64, "12:hello world!,3:abcd", "\x03\x82"},
		{8, "1:P,2:ab,2:Qc,1:x,", "\x01\x81\x05"},
		{5, "3:abc,x", ""}, {5, "01:a,", ""}, {5, "99:", ""}, {5, ":", ""},
		{math.MaxInt, "18446744073709551619:abc,", "\x05"},
		{math.MaxInt/2 + 1, "9223372036854775807:abc,", "\x14"},
	} {
		f.Add(s.maxLen, false, []byte(s.data), []byte(s.cuts))
	}
	f.Add(4, true, []byte("4:abcd,5:"), []byte(""))
	f.Add(8, false, []byte("1:P,2:ab,2:cd,"), []byte("\x08\xc0")) // paused, closed, resumed
	f.Fuzz(func(t *testing.T, maxLen int, hook bool, data, cuts []byte) {
		n := &NetstringReceiver{}
		n.MaxLength = maxLen
		g := &netstringGrammar{maxLen: stringMax(maxLen)}
		checkStrings(t, &n.stringFramer, hook, n.DataReceived, n.ResumeProducing, data, cuts, g.step)
	})
}

func FuzzIntStringReceivers(f *testing.F) {
	for _, s := range []struct {
		maxLen int
		data   string
		cuts   string
	}{
		{0, "\x00\x00\x00\x03abc", ""},
		{100, "\x03abc\x00", "\x01\x82"},
		{100, "\xff\xff\xff\xff", ""},
		{8, "\x00\x01P\x00\x02ab\x00\x02Qc", "\x02\x81"},
		{math.MaxInt, "\x7f\xff\xff\xffabc", "\x02"},
	} {
		f.Add(s.maxLen, false, []byte(s.data), []byte(s.cuts))
	}
	f.Add(2, true, []byte("\x00\x03abc"), []byte(""))
	f.Add(8, false, []byte("\x00\x01P\x00\x02ab\x00\x02cd"), []byte("\x06\xc0")) // paused, closed, resumed
	f.Fuzz(func(t *testing.T, maxLen int, hook bool, data, cuts []byte) {
		for _, size := range []int{1, 2, 4} {
			g := &intGrammar{size: size, maxLen: stringMax(maxLen)}
			var sf *stringFramer
			var feed func([]byte)
			var resume func()
			switch size {
			case 1:
				r := &Int8StringReceiver{}
				sf, feed, resume = &r.stringFramer, r.DataReceived, r.ResumeProducing
			case 2:
				r := &Int16StringReceiver{}
				sf, feed, resume = &r.stringFramer, r.DataReceived, r.ResumeProducing
			default:
				r := &Int32StringReceiver{}
				sf, feed, resume = &r.stringFramer, r.DataReceived, r.ResumeProducing
			}
			sf.MaxLength = maxLen
			checkStrings(t, sf, hook, feed, resume, data, cuts, g.step)
		}
	})
}
