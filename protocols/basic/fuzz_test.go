package basic

import (
	"errors"
	"slices"
	"testing"
)

// Each fuzz target feeds arbitrary bytes to a framer twice, whole and cut
// into reads at offsets taken from the input itself, and checks that the
// framer never panics, that both runs deliver the same frames and end in
// the same state, that every frame respects MaxLength, and that a framer
// that gave up says why with one of the package's errors.

// cutsFrom derives read boundaries from the data: a reproducible cutting.
func cutsFrom(data []byte, seed byte) [][]byte {
	var chunks [][]byte
	for len(data) > 0 {
		n := 1 + int(seed^data[0])%7
		seed += 31
		n = min(n, len(data))
		chunks = append(chunks, data[:n])
		data = data[n:]
	}
	return chunks
}

func checkFramer(t *testing.T, data []byte, seed byte, maxLen int, run func([][]byte) ([]string, error)) {
	whole, errW := run([][]byte{data})
	cut, errC := run(cutsFrom(data, seed))
	if (errW == nil) != (errC == nil) {
		t.Fatalf("whole ended with %v, cut with %v", errW, errC)
	}
	if errW == nil && !slices.Equal(whole, cut) {
		t.Fatalf("whole gave %q, cut %q", whole, cut)
	}
	if errW != nil {
		// A framer that gives up delivers a prefix of the same frames
		// whatever the cutting (it may notice a bad length at different
		// points, never deliver something else).
		if !slices.Equal(whole[:min(len(whole), len(cut))], cut[:min(len(whole), len(cut))]) {
			t.Fatalf("whole gave %q, cut %q", whole, cut)
		}
		if !errors.Is(errW, ErrFrameTooLong) && !errors.Is(errW, ErrMalformed) {
			t.Fatalf("unexpected reason %v", errW)
		}
	}
	for _, f := range whole {
		if len(f) > maxLen {
			t.Fatalf("frame of %d bytes over %d", len(f), maxLen)
		}
	}
}

func fuzzSeeds(f *testing.F, seeds ...string) {
	for i, s := range seeds {
		f.Add([]byte(s), byte(i))
	}
}

func FuzzLineReceiver(f *testing.F) {
	fuzzSeeds(f, "a\r\nb\r\n", "\r\r\n\n", "long line without end", "x\r\nBODY\r\nraw")
	f.Fuzz(func(t *testing.T, data []byte, seed byte) {
		checkFramer(t, data, seed, 16, func(chunks [][]byte) ([]string, error) {
			r, _ := newLineRecorder()
			r.MaxLength = 16
			for _, c := range chunks {
				r.DataReceived(c)
			}
			return r.lines, r.Err()
		})
	})
}

func FuzzLineOnlyReceiver(f *testing.F) {
	fuzzSeeds(f, "a\nb\n", "\n\n\n", "long line without end")
	f.Fuzz(func(t *testing.T, data []byte, seed byte) {
		checkFramer(t, data, seed, 16, func(chunks [][]byte) ([]string, error) {
			r := &lineOnlyRecorder{}
			r.Handler, r.MaxLength, r.Delimiter = r, 16, []byte("\n")
			r.MakeConnection(&fakeTransport{})
			for _, c := range chunks {
				r.DataReceived(c)
			}
			return r.lines, r.Err()
		})
	})
}

func FuzzNetstringReceiver(f *testing.F) {
	fuzzSeeds(f, "3:abc,", "0:,0:,", "12:hello world!,", "3:abcd", "x", "01:a,", "99999999999:")
	f.Fuzz(func(t *testing.T, data []byte, seed byte) {
		checkFramer(t, data, seed, 64, func(chunks [][]byte) ([]string, error) {
			n, h, _ := newNetstring(64)
			for _, c := range chunks {
				n.DataReceived(c)
			}
			return h.got, n.Err()
		})
	})
}

func FuzzIntStringReceivers(f *testing.F) {
	fuzzSeeds(f, "\x00\x00\x00\x03abc", "\x03abc\x00", "\xff\xff\xff\xff", "\x00\x05hello")
	f.Fuzz(func(t *testing.T, data []byte, seed byte) {
		for size := range 3 {
			checkFramer(t, data, seed, 100, func(chunks [][]byte) ([]string, error) {
				h := &stringRecorder{}
				var feed func([]byte)
				var errf func() error
				switch size {
				case 0:
					r := &Int8StringReceiver{}
					r.Handler, r.MaxLength = h, 100
					r.MakeConnection(&fakeTransport{})
					feed, errf = r.DataReceived, r.Err
				case 1:
					r := &Int16StringReceiver{}
					r.Handler, r.MaxLength = h, 100
					r.MakeConnection(&fakeTransport{})
					feed, errf = r.DataReceived, r.Err
				default:
					r := &Int32StringReceiver{}
					r.Handler, r.MaxLength = h, 100
					r.MakeConnection(&fakeTransport{})
					feed, errf = r.DataReceived, r.Err
				}
				for _, c := range chunks {
					feed(c)
				}
				return h.got, errf()
			})
		}
	})
}
