package poetry_test

import (
	"fmt"
	"log"
	"strings"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// A poem counted as it arrives and never kept: the memory of a download
// does not grow with the poem.
func ExampleWithoutPoem() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte(strings.Repeat("a line the client only counts\n", 100000))
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory(poem))
	if err != nil {
		log.Fatal(err)
	}
	var n int
	r.CallWhenRunning(func() {
		poetry.GetPoetry(r, port.Addr().String(), poetry.WithoutPoem(),
			poetry.WithChunkObserver(func(chunk []byte) { n += len(chunk) }),
		).AddCallbacks(func(v any) (any, error) {
			fmt.Printf("complete: %d bytes counted, %q kept\n", n, v)
			r.Stop()
			return nil, nil
		}, func(f *deferred.Failure) (any, error) {
			fmt.Println("failed:", f)
			r.Stop()
			return nil, nil
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// complete: 3000000 bytes counted, "" kept
}
