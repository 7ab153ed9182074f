package main

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gyre echo writes back what it reads on every loop, and SIGTERM ends it
// with status 0.
func TestEchoCommand(t *testing.T) {
	for _, loops := range []string{"1", "2"} {
		t.Run("loops="+loops, func(t *testing.T) {
			s := startCommand(t, "echo", 1, "--port", "0", "--loops", loops)
			if s.names[0] != "echo" {
				t.Errorf("serving %q, want echo", s.names[0])
			}
			msg := bytes.Repeat([]byte("gyre echo\x00\xff"), 500)
			for range 4 {
				c := connect(t, s.addrs[0])
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Write(msg); err != nil {
					t.Fatal(err)
				}
				back := make([]byte, len(msg))
				if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg) {
					t.Fatalf("echo: %d bytes back (%v)", len(back), err)
				}
				c.Close()
			}
			s.signal(syscall.SIGTERM)
			if code := s.wait(10 * time.Second); code != 0 {
				t.Errorf("exit status %d after SIGTERM", code)
			}
		})
	}
}

// gyre lines answers each line, keeps a partial one until it ends, and
// drops the connection on a line over --max-length.
func TestLinesCommand(t *testing.T) {
	s := startCommand(t, "lines", 1, "--port", "0", "--delimiter", "crlf", "--max-length", "10")
	c := connect(t, s.addrs[0])
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	c.Write([]byte("one\r\ntwo\r\nthr"))
	c.Write([]byte("ee\r\n"))
	for _, want := range []string{"one\r\n", "two\r\n", "three\r\n"} {
		if got, err := br.ReadString('\n'); got != want {
			t.Fatalf("got %q (%v), want %q", got, err, want)
		}
	}
	c.Write([]byte(strings.Repeat("x", 40)))
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after a long line: %q, want the connection closed", rest)
	}
	c.Close()
	s.signal(syscall.SIGINT)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d after SIGINT", code)
	}
}

func TestWireCommandsRefuseBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"echo", "--loops", "-1"},
		{"echo", "extra"},
		{"lines", "--max-length", "0"},
		{"lines", "--delimiter", "tab"},
	} {
		var out, errb bytes.Buffer
		if code := execute(t.Context(), args, nil, &out, &errb); code != 2 {
			t.Errorf("gyre %q: status %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if n := strings.Count(strings.TrimSpace(errb.String()), "\n"); n != 0 || errb.Len() == 0 {
			t.Errorf("gyre %q: want one line on stderr, got %q", args, errb.String())
		}
	}
}
