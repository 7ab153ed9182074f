// Package timerheap is gyre's one timer implementation: a 4-ary heap of
// pending calls ordered by due time, ties broken by scheduling order, with
// O(log n) scheduling, cancelling and rescheduling.
//
// Two clocks drive it: the reactor's loop (the real clock, reading only the
// monotonic time) and task.Clock (a clock moved by hand in tests). It is
// internal so that neither has to export it: users see reactor.DelayedCall,
// which is a Timer under another name, and the reactor.Clock interface.
package timerheap
