//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// serving is the line all three servers print once they listen.
var serving = regexp.MustCompile(`^Serving .* on (\S+)\.$`)

// server is a running server process under measurement.
type server struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{} // closed when the process has exited
	status string        // how it exited, once exited is closed
	stderr *tailBuffer   // its last words, for the failure line
}

// startServer runs argv and waits (at most timeout) for its Serving line.
func startServer(argv []string, timeout time.Duration) (*server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, exited: make(chan struct{}), stderr: &tailBuffer{max: 2048}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		io.Copy(io.Discard, out) // never let a full pipe stall the server
	}()
	go func() {
		err := cmd.Wait()
		if err != nil {
			s.status = err.Error()
		} else {
			s.status = "exit status 0"
		}
		close(s.exited)
	}()
	select {
	case s.addr = <-addr:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("the server exited (%s) before listening%s", s.status, s.stderr.suffix())
	case <-time.After(timeout):
		s.kill()
		return nil, fmt.Errorf("the server printed no Serving line within %v", timeout)
	}
}

// dead says how the server exited, or "" while it runs.
func (s *server) dead() string {
	select {
	case <-s.exited:
		return fmt.Sprintf("the server exited (%s)%s", s.status, s.stderr.suffix())
	default:
		return ""
	}
}

func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// memory reads the server's VmRSS and VmHWM.
func (s *server) memory() (memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	m, err := parseStatus(data)
	if err != nil {
		return memory{}, err
	}
	return m, nil
}

// settle samples the resident set every interval until it stops moving
// (see settled) or at most for limit, and returns the last sample. The Go
// servers' memory moves for a while after a burst of work (the collector,
// the scavenger returning pages), so a single sample would catch it in
// passing.
func (s *server) settle(interval, limit time.Duration) (memory, error) {
	var rss []int64
	deadline := time.Now().Add(limit)
	for {
		m, err := s.memory()
		if err != nil {
			if d := s.dead(); d != "" {
				return memory{}, fmt.Errorf("%s", d)
			}
			return memory{}, err
		}
		rss = append(rss, m.rssKB)
		if settled(rss, 4) || time.Now().After(deadline) {
			return m, nil
		}
		time.Sleep(interval)
	}
}

// sockets counts the socket descriptors the server holds.
func (s *server) sockets() (int, error) {
	dir := fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// suffix is ": <last line of stderr>", or "" when it wrote nothing.
func (t *tailBuffer) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return ": " + last
	}
	return ""
}
