package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// halfClosed reads addr's poem as `nc -N` does: it shuts its sending side
// first.
func halfClosed(t *testing.T, addr string) ([]byte, error) {
	t.Helper()
	conn := connect(t, addr)
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	return readAll(t, conn)
}

// A client that shuts its sending side gets the whole poem from every
// kind of gyre serve: in memory, streamed from the file, slow.
func TestServeHalfClose(t *testing.T) {
	big := bytes.Repeat([]byte("Half a poem is no poem at all, said the ferryman.\n"), 3<<20/50)
	bigPath := writeFile(t, "big.txt", big)
	small := writeFile(t, "small.txt", big[:3000])
	mid := writeFile(t, "mid.txt", big[:900<<10])
	for _, tc := range []struct {
		name string
		args []string
		want []byte
	}{
		{"in-memory", []string{mid}, big[:900<<10]},
		{"sendfile", []string{bigPath}, big},
		{"slow", []string{"--slow", "--num-bytes", "100", "--delay", "0.002", small}, big[:3000]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, 1, tc.args...)
			got, err := halfClosed(t, s.addrs[0])
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Errorf("half-closed client got %d of %d bytes (%v)", len(got), len(tc.want), err)
			}
			s.signal(syscall.SIGTERM)
			s.wait(10 * time.Second)
		})
	}
}

// isReset reports whether err is a connection reset: how a client must
// learn that its poem was cut.
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

// startSlowClient connects to addr and reads the first bytes, so that the
// server has a poem in flight.
func startSlowClient(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn := connect(t, addr)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// A poem cut short ends with a reset, whatever cut it, and the log gives
// the reason: the grace running out, a second signal (SIGHUP counts as a
// stop signal), the --blocking server's grace.
func TestServeCutPoemsReset(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		signals []os.Signal
		code    int
		log     string
	}{
		{"grace", []string{"--slow", "--delay", "0.05", "--grace", "100ms"}, []os.Signal{syscall.SIGTERM}, 0,
			`outcome="lost: cut: grace period over"`},
		{"second-signal", []string{"--slow", "--delay", "0.05"}, []os.Signal{syscall.SIGINT, syscall.SIGINT}, 130,
			"gyre: second signal (interrupt)"},
		{"sighup", []string{"--slow", "--delay", "0.05", "--grace", "100ms"}, []os.Signal{syscall.SIGHUP}, 0,
			"signal=hangup"},
		{"second-sighup", []string{"--slow", "--delay", "0.05"}, []os.Signal{syscall.SIGHUP, syscall.SIGHUP}, 129,
			"gyre: second signal (hangup)"},
		{"blocking-grace", []string{"--blocking", "--slow", "--delay", "0.05", "--grace", "100ms"}, []os.Signal{syscall.SIGTERM}, 0,
			`outcome="lost: cut: grace period over"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, 1, append(tc.args, "library")...)
			conn := startSlowClient(t, s.addrs[0])
			for i, sig := range tc.signals {
				s.signal(sig)
				if i == 0 {
					s.waitLog(`msg="stopping`)
				}
			}
			rest, err := readAll(t, conn)
			if !isReset(err) {
				t.Errorf("the cut client read %d more bytes and %v, want a reset; log:\n%s", len(rest), err, s.stderr.String())
			}
			if code := s.wait(10 * time.Second); code != tc.code {
				t.Errorf("exit status %d, want %d", code, tc.code)
			}
			log := s.stderr.String()
			if !strings.Contains(log, tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, log)
			}
			// The summary comes after the records it counts.
			if stopped, lost := strings.Index(log, "msg=stopped"), strings.LastIndex(log, `outcome="lost`); stopped >= 0 && lost > stopped {
				t.Errorf("the summary came before the last cut poem's record:\n%s", log)
			}
		})
	}
}

// Under --quiet, which drops the clients' records and the info lines, the
// poems the grace cut are still counted in the log: the stop line is then
// a warning with cut=N (the /metrics that counted them is gone with the
// process), for the reactor server and the blocking one.
func TestServeQuietCountsCuts(t *testing.T) {
	for _, mode := range [][]string{nil, {"--blocking"}} {
		t.Run(strings.Join(append([]string{"mode"}, mode...), ""), func(t *testing.T) {
			args := append(mode, "--quiet", "--slow", "--delay", "0.05", "--grace", "100ms", "library")
			s := startServer(t, 1, args...)
			conn := startSlowClient(t, s.addrs[0])
			s.signal(syscall.SIGTERM)
			if _, err := readAll(t, conn); !isReset(err) {
				t.Errorf("the cut client read %v, want a reset", err)
			}
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("exit status %d, want 0", code)
			}
			if log := s.stderr.String(); !regexp.MustCompile(`level=WARN msg=stopped served=0 lost=1 .*cut=1`).MatchString(log) {
				t.Errorf("the log does not count the cut poem:\n%s", log)
			}
		})
	}
}

