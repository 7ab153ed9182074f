// Package beyond_test runs the programs beyond the tutorial as a user
// would: built, started, and talked to over real sockets.
package beyond_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const wait = 20 * time.Second

var (
	chatOn      = regexp.MustCompile(`^Chat on (\S+)\.$`)
	servingOn   = regexp.MustCompile(`^Serving (?:echo|lines) on (\S+)\.$`)
	transformOn = regexp.MustCompile(`^Transforming on (\S+)\.$`)
)

// chatter is a chat client.
type chatter struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func join(t *testing.T, addr string) *chatter {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(wait))
	return &chatter{t: t, c: c, r: bufio.NewReader(c)}
}

// expect reads lines until one contains want (failing at end of file).
func (c *chatter) expect(want string) string {
	c.t.Helper()
	for {
		line, err := c.r.ReadString('\n')
		if strings.Contains(line, want) {
			return line
		}
		if err != nil {
			c.t.Fatalf("waiting for %q: %v", want, err)
		}
	}
}

func (c *chatter) say(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, s); err != nil {
		c.t.Fatal(err)
	}
}

// Lines go to the others (whatever the pieces they were sent in), names
// change, /quit leaves, and a fourth connection from one address is
// refused with a message.
func TestChatBroadcastAndLimit(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/chat-server")
	srv := progtest.Start(t, exe, "--max-per-peer", "3")
	addr := srv.WaitLine(chatOn, wait)[1]
	a, b := join(t, addr), join(t, addr)
	a.expect("welcome, guest1")
	b.expect("welcome, guest2")
	a.expect("* guest2 joined")
	a.say("hel")
	a.say("lo, every")
	a.say("one\r\n/nick ann\n")
	b.expect("<guest1> hello, everyone")
	b.expect("* guest1 is now ann")
	b.say("hi ann\n")
	a.expect("<guest2> hi ann")
	c := join(t, addr)
	c.expect("welcome")
	d := join(t, addr)
	d.expect("too many connections from your address")
	if _, err := d.r.ReadString('\n'); err != io.EOF {
		t.Errorf("refused connection not closed: %v", err)
	}
	srv.WaitLine(regexp.MustCompile(`^refused 127\.0\.0\.1:\d+: over 3 connections`), wait)
	a.say("/quit\n")
	a.expect("* bye")
	b.expect("* ann left")
}

// A client silent for --idle is told so and disconnected.
func TestChatIdleTimeout(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/chat-server")
	srv := progtest.Start(t, exe, "--idle", "300ms")
	addr := srv.WaitLine(chatOn, wait)[1]
	a := join(t, addr)
	a.expect("welcome")
	a.expect("* idle for 300ms, bye")
	if _, err := a.r.ReadString('\n'); err != io.EOF {
		t.Errorf("after the timeout: %v, want end of file", err)
	}
	srv.WaitLine(regexp.MustCompile(`^guest1 timed out$`), wait)
}

// A client that reads nothing and is timed out while a backlog waits for
// it is aborted one --idle later: the clean close waits for the backlog to
// drain, which never happens, and held the connection for ever.
func TestChatIdleTimeoutOfNonReader(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/chat-server")
	srv := progtest.Start(t, exe, "--idle", "1s", "--max-backlog", "100000000")
	addr := srv.WaitLine(chatOn, wait)[1]
	deaf := dialSmall(t, addr)
	defer deaf.Close()
	srv.WaitLine(regexp.MustCompile(`^guest1 joined`), wait)
	talker := join(t, addr)
	talker.expect("welcome")
	go io.Copy(io.Discard, talker.r)
	line := strings.Repeat("x", 1000) + "\n"
	for range 4000 { // 4 MB: more than the kernel's buffers hold
		talker.say(line)
	}
	srv.WaitLine(regexp.MustCompile(`^guest1 timed out$`), wait)
	srv.WaitLine(regexp.MustCompile(`^guest1 not reading: its close aborted after 1s$`), wait)
	srv.WaitLine(regexp.MustCompile(`^guest1 left$`), wait)
	deaf.SetDeadline(time.Now().Add(wait))
	if _, err := io.Copy(io.Discard, deaf); err == nil {
		t.Error("the deaf client's connection ended cleanly, want a reset")
	}
}

