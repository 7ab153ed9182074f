package main

// Writing the report as Markdown.

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Report is everything the Markdown report is written from.
type Report struct {
	Subject string   // the server the targets are about: "gyre"
	Meta    *Meta    // nil when the logs came without a meta.txt
	Sources []string // the files read
	Steps   []*Step
}

// Outcomes evaluates every target against the report's steps.
func (rep *Report) Outcomes() []Outcome {
	out := make([]Outcome, len(Targets))
	for i, t := range Targets {
		out[i] = Evaluate(rep.Steps, t, rep.Subject)
	}
	return out
}

// stepTitles describe the steps the way bench/README.md does.
var stepTitles = map[string]string{
	"W1":        "W1: fast, 3003-byte poem, 64 connections in flight",
	"W2":        "W2: fast, 3003-byte poem, 1 connection",
	"W3":        "W3: fast, 64 MiB poem, 4 connections",
	"W4":        "W4: slow (10 bytes every 0.1 s, ideal 6.2 s), 10,000 clients at once",
	"W5":        "W5: slow (10 bytes every 0.1 s, ideal 6.2 s), 1,000 clients at once",
	"W1-2loops": "W1-2loops: W1 unpinned on both cores, generator with 2 threads, gyre with 2 loops",
	"E1":        "E1: echo of 1 KiB messages, 64 connections, 1 in flight each",
	"E2":        "E2: echo of 1 KiB messages, 1,000 connections, 1 in flight each",
	"E3":        "E3: 64-byte lines, 64 connections, 16 pipelined each",
	"E1-2loops": "E1-2loops: E1 unpinned on both cores, generator with 2 threads, gyre with 2 loops",
	"E2-2loops": "E2-2loops: E2 unpinned on both cores, generator with 2 threads, gyre with 2 loops",
	"E3-2loops": "E3-2loops: E3 unpinned on both cores, generator with 2 threads, gyre with 2 loops",
}

// Metrics shown in each step's details, as benchrun's summary has them.
var (
	fastMetrics = []string{"poems_s", "mb_s", "lat_p50_ms", "lat_p99_ms", "lat_max_ms", "errors",
		"srvcore_busy_pct", "loadcore_busy_pct", "srvcore_us_per_poem", "loadcore_us_per_poem",
		"srv_cpu_pct", "srv_hwm_mb", "load_cpu_pct", "machine_busy_cores", "other_cores"}
	slowMetrics = []string{"ok", "errors", "wall_s", "wall_ratio", "start_span_s", "dur_max_s",
		"conn_p99_ms", "first_p99_ms", "gap_late_p50_ms", "gap_late_p99_ms", "gap_late_max_ms",
		"sched_late_p50_ms", "sched_late_p99_ms", "eof_late_p99_ms", "srv_cpu_pct", "srv_hwm_mb",
		"srv_kb_per_conn", "listen_overflows", "load_cpu_pct", "other_cores"}
	echoMetrics = []string{"req_s", "mb_s", "lat_p50_ms", "lat_p99_ms", "lat_max_ms", "errors",
		"srvcore_busy_pct", "loadcore_busy_pct", "srvcore_us_per_req", "loadcore_us_per_req",
		"srv_cpu_pct", "srv_hwm_mb", "load_cpu_pct", "other_cores"}
)

// Date is when the run was made: meta.txt's date, else the first session's.
func (rep *Report) Date() string {
	if d := rep.Meta.Get("date", ""); d != "" {
		return d
	}
	for _, st := range rep.Steps {
		for _, s := range st.Sessions {
			if !s.Time.IsZero() {
				return s.Time.UTC().Format(time.RFC3339)
			}
		}
	}
	return "unknown"
}

// WriteMarkdown writes the whole report.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	outs := rep.Outcomes()

	p("# gyre load benchmarks, %s\n\n", rep.Date())
	rep.writeRun(b)
	rep.writeTargets(b, outs)
	rep.writePublished(b, outs)
	for _, st := range rep.Steps {
		rep.writeStep(b, st)
	}
	rep.writeNoise(b)
	p("## Reading this report\n\n")
	p("Each figure is the median over the counted runs of one server in one step (probes of the\n")
	p("connection-count search and runs repeated because the machine was busy are left out).\n")
	p("Ratios are %s's median over the anchor's, from the same interleaved run: below 1 is better for\n", rep.Subject)
	p("times, latencies and memory, above 1 for rates. Figures from different runs are not compared:\n")
	p("they move by 5-15%% from one session to another on this machine. A slow-workload figure counts\n")
	p("only if every run at that count passed (all poems intact, wall time at most 2x ideal); a\n")
	p("target fails when %s lost or cut any poem. bench/README.md explains the workloads.\n", rep.Subject)
	return b.Flush()
}

