// Command defer-11 shows that a Deferred may be fired before its callbacks
// are added (each then runs as soon as it is added), and that a paused
// Deferred holds its result until it is unpaused.
//
// The tutorial's twisted-deferred/defer-11.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-11
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

func main() {
	fmt.Print(`This example illustrates how deferreds can
be fired before they are returned. First we
make a new deferred, fire it, then add some
callbacks.

`)

	// We create a deferred and fire it at once:
	d := deferred.New()
	fmt.Println("Firing empty deferred.")
	_ = d.Callback(0)

	// Now we add the callbacks: each one runs as soon as it is added.
	fmt.Println("Adding first callback.")
	d.AddCallback(callback1)
	fmt.Println("Adding second callback.")
	d.AddCallback(callback2)
	fmt.Println("Adding third callback.")
	d.AddCallback(callback3)

	fmt.Print(`
Because the deferred was already fired, it
invoked each callback as soon as it was added.

Now we create a deferred and fire it, but
pause it first with the pause() method.

`)

	// The same, but paused:
	d = deferred.New()
	fmt.Println("Pausing, then firing deferred.")
	d.Pause()
	_ = d.Callback(0)

	fmt.Println("Adding callbacks.")
	d.AddCallback(callback1)
	d.AddCallback(callback2)
	d.AddCallback(callback3)

	fmt.Println("Unpausing the deferred.")
	d.Unpause()
}
