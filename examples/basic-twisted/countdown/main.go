// Command countdown counts down from 5, one second apart, with each step
// scheduling the next with CallLater, then stops the reactor.
//
// The tutorial's basic-twisted/countdown.py. Run it with:
//
//	go run ./examples/basic-twisted/countdown
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/reactor"
)

// Countdown counts down on a reactor and stops it at zero.
type Countdown struct {
	r       *reactor.Reactor
	counter int
}

func (c *Countdown) count() {
	if c.counter == 0 {
		c.r.Stop()
		return
	}
	fmt.Println(c.counter, "...")
	c.counter--
	c.r.CallLater(time.Second, c.count)
}

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "countdown:", err)
		os.Exit(1)
	}
	r.CallWhenRunning((&Countdown{r: r, counter: 5}).count)
	fmt.Println("Start!")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "countdown:", err)
		os.Exit(1)
	}
	fmt.Println("Stop!")
}