func (rep *Report) writeRun(b *bufio.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	m := rep.Meta
	if m.Get("mode", "") == "quick" {
		p("**Quick pass** (`bench/run --quick`): one short run per server, W4 at 2,000 clients. The\n")
		p("verdicts below are a smoke test of the tooling and of %s, not a measurement.\n\n", rep.Subject)
	}
	p("| | |\n|---|---|\n")
	p("| date | %s |\n", rep.Date())
	if m == nil {
		p("| machine | not recorded (no meta.txt) |\n")
	} else {
		p("| machine | %s, %s cores, %s RAM |\n", m.Get("cpu", "?"), m.Get("cores", "?"), m.Get("memory", "?"))
		p("| kernel | %s |\n", m.Get("kernel", "?"))
		p("| Go | %s |\n", m.Get("go", "?"))
		p("| %s | %s, run as `%s` |\n", rep.Subject, m.Get("gyre", "?"), m.Get("gyre_cmd", "?"))
		p("| mode | %s; steps %s; servers %s |\n", m.Get("mode", "?"), m.Get("steps", "?"), m.Get("servers", "?"))
		if e := m.Get("elapsed", ""); e != "" {
			p("| duration | %s |\n", e)
		}
		if x := m.Get("extra", ""); x != "" {
			p("| extra harness flags | `%s` |\n", x)
		}
	}
	p("| raw logs | %s |\n\n", strings.Join(rep.Sources, ", "))
	if m != nil && len(m.Notes) > 0 {
		for _, n := range m.Notes {
			p("- Note: %s\n", n)
		}
		p("\n")
	}
}

// anchorCols are the anchors shown in the targets table: all but the
// subject itself.
func (rep *Report) anchorCols() []string {
	var cols []string
	for _, a := range Anchors {
		if a != serverKey(rep.Subject) {
			cols = append(cols, a)
		}
	}
	return cols
}

func (rep *Report) writeTargets(b *bufio.Writer, outs []Outcome) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	cols := rep.anchorCols()
	p("## Targets\n\n")
	p("The issue's targets are ratios to the anchors measured side by side. A fixed limit (≤ 22 µs...)\n")
	p("was set on the machine of results.md, where it stood for a ratio to each anchor: 22 µs is\n")
	p("0.67 × std's 32.7, 0.79 × gnet's 27.7, 0.62 × Twisted's 35.2. Those ratios are in brackets in the\n")
	p("ratio columns, next to %s / anchor measured in this run. The verdict holds %s to all of them:\n", rep.Subject, rep.Subject)
	p("its limit here is the strictest target ratio times that anchor's figure in this run (\"here\" in\n")
	p("the target column). Relative targets (× an anchor) are measured in this run directly.\n\n")
	p("| workload | figure | target | %s |", rep.Subject)
	for _, a := range cols {
		p(" %s |", a)
	}
	for _, a := range cols {
		p(" %s/%s |", rep.Subject, a)
	}
	p(" verdict |\n|---|---|---|---:|")
	p("%s%s---|\n", strings.Repeat("---:|", len(cols)), strings.Repeat("---:|", len(cols)))
	count := map[Verdict]int{}
	for _, o := range outs {
		count[o.Verdict]++
		t := o.Target
		p("| %s | %s | %s | %s |", t.Workload, t.Figure, o.LimitText, o.Subject.Text)
		for _, a := range cols {
			p(" %s |", o.Anchors[a].Text)
		}
		for _, a := range cols {
			r, ok := o.Ratios[a]
			if !ok || t.Kind == PassesAll {
				r = math.NaN()
			}
			cell := ratioDigits(r, 3)
			// The fixed limit as a ratio to this anchor on the machine of
			// results.md: what the measured ratio is held to.
			if tr, ok := o.TargetRatios[a]; ok {
				op := "≤"
				if t.Kind == AtLeast {
					op = "≥"
				}
				cell += fmt.Sprintf(" (%s %s)", op, ratioDigits(tr, 3))
			}
			p(" %s |", cell)
		}
		v := o.Verdict.String()
		if o.Verdict == Pass || o.Verdict == Fail {
			v = "**" + v + "**"
		}
		if o.Detail != "" {
			v += " (" + o.Detail + ")"
		}
		p(" %s |\n", v)
	}
	p("\n%d pass, %d fail, %d without data, %d not applicable, of %d targets.\n\n",
		count[Pass], count[Fail], count[NoData], count[NotApplicable], len(outs))
}

