package deferred_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gyre/deferred"
)

// A Deferred with one callback/errback pair, fired with a result: the
// callback runs at once, inside Callback (the tutorial's defer-1).
func Example() {
	d := deferred.New()
	d.AddCallbacks(
		func(poem any) (any, error) {
			fmt.Println("Your poem is served:")
			fmt.Println(poem)
			return nil, nil
		},
		func(f *deferred.Failure) (any, error) {
			fmt.Println("No poetry for you.")
			return nil, nil
		})
	_ = d.Callback("This poem is short.")
	fmt.Println("Finished")
	// Output:
	// Your poem is served:
	// This poem is short.
	// Finished
}

// Firing with an error sends the chain down the errback line; an errback
// that returns a value brings it back to the callback line.
func ExampleDeferred_AddErrback() {
	d := deferred.New()
	d.AddCallback(func(poem any) (any, error) {
		fmt.Println("not reached")
		return poem, nil
	})
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println("download failed:", f)
		return "a poem from the cache", nil
	})
	d.AddCallback(func(poem any) (any, error) {
		fmt.Println("got:", poem)
		return nil, nil
	})
	_ = d.Errback(errors.New("connection refused"))
	// Output:
	// download failed: connection refused
	// got: a poem from the cache
}

// AddBoth runs on either line; it is where a chain cleans up.
func ExampleDeferred_AddBoth() {
	d := deferred.New()
	d.AddBoth(func(result any) (any, error) {
		if f, failed := result.(*deferred.Failure); failed {
			fmt.Println("done, with a failure:", f)
		} else {
			fmt.Println("done with", result)
		}
		return nil, nil
	})
	_ = d.Errback(errors.New("no poem"))
	// Output:
	// done, with a failure: no poem
}

// A callback that returns a Deferred pauses the outer chain until that
// Deferred fires (the tutorial's defer-10).
func ExampleDeferred_Callback_chaining() {
	var inner *deferred.Deferred
	outer := deferred.New()
	outer.AddCallback(func(v any) (any, error) {
		fmt.Println("first callback got", v)
		inner = deferred.New()
		return inner, nil
	})
	outer.AddCallback(func(v any) (any, error) {
		fmt.Println("second callback got", v)
		return nil, nil
	})
	_ = outer.Callback(1)
	fmt.Println("the outer chain waits")
	_ = inner.Callback(2)
	// Output:
	// first callback got 1
	// the outer chain waits
	// second callback got 2
}

// A Deferred fires once; a second firing runs nothing and returns an error.
func ExampleDeferred_Callback_twice() {
	d := deferred.New()
	d.AddCallback(func(v any) (any, error) {
		fmt.Println(v)
		return nil, nil
	})
	_ = d.Callback("First result")
	err := d.Callback("Second result")
	fmt.Println(errors.Is(err, deferred.ErrAlreadyCalled), err)
	// Output:
	// First result
	// true deferred: already called: Callback after Callback
}

// Callbacks added to a fired Deferred run at once, unless it is paused
// (the tutorial's defer-11).
func ExampleDeferred_Pause() {
	d := deferred.New()
	d.Pause()
	_ = d.Callback(0)
	d.AddCallback(func(v any) (any, error) {
		fmt.Println("callback got", v)
		return nil, nil
	})
	fmt.Println("Unpausing")
	d.Unpause()
	// Output:
	// Unpausing
	// callback got 0
}

// Cancel calls the canceller, which may stop the work and fire the Deferred
// itself; otherwise the Deferred fails with ErrCancelled.
func ExampleNewWithCanceller() {
	d := deferred.NewWithCanceller(func(d *deferred.Deferred) {
		fmt.Println("closing the connection")
	})
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		if f.Check(deferred.ErrCancelled) != nil {
			fmt.Println("cancelled")
		}
		return nil, nil
	})
	d.Cancel()
	// Output:
	// closing the connection
	// cancelled
}

// Check takes error values (matched with errors.Is) and pointers to error
// variables (matched and filled with errors.As), and returns the target
// that matched.
func ExampleFailure_Check() {
	f := deferred.NewFailure(&CannotCummingsifyError{Poem: "Roses are red."})
	var gibberish *GibberishError
	var cannot *CannotCummingsifyError
	switch f.Check(deferred.ErrCancelled, &gibberish, &cannot) {
	case &cannot:
		fmt.Println("falling back to:", cannot.Poem)
	case nil:
		fmt.Println("something else")
	}
	// Output:
	// falling back to: Roses are red.
}

// Trap handles the errors it names and hands back the Failure otherwise, for
// the errback to pass on.
func ExampleFailure_Trap() {
	d := deferred.New()
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		if _, err := f.Trap(deferred.ErrCancelled); err != nil {
			return nil, err // not ours
		}
		return "never mind", nil
	})
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println("passed on:", f)
		return nil, nil
	})
	_ = d.Errback(errors.New("disk full"))
	// Output:
	// passed on: disk full
}

