package reactor

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The listen backlog is the system's maximum, so that thousands of
// simultaneous connects wait instead of being dropped. (Read back through
// TCP_INFO, which only Linux has.)
func TestListenBacklog(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	p := listen(t, r, &servers{})
	info, err := unix.GetsockoptTCPInfo(p.Fd(), unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		t.Fatal(err)
	}
	want := 4096
	if data, err := os.ReadFile("/proc/sys/net/core/somaxconn"); err == nil {
		want, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if got := int(info.Sacked); got != min(want, 65535) { // a listener's tcpi_sacked is its backlog
		t.Errorf("backlog %d, want %d", got, want)
	}
	p2, _ := r.ListenTCP("127.0.0.1:0", &servers{}, WithBacklog(17))
	defer p2.StopListening()
	if info, _ := unix.GetsockoptTCPInfo(p2.Fd(), unix.IPPROTO_TCP, unix.TCP_INFO); info.Sacked != 17 {
		t.Errorf("WithBacklog(17): %d", info.Sacked)
	}
}

// When the process runs out of descriptors, the port backs off instead of
// spinning, logs once, and accepts the waiting connections when
// descriptors are free again. It runs in a child process whose descriptor
// limit is lowered, so the test process is not affected.
func TestAcceptBacksOffOnEMFILE(t *testing.T) {
	if os.Getenv("GYRE_TEST_EMFILE_CHILD") == "1" {
		emfileChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcceptBacksOffOnEMFILE$")
	cmd.Env = append(os.Environ(), "GYRE_TEST_EMFILE_CHILD=1")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	lines := make(chan string, 100)
	logs := make(chan string, 100)
	go scanLines(stdout, lines)
	go scanLines(stderr, logs)
	var addr string
	select {
	case l := <-lines:
		addr = strings.TrimPrefix(l, "LISTENING ")
	case <-time.After(testTimeout):
		t.Fatal("child did not start")
	}
	// Three connections fill the child's descriptors; three more wait in
	// the backlog.
	var held, waiting []net.Conn
	for range 3 {
		c := dialAddr(t, addr)
		expectLine(t, c, "hi")
		held = append(held, c)
	}
	for range 3 {
		waiting = append(waiting, dialAddr(t, addr))
	}
	var allLogs []string
	waitLog := func(what string) {
		t.Helper()
		deadline := time.After(testTimeout)
		for {
			select {
			case l := <-logs:
				allLogs = append(allLogs, l)
				if strings.Contains(l, what) {
					return
				}
			case <-deadline:
				t.Fatalf("child never logged %q; logs: %q", what, allLogs)
			}
		}
	}
	waitLog("backing off")
	cpu0 := procCPU(t, cmd.Process.Pid)
	wait := time.Now()
	time.Sleep(400 * time.Millisecond) // not synchronisation: the span over which CPU use is measured
	used := procCPU(t, cmd.Process.Pid) - cpu0
	if used > 100*time.Millisecond {
		t.Errorf("child used %v of CPU in %v while out of descriptors: spinning", used, time.Since(wait))
	}
	// Free descriptors: the waiting connections are served.
	for _, c := range held {
		c.Close()
	}
	for _, c := range waiting {
		expectLine(t, c, "hi")
	}
	waitLog("accepting connections again")
	n := 0
	for _, l := range allLogs {
		if strings.Contains(l, "backing off") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("back-off logged %d times: %q", n, allLogs)
	}
}

// emfileChild is the child's side: a server that greets and holds each
// connection until the client closes it, with a descriptor limit three
// above what it has open.
func emfileChild() {
	r, err := New(WithBackend(DefaultBackend()))
	if err != nil {
		panic(err)
	}
	p, err := r.ListenTCP("127.0.0.1:0", FactoryFunc(func(net.Addr) Protocol {
		return &recorder{onMade: func(p *recorder) { p.Transport.Write([]byte("hi\n")) }}
	}))
	if err != nil {
		panic(err)
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		panic(err)
	}
	open := uint64(len(entries) - 1) // ReadDir's own descriptor is closed again
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = open + 3
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	fmt.Println("LISTENING " + p.Addr().String())
	r.Run()
}

func scanLines(f interface{ Read([]byte) (int, error) }, out chan<- string) {
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out <- sc.Text()
	}
}

func dialAddr(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testTimeout))
	return c
}

func expectLine(t *testing.T, c net.Conn, want string) {
	t.Helper()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != want {
		t.Fatalf("read %q, %v; want %q", line, err, want)
	}
}

// procCPU returns a process's user+system CPU time from /proc.
func procCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which is in parentheses).
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}