// writePublished compares this run's anchors with results.md, the check
// that the machine and the harness still behave as they did.
func (rep *Report) writePublished(b *bufio.Writer, outs []Outcome) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	cols := rep.anchorCols()
	p("## Anchors: this run against results.md\n\n")
	p("Absolute figures drift between sessions; large gaps mean a busy or changed machine.\n\n")
	p("| workload | figure |")
	for _, a := range cols {
		p(" %s now | %s published |", a, a)
	}
	p("\n|---|---|%s\n", strings.Repeat("---:|---:|", len(cols)))
	for _, o := range outs {
		p("| %s | %s |", o.Target.Workload, o.Target.Figure)
		for _, a := range cols {
			pub := o.Target.Published[a]
			if pub == "" {
				pub = "—"
			}
			p(" %s | %s |", o.Anchors[a].Text, pub)
		}
		p("\n")
	}
	p("\n")
}

// column is one server at one connection count in a step's details.
type column struct {
	sr    *ServerRuns
	conns int
	runs  []*Run
	title string
}

// columns orders a step's groups: the subject, the anchors, the others;
// each server's nominal count first.
func (rep *Report) columns(st *Step) []column {
	servers := slices.Clone(st.Servers)
	rank := func(sr *ServerRuns) int {
		if sr.Key == serverKey(rep.Subject) {
			return 0
		}
		if i := slices.Index(Anchors, sr.Key); i >= 0 {
			return 1 + i
		}
		return 1 + len(Anchors)
	}
	slices.SortStableFunc(servers, func(a, b *ServerRuns) int { return rank(a) - rank(b) })
	nom := st.Nominal()
	var cols []column
	for _, sr := range servers {
		counts := sr.Counts()
		if i := slices.Index(counts, nom); i > 0 {
			counts = append([]int{nom}, slices.Delete(counts, i, i+1)...)
		}
		for _, c := range counts {
			title := sr.Name
			if c != nom {
				title += " @" + group(float64(c), 0)
			}
			cols = append(cols, column{sr, c, sr.Counted[c], fmt.Sprintf("%s (n=%d)", title, len(sr.Counted[c]))})
		}
	}
	return cols
}

func (rep *Report) writeStep(b *bufio.Writer, st *Step) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	title := stepTitles[st.Name]
	if title == "" {
		// A cross-check: the workload's description under the step's name.
		_, desc, _ := strings.Cut(stepTitles[st.Workload], ": ")
		title = strings.TrimSuffix(st.Name+": "+desc, ": ")
	}
	p("## %s\n\n", title)
	// Each benchrun session, with what it changed from the standard
	// workload: the runs of all of them are pooled below.
	var srcs []string
	for _, s := range st.Sessions {
		c := "standard conditions"
		if cs := s.Conditions(); len(cs) > 0 {
			c = "`" + strings.Join(cs, " ") + "`"
		}
		srcs = append(srcs, fmt.Sprintf("%s (%s)", s.Source, c))
	}
	p("benchrun sessions: %s.\n\n", strings.Join(srcs, ", "))
	cols := rep.columns(st)
	if len(cols) == 0 {
		p("No counted runs.\n\n")
		rep.writeProbes(b, st)
		return
	}
	// Ratio columns: the subject at the nominal count over each other
	// server at the nominal count.
	nom := st.Nominal()
	var subj *column
	var others []column
	for i, c := range cols {
		if c.conns != nom {
			continue
		}
		if c.sr.Key == serverKey(rep.Subject) && subj == nil {
			subj = &cols[i]
		} else {
			others = append(others, c)
		}
	}
	if subj == nil {
		others = nil
	}
	p("| metric |")
	for _, c := range cols {
		p(" %s |", c.title)
	}
	for _, o := range others {
		p(" %s/%s |", subj.sr.Name, o.sr.Name)
	}
	p("\n|---|%s\n", strings.Repeat("---:|", len(cols)+len(others)))
	metrics := fastMetrics
	if slowWorkload(st.Workload) {
		metrics = slowMetrics
	} else if echoWorkload(st.Workload) {
		metrics = echoMetrics
	}
	for _, m := range metrics {
		p("| %s |", m)
		for _, c := range cols {
			s := Summarize(c.runs, m)
			if !s.Valid() {
				p(" — |")
			} else if s.N == 1 {
				p(" %s |", compact(s.Median))
			} else {
				p(" %s [%s .. %s] |", compact(s.Median), compact(s.Min), compact(s.Max))
			}
		}
		for _, o := range others {
			p(" %s |", ratio(Summarize(subj.runs, m).Median/Summarize(o.runs, m).Median))
		}
		p("\n")
	}
	last := "bound"
	if slowWorkload(st.Workload) {
		last = "pass"
	}
	p("| %s |", last)
	for _, c := range cols {
		p(" %s |", tally(c.runs, last))
	}
	p("%s\n\n", strings.Repeat(" |", len(others)))
	rep.writeProbes(b, st)
}

