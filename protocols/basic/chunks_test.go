package basic

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// framerCase is one framer with a way to encode frames and to feed it.
type framerCase struct {
	name   string
	encode func(frames []string) []byte
	// run feeds chunks to a fresh framer and returns the frames it
	// delivered and its error.
	run func(chunks [][]byte) ([]string, error)
}

func framerCases() []framerCase {
	lines := func(delim string) func([]string) []byte {
		return func(frames []string) []byte {
			var b []byte
			for _, f := range frames {
				b = append(append(b, f...), delim...)
			}
			return b
		}
	}
	prefixed := func(size int) func([]string) []byte {
		return func(frames []string) []byte {
			var b []byte
			for _, f := range frames {
				n := len(f)
				for i := size - 1; i >= 0; i-- {
					b = append(b, byte(n>>(8*i)))
				}
				b = append(b, f...)
			}
			return b
		}
	}
	runStrings := func(mk func(h StringHandler, t *fakeTransport) (func([]byte), func() error)) func([][]byte) ([]string, error) {
		return func(chunks [][]byte) ([]string, error) {
			h := &stringRecorder{}
			feed, errf := mk(h, &fakeTransport{})
			for _, c := range chunks {
				feed(c)
			}
			return h.got, errf()
		}
	}
	return []framerCase{
		{"LineReceiver", lines("\r\n"), func(chunks [][]byte) ([]string, error) {
			r, _ := newLineRecorder()
			for _, c := range chunks {
				r.DataReceived(c)
			}
			return r.lines, r.Err()
		}},
		{"LineReceiver/delim=|", lines("|"), func(chunks [][]byte) ([]string, error) {
			r, _ := newLineRecorder()
			r.Delimiter = []byte("|")
			for _, c := range chunks {
				r.DataReceived(c)
			}
			return r.lines, r.Err()
		}},
		{"LineOnlyReceiver", lines("\r\n"), func(chunks [][]byte) ([]string, error) {
			r := &lineOnlyRecorder{}
			r.Handler = r
			r.MakeConnection(&fakeTransport{})
			for _, c := range chunks {
				r.DataReceived(c)
			}
			return r.lines, r.Err()
		}},
		{"NetstringReceiver", func(frames []string) []byte {
			var b []byte
			for _, f := range frames {
				b = fmt.Appendf(b, "%d:%s,", len(f), f)
			}
			return b
		}, runStrings(func(h StringHandler, t *fakeTransport) (func([]byte), func() error) {
			n := &NetstringReceiver{}
			n.Handler = h
			n.MakeConnection(t)
			return n.DataReceived, n.Err
		})},
		{"Int8StringReceiver", prefixed(1), runStrings(func(h StringHandler, t *fakeTransport) (func([]byte), func() error) {
			n := &Int8StringReceiver{}
			n.Handler = h
			n.MakeConnection(t)
			return n.DataReceived, n.Err
		})},
		{"Int16StringReceiver", prefixed(2), runStrings(func(h StringHandler, t *fakeTransport) (func([]byte), func() error) {
			n := &Int16StringReceiver{}
			n.Handler = h
			n.MakeConnection(t)
			return n.DataReceived, n.Err
		})},
		{"Int32StringReceiver", prefixed(4), runStrings(func(h StringHandler, t *fakeTransport) (func([]byte), func() error) {
			n := &Int32StringReceiver{}
			n.Handler = h
			n.MakeConnection(t)
			return n.DataReceived, n.Err
		})},
	}
}

// sampleFrames are frames every framer carries (no delimiter inside, none
// over 255 bytes), including empty ones and one that ends like "\r".
func sampleFrames(rng *rand.Rand, n int) []string {
	frames := []string{"", "a", "hello world", "ends with cr\r", strings255()}
	for len(frames) < n {
		b := make([]byte, rng.IntN(200))
		for i := range b {
			b[i] = "abcdefgh ,:0123456789\r"[rng.IntN(22)]
		}
		frames = append(frames, string(b))
	}
	return frames
}

func strings255() string { return string(bytes.Repeat([]byte("x"), 255)) }

// splitAt cuts b at the given sorted offsets.
func splitAt(b []byte, cuts []int) [][]byte {
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

// Every way of cutting a stream into two reads, and many random cuttings
// into up to a hundred, reassemble to the same frames, for every framer:
// the tutorial's habit of testing a protocol with random chunkings.
func TestEveryChunkingSameFrames(t *testing.T) {
	for _, fc := range framerCases() {
		t.Run(fc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			frames := sampleFrames(rng, 40)
			stream := fc.encode(frames)
			check := func(chunks [][]byte, how string) {
				t.Helper()
				got, err := fc.run(chunks)
				if err != nil || !slices.Equal(got, frames) {
					t.Fatalf("%s: got %d frames (err %v), want %d", how, len(got), err, len(frames))
				}
			}
			check([][]byte{stream}, "whole")
			for i := range stream {
				check(splitAt(stream, []int{i}), fmt.Sprintf("split at %d", i))
			}
			ones := make([][]byte, len(stream))
			for i := range stream {
				ones[i] = stream[i : i+1]
			}
			check(ones, "one byte at a time")
			for range 300 {
				cuts := make([]int, rng.IntN(100))
				for i := range cuts {
					cuts[i] = rng.IntN(len(stream) + 1)
				}
				slices.Sort(cuts)
				check(splitAt(stream, cuts), fmt.Sprintf("cuts %v", cuts))
			}
		})
	}
}
