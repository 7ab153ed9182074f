package main

import (
	"fmt"
	"strings"
)

// Reading benchrun's raw log and judging one target: the runs of a step
// are pooled per server, and the verdict compares the subject's median.
func ExampleEvaluate() {
	const raw = `# 2026-11-21T07:00:00Z benchrun W2 --reps 2 --server std --server gyre=./gyre serve --port {port} {slowflags} {poem}
2026-11-21T07:00:12Z RUN workload=W2 server=std rep=1 conns=1 errors=0 lat_p50_ms=0.103
2026-11-21T07:00:24Z RUN workload=W2 server=gyre rep=1 conns=1 errors=0 lat_p50_ms=0.079
2026-11-21T07:00:36Z RUN workload=W2 server=std rep=2 conns=1 errors=0 lat_p50_ms=0.101
2026-11-21T07:00:48Z RUN workload=W2 server=gyre rep=2 conns=1 errors=0 lat_p50_ms=0.077
`
	sessions, err := ParseLog(strings.NewReader(raw), "W2.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	steps := BuildSteps(sessions)
	for _, t := range Targets {
		if t.Step == "W2" {
			o := Evaluate(steps, t, "gyre")
			fmt.Printf("%s: gyre %s µs, std %s µs, ratio %s, target %s: %v\n",
				t.Figure, o.Subject.Text, o.Anchors["std"].Text, ratio(o.Ratios["std"]), o.LimitText, o.Verdict)
		}
	}
	// Output:
	// latency p50 (µs): gyre 78 µs, std 102 µs, ratio 0.76, target ≤ 80; here 79.2 (0.78 × std): pass
}

// A session's header says under which conditions its runs were made: an
// unpinned W1 with two generator threads is filed under W1-2loops.
func ExampleParseLog() {
	sessions, err := ParseLog(strings.NewReader(
		"# 2026-11-21T07:00:00Z benchrun W1 --reps 1 --server-cpu none --load-cpu none --loadgen-args --threads 2 --server std\n"+
			"2026-11-21T07:00:12Z RUN workload=W1 server=std rep=1 conns=64 poems_s=26142.4\n"), "W1-2loops.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := sessions[0]
	fmt.Println(s.Step(), s.Flags["loadgen-args"], len(s.Runs), s.Runs[0].Float("poems_s"))
	// Output:
	// W1-2loops --threads 2 1 26142.4
}
