package basic

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

// A header line then a raw body, record after record, many per read (an
// HTTP/1.1 pipeline, a chunked body, a bulk reply): the handler gives the
// end of each body back with SetLineMode(rest). Each record must cost what
// a line costs, however many records a read holds.

// records is a LineReceiver for a stream of records, each a line with the
// body's length in decimal, then the body.
type records struct {
	LineReceiver
	want  int // bytes of the current body still to come
	n     int // records received whole
	bytes int // body bytes received
	bad   bool
}

func newRecords() *records {
	r := &records{}
	r.Handler = r
	r.MakeConnection(&fakeTransport{})
	return r
}

func (r *records) LineReceived(line []byte) {
	n, err := strconv.Atoi(string(line)) // no allocation: the conversion is not kept
	if err != nil {
		r.bad = true
		r.LoseConnection()
		return
	}
	r.want = n
	r.SetRawMode()
}

func (r *records) RawDataReceived(data []byte) {
	k := min(r.want, len(data))
	r.want -= k
	r.bytes += k
	if r.want == 0 {
		r.n++
		r.SetLineMode(data[k:])
	}
}

// recordStream is n records of a 5-byte body each.
func recordStream(n int) []byte {
	return bytes.Repeat([]byte("5\r\nhello"), n)
}

func TestRecordsDelivered(t *testing.T) {
	stream := recordStream(1000)
	for _, size := range []int{len(stream), 4096, 7, 1} {
		r := newRecords()
		for _, c := range wholeReads(stream, size) {
			r.DataReceived(c)
		}
		if r.bad || r.n != 1000 || r.bytes != 5000 || r.Buffered() != 0 {
			t.Errorf("reads of %d: %d records, %d body bytes, bad %v, %d buffered", size, r.n, r.bytes, r.bad, r.Buffered())
		}
	}
}

func TestRecordsCostNoAllocation(t *testing.T) {
	const perRead = 8192
	read := recordStream(perRead)
	r := newRecords()
	allocs := testing.AllocsPerRun(10, func() { r.DataReceived(read) })
	if allocs != 0 {
		t.Errorf("%v allocations per read of %d records, want 0", allocs, perRead)
	}
}

func TestRecordsLinearInRecordsPerRead(t *testing.T) {
	// 16 times the records in one read take about 16 times as long; a
	// copy of the rest of the read per record would make it 256.
	small, large := recordStream(2048), recordStream(2048*16)
	ts, tl := fastest(small), fastest(large)
	if ratio := float64(tl) / float64(ts); ratio > 64 {
		t.Errorf("2048 records in one read: %v; 16 times as many: %v (%.0f times as long)", ts, tl, ratio)
	}
}

// fastest is the shortest of a few deliveries of read, the figure the
// machine's other work disturbs least.
func fastest(read []byte) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		r := newRecords()
		start := time.Now()
		r.DataReceived(read)
		best = min(best, time.Since(start))
	}
	return best
}