// writeProbes lists the connection-count search and the runs left out as
// noisy, which the medians do not show.
func (rep *Report) writeProbes(b *bufio.Writer, st *Step) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	for _, sr := range st.Servers {
		if len(sr.Probes) > 0 {
			var ps []string
			for _, r := range sr.Probes {
				verdict := "fail"
				if ok, _ := r.Passed(); ok {
					verdict = "pass"
				}
				ps = append(ps, fmt.Sprintf("%s %s (wall/ideal %s)", group(float64(r.Conns()), 0), verdict, compact(r.Float("wall_ratio"))))
			}
			p("- %s, count search: %s.\n", sr.Name, strings.Join(ps, ", "))
		}
		if len(sr.Noisy) > 0 {
			var ns []string
			for _, r := range sr.Noisy {
				n, _ := r.Get("rep")
				ns = append(ns, fmt.Sprintf("rep %s at %s (other processes: %s cores)", n, group(float64(r.Conns()), 0), compact(r.Float("other_cores"))))
			}
			p("- %s, repeated because the machine was busy: %s.\n", sr.Name, strings.Join(ns, ", "))
		}
	}
	for _, s := range st.Sessions {
		for _, n := range s.Notes {
			if strings.Contains(n, "largest count") || strings.Contains(n, "no connection count") {
				p("- benchrun: %s\n", n)
			}
		}
	}
	p("\n")
}

// writeNoise sums up how much other work disturbed the runs.
func (rep *Report) writeNoise(b *bufio.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## Noise\n\n")
	p("Other processes on the machine, per step: `other_cores` is the CPU they used during a run (in\n")
	p("cores); benchrun repeats a run above 0.15 (noisy=1, left out) at most twice and keeps the last\n")
	p("try (noisy=2). `quiet_wait_s` is how long it waited for both CPUs to calm down before a run.\n\n")
	p("| step | runs | repeated (noisy=1) | kept noisy (noisy=2) | other_cores median / max | quiet_wait_s median / max |\n")
	p("|---|---:|---:|---:|---:|---:|\n")
	for _, st := range rep.Steps {
		var all []*Run
		var n1, n2 int
		for _, sr := range st.Servers {
			all = append(all, sr.All...)
		}
		for _, r := range all {
			switch r.Noisy() {
			case 1:
				n1++
			case 2:
				n2++
			}
		}
		oc, qw := Summarize(all, "other_cores"), Summarize(all, "quiet_wait_s")
		p("| %s | %d | %d | %d | %s / %s | %s / %s |\n", st.Name, len(all), n1, n2,
			compact(oc.Median), compact(oc.Max), compact(qw.Median), compact(qw.Max))
	}
	if rep.Meta != nil && len(rep.Meta.Steps) > 0 {
		p("\nSteps as bench/run recorded them: %s.\n", strings.Join(rep.Meta.Steps, "; "))
	}
	p("\n")
}
