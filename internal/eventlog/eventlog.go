// Package eventlog is the event log of the servers under examples/beyond
// (chat-server, transform-server): one line per event, written to their
// standard output by a goroutine of its own, never by the reactor.
//
// A server that prints its events with fmt.Printf on the loop stops when
// nobody reads its output: once the pipe is full (a supervisor that fell
// behind, a terminal paused with Ctrl-S, `server | slow-filter`) the write
// blocks the reactor's goroutine, and with it every client, every timer
// and the signal that should stop it. Here the loop only hands a line
// over, into a queue of bounded length; when the writer is behind and the
// queue is full the line is dropped and counted, and the count is written
// as soon as the output moves again. So the log costs at most its queue in
// memory, and a stalled output loses lines, never the server.
package eventlog

import (
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"
)

// Log is a bounded, non-blocking line log. Printf and Close are for one
// goroutine (a server's reactor, then its main function after Run); the
// writing happens on the Log's own.
type Log struct {
	w       io.Writer
	lines   chan string
	dropped atomic.Int64 // lines dropped since the writer last said so
	done    chan struct{}
}

// New starts a log writing to w that holds at most queue lines waiting
// for the writer (at least 1).
func New(w io.Writer, queue int) *Log {
	l := &Log{w: w, lines: make(chan string, max(queue, 1)), done: make(chan struct{})}
	go l.run()
	return l
}

// Printf formats one line (a newline is added) and hands it to the
// writer without waiting: if the queue is full, the line is dropped and
// counted.
func (l *Log) Printf(format string, args ...any) {
	select {
	case l.lines <- fmt.Sprintf(format, args...) + "\n":
	default:
		l.dropped.Add(1)
	}
}

// Close stops taking lines and waits at most wait for the writer to write
// those already queued; it reports whether it did. After a timeout the
// writer stays blocked in its write, and goes when the process exits.
// Printf must not be called after Close.
func (l *Log) Close(wait time.Duration) bool {
	close(l.lines)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-l.done:
		return true
	case <-t.C:
		return false
	}
}

// run writes the queued lines in order. A line is dropped only while the
// queue is full, so the lines dropped came after every line queued then:
// their count is written once the queue is empty. Write errors are
// ignored: a log that cannot be written is no reason to stop a server.
func (l *Log) run() {
	defer close(l.done)
	for line := range l.lines {
		io.WriteString(l.w, line)
		if len(l.lines) == 0 {
			l.sayDropped()
		}
	}
	l.sayDropped()
}

// sayDropped writes how many lines were dropped since it last did.
func (l *Log) sayDropped() {
	if n := l.dropped.Swap(0); n > 0 {
		io.WriteString(l.w, "("+strconv.FormatInt(n, 10)+" lines dropped: the output was not read fast enough)\n")
	}
}
