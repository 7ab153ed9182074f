package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

const rawSample = `# 2026-11-21T05:30:25Z benchrun W1 --bench {bench} W1 --reps 5 --server-cpu none --load-cpu none --loadgen-args --threads 2 --server ceil-2cpu={bench}/bin/ceilsrv {port} {poem} 2 0,1 --server std-2cpu={bench}/bin/stdserver --port {port} {poem} --out results/x/raw.log
2026-11-21T05:30:39Z RUN workload=W1 server=ceil-2cpu rep=1 conns=64 poems_s=27408.3 bound=unknown
2026-11-21T05:30:52Z RUN workload=W1 server=std-2cpu rep=1 conns=64 poems_s=26142.4 bound=unknown
# 2026-11-21T05:37:15Z benchrun W4 --bench {bench} W4 --search=false --conns 7000 --reps 3 --server twisted --out results/x/raw.log
2026-11-21T05:37:40Z RUN workload=W4 server=twisted rep=1 conns=7000 wall_ratio=2.437 other_cores=0.2382 pass=false noisy=1
2026-11-21T05:38:00Z RUN workload=W4 server=twisted rep=1 conns=7000 wall_ratio=1.7 other_cores=0 pass=true
`

func TestParseLogRawHeaders(t *testing.T) {
	ss, err := ParseLog(strings.NewReader(rawSample), "raw.log")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 {
		t.Fatalf("got %d sessions, want 2", len(ss))
	}
	a, b := ss[0], ss[1]
	if a.Workload != "W1" || a.Source != "raw.log:1" || !a.Time.Equal(time.Date(2026, 11, 21, 5, 30, 25, 0, time.UTC)) {
		t.Errorf("first session: workload %q source %q time %v", a.Workload, a.Source, a.Time)
	}
	for k, want := range map[string]string{
		"bench": "{bench}", "reps": "5", "server-cpu": "none", "load-cpu": "none",
		"loadgen-args": "--threads 2", "out": "results/x/raw.log",
	} {
		if got := a.Flags[k]; got != want {
			t.Errorf("flag %s = %q, want %q", k, got, want)
		}
	}
	wantServers := []string{"ceil-2cpu={bench}/bin/ceilsrv {port} {poem} 2 0,1", "std-2cpu={bench}/bin/stdserver --port {port} {poem}"}
	if strings.Join(a.Servers, "|") != strings.Join(wantServers, "|") {
		t.Errorf("servers %q, want %q", a.Servers, wantServers)
	}
	if a.Step() != "W1-2loops" || !a.Unpinned() {
		t.Errorf("step %q unpinned %v, want W1-2loops true", a.Step(), a.Unpinned())
	}
	if len(a.Runs) != 2 || a.Runs[1].Server() != "std-2cpu" || a.Runs[1].Float("poems_s") != 26142.4 {
		t.Errorf("runs of the first session: %+v", a.Runs)
	}
	if b.Step() != "W4" || b.Flags["search"] != "false" || b.Flags["conns"] != "7000" {
		t.Errorf("second session: step %q flags %v", b.Step(), b.Flags)
	}
	if got := strings.Join(b.Conditions(), " "); got != "--conns 7000 --search=false" {
		t.Errorf("conditions %q", got)
	}
	if r := b.Runs[0]; r.Noisy() != 1 || r.Counted() || r.Conns() != 7000 {
		t.Errorf("noisy run: noisy %d counted %v conns %d", r.Noisy(), r.Counted(), r.Conns())
	}
	if p, known := b.Runs[1].Passed(); !p || !known {
		t.Errorf("second run passed=%v known=%v", p, known)
	}
}

func TestParseLogStandardOutput(t *testing.T) {
	const out = `## W5: ./run.sh W5 --reps 1 --server std
# benchrun W5 (slow-1k: 615-byte poem at 10 bytes / 0.1 s, 1,000 connections at once): 1 rep(s), server CPU "0", load CPU "1", machine: 2 CPUs (AMD EPYC)
# twisted50: largest count passing within 2x ideal: 700 (smallest failing: 725)
RUN workload=W5 server=std rep=1 conns=1000 wall_ratio=1.015 pass=true

# summary W5: median [min .. max] over repetitions
metric             std (c=1000, n=1)
wall_ratio         1.015 [1.015 .. 1.015]
# benchrun W1 (fast-3k: 3003-byte poem): 1 rep(s), server CPU "", load CPU "", machine: 2 CPUs
RUN workload=W1 server=std rep=1 conns=64 poems_s=26000
`
	ss, err := ParseLog(strings.NewReader(out), "W5.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 {
		t.Fatalf("got %d sessions, want 2", len(ss))
	}
	if s := ss[0]; s.Step() != "W5" || len(s.Runs) != 1 || !s.Runs[0].Time.IsZero() || len(s.Notes) != 1 {
		t.Errorf("W5 session: step %q runs %d notes %q", s.Step(), len(s.Runs), s.Notes)
	}
	if s := ss[1]; s.Step() != "W1-2loops" || s.Flags["reps"] != "1" {
		t.Errorf("unpinned session read as step %q flags %v", s.Step(), s.Flags)
	}
}

