package poetry_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// A server and a client on one reactor; the client is sequential code whose
// poem arrives as a string.
func ExampleGetPoem() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory([]byte("One line,\nand then another.\n")))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.CallWhenRunning(func() {
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			defer r.Stop()
			poem, err := poetry.GetPoem(ctx, r, port.Addr().String()).Await(co)
			if err != nil {
				return nil, err
			}
			fmt.Println(strings.Count(poem, "\n"), "lines")
			return nil, nil
		})
	})
	if err := r.RunContext(ctx); err != nil {
		log.Fatal(err)
	}
	// Output: 2 lines
}
