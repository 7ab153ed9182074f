package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const pkg = "./examples/blocking-client"

// wantHelp is the reference's help adapted to gyre's conventions, plus the
// --print option.
var wantHelp = poetrytest.ClientHelp("get-poetry", "This is the Get Poetry Now! client, blocking edition.", "blocking-client")

// fromReference adapts a transcript text: gyre's names and commands, and
// the --print option, which the original does not have.
func fromReference(s string) string {
	return poetrytest.WithPrintOption(poetrytest.GyreText(s, "blocking-client", "get-poetry", "blocking-client"))
}

func TestUsage(t *testing.T) {
	poetrytest.CheckClientUsage(t, progtest.Build(t, pkg), "get-poetry", wantHelp)
}

// TestUsageMatchesReference replays Runs 1 to 5 of the original's
// transcript.
func TestUsageMatchesReference(t *testing.T) {
	sections := progtest.LoadTranscript(t, "blocking-client__get-poetry.txt")
	poetrytest.ReplayRuns(t, progtest.Build(t, pkg), sections, 1, 5, fromReference)
}

var (
	getRE   = regexp.MustCompile(`^Task (\d+): get poetry from: (\S+)$`)
	gotRE   = regexp.MustCompile(`^Task (\d+): got (\d+) bytes of poetry from (\S+) in (\d+:\d\d:\d\d(?:\.\d{6})?)$`)
	totalRE = regexp.MustCompile(`^Got (\d+) poems in (\d+:\d\d:\d\d(?:\.\d{6})?)$`)
)

// parseElapsed reads back poetry.FormatElapsed's H:MM:SS[.ffffff]
// exactly, in whole microseconds.
func parseElapsed(t *testing.T, s string) time.Duration {
	t.Helper()
	m := elapsedRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("bad duration %q", s)
	}
	var n [4]int
	for i, field := range m[1:] {
		if field != "" {
			n[i], _ = strconv.Atoi(field)
		}
	}
	return time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute +
		time.Duration(n[2])*time.Second + time.Duration(n[3])*time.Microsecond
}

var elapsedRE = regexp.MustCompile(`^(\d+):(\d\d):(\d\d)(?:\.(\d{6}))?$`)

// TestThreeServers: the tasks run one after the other, in argument order,
// each printing its start and its result; the total is the sum of the
// three times, to the microsecond. The counts are characters, as the original's are (the
// library poem has multi-byte characters: 3014 bytes, fewer characters).
func TestThreeServers(t *testing.T) {
	exe := progtest.Build(t, pkg)
	servers := poetrytest.StartTutorialServers(t, time.Millisecond)
	ports := servers.Ports
	args := []string{ports[0], "localhost:" + ports[1], "127.0.0.1:" + ports[2]}
	res := progtest.Run(t, 60*time.Second, exe, args...)
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines:\n%s", len(lines), res.Stdout)
	}
	shown := []string{"127.0.0.1:" + ports[0], "localhost:" + ports[1], "127.0.0.1:" + ports[2]}
	var sum time.Duration
	for i := range 3 {
		get, got := getRE.FindStringSubmatch(lines[2*i]), gotRE.FindStringSubmatch(lines[2*i+1])
		if get == nil || got == nil || get[1] != fmt.Sprint(i+1) || got[1] != get[1] ||
			get[2] != shown[i] || got[3] != shown[i] || got[2] != fmt.Sprint(servers.Chars[i]) {
			t.Errorf("task %d:\n%s\n%s\nwant %s, %d characters", i+1, lines[2*i], lines[2*i+1], shown[i], servers.Chars[i])
			continue
		}
		sum += parseElapsed(t, got[4])
	}
	total := totalRE.FindStringSubmatch(lines[6])
	if total == nil || total[1] != "3" {
		t.Fatalf("last line %q", lines[6])
	}
	if got := parseElapsed(t, total[2]); got != sum {
		t.Errorf("total %s is not the sum of the tasks' times (%v)", total[2], sum)
	}
}

// TestTotalIsSumOfPrintedTimes: the original's total is the sum of the
// times it printed (timedeltas, whole microseconds), so adding up the
// "got" lines gives the "Got" line exactly. Twenty quick downloads make a
// rounding that is not the sum's almost certain to show.
func TestTotalIsSumOfPrintedTimes(t *testing.T) {
	poem, _ := poetry.Poem("orchard")
	srv := poetrytest.StartSlowServer(t, poem, 1000, 0)
	args := make([]string, 20)
	for i := range args {
		args[i] = srv.Port
	}
	res := progtest.Run(t, 30*time.Second, progtest.Build(t, pkg), args...)
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if res.Code != 0 || len(lines) != 2*len(args)+1 {
		t.Fatalf("exit %d, stdout:\n%s", res.Code, res.Stdout)
	}
	var sum time.Duration
	for _, line := range lines[:len(lines)-1] {
		if got := gotRE.FindStringSubmatch(line); got != nil {
			sum += parseElapsed(t, got[4])
		}
	}
	total := totalRE.FindStringSubmatch(lines[len(lines)-1])
	if total == nil {
		t.Fatalf("last line %q", lines[len(lines)-1])
	}
	if got := parseElapsed(t, total[2]); got != sum {
		t.Errorf("total %s, but the tasks' times add up to %s", total[2], poetry.FormatElapsed(sum))
	}
}

