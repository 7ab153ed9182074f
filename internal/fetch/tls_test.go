package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"gyre/internal/fetch"
	"gyre/internal/testcert"
	"gyre/poetry"
	"gyre/reactor"
)

// serveTLS serves poem over TLS (the whole poem at once) on a reactor of
// its own until the test ends, and returns the tls: endpoint to fetch it
// from.
func serveTLS(t *testing.T, poem []byte) poetry.Address {
	t.Helper()
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	port, err := r.ListenTLS("127.0.0.1:0", testcert.Loopback(t).ServerConfig(), poetry.NewFastServerFactory(poem))
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	go r.Run()
	t.Cleanup(func() {
		r.Stop()
		<-r.Done()
	})
	return poetry.Address{Endpoint: fmt.Sprintf("tls:host=127.0.0.1:port=%d", port.Addr().(*net.TCPAddr).Port)}
}

// WithMaxBytes over TLS: the task fails with ErrTooLarge and nothing
// panics. One read of a TLS connection holds several records; the records
// after the one that crossed the bound still reached the chunk observer,
// for a task already ended, whose Deferred the observer then cancelled
// through a nil pointer (gyre get --max-bytes on a tls: endpoint printed
// the reactor's "Unhandled Error" traceback).
func TestWithMaxBytesOverTLS(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil))) // the reactor logs a panic there
	addr := serveTLS(t, make([]byte, 256<<10))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	results, err := fetch.Fetch(ctx, fetch.Reactor, []poetry.Address{addr}, fetch.WithMaxBytes(1000),
		fetch.WithoutPoems(), fetch.WithTLSConfig(testcert.Loopback(t).ClientConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if res := results[0]; !errors.Is(res.Err, fetch.ErrTooLarge) || res.Bytes != 1000 {
		t.Errorf("got %d bytes, %v; want 1000 and ErrTooLarge", res.Bytes, res.Err)
	}
	if logs.Len() > 0 {
		t.Errorf("the reactor logged:\n%s", logs.String())
	}
}