// A client that reads nothing while the room talks is cut off once its
// backlog passes --max-backlog, instead of making the server buffer
// without bound; the others go on.
func TestChatCutsOffSlowReader(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/chat-server")
	srv := progtest.Start(t, exe, "--max-backlog", "200000")
	addr := srv.WaitLine(chatOn, wait)[1]
	slow := dialSmall(t, addr)
	defer slow.Close()
	talker := join(t, addr)
	listener := join(t, addr)
	talker.expect("welcome")
	listener.expect("welcome")
	line := strings.Repeat("x", 1000) + "\n"
	go func() { // the listener reads everything, as a healthy client does
		io.Copy(io.Discard, listener.r)
	}()
	sent := 0
	for i := 0; !strings.Contains(srv.Stdout(), "guest1 cut off") && sent < 64<<20; i++ {
		talker.say(line)
		sent += len(line)
		if i%100 == 99 {
			time.Sleep(time.Millisecond) // let the server's output reach us
		}
	}
	if sent >= 64<<20 {
		t.Fatal("the slow reader was never cut off")
	}
	m := srv.WaitLine(regexp.MustCompile(`^guest1 cut off: (\d+) bytes waiting, over 200000$`), wait)
	t.Logf("cut off after %d bytes said, with %s bytes waiting", sent, m[1])
	talker.say("still talking\n")
	if _, err := io.Copy(io.Discard, slow); err == nil {
		t.Error("the slow reader's connection ended cleanly, want a reset")
	}
}

// A client that never reads, and sends what the server answers to it
// alone (a bad /nick), is no longer read from once its answers back up: the
// server's memory stays flat. They piled up without bound (300 MB a second).
func TestChatSelfAnswersBounded(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/chat-server")
	srv := progtest.Start(t, exe)
	addr := srv.WaitLine(chatOn, wait)[1]
	c := dialSmall(t, addr)
	defer c.Close()
	flood := []byte(strings.Repeat("/nick \n", 10000))
	deadline := time.Now().Add(time.Second)
	c.SetWriteDeadline(deadline) // once the server stops reading, writes block
	for time.Now().Before(deadline) {
		if _, err := c.Write(flood); err != nil {
			break
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.Pid()))
	if err != nil {
		t.Skip("no /proc to read the server's memory from")
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmRSS in:\n%s", status)
	}
	if kb, _ := strconv.Atoi(string(m[1])); kb > 64<<10 {
		t.Errorf("the server holds %d kB after a client sent a second of /nick without reading", kb)
	}
}

