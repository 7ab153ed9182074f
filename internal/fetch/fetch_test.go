package fetch_test

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"gyre/internal/fetch"
	"gyre/poetry"
	"gyre/reactor"
)

// eventLog collects a run's events and checks their order per task.
type eventLog struct {
	events []fetch.Event
}

func (l *eventLog) observe(ev fetch.Event) { l.events = append(l.events, ev) }

// check verifies that every task has exactly one Started first, one
// Finished last, and Received bytes adding up to its Result's poem.
func (l *eventLog) check(t *testing.T, results []fetch.Result) {
	t.Helper()
	for _, res := range results {
		var kinds []fetch.EventKind
		got := 0
		for _, ev := range l.events {
			if ev.Task != res.Task {
				continue
			}
			kinds = append(kinds, ev.Kind)
			if ev.Kind == fetch.Received {
				got += ev.Bytes
			}
			if ev.Kind == fetch.Finished && !errors.Is(ev.Err, res.Err) && ev.Err != res.Err {
				t.Errorf("task %d: Finished with %v, Result has %v", res.Task, ev.Err, res.Err)
			}
		}
		if len(kinds) < 2 || kinds[0] != fetch.Started || kinds[len(kinds)-1] != fetch.Finished {
			t.Errorf("task %d: events %v, want Started ... Finished", res.Task, kinds)
		}
		for _, k := range kinds[1 : len(kinds)-1] {
			if k != fetch.Received {
				t.Errorf("task %d: events %v: only Received between Started and Finished", res.Task, kinds)
			}
		}
		if int64(got) != res.Poem.Len() {
			t.Errorf("task %d: events say %d bytes, the Result has %d", res.Task, got, res.Poem.Len())
		}
	}
}

func run(t *testing.T, mode fetch.Mode, addrs []poetry.Address, opts ...fetch.Option) ([]fetch.Result, *eventLog) {
	t.Helper()
	var log eventLog
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	opts = append(opts, fetch.WithObserver(log.observe))
	results, err := fetch.Fetch(ctx, mode, addrs, opts...)
	if err != nil {
		t.Fatalf("%v: Fetch: %v", mode, err)
	}
	if len(results) != len(addrs) {
		t.Fatalf("%v: %d results for %d addresses", mode, len(results), len(addrs))
	}
	log.check(t, results)
	return results, &log
}

func TestEveryModeDownloadsEveryPoem(t *testing.T) {
	poems := [][]byte{mustPoem(t, "night-bus"), mustPoem(t, "orchard"), mustPoem(t, "library")}
	addrs := serveSlow(t, 200, 5*time.Millisecond, poems...)
	for _, mode := range fetch.Modes() {
		t.Run(mode.String(), func(t *testing.T) {
			results, _ := run(t, mode, addrs)
			for i, res := range results {
				if res.Err != nil {
					t.Errorf("task %d: %v", res.Task, res.Err)
				}
				if res.Poem.String() != string(poems[i]) {
					t.Errorf("task %d: got %d bytes, want the %d of the poem", res.Task, res.Poem.Len(), len(poems[i]))
				}
				if res.Task != i+1 || res.Addr != addrs[i] || res.Elapsed() <= 0 {
					t.Errorf("result %d: %+v", i, res)
				}
			}
		})
	}
}

// The lesson of part 2, checked on the results' times: the blocking client
// does one task after another, the other two do them all at once.
func TestBlockingIsSequentialTheOthersOverlap(t *testing.T) {
	poem := mustPoem(t, "night-bus")
	addrs := serveSlow(t, 100, 10*time.Millisecond, poem, poem, poem)
	for _, mode := range fetch.Modes() {
		results, _ := run(t, mode, addrs)
		for i := 1; i < len(results); i++ {
			prev, cur := results[i-1], results[i]
			sequential := !cur.Start.Before(prev.End)
			if sequential != (mode == fetch.Blocking) {
				t.Errorf("%v: task %d starts at +%v, task %d ended at +%v", mode,
					cur.Task, cur.Start.Sub(results[0].Start), prev.Task, prev.End.Sub(results[0].Start))
			}
		}
	}
}