// %+v prints what Python's str(failure) prints in the tutorial; a Failure
// made from an error value has no frames.
func ExampleFailure_Format() {
	f := deferred.NewFailure(errors.New("I have failed."))
	fmt.Printf("%v\n", f)
	fmt.Printf("%+v\n", f)
	// Output:
	// I have failed.
	// [Failure instance: Traceback (failure with no frames): *errors.errorString: I have failed.
	// ]
}

// Traceback is the full report: the stack where the failure was caught and,
// below the marker, where it came from.
func ExampleFailure_Traceback() {
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { panic("the poem rhymes") })
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		lines := strings.Split(strings.TrimSpace(f.Traceback()), "\n")
		fmt.Println(lines[0])
		fmt.Println(lines[len(lines)-1])
		return nil, nil
	})
	_ = d.Callback(nil)
	// Output:
	// Traceback (most recent call last):
	// *deferred.PanicError: panic: the poem rhymes
}

// NewList waits for every input and gives each outcome, in input order.
func ExampleNewList() {
	ds := []*deferred.Deferred{deferred.New(), deferred.New()}
	list := deferred.NewList(ds, deferred.ConsumeErrors())
	list.AddCallback(func(r any) (any, error) {
		for i, res := range r.([]deferred.ListResult) {
			fmt.Println(i, res.OK, res.Value)
		}
		return nil, nil
	})
	_ = ds[1].Errback(errors.New("connection refused"))
	_ = ds[0].Callback("a poem")
	// Output:
	// 0 true a poem
	// 1 false connection refused
}

// The first of several servers to answer wins: the list fires with a
// FirstResult as soon as one input succeeds. A failure before that does
// not end the race (ConsumeErrors keeps it from being reported as
// unhandled); the inputs still running are not cancelled, so the caller
// cancels them once it has its answer.
func ExampleFireOnOneCallback() {
	mirrors := []*deferred.Deferred{deferred.New(), deferred.New(), deferred.New()}
	mirrors[1].AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println("mirror 1 cancelled:", errors.Is(f, deferred.ErrCancelled))
		return nil, f
	})
	deferred.NewList(mirrors, deferred.FireOnOneCallback(), deferred.ConsumeErrors()).
		AddCallback(func(r any) (any, error) {
			first := r.(deferred.FirstResult)
			fmt.Println("mirror", first.Index, "answered:", first.Value)
			for _, d := range mirrors {
				d.Cancel() // does nothing to a Deferred that has fired
			}
			return nil, nil
		})
	_ = mirrors[0].Errback(errors.New("connection refused"))
	_ = mirrors[2].Callback("a poem")
	// Output:
	// mirror 2 answered: a poem
	// mirror 1 cancelled: true
}

// Gather gives all the results in order, or the first failure.
func ExampleGather() {
	a, b := deferred.New(), deferred.New()
	deferred.Gather(a, b).AddCallback(func(r any) (any, error) {
		fmt.Println(r)
		return nil, nil
	})
	_ = b.Callback("second")
	_ = a.Callback("first")
	// Output:
	// [first second]
}

// A chain that ends on a failure nobody handles is reported when the
// Deferred is garbage-collected (the tutorial's defer-unhandled).
func ExampleSetUnhandledErrorHandler() {
	reported := make(chan *deferred.Failure, 1)
	previous := deferred.SetUnhandledErrorHandler(func(f *deferred.Failure) { reported <- f })
	defer func() { deferred.SetUnhandledErrorHandler(previous) }()

	func() {
		d := deferred.New()
		d.AddCallback(func(any) (any, error) { return nil, errors.New("oops") })
		_ = d.Callback("Here is your result.")
	}()
	fmt.Println("Finished")

	deferred.FlushUnhandled(5 * time.Second)
	select {
	case f := <-reported:
		fmt.Println("Unhandled error in Deferred:", f)
	case <-time.After(5 * time.Second):
		fmt.Println("no report")
	}
	// Output:
	// Finished
	// Unhandled error in Deferred: oops
}

// Succeed and Fail make Deferreds that have already fired, for functions
// that sometimes have their answer at once (a poem in the cache).
func ExampleSucceed() {
	cached := func(title string) *deferred.Deferred {
		if title == "Ecstasy" {
			return deferred.Succeed("a poem from the cache")
		}
		return deferred.Fail(errors.New("not in the cache"))
	}
	for _, title := range []string{"Ecstasy", "Science"} {
		cached(title).AddCallbacks(
			func(poem any) (any, error) { fmt.Println(poem); return nil, nil },
			func(f *deferred.Failure) (any, error) { fmt.Println(f); return nil, nil })
	}
	// Output:
	// a poem from the cache
	// not in the cache
}

// NewFailureFromPanic, called in the deferred function that recovered,
// makes a Failure that records where the panic came from.
func ExampleNewFailureFromPanic() {
	analyze := func(poem string) { panic(errors.New("rhyme scheme violation")) }
	var f *deferred.Failure
	func() {
		defer func() {
			if r := recover(); r != nil {
				f = deferred.NewFailureFromPanic(r)
			}
		}()
		analyze("Roses are red.")
	}()
	fmt.Println(f)
	fmt.Println(strings.Contains(fmt.Sprintf("%+v", f), "--- <exception caught here> ---"))
	// Output:
	// rhyme scheme violation
	// true
}
