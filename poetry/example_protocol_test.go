package poetry_test

import (
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// The tutorial's client 4: GetPoetry returns a Deferred that fires with the
// poem. Here the server runs in the same reactor.
func ExampleGetPoetry() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem, _ := poetry.Poem("orchard")
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory(poem))
	if err != nil {
		log.Fatal(err)
	}
	poetry.GetPoetry(r, port.Addr().String()).AddCallbacks(func(v any) (any, error) {
		got := v.(string)
		fmt.Println(len(got), "bytes, the same poem:", got == string(poem))
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		fmt.Println("Poem failed:", f)
		return nil, nil
	}).AddBoth(func(any) (any, error) {
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 608 bytes, the same poem: true
}

// A slow server, and a client watching the poem arrive chunk by chunk.
func ExampleWithChunkObserver() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem, _ := poetry.Poem("night-bus")
	slow := poetry.NewSlowServerFactory(r, poem, 200, 5*time.Millisecond)
	port, err := r.ListenTCP("127.0.0.1:0", slow)
	if err != nil {
		log.Fatal(err)
	}
	received := 0
	d := poetry.GetPoetry(r, port.Addr().String(),
		poetry.WithTimeout(10*time.Second),
		poetry.WithChunkObserver(func(chunk []byte) { received += len(chunk) }))
	d.AddBoth(func(v any) (any, error) {
		fmt.Println("observed", received, "bytes; poem complete:", v == string(poem))
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// observed 593 bytes; poem complete: true
}

// A server that accepts and never sends: WithTimeout gives up on it, and
// the Deferred fails with a *poetry.TimeoutError.
func ExampleWithTimeout() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	silent := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })
	port, err := r.ListenTCP("127.0.0.1:0", silent)
	if err != nil {
		log.Fatal(err)
	}
	d := poetry.GetPoetry(r, port.Addr().String(), poetry.WithTimeout(50*time.Millisecond))
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		var te *poetry.TimeoutError
		if errors.As(f, &te) {
			fmt.Println("no poem within", te.Timeout, "- ErrTimeout:", errors.Is(f, poetry.ErrTimeout))
		}
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// no poem within 50ms - ErrTimeout: true
}

// A server that sends more than WithMaxBytes allows is not sending a
// poem: the download fails with a *TooLargeError, its connection aborted.
func ExampleWithMaxBytes() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem, _ := poetry.Poem("library") // 3014 bytes
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory(poem))
	if err != nil {
		log.Fatal(err)
	}
	d := poetry.GetPoetry(r, port.Addr().String(), poetry.WithMaxBytes(1000))
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		var tl *poetry.TooLargeError
		if errors.As(f, &tl) {
			fmt.Println("more than", tl.MaxBytes, "bytes - ErrTooLarge:", errors.Is(f, poetry.ErrTooLarge))
		}
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// more than 1000 bytes - ErrTooLarge: true
}