func TestRefusedTaskFailsOthersGoOn(t *testing.T) {
	poem := mustPoem(t, "orchard")
	good := serveSlow(t, 1000, 0, poem)[0]
	bad := refusedAddr(t)
	for _, mode := range fetch.Modes() {
		results, _ := run(t, mode, []poetry.Address{bad, good})
		if err := results[0].Err; !errors.Is(err, syscall.ECONNREFUSED) || fetch.Reason(err) != "connection refused" {
			t.Errorf("%v: refused task: %v (reason %q)", mode, err, fetch.Reason(err))
		}
		if results[1].Err != nil || results[1].Poem.String() != string(poem) {
			t.Errorf("%v: good task: %v, %d bytes", mode, results[1].Err, results[1].Poem.Len())
		}
	}
}

func TestTimeout(t *testing.T) {
	silent, _ := silentServer(t)
	for _, mode := range fetch.Modes() {
		start := time.Now()
		results, _ := run(t, mode, []poetry.Address{silent}, fetch.WithTimeout(150*time.Millisecond))
		err := results[0].Err
		if !errors.Is(err, fetch.ErrTimeout) || fetch.Reason(err) != "timed out after 150ms" {
			t.Errorf("%v: %v (reason %q), want a timeout", mode, err, fetch.Reason(err))
		}
		if took := time.Since(start); took < 150*time.Millisecond || took > 5*time.Second {
			t.Errorf("%v: the timeout took %v", mode, took)
		}
	}
}

// Cancelling the context interrupts a download blocked on a silent
// server, in every mode, and Fetch says so.
func TestCancel(t *testing.T) {
	silent, accepted := silentServer(t)
	for _, mode := range fetch.Modes() {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-accepted: // the download is waiting for data now
			case <-time.After(5 * time.Second):
			}
			cancel()
		}()
		done := make(chan struct{})
		var results []fetch.Result
		var err error
		go func() {
			defer close(done)
			results, err = fetch.Fetch(ctx, mode, []poetry.Address{silent, silent})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: Fetch did not return after the cancel", mode)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v: Fetch returned %v", mode, err)
		}
		for _, res := range results {
			if !errors.Is(res.Err, context.Canceled) || fetch.Reason(res.Err) != "interrupted" {
				t.Errorf("%v: task %d: %v", mode, res.Task, res.Err)
			}
		}
		cancel()
		// Drain what the other mode's connections were accepted with.
		for len(accepted) > 0 {
			<-accepted
		}
	}
}

func TestNoAddresses(t *testing.T) {
	for _, mode := range fetch.Modes() {
		results, err := fetch.Fetch(context.Background(), mode, nil)
		if err != nil || len(results) != 0 {
			t.Errorf("%v: %v, %v", mode, results, err)
		}
	}
	if _, err := fetch.Fetch(context.Background(), fetch.Mode(42), nil); err == nil {
		t.Error("an unknown mode ran")
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range fetch.Modes() {
		got, err := fetch.ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m, got, err)
		}
	}
	for _, bad := range []string{"", "Reactor", "threads"} {
		if _, err := fetch.ParseMode(bad); err == nil {
			t.Errorf("ParseMode(%q) accepted", bad)
		}
	}
}

func TestReason(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&reactor.ConnectError{Addr: "x", Err: syscall.ECONNREFUSED}, "connection refused"},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "connection refused"},
		{&reactor.ConnectionLostError{Err: syscall.ECONNRESET}, "connection reset by peer"},
		{reactor.ErrConnectionLost, "connection lost"},
		{context.Canceled, "interrupted"},
		{&net.DNSError{Name: "nowhere.invalid", Err: "no such host"}, "cannot resolve nowhere.invalid: no such host"},
		{errors.New("Something odd."), "Something odd"},
	} {
		if got := fetch.Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
