package main

// Reading benchrun's output: raw logs (--out) and plain standard output.

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Run is one RUN line: what benchrun measured in one run of one server.
// Values stay strings, as printed; Float parses them on demand.
type Run struct {
	Time time.Time // the raw log's stamp; zero in plain standard output
	Line int       // line number in its source, for error messages
	keys []string
	vals map[string]string
}

// parseRun reads the "k=v k=v ..." part of a RUN line. Words without '='
// are not benchrun's and make the line invalid.
func parseRun(s string) (*Run, error) {
	r := &Run{vals: map[string]string{}}
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", w)
		}
		if _, dup := r.vals[k]; !dup {
			r.keys = append(r.keys, k)
		}
		r.vals[k] = v
	}
	for _, k := range []string{"workload", "server"} {
		if r.vals[k] == "" {
			return nil, fmt.Errorf("no %s= key", k)
		}
	}
	return r, nil
}

// Get returns the raw value of key k.
func (r *Run) Get(k string) (string, bool) {
	v, ok := r.vals[k]
	return v, ok
}

// Float returns key k as a number: NaN when absent or not numeric
// (benchrun prints "nan" for empty samples, which parses to NaN too).
func (r *Run) Float(k string) float64 {
	v, ok := r.vals[k]
	if !ok {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// Server is the server's name as given to benchrun (preset or NAME=).
func (r *Run) Server() string { return r.vals["server"] }

// Workload is W1..W5 or E1..E3.
func (r *Run) Workload() string { return r.vals["workload"] }

// Conns is the connection count of the run (0 when absent).
func (r *Run) Conns() int {
	n, _ := strconv.Atoi(r.vals["conns"])
	return n
}

// Probe tells a run of the slow workloads' connection-count search, which
// benchrun leaves out of its summary.
func (r *Run) Probe() bool { return r.vals["probe"] == "1" }

// Noisy is 0 for a clean run, 1 for a run that other processes disturbed
// and that benchrun repeated (left out of medians), 2 for a disturbed run
// kept because the retries ran out.
func (r *Run) Noisy() int {
	n, _ := strconv.Atoi(r.vals["noisy"])
	return n
}

// Counted says whether the run enters the medians, as in benchrun's own
// summary: neither a probe nor a repeated noisy run.
func (r *Run) Counted() bool { return !r.Probe() && r.Noisy() != 1 }

// Passed reports the slow-mode verdict of the run (every poem intact and
// the batch within 2x the ideal time) and whether the run has one.
func (r *Run) Passed() (pass, known bool) {
	v, ok := r.vals["pass"]
	return v == "true", ok
}

// Session is one benchrun invocation: the flags it was given and its runs.
type Session struct {
	Source   string // "file:line" of its header, or of its first run
	Time     time.Time
	Workload string
	Flags    map[string]string // benchrun flags by name, multi-word values joined by spaces
	Servers  []string          // the --server values, in order
	Runs     []*Run
	Notes    []string // comment lines of standard output, such as the search's outcome
}

// Unpinned says whether the session let the scheduler place the server or
// the load generator ("--server-cpu none" or "--load-cpu none").
func (s *Session) Unpinned() bool {
	return s.Flags["server-cpu"] == "none" || s.Flags["load-cpu"] == "none"
}

// Step names the group of sessions whose runs are comparable: the
// workload, "W1-2loops" for the unpinned whole-machine W1, and the
// workload with its load generator flags for pinned cross-checks.
func (s *Session) Step() string {
	lg := s.Flags["loadgen-args"]
	switch {
	case s.Unpinned() && (s.Workload == "W1" || echoWorkload(s.Workload)):
		return s.Workload + "-2loops"
	case s.Unpinned():
		return s.Workload + "-unpinned"
	case lg != "":
		return s.Workload + " [" + lg + "]"
	}
	return s.Workload
}

// Conditions lists the flags that change a workload from its standard
// form, for the report to show next to the figures.
func (s *Session) Conditions() []string {
	var c []string
	for _, k := range []string{"duration", "warmup", "conns", "search", "server-cpu", "load-cpu", "loadgen-args", "max-other", "retries"} {
		v, ok := s.Flags[k]
		switch {
		case !ok:
		case benchrunFlags[k] == noWord:
			c = append(c, "--"+k+"="+v)
		case strings.Contains(v, " "):
			c = append(c, fmt.Sprintf("--%s %q", k, v))
		default:
			c = append(c, "--"+k+" "+v)
		}
	}
	return c
}

// benchrun's flags: how many words each takes, so that a header's
// space-joined arguments can be split back. Multi-word values (a server
// command, load generator flags) run up to the next known flag.
const (
	oneWord = iota
	noWord  // a boolean
	words   // up to the next known flag
)

var benchrunFlags = map[string]int{
	"bench": oneWord, "server": words, "label": oneWord, "reps": oneWord, "conns": oneWord,
	"duration": oneWord, "warmup": oneWord, "search": noWord, "server-cpu": oneWord,
	"load-cpu": oneWord, "loadgen-args": words, "out": oneWord, "settle": oneWord,
	"keep-logs": noWord, "wait-listen": oneWord, "slow-timeout": oneWord,
	"max-other": oneWord, "retries": oneWord, "quiet-wait": oneWord,
}

// flagName returns the benchrun flag a word names ("--reps", "-reps=3"),
// its inline value, and whether it is one.
func flagName(w string) (name, value string, hasValue, ok bool) {
	if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(strings.TrimLeft(w, "-"), "=")
	_, ok = benchrunFlags[name]
	return name, value, hasValue, ok
}

// parseArgs fills a session's flags from the words of its header. The
// workload may appear among the flags, as benchrun allows; words after
// "--" are the command of the --label server.
func (s *Session) parseArgs(args []string) {
	cur := ""
	add := func(name, v string) {
		if old, ok := s.Flags[name]; ok && benchrunFlags[name] == words && old != "" {
			s.Flags[name] = old + " " + v
		} else {
			s.Flags[name] = v
		}
	}
	for i := 0; i < len(args); i++ {
		w := args[i]
		if w == "--" {
			s.Flags["command"] = strings.Join(args[i+1:], " ")
			s.Servers = append(s.Servers, "label command")
			return
		}
		if name, v, hasV, ok := flagName(w); ok {
			cur = ""
			switch {
			case benchrunFlags[name] == noWord:
				if !hasV {
					v = "true"
				}
				s.Flags[name] = v
			case hasV:
				s.Flags[name] = v
				if benchrunFlags[name] == words {
					cur = name
				}
			case benchrunFlags[name] == oneWord:
				if i+1 < len(args) {
					i++
					s.Flags[name] = args[i]
				}
			default: // several words follow
				s.Flags[name] = ""
				cur = name
			}
			if name == "server" {
				s.Servers = append(s.Servers, v)
			}
			continue
		}
		if cur != "" {
			add(cur, w)
			if cur == "server" {
				last := &s.Servers[len(s.Servers)-1]
				*last = strings.TrimSpace(*last + " " + w)
			}
			continue
		}
		if workloadRE.MatchString(w) && s.Workload == "" {
			s.Workload = strings.ToUpper(w)
		}
	}
}

var (
	workloadRE = regexp.MustCompile(`^[Ww][1-9]$`)
	// "# 2026-11-21T05:03:02Z benchrun W1 --bench ... W1 --reps 5 ..." (raw log)
	rawHeaderRE = regexp.MustCompile(`^# (\S+) benchrun (\S+)(?: (.*))?$`)
	// `# benchrun W1 (fast-3k: ...): 5 rep(s), server CPU "0", load CPU "1", machine: ...` (standard output)
	outHeaderRE = regexp.MustCompile(`^# benchrun (\S+) \(.*\): (\d+) rep\(s\), server CPU "([^"]*)", load CPU "([^"]*)"`)
	// "[TIME ]RUN k=v ..."
	runRE = regexp.MustCompile(`^(?:(\S+) )?RUN (.*)$`)
)

// ParseLog reads benchrun output from r, either form, and returns its
// sessions in order. A RUN line before any header (or whose workload
// differs from its header's) opens a session of its own with no flags.
// source names r in error messages and in Session.Source.
func ParseLog(r io.Reader, source string) ([]*Session, error) {
	var (
		out []*Session
		cur *Session
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		where := fmt.Sprintf("%s:%d", source, n)
		if m := rawHeaderRE.FindStringSubmatch(line); m != nil {
			t, err := time.Parse(time.RFC3339, m[1])
			if err != nil {
				return nil, fmt.Errorf("%s: header time %q: %v", where, m[1], err)
			}
			cur = &Session{Source: where, Time: t, Workload: strings.ToUpper(m[2]), Flags: map[string]string{}}
			cur.parseArgs(strings.Fields(m[3]))
			cur.Workload = strings.ToUpper(m[2]) // the name benchrun resolved wins over the words
			out = append(out, cur)
			continue
		}
		if m := outHeaderRE.FindStringSubmatch(line); m != nil {
			cur = &Session{Source: where, Workload: strings.ToUpper(m[1]), Flags: map[string]string{"reps": m[2]}}
			// Only what differs from benchrun's defaults (server on CPU 0,
			// generator on CPU 1) counts as a flag, as in a raw header.
			for _, f := range []struct{ name, value, def string }{{"server-cpu", m[3], "0"}, {"load-cpu", m[4], "1"}} {
				switch f.value {
				case f.def:
				case "":
					cur.Flags[f.name] = "none"
				default:
					cur.Flags[f.name] = f.value
				}
			}
			out = append(out, cur)
			continue
		}
		if m := runRE.FindStringSubmatch(line); m != nil {
			run, err := parseRun(m[2])
			if err != nil {
				return nil, fmt.Errorf("%s: bad RUN line: %v", where, err)
			}
			run.Line = n
			if m[1] != "" {
				if run.Time, err = time.Parse(time.RFC3339, m[1]); err != nil {
					return nil, fmt.Errorf("%s: RUN time %q: %v", where, m[1], err)
				}
			}
			if cur == nil || cur.Workload != run.Workload() {
				cur = &Session{Source: where, Time: run.Time, Workload: run.Workload(), Flags: map[string]string{}}
				out = append(out, cur)
			}
			cur.Runs = append(cur.Runs, run)
			continue
		}
		if cur != nil && strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "# summary") && !strings.HasPrefix(line, "# ratio") {
			cur.Notes = append(cur.Notes, strings.TrimPrefix(line, "# "))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	return out, nil
}
