package uring

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Receives of 1 KiB on 32 sockets, through the ring (one system call for
// all) or one read(2) each; the peers' writes are the same in both.
func BenchmarkRecvBatch(b *testing.B)     { benchRecvs(b, true) }
func BenchmarkRecvOne(b *testing.B)       { benchRecvsN(b, true, 1) }
func BenchmarkRecvOneDirect(b *testing.B) { benchRecvsN(b, false, 1) }
func BenchmarkRecvDirect(b *testing.B)    { benchRecvs(b, false) }

func benchRecvs(b *testing.B, batched bool) { benchRecvsN(b, batched, 32) }

func benchRecvsN(b *testing.B, batched bool, npairs int) {
	r, err := New(64)
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	var pairs [][2]int
	for range npairs {
		fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		pairs = append(pairs, [2]int{fds[0], fds[1]})
		defer unix.Close(fds[0])
		defer unix.Close(fds[1])
	}
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
