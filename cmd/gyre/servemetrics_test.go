package main

import (
	"log/slog"
	"math"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// flakyListener fails its first Accept with a temporary error, as an
// accept does when the process is out of descriptors.
type flakyListener struct {
	net.Listener
	once sync.Once
}

type tempError struct{}

func (tempError) Error() string   { return "too many open files" }
func (tempError) Timeout() bool   { return false }
func (tempError) Temporary() bool { return true }

func (l *flakyListener) Accept() (net.Conn, error) {
	failed := false
	l.once.Do(func() { failed = true })
	if failed {
		return nil, tempError{}
	}
	return l.Listener.Accept()
}

// The metrics endpoint's own complaints go to gyre's log, not to stderr
// behind its back: written there directly, a stderr nobody reads would hold
// the HTTP server's goroutine, and with it the shutdown.
func TestOpsServerErrorsGoToTheLog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &opsServer{ln: &flakyListener{Listener: ln}, done: make(chan struct{})}
	var mu sync.Mutex
	var lines []string
	say := func(lvl slog.Level, msg string, attrs ...slog.Attr) {
		mu.Lock()
		defer mu.Unlock()
		line := lvl.String() + " " + msg
		for _, a := range attrs {
			line += " " + a.String()
		}
		lines = append(lines, line)
	}
	o.serve(&statsCollector{}, say)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(lines, "\n")
		mu.Unlock()
		if strings.Contains(got, "Accept error") {
			if !strings.HasPrefix(got, "WARN metrics endpoint error=") {
				t.Errorf("logged as %q", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the accept error never reached the log (got %q)", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	o.close()
}

// Clients that keep their connections to the metrics endpoint open after
// a request do not hold its slots: /healthz still answers at once (a
// balancer that cannot check an instance takes it out).
func TestOpsServerIdleClientsDoNotStarveHealthz(t *testing.T) {
	o, err := listenOps("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.serve(&statsCollector{}, func(slog.Level, string, ...slog.Attr) {})
	defer o.close()
	addr := o.Addr().String()
	for range opsMaxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 512)); err != nil {
			t.Fatal(err)
		}
		// and stays open, idle
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz with %d idle clients: %v", opsMaxConns, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}
}

// A --metrics address that cannot be read is a mistake on the command line
// (status 2); one that reads well but is taken is a failure of the run
// (status 1), as a poem's port in use is. Both are one line.
func TestMetricsAddressErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		addr string
		code int
	}{
		{"127.0.0.1", 2},
		{"127.0.0.1:99999", 2},
		{"127.0.0.1:nosuchservice", 2},
		{busy.Addr().String(), 1},
	} {
		code, stdout, stderr := gyre(t, nil, "serve", "--metrics", tt.addr, "library")
		if code != tt.code || stdout != "" {
			t.Errorf("--metrics %s: status %d, stdout %q; want status %d and no output", tt.addr, code, stdout, tt.code)
		}
		if !strings.HasPrefix(stderr, "gyre: --metrics "+tt.addr+": ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--metrics %s: stderr %q is not one line \"gyre: --metrics ADDR: ...\"", tt.addr, stderr)
		}
	}
}

