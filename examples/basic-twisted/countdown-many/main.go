// Command countdown-many runs three countdowns at once, each at its own
// rate, on one reactor, and stops the reactor when the last one reaches
// zero. None of them knows about the others: the reactor interleaves their
// calls by time.
//
// It is the tutorial's first exercise of part 3 ("three independently
// running counters, each running at different rates"). Run it with:
//
//	go run ./examples/basic-twisted/countdown-many
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/reactor"
)

// Countdown counts down on a reactor at its own rate and calls done at zero.
type Countdown struct {
	r       *reactor.Reactor
	name    string
	counter int
	rate    time.Duration
	done    func()
}

func (c *Countdown) count() {
	if c.counter == 0 {
		c.done()
		return
	}
	fmt.Printf("%s: %d ...\n", c.name, c.counter)
	c.counter--
	c.r.CallLater(c.rate, c.count)
}

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "countdown-many:", err)
		os.Exit(1)
	}
	running := 3
	finished := func() {
		running--
		if running == 0 {
			r.Stop()
		}
	}
	for _, c := range []*Countdown{
		{r: r, name: "slow", counter: 5, rate: time.Second, done: finished},
		{r: r, name: "medium", counter: 5, rate: 700 * time.Millisecond, done: finished},
		{r: r, name: "fast", counter: 5, rate: 400 * time.Millisecond, done: finished},
	} {
		r.CallWhenRunning(c.count)
	}
	fmt.Println("Start!")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "countdown-many:", err)
		os.Exit(1)
	}
	fmt.Println("Stop!")
}
