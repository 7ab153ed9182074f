package eventlog_test

import (
	"os"
	"time"

	"gyre/internal/eventlog"
)

// A server's events go through the log: the caller never waits for its
// output, and Close gives the writer a bounded time to finish.
func Example() {
	log := eventlog.New(os.Stdout, 1024)
	log.Printf("%s joined from %s", "guest1", "127.0.0.1:40312")
	log.Printf("%s left", "guest1")
	log.Close(time.Second)
	// Output:
	// guest1 joined from 127.0.0.1:40312
	// guest1 left
}