// gathered is the sum of the values of every series of the metric name
// (counters and gauges) that reg collects.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// What an operator asks of /metrics beyond the counters: the limit that
// in-flight connections run into, whether the instance is draining, which
// build it runs; refusals counted as connections (they never began a
// poem); and all of it clean by Prometheus's own linter.
func TestMetricsForOperators(t *testing.T) {
	s := startServer(t, 1, "--slow", "--num-bytes", "10", "--delay", "0.05", "--grace", "10",
		"--max-conns", "77", "--metrics", "127.0.0.1:0", "library")
	s.waitLog("msg=serving")
	maddr := metricsAttr.FindStringSubmatch(s.stderr.String())[1]
	client := startSlowClient(t, s.addrs[0])
	scrape := func() string {
		_, body := httpGet(t, "http://"+maddr+"/metrics")
		return body
	}
	body := scrape()
	for _, want := range []string{
		"gyre_connections_max 77\n",
		"gyre_draining 0\n",
		`gyre_build_info{goversion="` + runtime.Version() + `",version="`,
		`gyre_connections_refused_total{loop="0"} 0` + "\n",
		`gyre_connections_in_flight{loop="0"} 1` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "gyre_poems_refused_total") {
		t.Error("/metrics still has gyre_poems_refused_total: refusals are connections, not poems")
	}
	problems, err := promlint.New(strings.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	s.signal(syscall.SIGTERM)
	s.waitLog(`msg="stopping`)
	if body := scrape(); !strings.Contains(body, "gyre_draining 1\n") {
		t.Errorf("/metrics while draining lacks gyre_draining 1")
	}
	client.Close()
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

var graceLeftSeries = regexp.MustCompile(`(?m)^gyre_grace_left_seconds (\S+)$`)

// A cut comes as the process exits, too late for a scraper to see it
// counted; what /metrics shows is the cut coming: during a drain, the
// poems in flight and the grace they have left, counting down.
func TestMetricsGraceLeft(t *testing.T) {
	s := startServer(t, 1, "--slow", "--num-bytes", "10", "--delay", "0.05", "--grace", "3",
		"--metrics", "127.0.0.1:0", "library")
	s.waitLog("msg=serving")
	maddr := metricsAttr.FindStringSubmatch(s.stderr.String())[1]
	client := startSlowClient(t, s.addrs[0])
	defer client.Close()
	graceLeft := func() (float64, string) {
		_, body := httpGet(t, "http://"+maddr+"/metrics")
		m := graceLeftSeries.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no gyre_grace_left_seconds:\n%s", body)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v, body
	}
	if v, _ := graceLeft(); v != 3 {
		t.Errorf("while serving, gyre_grace_left_seconds %v, want --grace (3)", v)
	}
	s.signal(syscall.SIGTERM)
	s.waitLog(`msg="stopping`)
	first, body := graceLeft()
	if first <= 0 || first > 3 || !strings.Contains(body, "gyre_draining 1\n") ||
		!strings.Contains(body, `gyre_connections_in_flight{loop="0"} 1`+"\n") {
		t.Errorf("draining with a poem in flight: gyre_grace_left_seconds %v (want in (0, 3]), and:\n%s", first, body)
	}
	time.Sleep(500 * time.Millisecond)
	if next, _ := graceLeft(); next >= first || next < first-1.5 {
		t.Errorf("gyre_grace_left_seconds went from %v to %v in half a second", first, next)
	}
	client.Close()
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// The grace left never goes below 0, and a second signal ends it at once.
func TestDrainStateGraceLeft(t *testing.T) {
	d := drainState{grace: 10 * time.Second}
	t0 := time.Now()
	if got := d.graceLeft(t0); got != 10*time.Second {
		t.Errorf("serving: %v left, want the grace", got)
	}
	d.start(t0, 10*time.Second)
	if got := d.graceLeft(t0.Add(4 * time.Second)); got != 6*time.Second {
		t.Errorf("4 s into the drain: %v left, want 6s", got)
	}
	if got := d.graceLeft(t0.Add(11 * time.Second)); got != 0 {
		t.Errorf("after the grace: %v left, want 0", got)
	}
	d.cut(t0.Add(time.Second))
	if got := d.graceLeft(t0.Add(2 * time.Second)); got != 0 {
		t.Errorf("after a second signal: %v left, want 0", got)
	}
}

// The longest --grace accepted (about 292 years) reads as what it is while
// draining, and as 0 once a second signal has cut it: its deadline is past
// the year 2262, where Unix nanoseconds end, and wrapped round it read as a
// time long past, which the cut's min kept.
func TestDrainStateLongGrace(t *testing.T) {
	var d drainState
	grace := time.Duration(math.MaxInt64)
	t0 := time.Now()
	d.start(t0, grace)
	if got := d.graceLeft(t0.Add(time.Second)); got < 200*365*24*time.Hour {
		t.Errorf("a %v grace, 1 s into the drain: %v left", grace, got)
	}
	d.cut(t0.Add(time.Second))
	if got := d.graceLeft(t0.Add(2 * time.Second)); got != 0 {
		t.Errorf("a %v grace cut by a second signal: %v left, want 0", grace, got)
	}
}
