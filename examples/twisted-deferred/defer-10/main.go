// Command defer-10 shows a callback that returns a Deferred: the outer chain
// pauses there, and goes on with the inner Deferred's result once that one
// fires.
//
// The tutorial's twisted-deferred/defer-10.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-10
package main

import (
	"fmt"

	"gyre/deferred"
)

// three simple callbacks

func callback1(res any) (any, error) {
	fmt.Println("callback_1 got", res)
	return 1, nil
}

func callback2(res any) (any, error) {
	fmt.Println("callback_2 got", res)
	return 2, nil
}

func callback3(res any) (any, error) {
	fmt.Println("callback_3 got", res)
	return 3, nil
}

// deferred2 is fired from the "outside", by main, only because this program
// has no reactor. A real program would not keep a Deferred in a global and
// fire it from elsewhere: the work that the callback starts would fire it.
var deferred2 *deferred.Deferred

func callback2Async(res any) (any, error) {
	fmt.Println("callback_2 got", res)
	deferred2 = deferred.New()
	return deferred2, nil
}

func main() {
	fmt.Print(`
This example illustrates how callbacks in a deferred
chain can return deferreds themselves.

`)

	// We add them all to a deferred and fire it:
	d := deferred.New()
	d.AddCallback(callback1)
	d.AddCallback(callback2)
	d.AddCallback(callback3)

	fmt.Print(`
Here we are firing a deferred with three callbacks that just print
their argument and return simple values:

`)
	_ = d.Callback(0)

	// We do the same thing, but the middle callback returns a deferred:
	d = deferred.New()
	d.AddCallback(callback1)
	d.AddCallback(callback2Async)
	d.AddCallback(callback3)

	fmt.Print(`
Here we are firing a deferred as above but the middle callback is
returning a deferred:

`)
	_ = d.Callback(0)

	fmt.Print(`
Notice the output from the third callback is missing. That's because
the second callback returned a deferred and now the 'outer' deferred
is paused. It's not waiting in a thread or anything like that, it just
stopped invoking the callbacks in the chain. Instead, it registered
some callbacks on the 'inner' deferred which will start the outer
deferred back up when the inner deferred is fired.

We can see this in action by firing the inner deferred:

`)
	_ = deferred2.Callback(2)

	fmt.Print(`
Note the argument to the inner deferred's callback() method became
the result passed to the next callback in the outer deferred.

`)
}
