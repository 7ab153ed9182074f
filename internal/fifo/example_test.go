package fifo_test

import (
	"fmt"

	"gyre/internal/fifo"
)

func ExampleQueue() {
	var q fifo.Queue[string]
	q.Push("first")
	q.Push("second")
	q.Push(q.Pop()) // back of the line
	for q.Len() > 0 {
		fmt.Println(q.Pop())
	}
	// Output:
	// second
	// first
}
