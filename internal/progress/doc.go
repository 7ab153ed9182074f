// Package progress draws the live view of a set of downloads on a
// terminal: one line per task with its label, a bar, the bytes received,
// the rate and the state (waiting, connecting, receiving, done, failed),
// redrawn several times a second while the tasks run.
//
//	Task 1  127.0.0.1:10000  [=========>          ]  1.5 KiB   288 B/s  receiving
//	Task 2  127.0.0.1:10001  [====================]    593 B   293 B/s  done in 2.0 s
//	Task 3  127.0.0.1:10002  [                    ]      0 B            waiting
//
// A Board is fed from the goroutine that runs the downloads (Start, Add,
// Finish are cheap: a few atomic stores, no channel, no lock), and drawn by
// github.com/vbauerster/mpb/v8 on goroutines of its own, which read that
// state when they redraw. When a task's size is known in advance (the demo
// knows its poems), its bar fills up; otherwise the bar shows activity
// only. A board is never taller than it may be (WithMaxLines, and Always's
// width off a terminal): more tasks than that are shown as a window of
// them and a line that counts them all.
//
// The Board is for terminals. Whether to use one at all is the caller's
// decision (gyre uses golang.org/x/term to ask whether stdout is a
// terminal, and prints plain lines when it is not); Always forces the
// drawing onto any writer, escape codes included.
package progress