// dialSmall connects to addr with a small receive buffer, so that what the
// server writes and the client does not read backs up at once.
func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: wait, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// poemServer serves poem once per connection on a plain listener.
func poemServer(t *testing.T, poem string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, poem)
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// The client downloads a poem and prints the service's transformation of
// it (bytes that are not UTF-8 kept); with an unknown transform, or with
// the service down (after its retries), it prints the poem untransformed
// and says why.
func TestTransformService(t *testing.T) {
	server := progtest.Build(t, "./examples/beyond/transform-server")
	client := progtest.Build(t, "./examples/beyond/transform-client")
	srv := progtest.Start(t, server)
	service := srv.WaitLine(transformOn, wait)[1]
	poem := "The Orchard\nNobody Owns It \xff\n"
	poems := poemServer(t, poem)

	res := progtest.Run(t, wait, client, service, poems)
	if res.Code != 0 || res.Stdout != "the orchard\nnobody owns it \xff\n\n\n" || res.Stderr != "" {
		t.Errorf("cummingsify: exit %d\nstdout %q\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}
	srv.WaitLine(regexp.MustCompile(`cummingsify, 29 bytes$`), wait)

	res = progtest.Run(t, wait, client, "--transform", "sonnetize", service, poems)
	if res.Code != 0 || res.Stdout != poem+"\n\n" || !strings.Contains(res.Stderr, "without an answer") {
		t.Errorf("unknown transform: exit %d\nstdout %q\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}
	srv.WaitLine(regexp.MustCompile(`unknown transform "sonnetize": closing$`), wait)

	down := progtest.RefusedAddr(t)
	res = progtest.Run(t, wait, client, "--retries", "2", "--retry-delay", "10ms", down, poems)
	if res.Code != 0 || res.Stdout != poem+"\n\n" || !strings.Contains(res.Stderr, "gave up after 3 attempts") {
		t.Errorf("service down: exit %d\nstdout %q\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}

	res = progtest.Run(t, wait, client, service, progtest.RefusedAddr(t))
	if res.Code != 1 || !strings.Contains(res.Stderr, "no poem from") {
		t.Errorf("poetry server down: exit %d\nstderr %q", res.Code, res.Stderr)
	}
}

// A client that sends half a request and then nothing is closed after
// --idle, and connections beyond --max-conns are refused at once: each
// may hold up to --max-poem bytes, and idle ones stayed open for ever.
func TestTransformServerIdleAndLimit(t *testing.T) {
	server := progtest.Build(t, "./examples/beyond/transform-server")
	srv := progtest.Start(t, server, "--idle", "200ms", "--max-conns", "1")
	service := srv.WaitLine(transformOn, wait)[1]
	half, err := net.DialTimeout("tcp", service, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	half.Write([]byte("6:shout."))
	extra, err := net.DialTimeout("tcp", service, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetDeadline(time.Now().Add(wait))
	if b, err := io.ReadAll(extra); len(b) != 0 {
		t.Errorf("a connection over --max-conns got %q, %v", b, err)
	}
	start := time.Now()
	half.SetDeadline(time.Now().Add(wait))
	io.ReadAll(half)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the idle connection was closed after %v", took)
	}
	srv.WaitLine(regexp.MustCompile(`idle for 200ms: closing$`), wait)
}

// --retries 0 makes one attempt: with the service down, the poem is
// printed untransformed at once. It retried until --timeout, as the
// reconnecting factory's MaxRetries 0 means no limit.
func TestTransformClientNoRetries(t *testing.T) {
	client := progtest.Build(t, "./examples/beyond/transform-client")
	poem := "The Orchard\n"
	res := progtest.Run(t, wait, client, "--retries", "0", "--retry-delay", "10ms", "--timeout", "5s",
		progtest.RefusedAddr(t), poemServer(t, poem))
	if res.Code != 0 || res.Stdout != poem+"\n\n" || !strings.Contains(res.Stderr, "could not be reached (no retries)") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}
}

// A service that resets the connection half-way through its answer is
// reported as such, not as one that closed without answering (which reads
// as an unknown transform); the poem is still printed untransformed.
func TestTransformClientCutOff(t *testing.T) {
	client := progtest.Build(t, "./examples/beyond/transform-client")
	ln := progtest.ServeEach(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(wait))
		c.Read(make([]byte, 4096)) // the request
		c.Write([]byte("100:the first words of an ans"))
		time.Sleep(50 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	poem := "The Orchard\n"
	res := progtest.Run(t, wait, client, ln.Addr().String(), poemServer(t, poem))
	if res.Code != 0 || res.Stdout != poem+"\n\n" || !strings.Contains(res.Stderr, "the service's answer was cut off") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}
}

// A request whose length is over --max-poem is refused from its length
// alone, and a malformed one is refused with the reason logged.
func TestTransformServerBadRequests(t *testing.T) {
	server := progtest.Build(t, "./examples/beyond/transform-server")
	srv := progtest.Start(t, server, "--max-poem", "1000")
	service := srv.WaitLine(transformOn, wait)[1]
	for _, c := range []struct{ req, log string }{
		{"1001:", `bad request: basic: netstring length "1001"...: frame longer than the maximum \(1000\)`},
		{"5:abcdeX", `bad request: basic: netstring of 5 bytes ends with 'X'`},
		{"x:", `bad request: basic: netstring length "x": malformed frame`},
		{"5:shout,", `bad request: no "\." between the transform's name and the poem: closing$`},
	} {
		conn, err := net.DialTimeout("tcp", service, wait)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(wait))
		io.WriteString(conn, c.req+"ab,")
		if b, _ := io.ReadAll(conn); len(b) != 0 {
			t.Errorf("%q: answered %q", c.req, b)
		}
		conn.Close()
		srv.WaitLine(regexp.MustCompile(c.log), wait)
	}
	conn, err := net.DialTimeout("tcp", service, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	fmt.Fprintf(conn, "%d:shout.%s,", len("shout.")+5, "quiet")
	if b, _ := io.ReadAll(conn); string(b) != "5:QUIET," {
		t.Errorf("shout: %q", b)
	}
}

// Bad arguments: a line that says what is wrong and exit 2; a port that
// cannot be listened on: one line and exit 1. Never a panic or a hang.
func TestBadArguments(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	for _, c := range []struct {
		pkg, prog string
		args      []string
		code      int
		says      string
	}{
		{"chat-server", "chat-server", []string{"--port", "70000"}, 2, "out of range"},
		{"chat-server", "chat-server", []string{"--port", "abc"}, 2, "invalid value"},
		{"chat-server", "chat-server", []string{"stray"}, 2, `unexpected argument "stray"`},
		{"chat-server", "chat-server", []string{"--max-backlog", "0"}, 2, "must be positive"},
		{"chat-server", "chat-server", []string{"--no-such-flag"}, 2, "not defined"},
		{"chat-server", "chat-server", []string{"--port", busyPort}, 1, "chat-server: "},
		{"transform-server", "transform-server", []string{"--port", "-1"}, 2, "bad arguments"},
		{"transform-server", "transform-server", []string{"--port", busyPort}, 1, "transform-server: "},
		{"echo-server", "echo-server", []string{"--port", "70000"}, 2, "between 0 and 65535"},
		{"echo-server", "echo-server", []string{"--lines", "--delimiter", "cr"}, 2, `lf or crlf, not "cr"`},
		{"echo-server", "echo-server", []string{"--lines", "--max-length", "0"}, 2, "at least 1"},
		{"echo-server", "echo-server", []string{"--max-length", "100"}, 2, "--max-length applies only with --lines"},
		{"echo-server", "echo-server", []string{"--delimiter", "crlf"}, 2, "--delimiter applies only with --lines"},
		{"echo-server", "echo-server", []string{"stray"}, 2, `unexpected argument "stray"`},
		{"echo-server", "echo-server", []string{"--loops", "2000"}, 2, "--loops 2000: at most 1024"},
		{"echo-server", "echo-server", []string{"--port", busyPort}, 1, "echo-server: "},
		{"transform-client", "transform-client", []string{"10000"}, 2, "need the service's address"},
		{"transform-client", "transform-client", []string{"10000", "70000"}, 2, "70000"},
		{"transform-client", "transform-client", []string{"--retries", "-1", "1", "2"}, 2, "must not be negative"},
	} {
		exe := progtest.Build(t, "./examples/beyond/"+c.pkg)
		res := progtest.Run(t, wait, exe, c.args...)
		if res.Code != c.code || !strings.Contains(res.Stderr, c.says) || strings.Contains(res.Stderr, "panic") {
			t.Errorf("%s %q: exit %d, stderr:\n%s\nwant exit %d saying %q", c.prog, c.args, res.Code, res.Stderr, c.code, c.says)
		}
		if c.code == 1 && strings.Count(res.Stderr, "\n") != 1 {
			t.Errorf("%s %q: more than one line:\n%s", c.prog, c.args, res.Stderr)
		}
	}
}

// The echo server sends every byte back, on two loops as on one; the line
// server answers whole lines only, whatever pieces they came in, and ends
// the connection of a client whose line is too long.
func TestEchoServer(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/echo-server")
	for _, args := range [][]string{nil, {"--loops", "2"}} {
		srv := progtest.Start(t, exe, args...)
		c := join(t, srv.WaitLine(servingOn, wait)[1])
		msg := strings.Repeat("every byte \x00\xff back ", 4096)
		c.say(msg)
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c.r, got); err != nil || string(got) != msg {
			t.Fatalf("%q: echoed %d bytes (%v), want the %d sent", args, len(got), err, len(msg))
		}
	}

	srv := progtest.Start(t, exe, "--lines", "--max-length", "64")
	addr := srv.WaitLine(servingOn, wait)[1]
	c := join(t, addr)
	c.say("first li")
	c.say("ne\nsecond line\nthird")
	if got := c.expect("first line"); got != "first line\n" {
		t.Errorf("got %q", got)
	}
	if got := c.expect("second"); got != "second line\n" {
		t.Errorf("got %q", got)
	}
	c.say(strings.Repeat("x", 100) + "\n")
	if rest, err := io.ReadAll(c.r); len(rest) != 0 || err != nil {
		t.Errorf("after a line too long: %q, %v; want the connection closed and the unfinished line never answered", rest, err)
	}
}

// flagDef finds the flags a program defines on its flag set.
var flagDef = regexp.MustCompile(`fs\.(?:Bool|String|Int|Duration)(?:Var)?\((?:&[^,]+, )?"([a-z-]+)"`)

// The usage lines at the top of each program's doc (the indented block
// that runs it) name every flag it takes: chat-server's left out
// --max-line.
func TestUsageLinesNameEveryFlag(t *testing.T) {
	for _, prog := range []string{"chat-server", "echo-server", "transform-server", "transform-client"} {
		src, err := os.ReadFile(prog + "/main.go")
		if err != nil {
			t.Fatal(err)
		}
		doc, _, _ := strings.Cut(string(src), "\npackage main")
		var usage strings.Builder
		for line := range strings.Lines(doc) {
			if strings.HasPrefix(line, "//\t") {
				usage.WriteString(line)
			} else if usage.Len() > 0 {
				break // the end of the first indented block
			}
		}
		for _, m := range flagDef.FindAllStringSubmatch(string(src), -1) {
			if !strings.Contains(usage.String(), "--"+m[1]) {
				t.Errorf("%s: the usage lines do not name --%s:\n%s", prog, m[1], usage.String())
			}
		}
	}
}
