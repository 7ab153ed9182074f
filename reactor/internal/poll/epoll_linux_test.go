package poll

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// A busy crowded loop's wait for a timer ends when the timer is due, not
// up to a millisecond later as a deadline in the runtime's poller does: it
// sleeps in whole milliseconds, rounding the wait down and then waiting a
// whole millisecond for what is left (for 4.3 ms, 4 ms and then 1 ms, 0.7
// ms late). The waits of a round are 3 to 6 ms in steps of 0.1 ms, so that
// rounding would delay them by half a millisecond at the median.
func TestCrowdedWaitEndsOnTime(t *testing.T) {
	b := crowdedBackend(t)
	// A loaded machine (the rest of the suite) delays a wake-up now and
	// then, and may spoil a round.
	var late []time.Duration
	for range 3 {
		late = late[:0]
		for timeout := 3 * time.Millisecond; timeout < 6*time.Millisecond; timeout += 100 * time.Microsecond {
			late = append(late, busyWait(t, b, timeout)-timeout)
		}
		if slices.Sort(late); late[len(late)/2] < 300*time.Microsecond {
			return
		}
	}
	t.Errorf("the waits ended %v late at the median (all: %v), want under 300µs", late[len(late)/2], late)
}

// Where the kernel has no epoll_pwait2 (before Linux 5.11) the kernel's
// wait is only a look, so a busy crowded loop parks for the whole of a
// timer's wait: ending it early, to finish with a look, would leave the
// loop spinning until the timer is due.
func TestCrowdedWaitWithoutPwait2(t *testing.T) {
	b := crowdedBackend(t)
	b.noPwait2 = true
	// 5 ms: longer than the raw wait's cap; 300 µs: shorter, which the
	// kernel's look alone would end at once (the loop would spin).
	for _, timeout := range []time.Duration{5 * time.Millisecond, 300 * time.Microsecond} {
		for range 5 {
			if took := busyWait(t, b, timeout); took < timeout {
				t.Fatalf("a %v wait returned after %v", timeout, took)
			}
		}
	}
}

// crowdedBackend returns an epoll backend of a crowded loop: as many loops
// as processors (one, here, for the test), as for a server pinned to one
// CPU. It skips where the runtime's poller does not take the epoll
// descriptor (the loop then always blocks in the kernel).
func crowdedBackend(t *testing.T) *epollBackend {
	b, err := New("epoll", Config{Crowded: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	eb := b.(*epollBackend)
	if eb.rc == nil {
		t.Skip("the runtime's poller does not take the epoll descriptor here")
	}
	procs := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	return eb
}

// busyWait makes the loop count as busy (a short wait), then waits
// timeout with nothing ready and returns how long that took. A wait may
// end early, with no events: the loop then waits again.
func busyWait(t *testing.T, b Backend, timeout time.Duration) time.Duration {
	b.Wait(time.Microsecond)
	start := time.Now()
	if _, err := b.Wait(timeout); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// Every wait with a timeout ends when it runs out, on each of the epoll
// backend's paths: the kernel's own wait (an idle or uncrowded loop) and a
// busy crowded loop's short wait in the kernel. epoll_pwait2 reads a
// struct __kernel_timespec, 64 bits wide on every platform; given the C
// library's 32-bit struct timespec on 386, a 1 ms wait never ended.
func TestWaitTimeoutEnds(t *testing.T) {
	for _, crowded := range []bool{false, true} {
		b, err := New("epoll", Config{Crowded: crowded})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		for _, timeout := range []time.Duration{300 * time.Microsecond, time.Millisecond, 3 * time.Millisecond} {
			done := make(chan time.Duration, 1)
			go func() { done <- busyWait(t, b, timeout) }()
			select {
			case <-done: // early is allowed (a signal may end a wait): the loop waits again
			case <-time.After(5 * time.Second):
				t.Fatalf("crowded=%v: a %v wait had not ended after 5s", crowded, timeout)
			}
		}
	}
}
