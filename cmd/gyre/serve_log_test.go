package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pipedServer is a gyre serve whose stdout and stderr are pipes the test
// controls.
type pipedServer struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{}
	code   int
}

// startPiped runs gyre serve with stdout on a pipe it reads the first line
// of (the Serving line) and stderr on errW; sharing says whether stderr is
// the same pipe as stdout (2>&1), in which case errW is ignored.
func startPiped(t *testing.T, errW *os.File, sharing bool, args ...string) (*pipedServer, *os.File) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gyreBinary, append([]string{"serve"}, args...)...)
	cmd.Stdout = outW
	cmd.Stderr = errW
	if sharing {
		cmd.Stderr = outW
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	s := &pipedServer{cmd: cmd, exited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			s.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				s.code = 128 + int(ws.Signal())
			}
		}
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
		outR.Close()
	})
	line, err := bufio.NewReader(outR).ReadString('\n')
	m := servingLine.FindStringSubmatch(line[:max(len(line)-1, 0)])
	if err != nil || m == nil {
		t.Fatalf("no Serving line: %q, %v", line, err)
	}
	s.addr = m[2]
	return s, outR
}

// waitExit waits at most d for the server to exit and returns its status
// and how long it took; -1 if it did not exit.
func (s *pipedServer) waitExit(d time.Duration) (int, time.Duration) {
	start := time.Now()
	select {
	case <-s.exited:
		return s.code, time.Since(start)
	case <-time.After(d):
		return -1, d
	}
}

// manyFetches downloads addr's poem n times, 32 at a time, and returns
// how many were intact.
func manyFetches(t *testing.T, addr string, n int, want []byte) int {
	var mu sync.Mutex
	ok := 0
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d := fetchPoem(t, addr)
			if d.err == nil && bytes.Equal(d.data, want) {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok
}

// With stderr a pipe that nobody reads, gyre serve goes on serving, the
// first signal stops it within the grace (plus the bounded wait for the
// log), and a second signal ends it at once.
func TestServeStalledLog(t *testing.T) {
	library := embedded(t, "library")
	for _, second := range []bool{false, true} {
		name := "one-signal"
		if second {
			name = "two-signals"
		}
		t.Run(name, func(t *testing.T) {
			errR, errW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer errR.Close() // never read
			s, _ := startPiped(t, errW, false, "--grace", "1s", "library")
			errW.Close()
			// Some 170 bytes of log per client: 1,500 of them are
			// several times what the pipe holds.
			const n = 1500
			if ok := manyFetches(t, s.addr, n, library); ok != n {
				t.Fatalf("%d of %d poems intact with a stalled log", ok, n)
			}
			time.Sleep(300 * time.Millisecond) // a flush or two, which find the writer stuck
			if d := fetchPoem(t, s.addr); d.err != nil || !bytes.Equal(d.data, library) {
				t.Fatalf("after the log stalled: %d bytes, %v", len(d.data), d.err)
			}
			s.cmd.Process.Signal(syscall.SIGTERM)
			want, limit := 0, 8*time.Second // grace 1 s, log 2 s, and room for a loaded machine
			if second {
				time.Sleep(200 * time.Millisecond)
				s.cmd.Process.Signal(syscall.SIGTERM)
				want, limit = 143, 3*time.Second
			}
			code, took := s.waitExit(limit)
			if code != want {
				t.Fatalf("exit status %d after %v (-1: still running), want %d", code, took, want)
			}
			t.Logf("exited %d after %v", code, took)
		})
	}
}

// gyre serve 2>&1 | head -1: once the reader has gone, the log's writes
// fail, and the server neither dies (SIGPIPE) nor cuts a poem; /metrics
// counts the records that could not be written.
func TestServeSurvivesClosedLogPipe(t *testing.T) {
	maddr := "127.0.0.1:" + strconv.Itoa(freePorts(t, 1))
	s, outR := startPiped(t, nil, true, "--metrics", maddr, "library")
	outR.Close() // head has read its line and left
	library := embedded(t, "library")
	for i := range 3 {
		if d := fetchPoem(t, s.addr); d.err != nil || !bytes.Equal(d.data, library) {
			t.Fatalf("fetch %d: %d bytes, %v", i, len(d.data), d.err)
		}
		time.Sleep(300 * time.Millisecond) // the log is flushed, and fails
	}
	select {
	case <-s.exited:
		t.Fatalf("gyre serve died with status %d once its log pipe closed", s.code)
	default:
	}
	_, body := httpGet(t, "http://"+maddr+"/metrics")
	m := regexp.MustCompile(`(?m)^gyre_log_records_dropped_total (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Errorf("/metrics has no gyre_log_records_dropped_total")
	} else if n, _ := strconv.Atoi(m[1]); n < 3 {
		t.Errorf("gyre_log_records_dropped_total %d, want at least the 3 clients' records", n)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code, _ := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM", code)
	}
}
