// Command report turns the RUN lines of the shared load harness
// (../shared/bench, driven by bench/run) into a Markdown report that says
// whether gyre meets its performance targets.
//
//	report [-o FILE] [-subject gyre] [-meta FILE] PATH...
//
// Each PATH is a raw log written by benchrun's --out flag (or a copy of its
// standard output), or a directory: every *.log in it is read, and its
// meta.txt, which bench/run writes with the date, the machine and notes.
//
// How the harness reports a run, and how this command reads it:
//
//   - benchrun appends one header line per invocation to its --out file,
//     "# TIME benchrun WORKLOAD ARGS...", then one "TIME RUN k=v ..." line
//     per run. A header starts a Session; its flags say under which
//     conditions the runs were made (pinned or not, overridden durations or
//     connection counts, extra load generator flags).
//   - Sessions are filed under a step: the workload (W1..W5), "W1-2loops"
//     for the unpinned whole-machine variant, or the workload with its
//     load generator flags for cross-checks. Runs of the same server in the
//     same step are pooled, per connection count.
//   - Like benchrun's own summary, medians leave out the probes of the
//     connection-count search (probe=1) and the runs repeated because other
//     processes used the machine (noisy=1).
//   - The targets (targets.go) compare the subject's median with a fixed
//     limit, or with an anchor's median from the same step: ratios are only
//     meaningful between servers measured side by side.
package main
