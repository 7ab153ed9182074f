// Package fifo provides Queue, a first-in-first-out queue in a ring.
//
// A slice used as a queue (append at the tail, advance an index at the
// head, compact now and then) reallocates whenever the live part meets the
// end of its array, and every old array is garbage: a queue of ten
// thousand entries that turn over leaves several times its own size
// behind. A ring reuses its array for as long as the queue fits in it and
// grows only when it is full, by doubling, so its garbage is bounded by its
// largest size.
package fifo

// Queue is a first-in-first-out queue. The zero value is empty and ready.
// Push, Pop, Front and Back cost O(1) and allocate nothing while the queue
// fits in its array. A Queue belongs to one goroutine.
type Queue[T any] struct {
	buf  []T // len(buf) is a power of two, or 0
	head int // index of the front in buf
	n    int // entries queued
}

// minCap is the size of a queue's first array.
const minCap = 16

// Len returns the number of entries queued.
func (q *Queue[T]) Len() int { return q.n }

// Cap returns the number of entries the queue holds before it grows.
func (q *Queue[T]) Cap() int { return len(q.buf) }

// Push adds v at the back.
func (q *Queue[T]) Push(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

// Front returns the entry at the front. The queue must not be empty.
func (q *Queue[T]) Front() T {
	if q.n == 0 {
		panic("fifo: Front of an empty queue")
	}
	return q.buf[q.head]
}

// Back returns the entry at the back. The queue must not be empty.
func (q *Queue[T]) Back() T {
	if q.n == 0 {
		panic("fifo: Back of an empty queue")
	}
	return q.buf[(q.head+q.n-1)&(len(q.buf)-1)]
}

// Pop removes the entry at the front and returns it. The queue must not
// be empty. The slot is zeroed, so that the queue keeps no reference to
// what it no longer holds.
func (q *Queue[T]) Pop() T {
	if q.n == 0 {
		panic("fifo: Pop of an empty queue")
	}
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}

// Clear empties the queue and keeps its array for reuse.
func (q *Queue[T]) Clear() {
	clear(q.buf)
	q.head, q.n = 0, 0
}

// grow doubles the array, moving the entries to its start in order.
func (q *Queue[T]) grow() {
	buf := make([]T, max(minCap, 2*len(q.buf)))
	if q.n > 0 {
		k := copy(buf, q.buf[q.head:])
		copy(buf[k:], q.buf[:q.head])
	}
	q.buf, q.head = buf, 0
}