func TestParseLogRunWithoutHeader(t *testing.T) {
	ss, err := ParseLog(strings.NewReader("RUN workload=W2 server=a rep=1\nRUN workload=W3 server=a rep=1\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Workload != "W2" || ss[1].Workload != "W3" || ss[1].Source != "x:2" {
		t.Fatalf("sessions: %+v", ss)
	}
}

func TestParseLogErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"RUN workload=W1 server=std bogus\n", "x:1: bad RUN line: \"bogus\" is not key=value"},
		{"\nRUN workload=W1 rep=1\n", "x:2: bad RUN line: no server= key"},
		{"# yesterday benchrun W1 --reps 3\n", "x:1: header time \"yesterday\""},
		{"2026-13-01T00:00:00Z RUN workload=W1 server=a\n", "x:1: RUN time"},
	} {
		_, err := ParseLog(strings.NewReader(tc.in), "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLog(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestRunFloat(t *testing.T) {
	r, err := parseRun("workload=W1 server=s a=1.5 b=nan c=x")
	if err != nil {
		t.Fatal(err)
	}
	if r.Float("a") != 1.5 || !math.IsNaN(r.Float("b")) || !math.IsNaN(r.Float("c")) || !math.IsNaN(r.Float("missing")) {
		t.Errorf("Float: a=%v b=%v c=%v missing=%v", r.Float("a"), r.Float("b"), r.Float("c"), r.Float("missing"))
	}
}

func TestSummarize(t *testing.T) {
	mk := func(vals ...string) []*Run {
		var rs []*Run
		for _, v := range vals {
			r, err := parseRun("workload=W1 server=s x=" + v)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		return rs
	}
	for _, tc := range []struct {
		vals          []string
		med, min, max float64
		n             int
	}{
		{[]string{"3", "1", "2"}, 2, 1, 3, 3},
		{[]string{"4", "1", "3", "2"}, 2.5, 1, 4, 4},
		{[]string{"nan", "7"}, 7, 7, 7, 1},
	} {
		s := Summarize(mk(tc.vals...), "x")
		if s.Median != tc.med || s.Min != tc.min || s.Max != tc.max || s.N != tc.n {
			t.Errorf("Summarize(%v) = %+v", tc.vals, s)
		}
	}
	if s := Summarize(mk("nan"), "x"); s.Valid() || !math.IsNaN(s.Median) {
		t.Errorf("Summarize of no values = %+v, want invalid", s)
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{group(25060.2, 0), "25,060"},
		{group(1234567.891, 2), "1,234,567.89"},
		{group(-1500, 0), "-1,500"},
		{group(-0.001, 2), "0.00"},
		{group(math.NaN(), 1), "—"},
		{compact(4563.4), "4,563"},
		{compact(32.653), "32.65"},
		{compact(2.322), "2.322"},
		{compact(0.08578), "0.0858"},
		{compact(10000), "10,000"},
		{ratio(0.6666), "0.67"},
		{ratio(math.Inf(1)), "—"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseMeta(t *testing.T) {
	m, err := ParseMeta(strings.NewReader("# c\ndate: 2026-11-21T07:00:00Z\nnote: a: b\nnote: c\nstep: W1 ok\n\ncpu: X\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Get("date", "") != "2026-11-21T07:00:00Z" || m.Get("cpu", "") != "X" || m.Get("nope", "def") != "def" {
		t.Errorf("fields %v", m.Fields)
	}
	if len(m.Notes) != 2 || m.Notes[0] != "a: b" || len(m.Steps) != 1 {
		t.Errorf("notes %q steps %q", m.Notes, m.Steps)
	}
	if _, err := ParseMeta(strings.NewReader("just words\n")); err == nil {
		t.Error("ParseMeta accepted a line without a key")
	}
	var nilMeta *Meta
	if nilMeta.Get("date", "d") != "d" {
		t.Error("a nil Meta does not give the default")
	}
}

func FuzzParseLog(f *testing.F) {
	f.Add(rawSample)
	f.Add("# benchrun W1 (x): 1 rep(s), server CPU \"\", load CPU \"1\"\nRUN workload=W1 server=a\n")
	f.Add("RUN workload=W4 server=a conns=10 pass=true probe=1\n")
	f.Fuzz(func(t *testing.T, in string) {
		ss, err := ParseLog(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		// Whatever parses must survive the whole pipeline.
		rep := &Report{Subject: "a", Steps: BuildSteps(ss)}
		_ = rep.Outcomes()
		var b strings.Builder
		if err := rep.WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseMeta(f *testing.F) {
	f.Add("date: x\nnote: y\n")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseMeta(strings.NewReader(in))
		if err == nil && m == nil {
			t.Fatal("nil Meta without an error")
		}
	})
}
