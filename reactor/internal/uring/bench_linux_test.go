package uring

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Receives of 1 KiB on 32 sockets (or one: the One pair, what a turn with
// a single readable connection costs), through the ring (one system call
// for all) or one read(2) each; the peers' writes are the same in both.
func BenchmarkRecvBatch(b *testing.B)     { benchRecvs(b, true) }
func BenchmarkRecvOne(b *testing.B)       { benchRecvsN(b, true, 1) }
func BenchmarkRecvOneDirect(b *testing.B) { benchRecvsN(b, false, 1) }
func BenchmarkRecvDirect(b *testing.B)    { benchRecvs(b, false) }

func benchRecvs(b *testing.B, batched bool) { benchRecvsN(b, batched, 32) }

func benchRecvsN(b *testing.B, batched bool, npairs int) {
	r, pairs := benchPairs(b, npairs)
	msg, buf := make([]byte, 1024), make([]byte, 32*4096)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pairs {
			unix.RawSyscall(unix.SYS_WRITE, uintptr(p[0]), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
		}
		for i, p := range pairs {
			dst := buf[i*4096 : (i+1)*4096]
			if batched {
				r.PrepRecv(p[1], dst, unix.MSG_DONTWAIT, uint64(i))
			} else {
				unix.RawSyscall(unix.SYS_READ, uintptr(p[1]), uintptr(unsafe.Pointer(&dst[0])), uintptr(len(dst)))
			}
		}
		r.Submit()
		for _, _, ok := r.Next(); ok; _, _, ok = r.Next() {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pairs)), "ns/write+recv")
}

// The benchmarks below send 1 KiB on each of 32 sockets (or one: the One
// pair) and read it back at the other end, the sends through the ring (one
// system call for all) or one write(2) each: the difference per send is
// what batching saves, or for one socket what it costs.
func BenchmarkSendBatch(b *testing.B)     { benchSends(b, true) }
func BenchmarkSendOne(b *testing.B)       { benchSendsN(b, true, 1) }
func BenchmarkSendOneDirect(b *testing.B) { benchSendsN(b, false, 1) }
func BenchmarkSendDirect(b *testing.B)    { benchSends(b, false) }

func benchSends(b *testing.B, batched bool) { benchSendsN(b, batched, 32) }

func benchSendsN(b *testing.B, batched bool, npairs int) {
	r, pairs := benchPairs(b, npairs)
	msg, buf := make([]byte, 1024), make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range pairs {
			if batched {
				r.PrepSend(p[0], msg, unix.MSG_DONTWAIT, uint64(i))
			} else {
				unix.RawSyscall(unix.SYS_WRITE, uintptr(p[0]), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
			}
		}
		r.Submit()
		for _, _, ok := r.Next(); ok; _, _, ok = r.Next() {
		}
		for _, p := range pairs {
			unix.RawSyscall(unix.SYS_READ, uintptr(p[1]), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pairs)), "ns/send+read")
}

// benchPairs makes a ring and n connected socket pairs, all closed when b
// ends, or skips where there is no io_uring.
func benchPairs(b *testing.B, n int) (*Ring, [][2]int) {
	r, err := New(64)
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { r.Close() })
	pairs := make([][2]int, n)
	for i := range pairs {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if err != nil {
			b.Fatal(err)
		}
		pairs[i] = [2]int{fds[0], fds[1]}
		b.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	}
	return r, pairs
}
