// Package simulator is the tutorial's "deferred simulator": a text program
// that reads a chain of callback/errback pairs, draws the Deferred holding
// them, and shows how a result travels through the chain when the Deferred
// fires with d.callback(initial) and with d.errback(initial*).
//
// It teaches the routing rule of Deferreds (Part 9 of Dave Peticolas's
// Twisted tutorial) without any Deferred machinery: a plain result goes to
// the next pair's callback, a failure to its errback, and whatever a handler
// returns or raises becomes the next result. The chain is modelled with
// plain values (Chain, Pair, Handler, Result) and drawn as ASCII art on a
// small character canvas; nothing here touches the reactor or the deferred
// package.
//
// The output is byte for byte the original Python program's, which is why
// some code reproduces Python's own string rules (what counts as whitespace,
// lower-casing, repr quoting, the treatment of bytes that are not UTF-8).
// The behaviour is specified in the project's reference notes
// (deferred-simulator-spec.md); the pieces are:
//
//   - parse.go: ParseLine, the grammar of one input line and its errors;
//   - chain.go: the model, and Chain.Fire, which routes a result;
//   - canvas.go, draw.go: the canvas and Chain.Draw, the two layouts;
//   - session.go: Run, the interactive session (prompt, messages, drawing);
//   - cli.go: Main, the tutorial program's optparse-style command line;
//   - pytext.go, unicode14.go: Python's string semantics.
//
// Run is what both `gyre simulate` and the tutorial's example program call.
package simulator
