// Deferred-simulator is the tutorial's deferred simulator (Part 9 of
// "Twisted Introduction", twisted-deferred/deferred-simulator.py): type a
// chain of callback/errback pairs, one pair per line, end with an empty line,
// and it draws the Deferred holding them and how a result travels through
// them when the Deferred fires with d.callback(initial) and with
// d.errback(initial*).
//
// Usage:
//
//	go run ./examples/twisted-deferred/deferred-simulator [--narrow]
//
// Each line is "CALLBACK ERRBACK", each half being "return VALUE", "fail
// VALUE" or "passthru" (abbreviated r, f, p if you like), for example
// "r good f bad". The wide layout puts the three diagrams side by side on 136
// columns; --narrow prints them one below the other. The output is byte for
// byte the original program's. The simulator itself lives in
// gyre/internal/simulator, which `gyre simulate` uses too; this program only
// adds the original's command line, and the original's end at Ctrl-C: as
// Python's KeyboardInterrupt traceback does, it prints the stack of where
// it was waiting (the read of the next line), then the line
// KeyboardInterrupt, and dies by SIGINT (see crash.OnInterrupt).
package main
