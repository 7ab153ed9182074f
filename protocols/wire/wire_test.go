package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gyre/protocols/basic"
)

func TestEchoWritesBackEachRead(t *testing.T) {
	p, tr := connect(EchoFactory{})
	p.DataReceived([]byte("hello "))
	p.DataReceived([]byte("world"))
	if got := string(tr.out); got != "hello world" {
		t.Fatalf("echoed %q, want %q", got, "hello world")
	}
	if tr.writes != 2 {
		t.Errorf("%d writes for 2 reads, want 2", tr.writes)
	}
	if tr.registered != 0 {
		t.Errorf("registered a producer with nothing buffered")
	}
}

// A write the socket did not take makes the transport its own push
// producer, once, so that a client that does not read stops being read.
func TestEchoPacesReadingByItsBacklog(t *testing.T) {
	p, tr := connect(EchoFactory{})
	tr.backlog = 100
	p.DataReceived([]byte("x"))
	p.DataReceived([]byte("y"))
	if tr.registered != 1 {
		t.Fatalf("registered %d producers, want 1", tr.registered)
	}
	if tr.producer != tr || !tr.streaming {
		t.Errorf("producer %v streaming %v, want the transport itself, streaming", tr.producer, tr.streaming)
	}
}

func TestLineEchoAnswersEveryLineInOneWrite(t *testing.T) {
	p, tr := connect(&LineEchoFactory{})
	p.DataReceived([]byte("one\ntwo\nthr"))
	if got := string(tr.out); got != "one\ntwo\n" || tr.writes != 1 {
		t.Fatalf("after the first read: %q in %d writes, want %q in 1", got, tr.writes, "one\ntwo\n")
	}
	p.DataReceived([]byte("ee\n"))
	p.DataReceived([]byte("no end"))
	if got := string(tr.out); got != "one\ntwo\nthree\n" || tr.writes != 2 {
		t.Fatalf("echoed %q in %d writes, want %q in 2", got, tr.writes, "one\ntwo\nthree\n")
	}
}

func TestLineEchoKeepsConnectionsApart(t *testing.T) {
	f := &LineEchoFactory{Delimiter: []byte("\r\n")}
	a, ta := connect(f)
	b, tb := connect(f)
	a.DataReceived([]byte("a1\r\na"))
	b.DataReceived([]byte("b1\r"))
	a.DataReceived([]byte("2\r\n"))
	b.DataReceived([]byte("\nb2\r\n"))
	if string(ta.out) != "a1\r\na2\r\n" || string(tb.out) != "b1\r\nb2\r\n" {
		t.Fatalf("a got %q, b got %q", ta.out, tb.out)
	}
}

func TestLineEchoRefusesLongLines(t *testing.T) {
	p, tr := connect(&LineEchoFactory{MaxLength: 8})
	p.DataReceived([]byte("short\n" + strings.Repeat("x", 20)))
	if string(tr.out) != "short\n" {
		t.Errorf("echoed %q, want only the short line", tr.out)
	}
	if !tr.lost {
		t.Fatal("a line over MaxLength did not end the connection")
	}
	if err := p.(*LineEcho).Err(); !errors.Is(err, basic.ErrFrameTooLong) {
		t.Errorf("Err() = %v, want ErrFrameTooLong", err)
	}
}

func TestLineEchoPacesReadingByItsBacklog(t *testing.T) {
	p, tr := connect(&LineEchoFactory{})
	p.DataReceived([]byte("a\n"))
	if tr.registered != 0 {
		t.Fatal("registered a producer with nothing buffered")
	}
	tr.backlog = 1
	p.DataReceived([]byte("b\n"))
	p.DataReceived([]byte("c\n"))
	if tr.registered != 1 || tr.producer != tr {
		t.Fatalf("registered %d producers (%v), want the transport once", tr.registered, tr.producer)
	}
	if !bytes.Equal(tr.out, []byte("a\nb\nc\n")) {
		t.Errorf("echoed %q", tr.out)
	}
}