// WithEndpoint downloads through a client endpoint (tcp:, unix: or tls:,
// parsed once with reactor.ParseClientEndpoint) instead of a TCP address;
// the address given to GetPoetry then only names the server in errors.
func ExampleWithEndpoint() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem, _ := poetry.Poem("orchard")
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory(poem))
	if err != nil {
		log.Fatal(err)
	}
	e, err := reactor.ParseClientEndpoint("tcp:" + port.Addr().String() + ":timeout=5")
	if err != nil {
		log.Fatal(err)
	}
	poetry.GetPoetry(r, "the orchard server", poetry.WithEndpoint(e)).AddCallbacks(func(v any) (any, error) {
		fmt.Println(len(v.(string)), "bytes")
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		fmt.Println("failed:", f.Error())
		return nil, nil
	}).AddBoth(func(any) (any, error) {
		return nil, r.Stop()
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 608 bytes
}

// Cummingsify with a seeded random source gives the same outcomes on
// every run (a --seed flag does this).
func ExampleCummingsify() {
	rng := rand.New(rand.NewPCG(19, 19))
	for range 4 {
		poem, err := poetry.Cummingsify("Soft Rain", rng)
		var gibberish *poetry.GibberishError
		var bug *poetry.ValueError
		switch {
		case err == nil:
			fmt.Println("cummingsified:", poem)
		case errors.As(err, &gibberish):
			fmt.Println("gibberish")
		case errors.As(err, &bug):
			fmt.Println("bug; the original was", bug.Poem)
		}
	}
	// Output:
	// cummingsified: soft rain
	// bug; the original was Soft Rain
	// gibberish
	// cummingsified: soft rain
}

// Client 5.1's chain: cummingsify the poem; an errback turns the bug
// (ValueError) into CannotCummingsify, which a second errback handles by
// falling back to the original poem; gibberish goes through to the end.
func ExampleCannotCummingsify() {
	rng := rand.New(rand.NewPCG(19, 19))
	for range 3 {
		d := deferred.New()
		d.AddCallback(func(v any) (any, error) {
			return poetry.Cummingsify(v.(string), rng)
		})
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			var bug *poetry.ValueError
			if f.Check(&bug) != nil {
				return nil, &poetry.CannotCummingsify{Poem: bug.Poem}
			}
			return nil, f
		})
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			var cannot *poetry.CannotCummingsify
			if f.Check(&cannot) == nil {
				return nil, f
			}
			fmt.Println("Cummingsify failed!")
			return cannot.Poem, nil
		})
		d.AddCallbacks(func(v any) (any, error) {
			fmt.Println(strings.TrimSpace(v.(string)))
			return nil, nil
		}, func(f *deferred.Failure) (any, error) {
			fmt.Println("The poem download failed.")
			return nil, nil
		})
		d.Callback("Soft Rain\n")
	}
	// Output:
	// soft rain
	// Cummingsify failed!
	// Soft Rain
	// The poem download failed.
}

// The tutorial's client 4 assembled by hand: a ClientFactory and
// ConnectTCP. A port with no server fails the Deferred with the connect
// error.
func ExampleClientFactory() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", poetry.NewFastServerFactory([]byte("tiny poem\n")))
	if err != nil {
		log.Fatal(err)
	}
	addr := port.Addr().String()
	port.StopListening() // now nothing listens there
	f := poetry.NewClientFactory()
	f.Deferred.AddErrback(func(fail *deferred.Failure) (any, error) {
		var ce *reactor.ConnectError
		fmt.Println("connect error:", errors.As(fail, &ce))
		r.Stop()
		return nil, nil
	})
	r.ConnectTCP(addr, f, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connect error: true
}

// A server reporting each client it served, for its logs.
func ExampleWithServeObserver() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem, _ := poetry.Poem("library")
	var records []poetry.Served
	fast := poetry.NewFastServerFactory(poem, poetry.WithServeObserver(func(s poetry.Served) {
		records = append(records, s)
	}))
	port, err := r.ListenTCP("127.0.0.1:0", fast)
	if err != nil {
		log.Fatal(err)
	}
	poetry.GetPoetry(r, port.Addr().String()).AddBoth(func(any) (any, error) {
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	for _, s := range records {
		fmt.Println("served", s.Bytes, "bytes:", s.Outcome())
	}
	// Output:
	// served 3014 bytes: done
}

// A poem file of any size, streamed to each client (sendfile(2) on Linux).
func ExampleNewFileServerFactory() {
	dir, err := os.MkdirTemp("", "poems")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "epic.txt")
	epic := strings.Repeat("Sing, muse, of the long road home.\n", 100000) // 3.5 MB
	if err := os.WriteFile(path, []byte(epic), 0o600); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	server, err := poetry.NewFileServerFactory(f)
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", server)
	if err != nil {
		log.Fatal(err)
	}
	poetry.GetPoetry(r, port.Addr().String()).AddBoth(func(v any) (any, error) {
		fmt.Println(len(epic), "bytes served; received intact:", v == epic)
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 3500000 bytes served; received intact: true
}
