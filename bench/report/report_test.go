package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.md from the current output")

// TestGoldenReport pins the whole Markdown report of testdata/run-small;
// after a deliberate change, refresh it with go test ./bench/report -update.
func TestGoldenReport(t *testing.T) {
	var b bytes.Buffer
	if err := loadSmall(t).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	// The sources are paths as given; keep the golden file independent of
	// where the test runs by giving them relative, as load was.
	golden := filepath.Join("testdata", "run-small.golden.md")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("report differs from %s at line %d:\ngot:  %s\nwant: %s", golden, i+1, g, w)
			}
		}
	}
}

func TestCommandLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sub", "report.md")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-o", out, "testdata/run-small"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# gyre load benchmarks, 2026-11-21T07:00:00Z\n") || stdout.Len() != 0 {
		t.Errorf("report starts %q; stdout %q", string(b[:min(60, len(b))]), stdout.String())
	}

	// A single log, without meta.txt, to standard output; another subject.
	stdout.Reset()
	if err := run([]string{"-subject", "std", "testdata/run-small/W1.log"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if s := stdout.String(); !strings.Contains(s, "| machine | not recorded (no meta.txt) |") || !strings.Contains(s, "| workload | figure | target | std | gnet | twisted |") {
		t.Errorf("single-log report:\n%s", s)
	}

	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no log given"},
		{[]string{"testdata/nonexistent"}, "no such file"},
		{[]string{empty}, "no *.log files"},
		{[]string{"-meta", "testdata/run-small/W1.log", "testdata/run-small"}, "want \"key: value\""},
		{[]string{"-bogus"}, "flag provided but not defined"},
	} {
		stderr.Reset()
		err := run(tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
			t.Errorf("run(%q) = %v (stderr %q), want %q", tc.args, err, stderr.String(), tc.want)
		}
	}
	if err := os.WriteFile(filepath.Join(empty, "x.log"), []byte("no runs here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{empty}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "no RUN lines") {
		t.Errorf("a log without RUN lines: %v", err)
	}
}

// sharedResults finds ../shared/bench/results next to the module root, or
// skips: users' clones do not have ../shared.
func sharedResults(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test")
		}
		dir = parent
	}
	res := filepath.Join(dir, "..", "shared", "bench", "results")
	if _, err := os.Stat(res); err != nil {
		t.Skip("../shared/bench/results is absent")
	}
	return res
}

// TestSharedAnchorLog reads the anchors' own raw log and must find the
// medians that results.md publishes from it.
func TestSharedAnchorLog(t *testing.T) {
	logs, _ := filepath.Glob(filepath.Join(sharedResults(t), "anchors-*", "raw.log"))
	if len(logs) == 0 {
		t.Skip("no anchors-*/raw.log")
	}
	rep, err := load(logs[:1], "")
	if err != nil {
		t.Fatal(err)
	}
	med := func(step, server string, conns int, metric string) float64 {
		st := findStep(rep.Steps, step)
		if st == nil {
			t.Fatalf("no step %s", step)
		}
		sr := st.Server(server)
		if sr == nil {
			t.Fatalf("no %s in %s", server, step)
		}
		return Summarize(sr.Counted[conns], metric).Median
	}
	for _, tc := range []struct {
		step, server string
		conns        int
		metric       string
		want         float64
	}{
		{"W1", "std", 64, "srvcore_us_per_poem", 32.653},
		{"W1", "gnet", 64, "srvcore_us_per_poem", 27.704},
		{"W1", "twisted", 64, "srvcore_us_per_poem", 35.196},
		{"W1", "twisted", 64, "poems_s", 28432.3},
		{"W2", "gnet", 1, "lat_p50_ms", 0.08578},
		{"W3", "std", 4, "mb_s", 4563.4},
		{"W3", "gnet", 4, "srv_hwm_mb", 312.3},
		{"W4", "std", 10000, "wall_ratio", 1.266},
		{"W4", "gnet", 10000, "first_p99_ms", 71.8},
		{"W4", "std", 10000, "srv_kb_per_conn", 3.607},
		{"W5", "std", 1000, "sched_late_p99_ms", 44.34},
		{"W5", "twisted", 1000, "wall_ratio", 1.011},
		{"W1-2loops", "std-2cpu", 64, "poems_s", 26142.4},
	} {
		if got := med(tc.step, tc.server, tc.conns, tc.metric); math.Abs(got-tc.want) > 1e-9*math.Max(1, tc.want) {
			t.Errorf("%s %s %s: median %v, results.md says %v", tc.step, tc.server, tc.metric, got, tc.want)
		}
	}
	// Twisted fails W4 at 10,000; its follow-up sessions find every run
	// passing at 6,000, as results.md concludes.
	if lp := findStep(rep.Steps, "W4").Server("twisted").LargestPassing(); lp != 6000 {
		t.Errorf("twisted's largest all-passing W4 count: %d, want 6000", lp)
	}
	// The cross-checks stay out of the targets' steps.
	for _, name := range []string{"W1 [--engine net]", "W1 [--linger0]", "W5 [--engine net]"} {
		if findStep(rep.Steps, name) == nil {
			t.Errorf("no step %q", name)
		}
	}

	// With an anchor as the subject, the verdicts follow from results.md.
	rep.Subject = "gnet"
	outs := rep.Outcomes()
	for _, tc := range []struct {
		step, figure string
		want         Verdict
	}{
		{"W1", "server-core µs per poem", Fail},    // 27.7 > 22
		{"W1", "poems/s", Fail},                    // 22,966 < 0.9 x twisted's 28,432
		{"W4", "every run passes", Pass},           // yes x3
		{"W4", "KB per connection", Fail},          // 0.60 > 0.5
		{"W5", "wall / ideal", Pass},               // 1.008 <= 1.01
		{"W5", "schedule lateness p99 (ms)", Fail}, // 12.4 > 10
		{"W1-2loops", "poems/s", NoData},           // gnet did not run it
	} {
		if o := outcome(t, outs, tc.step, tc.figure); o.Verdict != tc.want {
			t.Errorf("gnet as subject, %s %s: %v (%s), want %v", tc.step, tc.figure, o.Verdict, o.Subject.Text, tc.want)
		}
	}
}

// TestSharedStandardOutput reads the step outputs (*.txt) that sit beside
// the raw log: the same runs, without time stamps.
func TestSharedStandardOutput(t *testing.T) {
	txts, _ := filepath.Glob(filepath.Join(sharedResults(t), "anchors-*", "W1.txt"))
	if len(txts) == 0 {
		t.Skip("no anchors-*/W1.txt")
	}
	rep, err := load(txts[:1], "")
	if err != nil {
		t.Fatal(err)
	}
	st := findStep(rep.Steps, "W1")
	if st == nil || len(st.Sessions) != 1 {
		t.Fatalf("W1.txt: steps %v", rep.Steps)
	}
	if got := Summarize(st.Server("std").Counted[64], "srvcore_us_per_poem").Median; got != 32.653 {
		t.Errorf("std's median from W1.txt: %v", got)
	}
}
