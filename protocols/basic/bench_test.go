package basic

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// The line benchmarks push 1,000,000 lines of 64 bytes (62 and "\r\n")
// through a framer per operation, in reads of two kinds: whole reads (64
// KiB, 1,024 whole lines each) and random splits (1 to 4,096 bytes, so
// most reads end inside a line). bench/lines/twisted_lines.py feeds
// Twisted's LineReceiver exactly the same reads (same generator, same
// seed), and bench/lines/run compares the two.

const (
	benchLines   = 1_000_000
	benchLineLen = 64
)

// benchLineStream returns the 64,000,000-byte input: line i is its number
// in decimal, padded with letters to 62 bytes.
func benchLineStream() []byte {
	b := make([]byte, 0, benchLines*benchLineLen)
	for i := range benchLines {
		start := len(b)
		b = fmt.Appendf(b, "%d ", i)
		for len(b)-start < benchLineLen-2 {
			b = append(b, byte('a'+(len(b)-start)%26))
		}
		b = append(b, '\r', '\n')
	}
	return b
}

// xorshift is the generator both the Go and the Python benchmarks use to
// cut reads, so that they see the same reads.
type xorshift uint64

func (x *xorshift) next() uint64 {
	v := uint64(*x)
	v ^= v << 13
	v ^= v >> 7
	v ^= v << 17
	*x = xorshift(v)
	return v
}

// randomReads cuts b into reads of 1 to 4,096 bytes.
func randomReads(b []byte) [][]byte {
	x := xorshift(0x9E3779B97F4A7C15)
	var reads [][]byte
	for len(b) > 0 {
		n := min(int(1+x.next()%4096), len(b))
		reads = append(reads, b[:n])
		b = b[n:]
	}
	return reads
}

// wholeReads cuts b into reads of size bytes.
func wholeReads(b []byte, size int) [][]byte {
	var reads [][]byte
	for len(b) > 0 {
		n := min(size, len(b))
		reads = append(reads, b[:n])
		b = b[n:]
	}
	return reads
}

// countLines is a handler that only counts (and touches the line, as a
// real one would).
type countLines struct {
	n, bytes int
}

func (c *countLines) LineReceived(line []byte) { c.n++; c.bytes += len(line) }

func benchFramer(b *testing.B, reads [][]byte, frames int, feed func([]byte), count func() int) {
	total := 0
	for _, r := range reads {
		total += len(r)
	}
	for _, r := range reads { // warm up: the buffer reaches its size
		feed(r)
	}
	start := count()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		for _, r := range reads {
			feed(r)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if got := count() - start; got != frames*b.N {
		b.Fatalf("%d frames, want %d", got, frames*b.N)
	}
	b.ReportMetric(float64(frames)*float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(0, "ns/op") // the figure per frame is what matters
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames*b.N), "ns/frame")
	// CPU time per frame: what bench/lines/run compares with Twisted,
	// since on a shared machine wall time counts the neighbours too.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(frames*b.N), "cpu-ns/frame")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLineReceiver(b *testing.B) {
	stream := benchLineStream()
	for _, c := range []struct {
		name  string
		reads [][]byte
	}{{"whole", wholeReads(stream, 64<<10)}, {"random", randomReads(stream)}} {
		b.Run(c.name, func(b *testing.B) {
			h := &countLines{}
			r := &LineReceiver{Handler: h}
			r.MakeConnection(&fakeTransport{})
			benchFramer(b, c.reads, benchLines, r.DataReceived, func() int { return h.n })
		})
	}
}

func BenchmarkLineOnlyReceiver(b *testing.B) {
	stream := benchLineStream()
	for _, c := range []struct {
		name  string
		reads [][]byte
	}{{"whole", wholeReads(stream, 64<<10)}, {"random", randomReads(stream)}} {
		b.Run(c.name, func(b *testing.B) {
			h := &countLines{}
			r := &LineOnlyReceiver{Handler: h}
			r.MakeConnection(&fakeTransport{})
			benchFramer(b, c.reads, benchLines, r.DataReceived, func() int { return h.n })
		})
	}
}

// countStrings counts strings.
type countStrings struct{ n int }

func (c *countStrings) StringReceived([]byte) { c.n++ }

// benchStrings is 64 MiB worth of 1 KiB strings, framed by encode.
func benchStrings(encode func(out, s []byte) []byte) ([]byte, int) {
	s := bytes.Repeat([]byte("0123456789abcdef"), 64)
	var out []byte
	n := 0
	for len(out) < 64<<20 {
		out = encode(out, s)
		n++
	}
	return out, n
}

func BenchmarkNetstringReceiver(b *testing.B) {
	stream, n := benchStrings(func(out, s []byte) []byte { return append(fmt.Appendf(out, "%d:", len(s)), append(s, ',')...) })
	for _, c := range []struct {
		name  string
		reads [][]byte
	}{{"whole", wholeReads(stream, 64<<10)}, {"random", randomReads(stream)}} {
		b.Run(c.name, func(b *testing.B) {
			h := &countStrings{}
			r := &NetstringReceiver{}
			r.Handler = h
			r.MakeConnection(&fakeTransport{})
			benchFramer(b, c.reads, n, r.DataReceived, func() int { return h.n })
		})
	}
}

func BenchmarkInt32StringReceiver(b *testing.B) {
	stream, n := benchStrings(func(out, s []byte) []byte {
		out = append(out, byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s)))
		return append(out, s...)
	})
	for _, c := range []struct {
		name  string
		reads [][]byte
	}{{"whole", wholeReads(stream, 64<<10)}, {"random", randomReads(stream)}} {
		b.Run(c.name, func(b *testing.B) {
			h := &countStrings{}
			r := &Int32StringReceiver{}
			r.Handler = h
			r.MakeConnection(&fakeTransport{})
			benchFramer(b, c.reads, n, r.DataReceived, func() int { return h.n })
		})
	}
}

// Sending: SendLine and SendString cost no allocation.
func BenchmarkSendLine(b *testing.B) {
	r := &LineReceiver{Handler: &countLines{}}
	t := &discardTransport{}
	r.MakeConnection(t)
	line := bytes.Repeat([]byte("x"), 62)
	b.ReportAllocs()
	for range b.N {
		r.SendLine(line)
	}
}

func BenchmarkSendNetstring(b *testing.B) {
	r := &NetstringReceiver{}
	r.Handler = &countStrings{}
	r.MakeConnection(&discardTransport{})
	s := bytes.Repeat([]byte("x"), 1024)
	b.ReportAllocs()
	for range b.N {
		r.SendString(s)
	}
}

// discardTransport drops what is written.
type discardTransport struct{ fakeTransport }

func (t *discardTransport) Write([]byte)           {}
func (t *discardTransport) WriteSequence([][]byte) {}

// Records of a header line and a raw body (records_test.go), 8,192 to a
// 64 KiB read: the mode switches back and forth twice per record.
func BenchmarkLineReceiverRecords(b *testing.B) {
	const n = 1 << 16
	stream := recordStream(n)
	r := newRecords()
	benchFramer(b, wholeReads(stream, 64<<10), n, r.DataReceived, func() int { return r.n })
}
