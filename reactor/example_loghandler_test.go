package reactor_test

import (
	"log/slog"
	"os"

	"gyre/reactor"
)

// The handler prints a record as Twisted prints to stderr: the message,
// its one-line attributes as key=value on the same line, then each
// multi-line attribute (a traceback) as a block of its own followed by an
// empty line. No time and no level: records below the handler's level
// are dropped, the others all look alike.
func ExampleNewTracebackHandler() {
	logger := slog.New(reactor.NewTracebackHandler(os.Stdout, slog.LevelInfo))
	logger.Debug("not printed: below the level")
	logger.Info("Serving poem", "port", 10000, "bytes", 3014)
	logger.With("conn", "PoemClient,127.0.0.1:10000").Error("Unhandled Error",
		"traceback", "Traceback (most recent call last):\n  File \"/src/poem.go\", line 12, in main.recite\n*errors.errorString: I fall down.")
	logger.Info("Main loop terminated.")
	// Output:
	// Serving poem port=10000 bytes=3014
	// Unhandled Error conn=PoemClient,127.0.0.1:10000
	// Traceback (most recent call last):
	//   File "/src/poem.go", line 12, in main.recite
	// *errors.errorString: I fall down.
	//
	// Main loop terminated.
}
