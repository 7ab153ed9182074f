package main

// Pooling sessions into steps, and runs into per-server groups.

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// nominalConns is each workload's standard connection count (benchrun's
// workload table): the count the targets are set at.
var nominalConns = map[string]int{"W1": 64, "W2": 1, "W3": 4, "W4": 10000, "W5": 1000, "E1": 64, "E2": 1000, "E3": 64}

// slowWorkload says whether a workload trickles its poem (W4, W5).
func slowWorkload(wl string) bool { return wl == "W4" || wl == "W5" }

// echoWorkload says whether a workload is request/response (E1-E3).
func echoWorkload(wl string) bool { return strings.HasPrefix(wl, "E") }

// Step is every session filed under one name, with their runs pooled per
// server.
type Step struct {
	Name     string
	Workload string
	Sessions []*Session
	Servers  []*ServerRuns // in order of first appearance
}

// ServerRuns is one server's runs in a step.
type ServerRuns struct {
	Name    string
	Key     string         // the name without a "-2cpu"/"-2loops" suffix: how anchors are matched
	Counted map[int][]*Run // runs entering the medians, by connection count
	Probes  []*Run         // the connection-count search
	Noisy   []*Run         // disturbed runs benchrun repeated (noisy=1)
	All     []*Run
}

// serverKey strips the suffixes the whole-machine variant gives names
// ("std-2cpu" in the anchors' log, "gyre-2loops"), so that a server is
// recognised in every step.
func serverKey(name string) string {
	for _, suf := range []string{"-2cpu", "-2loops"} {
		name = strings.TrimSuffix(name, suf)
	}
	return name
}

// BuildSteps files sessions under their steps, in order of first
// appearance.
func BuildSteps(sessions []*Session) []*Step {
	var steps []*Step
	byName := map[string]*Step{}
	for _, s := range sessions {
		st := byName[s.Step()]
		if st == nil {
			st = &Step{Name: s.Step(), Workload: s.Workload}
			byName[st.Name] = st
			steps = append(steps, st)
		}
		st.Sessions = append(st.Sessions, s)
		for _, r := range s.Runs {
			sr := st.Server(r.Server())
			if sr == nil {
				sr = &ServerRuns{Name: r.Server(), Key: serverKey(r.Server()), Counted: map[int][]*Run{}}
				st.Servers = append(st.Servers, sr)
			}
			sr.All = append(sr.All, r)
			switch {
			case r.Probe():
				sr.Probes = append(sr.Probes, r)
			case r.Noisy() == 1:
				sr.Noisy = append(sr.Noisy, r)
			default:
				sr.Counted[r.Conns()] = append(sr.Counted[r.Conns()], r)
			}
		}
	}
	return steps
}

// Server finds a server by its name or its key.
func (st *Step) Server(name string) *ServerRuns {
	for _, sr := range st.Servers {
		if sr.Name == name {
			return sr
		}
	}
	for _, sr := range st.Servers {
		if sr.Key == name {
			return sr
		}
	}
	return nil
}

// Nominal is the connection count the step's figures are read at: the
// workload's standard count when any session ran it unchanged, otherwise
// the count the first session asked for (a quick pass runs W4 at 2,000).
func (st *Step) Nominal() int {
	for _, s := range st.Sessions {
		if _, ok := s.Flags["conns"]; !ok {
			return nominalConns[st.Workload]
		}
	}
	if len(st.Sessions) > 0 {
		if n, err := strconv.Atoi(st.Sessions[0].Flags["conns"]); err == nil && n > 0 {
			return n
		}
	}
	return nominalConns[st.Workload]
}

// Counts lists the connection counts with counted runs, largest first.
func (sr *ServerRuns) Counts() []int {
	var cs []int
	for c := range sr.Counted {
		cs = append(cs, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(cs)))
	return cs
}

// Summary is a metric over a group of runs: median and spread.
type Summary struct {
	Median, Min, Max float64
	N                int // runs with a numeric value
}

// Valid says whether any run had the metric.
func (s Summary) Valid() bool { return s.N > 0 }

// Summarize computes the median (mean of the middle two for an even
// count) and the range of metric over runs, skipping runs without it.
func Summarize(runs []*Run, metric string) Summary {
	var xs []float64
	for _, r := range runs {
		if v := r.Float(metric); !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(xs)
	n := len(xs)
	med := xs[n/2]
	if n%2 == 0 {
		med = (xs[n/2-1] + xs[n/2]) / 2
	}
	return Summary{Median: med, Min: xs[0], Max: xs[n-1], N: n}
}

// AllPassed tells whether every run in runs passed (slow mode), and how
// many did.
func AllPassed(runs []*Run) (all bool, passed int) {
	for _, r := range runs {
		if p, _ := r.Passed(); p {
			passed++
		}
	}
	return len(runs) > 0 && passed == len(runs), passed
}

// LargestPassing is the largest connection count at which the server's
// counted runs all passed (0 when none did): where a slow server's limit
// lies when it fails the nominal count.
func (sr *ServerRuns) LargestPassing() int {
	for _, c := range sr.Counts() {
		if ok, _ := AllPassed(sr.Counted[c]); ok {
			return c
		}
	}
	return 0
}
