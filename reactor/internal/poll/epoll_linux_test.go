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
	b, err := New("epoll", Config{Crowded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if eb := b.(*epollBackend); eb.rc == nil {
		t.Skip("the runtime's poller does not take the epoll descriptor here")
	}
	// Crowded: as many loops as processors (one, here), as for a server
	// pinned to one CPU.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	// A loaded machine (the rest of the suite) delays a wake-up now and
	// then, and may spoil a round.
	var late []time.Duration
	for range 3 {
		if late = crowdedWaits(t, b); late[len(late)/2] < 300*time.Microsecond {
			return
		}
	}
	t.Errorf("the waits ended %v late at the median (all: %v), want under 300µs", late[len(late)/2], late)
}

// crowdedWaits makes waits of 3 to 6 ms on b, busy (a short wait before
// each), and returns how late each ended, sorted. A wait may end early,
// with no events: the loop then waits again.
func crowdedWaits(t *testing.T, b Backend) []time.Duration {
	var late []time.Duration
	for timeout := 3 * time.Millisecond; timeout < 6*time.Millisecond; timeout += 100 * time.Microsecond {
		b.Wait(time.Microsecond) // a short wait makes the loop count as busy
		start := time.Now()
		if _, err := b.Wait(timeout); err != nil {
			t.Fatal(err)
		}
		late = append(late, time.Since(start)-timeout)
	}
	slices.Sort(late)
	return late
}

// Where the kernel has no epoll_pwait2 (before Linux 5.11) the kernel's
// wait is only a look, so a busy crowded loop parks for the whole of a
// timer's wait: ending it early, to finish with a look, would leave the
// loop spinning until the timer is due.
func TestCrowdedWaitWithoutPwait2(t *testing.T) {
	b, err := New("epoll", Config{Crowded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	eb := b.(*epollBackend)
	if eb.rc == nil {
		t.Skip("the runtime's poller does not take the epoll descriptor here")
	}
	eb.noPwait2 = true
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const timeout = 5 * time.Millisecond
	for range 5 {
		b.Wait(time.Microsecond) // busy
		start := time.Now()
		if _, err := b.Wait(timeout); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < timeout {
			t.Fatalf("a %v wait returned after %v", timeout, took)
		}
	}
}
