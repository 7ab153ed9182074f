package fetch_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"gyre/internal/fetch"
	"gyre/internal/timeline"
	"gyre/poetry"
	"gyre/reactor"
)

// Downloading two poems at once on a reactor, with an observer counting
// the chunks. A fast poetry server runs on a reactor of its own for the
// example; the second address has no server.
func ExampleFetch() {
	poem, _ := poetry.Poem("night-bus")
	srv, _ := reactor.New()
	port, _ := srv.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory(poem))
	go srv.Run()
	defer srv.Stop()

	good := poetry.Address{Host: "127.0.0.1", Port: port.Addr().(*net.TCPAddr).Port}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	bad := poetry.Address{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close() // nobody listens there now

	received := 0
	results, err := fetch.Fetch(context.Background(), fetch.Reactor, []poetry.Address{good, bad},
		fetch.WithTimeout(5*time.Second),
		fetch.WithObserver(func(ev fetch.Event) {
			if ev.Kind == fetch.Received {
				received += ev.Bytes
			}
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range results {
		if res.Err != nil {
			fmt.Printf("Task %d failed: %s\n", res.Task, fetch.Reason(res.Err))
			continue
		}
		fmt.Printf("Task %d: got %d bytes of poetry\n", res.Task, res.Poem.Len())
	}
	fmt.Println("bytes seen by the observer:", received)
	// Output:
	// Task 1: got 593 bytes of poetry
	// Task 2 failed: connection refused
	// bytes seen by the observer: 593
}

// A Timeline turns the events of a run into the tutorial's figure. Here
// the events are made by hand, as a blocking run on a slow clock would
// make them.
func ExampleTimeline() {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	a := poetry.Address{Host: "127.0.0.1", Port: 10000}
	b := poetry.Address{Host: "127.0.0.1", Port: 10001}

	rec := fetch.NewTimeline("gyre get", fetch.Blocking)
	for _, ev := range []fetch.Event{
		{Kind: fetch.Started, Task: 1, Addr: a, At: at(0)},
		{Kind: fetch.Received, Task: 1, Addr: a, Bytes: 30, At: at(100)},
		{Kind: fetch.Received, Task: 1, Addr: a, Bytes: 30, At: at(200)},
		{Kind: fetch.Finished, Task: 1, Addr: a, At: at(300)},
		{Kind: fetch.Started, Task: 2, Addr: b, At: at(300)},
		{Kind: fetch.Received, Task: 2, Addr: b, Bytes: 10, At: at(400)},
		{Kind: fetch.Finished, Task: 2, Addr: b, At: at(500)},
	} {
		rec.Observe(ev)
	}
	timeline.WriteText(os.Stdout, rec.Timeline(), 40)
	// Output:
	// gyre get (blocking mode)
	// 127.0.0.1:10000 |--------#-------#-------                | 60 B  300.0 ms
	// 127.0.0.1:10001 |                        --------#-------| 10 B  200.0 ms
	//                 +--------+-------+-------+-------+-------+
	//                 0 ms     100 ms  200 ms  300 ms  400 ms  500 ms
	// legend: # data received, - waiting, x failed; one cell = 12.5 ms
}
