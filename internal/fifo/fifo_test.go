package fifo

import (
	"testing"
)

// The queue gives entries back in the order they came, across the end of
// its array and across growth, and zeroes what it pops.
func TestOrderAcrossWrapAndGrowth(t *testing.T) {
	var q Queue[*int]
	next, want := 0, 0
	push := func(k int) {
		for range k {
			v := next
			q.Push(&v)
			next++
		}
	}
	pop := func(k int) {
		for range k {
			if got := *q.Pop(); got != want {
				t.Fatalf("popped %d, want %d", got, want)
			}
			want++
		}
	}
	push(10)
	pop(7)   // head moves on
	push(12) // wraps round the 16-entry array
	if q.Cap() != 16 {
		t.Fatalf("cap %d after 15 entries, want 16", q.Cap())
	}
	push(30) // grows while wrapped
	if q.Len() != 45 || *q.Front() != want || *q.Back() != next-1 {
		t.Fatalf("len %d front %d back %d, want 45, %d, %d", q.Len(), *q.Front(), *q.Back(), want, next-1)
	}
	pop(45)
	for i, p := range q.buf {
		if p != nil {
			t.Fatalf("slot %d still holds %d after every entry was popped", i, *p)
		}
	}
	push(3)
	q.Clear()
	if q.Len() != 0 {
		t.Fatalf("len %d after Clear", q.Len())
	}
}

// A queue whose size stays bounded stops allocating: entries turning over
// (pop at the front, push at the back) reuse the array.
func TestTurnoverAllocatesNothing(t *testing.T) {
	var q Queue[int]
	for i := range 1000 {
		q.Push(i)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for range 1000 {
			q.Push(q.Pop())
		}
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations per 1000 turnovers, want 0", allocs)
	}
	if q.Cap() != 1024 {
		t.Errorf("cap %d for 1000 entries, want 1024", q.Cap())
	}
}

func TestEmptyPanics(t *testing.T) {
	for name, f := range map[string]func(*Queue[int]){
		"Pop":   func(q *Queue[int]) { q.Pop() },
		"Front": func(q *Queue[int]) { q.Front() },
		"Back":  func(q *Queue[int]) { q.Back() },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of an empty queue did not panic", name)
				}
			}()
			var q Queue[int]
			f(&q)
		})
	}
}

func BenchmarkTurnover(b *testing.B) {
	var q Queue[*int]
	v := new(int)
	for range 10000 {
		q.Push(v)
	}
	b.ReportAllocs()
	for b.Loop() {
		q.Push(q.Pop())
	}
}