// TestRefusedConnection: as the original, the client does not survive a
// server that is not there: after the first poem and the second task's
// first line, it crashes with a stack trace through getPoetry and the
// error, and exits 1 (the reference's run 9); the third server is never
// asked.
func TestRefusedConnection(t *testing.T) {
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, 100, 0)
	refused := poetrytest.RefusedAddr(t)
	res := progtest.Run(t, 30*time.Second, progtest.Build(t, pkg), good.Port, refused, good.Addr)
	poetrytest.CheckCrash(t, res, regexp.MustCompile(`^\*net\.OpError: dial tcp `+regexp.QuoteMeta(refused)+`: connect: connection refused$`),
		"main.getPoetry", "main.main")
	lines := strings.Split(res.Stdout, "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "Task 1: got "+strconv.Itoa(utf8.RuneCount(poem))+" bytes") || lines[2] != "Task 2: get poetry from: "+refused {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
}

// TestConnectionReset: a reset in the middle of a poem crashes the client
// too, as Python's recv raising ConnectionResetError does the original.
func TestConnectionReset(t *testing.T) {
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	res := progtest.Run(t, 30*time.Second, progtest.Build(t, pkg), addr)
	poetrytest.CheckCrash(t, res, regexp.MustCompile(`connection reset by peer$`), "main.getPoetry", "main.main")
	if res.Stdout != "Task 1: get poetry from: "+addr+"\n" {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
}

// TestPrint: --print adds each poem, byte for byte, after its line.
func TestPrint(t *testing.T) {
	poem, _ := poetry.Poem("night-bus")
	srv := poetrytest.StartSlowServer(t, poem, 1000, 0)
	res := progtest.Run(t, 30*time.Second, progtest.Build(t, pkg), "--print", srv.Port)
	want := "Task 1: get poetry from: 127.0.0.1:" + srv.Port + "\n"
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, want) {
		t.Fatalf("exit %d\n%s", res.Code, res.Stdout)
	}
	rest := res.Stdout[len(want):]
	rest = rest[strings.Index(rest, "\n")+1:] // the "got" line
	if !strings.HasPrefix(rest, string(poem)) || !totalRE.MatchString(strings.TrimSuffix(rest[len(poem):], "\n")) {
		t.Errorf("output after the first lines:\n%s", rest)
	}
}

// TestEmptyHostShownAsLoopback: an address with no host (":PORT") means
// this machine, and the original prints it as 127.0.0.1:PORT (its
// format_address writes "host or '127.0.0.1'"), in both of the task's
// lines.
func TestEmptyHostShownAsLoopback(t *testing.T) {
	poem, _ := poetry.Poem("orchard")
	srv := poetrytest.StartSlowServer(t, poem, 1000, 0)
	res := progtest.Run(t, 30*time.Second, progtest.Build(t, pkg), ":"+srv.Port)
	shown := "127.0.0.1:" + srv.Port
	lines := strings.Split(res.Stdout, "\n")
	if res.Code != 0 || len(lines) != 4 || lines[0] != "Task 1: get poetry from: "+shown ||
		!strings.HasPrefix(lines[1], "Task 1: got "+strconv.Itoa(utf8.RuneCount(poem))+" bytes of poetry from "+shown+" in ") {
		t.Errorf("exit %d, stdout:\n%s", res.Code, res.Stdout)
	}
}

// TestInterrupt: as the original, the client handles no signal, and Ctrl-C
// ends it with the stack of where it waited (crash.OnInterrupt), then
// "KeyboardInterrupt", killed by SIGINT: in a connect that gets no answer,
// and in a read from a server that sends nothing more.
func TestInterrupt(t *testing.T) {
	exe := progtest.Build(t, pkg)
	for _, c := range []struct {
		name   string
		addr   string
		frames []string
	}{
		{"connect", progtest.UnansweredAddr(t), []string{"net.(*Dialer).Dial", "net.Dial", "main.getPoetry", "main.main"}},
		{"read", poetrytest.StartHoldingServer(t, "The first line, and then\n"), []string{"io.ReadAll", "main.getPoetry", "main.main"}},
	} {
		p := progtest.Start(t, exe, c.addr)
		p.WaitLine(regexp.MustCompile(`^Task 1: get poetry from: `), 10*time.Second)
		time.Sleep(200 * time.Millisecond) // long enough to be waiting
		res := p.Signal(syscall.SIGINT)
		t.Run(c.name, func(t *testing.T) { poetrytest.CheckInterrupt(t, res, c.frames...) })
	}
}