// A second signal, which exits without waiting, still ends the log with
// the stop line and its counts: the operator's one record of how many
// poems the forced exit cut (none was written, so the log said nothing of
// them under --quiet), for the reactor server and the blocking one.
func TestServeSecondSignalCountsCuts(t *testing.T) {
	for _, mode := range [][]string{nil, {"--blocking"}} {
		t.Run(strings.Join(append([]string{"mode"}, mode...), ""), func(t *testing.T) {
			args := append(mode, "--quiet", "--slow", "--delay", "0.05", "library")
			s := startServer(t, 1, args...)
			conn := startSlowClient(t, s.addrs[0])
			s.signal(syscall.SIGTERM)
			time.Sleep(200 * time.Millisecond) // --quiet: no stopping line to wait for
			s.signal(syscall.SIGTERM)
			if _, err := readAll(t, conn); !isReset(err) {
				t.Errorf("the cut client read %v, want a reset", err)
			}
			if code := s.wait(10 * time.Second); code != 143 {
				t.Errorf("exit status %d, want 143", code)
			}
			log := s.stderr.String()
			stop := regexp.MustCompile(`level=WARN msg=stopped served=0 lost=1 .*cut=1\n`).FindStringIndex(log)
			if stop == nil || !strings.HasPrefix(log[stop[1]:], "gyre: second signal (terminated)") {
				t.Errorf("the log does not end with the stop line counting the cut poem, then the exit:\n%s", log)
			}
		})
	}
}

// A connection beyond --max-conns is reset at once: the client reports a
// failure, not an empty poem.
func TestServeMaxConnsResets(t *testing.T) {
	s := startServer(t, 1, "--max-conns", "1", "--slow", "--num-bytes", "10", "--delay", "0.05", "night-bus")
	startSlowClient(t, s.addrs[0])
	d := fetchPoem(t, s.addrs[0])
	if len(d.data) != 0 || !isReset(d.err) {
		t.Errorf("refused client: %d bytes, %v; want a reset", len(d.data), d.err)
	}
}

// A poem file that shrinks while gyre serves it: the clients get a reset,
// and the log says the file shrank (not that the client left).
func TestServeShrunkFileResets(t *testing.T) {
	big := bytes.Repeat([]byte("The tide goes out and takes the last lines with it.\n"), 3<<20/52)
	for _, mode := range [][]string{nil, {"--blocking"}} {
		t.Run(strings.Join(append([]string{"mode"}, mode...), ""), func(t *testing.T) {
			path := writeFile(t, "shrinking.txt", big)
			s := startServer(t, 1, append(mode, path)...)
			if err := os.Truncate(path, 1<<20); err != nil {
				t.Fatal(err)
			}
			d := fetchPoem(t, s.addrs[0])
			if !isReset(d.err) {
				t.Errorf("client got %d bytes and %v, want a reset", len(d.data), d.err)
			}
			s.waitLog("the poem file shrank while being served: sent 1048576 of")
		})
	}
}

// Under --quiet a poem lost to its file (it shrank while served) is still
// counted in the log, as a cut poem is: gyre's own doing, which the stop
// line then gives as a warning with poem_file=N.
func TestServeQuietCountsPoemFileLosses(t *testing.T) {
	big := bytes.Repeat([]byte("The tide goes out and takes the last lines with it.\n"), 3<<20/52)
	for _, mode := range [][]string{nil, {"--blocking"}} {
		t.Run(strings.Join(append([]string{"mode"}, mode...), ""), func(t *testing.T) {
			path := writeFile(t, "shrinking.txt", big)
			s := startServer(t, 1, append(mode, "--quiet", path)...)
			if err := os.Truncate(path, 1<<20); err != nil {
				t.Fatal(err)
			}
			if d := fetchPoem(t, s.addrs[0]); !isReset(d.err) {
				t.Errorf("client got %d bytes and %v, want a reset", len(d.data), d.err)
			}
			s.signal(syscall.SIGTERM)
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("exit status %d, want 0", code)
			}
			if log := s.stderr.String(); !regexp.MustCompile(`level=WARN msg=stopped served=0 lost=1 .*poem_file=1`).MatchString(log) {
				t.Errorf("the log does not count the poem lost to its file:\n%s", log)
			}
		})
	}
}

// A client that says something before it reads gets the whole poem and a
// clean end from every kind of gyre serve, and the log counts it as done.
// Its words are never read: closing a socket with unread input sends a
// reset, which throws away the end of the poem still in the server's
// buffers (the blocking server did just that, and logged outcome=done).
func TestServeClientTalksFirst(t *testing.T) {
	// More than the loopback buffers hold, so that some of the poem still
	// waits in the server's socket when it has written the last byte.
	big := bytes.Repeat([]byte("The gulls ask questions and the sea does not answer.\n"), 5300000/53)
	bigPath := writeFile(t, "big.txt", big)
	mid := writeFile(t, "mid.txt", big[:900<<10])
	for _, tc := range []struct {
		name string
		args []string
		want []byte
	}{
		{"reactor", []string{bigPath}, big},
		{"blocking-small", []string{"--blocking", "library"}, embedded(t, "library")},
		{"blocking-in-memory", []string{"--blocking", mid}, big[:900<<10]},
		{"blocking-sendfile", []string{"--blocking", bigPath}, big},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, 1, tc.args...)
			conn := connect(t, s.addrs[0])
			if _, err := conn.Write([]byte("hello\n")); err != nil {
				t.Fatal(err)
			}
			// Let the server fill the buffers and the greeting arrive
			// before the client starts reading.
			time.Sleep(500 * time.Millisecond)
			got, err := readAll(t, conn)
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Errorf("the client got %d of %d bytes (%v), want all and a clean end", len(got), len(tc.want), err)
			}
			conn.Close()
			s.waitLog(fmt.Sprintf("bytes=%d ", len(tc.want)))
			s.signal(syscall.SIGTERM)
			s.wait(10 * time.Second)
			if log := s.stderr.String(); !strings.Contains(log, "served=1 lost=0") || strings.Contains(log, "outcome=\"lost") {
				t.Errorf("log:\n%s", log)
			}
		})
	}
}

