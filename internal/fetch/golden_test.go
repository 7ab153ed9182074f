package fetch_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gyre/internal/fetch"
	"gyre/internal/timeline"
	"gyre/poetry"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fakeClock is a clock that moves only when the conductor moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// step is one move of the conductor: task sends n bytes, or closes its
// connection (n == 0).
type step struct {
	task, n int
}

// lockstep runs a download whose timeline is exact: the servers send
// nothing by themselves; a conductor moves the fake clock 100 ms, makes one
// server send one chunk (or close), and waits until the client has seen it
// before the next move. So every read returns exactly one chunk, every
// event carries a known time, and the run gives the same figure every
// time, in any mode.
func lockstep(t *testing.T, mode fetch.Mode, tasks int, script []step) timeline.Timeline {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	addrs := make([]poetry.Address, tasks)
	conns := make([]chan net.Conn, tasks)
	for i := range tasks {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs[i] = poetry.Address{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
		conns[i] = make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				conns[i] <- c
			}
		}()
	}
	events := make(chan fetch.Event, 1024)
	rec := fetch.NewTimeline("gyre get", mode)
	observe := fetch.Observers(rec.Observe, func(ev fetch.Event) { events <- ev })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conductorDone := make(chan error, 1)
	go func() { conductorDone <- conduct(ctx, mode, clock, conns, events, script) }()
	results, err := fetch.Fetch(ctx, mode, addrs, fetch.WithObserver(observe), fetch.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-conductorDone; err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		if res.Err != nil {
			t.Fatalf("task %d: %v", res.Task, res.Err)
		}
	}
	tl := rec.Timeline()
	// The ports are the system's choice: give the lanes fixed names.
	for i := range tl.Lanes {
		tl.Lanes[i].Label = fmt.Sprintf("127.0.0.1:1000%d", i)
	}
	return tl
}

// conduct plays the script. Concurrent modes start every task before the
// first move, so it waits for all of them; the blocking mode starts each
// task when the previous one ends, which the script's order follows.
func conduct(ctx context.Context, mode fetch.Mode, clock *fakeClock, accepts []chan net.Conn, events <-chan fetch.Event, script []step) error {
	started := map[int]bool{}
	got := map[int]int{}
	finished := map[int]bool{}
	open := make([]net.Conn, len(accepts))
	defer func() {
		for _, c := range open {
			if c != nil {
				c.Close()
			}
		}
	}()
	waitFor := func(what string, ok func() bool) error {
		for !ok() {
			select {
			case ev := <-events:
				switch ev.Kind {
				case fetch.Started:
					started[ev.Task] = true
				case fetch.Received:
					got[ev.Task] += ev.Bytes
				case fetch.Finished:
					finished[ev.Task] = true
					if ev.Err != nil {
						return fmt.Errorf("task %d failed: %v", ev.Task, ev.Err)
					}
				}
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %v", what, ctx.Err())
			}
		}
		return nil
	}
	if mode != fetch.Blocking {
		if err := waitFor("every task to start", func() bool { return len(started) == len(accepts) }); err != nil {
			return err
		}
	}
	for _, s := range script {
		i := s.task - 1
		if open[i] == nil {
			select {
			case open[i] = <-accepts[i]:
			case <-ctx.Done():
				return fmt.Errorf("task %d never connected", s.task)
			}
		}
		clock.advance(100 * time.Millisecond)
		if s.n == 0 {
			open[i].Close()
			if err := waitFor(fmt.Sprintf("task %d to finish", s.task), func() bool { return finished[s.task] }); err != nil {
				return err
			}
			continue
		}
		want := got[s.task] + s.n
		if _, err := open[i].Write(bytes.Repeat([]byte{'x'}, s.n)); err != nil {
			return err
		}
		if err := waitFor(fmt.Sprintf("task %d's chunk", s.task), func() bool { return got[s.task] == want }); err != nil {
			return err
		}
	}
	return nil
}

// The scripts: three servers, as in the tutorial (one long poem in bigger
// chunks, two short ones). One after another for the blocking client,
// interleaved for the others.
var (
	sequential = []step{
		{1, 30}, {1, 30}, {1, 30}, {1, 0},
		{2, 10}, {2, 10}, {2, 0},
		{3, 10}, {3, 10}, {3, 0},
	}
	interleaved = []step{
		{1, 30}, {2, 10}, {3, 10},
		{1, 30}, {2, 10}, {3, 10},
		{1, 30}, {2, 0}, {3, 0},
		{1, 0},
	}
)

func TestGoldenTextTimeline(t *testing.T) {
	for _, tt := range []struct {
		mode   fetch.Mode
		script []step
	}{
		{fetch.Blocking, sequential},
		{fetch.Async, interleaved},
		{fetch.Reactor, interleaved},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			tl := lockstep(t, tt.mode, 3, tt.script)
			var out bytes.Buffer
			if err := timeline.WriteText(&out, tl, 60); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "timeline-"+tt.mode.String()+".golden"), out.Bytes())
		})
	}
}

// The SVG of a run is well-formed XML with one lane per task.
func TestSVGTimeline(t *testing.T) {
	tl := lockstep(t, fetch.Async, 3, interleaved)
	var out bytes.Buffer
	if err := timeline.WriteSVG(&out, tl); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&out)
	lanes := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "g" {
			for _, a := range el.Attr {
				if a.Name.Local == "class" && a.Value == "lane" {
					lanes++
				}
			}
		}
	}
	if lanes != 3 {
		t.Errorf("%d lanes in the SVG, want 3", lanes)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}
