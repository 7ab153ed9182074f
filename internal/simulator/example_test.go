package simulator_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gyre/internal/simulator"
)

func ExampleParseLine() {
	for _, line := range []string{"r good F bad", "p", "retu toolong1 p", "x 1 p"} {
		pair, err := simulator.ParseLine(line)
		if err != nil {
			fmt.Println("ERROR:", err)
			continue
		}
		fmt.Printf("callback %q, errback %q\n", pair.Callback.Caption(), pair.Errback.Caption())
	}
	// Output:
	// callback "return good", errback "fail bad"
	// ERROR: missing command
	// ERROR: ('result more than 6 chars long', 'toolong1')
	// ERROR: bad command: x
}

func ExampleChain_Fire() {
	chain := simulator.Chain{
		{Callback: simulator.Handler{Op: simulator.Fail, Value: "googly"}, Errback: simulator.Handler{Op: simulator.Passthru}},
		{Callback: simulator.Handler{Op: simulator.Passthru}, Errback: simulator.Handler{Op: simulator.Return, Value: "saved"}},
	}
	hops, final := chain.Fire(simulator.Result{Value: "initial"})
	for _, h := range hops {
		fmt.Printf("side %d: %s -> %s\n", h.Side, h.In, h.Out)
	}
	fmt.Println("final:", final)
	// Output:
	// side 0: initial -> googly*
	// side 1: googly* -> saved
	// final: saved
}

func ExampleChain_Draw() {
	pair, _ := simulator.ParseLine("f oops p")
	var out bytes.Buffer
	if err := (simulator.Chain{pair}).Draw(&out, simulator.Narrow); err != nil {
		panic(err)
	}
	// Every line is padded with spaces to the canvas width; '$' marks the
	// ends of the lines here. Only the first canvas (the deferred) is shown.
	deferred, _, _ := strings.Cut(out.String(), "\n\n")
	for line := range strings.Lines(deferred) {
		fmt.Println(strings.TrimSuffix(line, "\n") + "$")
	}
	// Output:
	//                                       $
	//                Deferred               $
	//                --------               $
	//                                       $
	// ------------------  ------------------$
	// |                |  |                |$
	// |   fail oops    |  |    passthru    |$
	// |                |  |                |$
	// ------------------  ------------------$
}

func ExampleRun() {
	// End of input before the terminating empty line: the prompt and the
	// messages only, no drawing.
	var out bytes.Buffer
	input := strings.NewReader("\nr\nr a p x\nr ok p\n")
	if err := simulator.Run(input, &out, false); err != nil {
		panic(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, line := range lines[len(lines)-3:] {
		fmt.Println(line)
	}
	// Output:
	// You must enter at least one pair.
	// ERROR: missing argument
	// ERROR: extra arguments
}

func ExampleWithMaxPairs() {
	// gyre simulate's bounds: a chain of at most two pairs here, lines of
	// at most 20 bytes. Lines past them are answered and skipped.
	var out bytes.Buffer
	input := strings.NewReader("r a p\nf b p\n" + strings.Repeat(" ", 30) + "\np p\n")
	err := simulator.Run(input, &out, false, simulator.WithMaxPairs(2), simulator.WithMaxLine(20))
	if err != nil {
		panic(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, line := range lines[len(lines)-2:] {
		fmt.Println(line)
	}
	// Output:
	// ERROR: line longer than 20 bytes
	// ERROR: too many pairs (at most 2)
}

func ExampleMain() {
	code := simulator.Main("deferred-simulator", []string{"--wide"}, strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// Usage: deferred-simulator
	// A Deferred simulator. Use this to see how a particular
	// set of callbacks and errbacks will fire in a deferred.
	//
	// deferred-simulator: error: no such option: --wide
	// exit status 2
}