// The blocking server waits, after the poem, for the client's system to
// have it all: a client that talked and then keeps its side open is done
// as soon as it has the poem, not when it hangs up; one whose poem is
// still in the server's buffers when the grace runs out is reset, and the
// log counts it lost.
func TestServeBlockingTalkingClient(t *testing.T) {
	poem := bytes.Repeat([]byte("Wait for the tide, said the harbour master.\n"), 3<<20/44)
	path := writeFile(t, "poem.txt", poem)
	t.Run("keeps-open", func(t *testing.T) {
		s := startServer(t, 1, "--blocking", path)
		conn := connect(t, s.addrs[0])
		if _, err := conn.Write([]byte("hello\n")); err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, conn)
		if err != nil || !bytes.Equal(got, poem) {
			t.Fatalf("the client got %d of %d bytes (%v)", len(got), len(poem), err)
		}
		start := time.Now()
		s.waitLog(fmt.Sprintf("bytes=%d ", len(poem)))
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("the server logged the poem %v after the client had it", took)
		}
		s.signal(syscall.SIGTERM)
		s.wait(10 * time.Second)
		if log := s.stderr.String(); !strings.Contains(log, "served=1 lost=0") {
			t.Errorf("log:\n%s", log)
		}
	})
	t.Run("not-reading-cut", func(t *testing.T) {
		s := startServer(t, 1, "--blocking", "--grace", "100ms", path)
		conn := connect(t, s.addrs[0])
		if _, err := conn.Write([]byte("hello\n")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		s.signal(syscall.SIGTERM)
		s.wait(10 * time.Second)
		got, err := readAll(t, conn)
		if !isReset(err) || len(got) >= len(poem) {
			t.Errorf("the client got %d of %d bytes and %v, want a reset", len(got), len(poem), err)
		}
		if log := s.stderr.String(); !strings.Contains(log, `outcome="lost: cut: grace period over"`) || !strings.Contains(log, "served=0 lost=1") {
			t.Errorf("log:\n%s", log)
		}
	})
}

// gyre serve killed mid-poem (SIGKILL: systemd after TimeoutStopSec, the
// out-of-memory killer) is not there to reset its clients, and the kernel
// closes their sockets cleanly: the connections of a slow or large poem
// carry SO_LINGER 0 from the start, so the kernel resets them instead.
func TestServeKilledResets(t *testing.T) {
	big := bytes.Repeat([]byte("The lamp burns low and the last page is missing.\n"), 16<<20/49)
	bigPath := writeFile(t, "big.txt", big)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"slow", []string{"--slow", "--num-bytes", "10", "--delay", "0.05", "library"}},
		{"large file", []string{bigPath}},
		{"blocking, slow", []string{"--blocking", "--slow", "--num-bytes", "10", "--delay", "0.05", "library"}},
		{"blocking, large file", []string{"--blocking", bigPath}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, 1, tc.args...)
			conn := startSlowClient(t, s.addrs[0]) // and reads no more for now
			time.Sleep(50 * time.Millisecond)
			s.signal(syscall.SIGKILL)
			s.wait(10 * time.Second)
			rest, err := readAll(t, conn)
			if !isReset(err) {
				t.Errorf("the client of a killed server read %d more bytes and %v, want a reset", len(rest), err)
			}
		})
	}
}

// The blocking server's slow poem pauses --delay between chunks; a cut
// ends the pause: the exit does not wait out a long --delay.
func TestServeBlockingCutEndsThePause(t *testing.T) {
	s := startServer(t, 1, "--blocking", "--slow", "--num-bytes", "10", "--delay", "30", "--grace", "200ms", "library")
	conn := startSlowClient(t, s.addrs[0])
	start := time.Now()
	s.signal(syscall.SIGTERM)
	code := s.wait(20 * time.Second)
	if took := time.Since(start); took > 10*time.Second || code != 0 {
		t.Errorf("exit %d after %v; want 0 within the grace and a moment, not the 30 s pause", code, took.Round(time.Millisecond))
	}
	if rest, err := readAll(t, conn); !isReset(err) {
		t.Errorf("the cut client read %d more bytes and %v, want a reset", len(rest), err)
	}
}
