package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// columns are the figures of a row, in milliseconds, in the tables' order.
func (s split) columns() []float64 {
	return []float64{
		ms(s.all.p50), ms(s.all.p99), ms(s.all.max),
		ms(s.first.p50), ms(s.first.p99),
		ms(s.later.p50), ms(s.later.p99),
		ms(s.offset.p50), ms(s.offset.p99), ms(s.offset.max),
		float64(s.topFirst), float64(s.topLater),
	}
}

const header = "\tall p50\tp99\tmax\tchunk 0 p50\tp99\tlater p50\tp99\toffset p50\tp99\tmax\tabove p99: chunk 0\tlater\t"

func ms(us int64) float64 { return float64(us) / 1000 }

// printTable prints one row per run.
func printTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "# schedule lateness (ms) = arrival - (connect call + k x delay); offset: a connection's median over chunks 1..")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run"+header)
	for _, r := range rs {
		row(tw, r.run, r.columns())
	}
	tw.Flush()
}

// printSummary prints, for each server with more than one run, the median
// of each figure over its runs.
func printSummary(w io.Writer, rs []result) {
	var servers []string
	runs := map[string][][]float64{}
	for _, r := range rs {
		if _, ok := runs[r.server]; !ok {
			servers = append(servers, r.server)
		}
		runs[r.server] = append(runs[r.server], r.columns())
	}
	if len(servers) == len(rs) {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "# per server: the median of each figure over its runs")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server (runs)"+header)
	for _, s := range servers {
		row(tw, fmt.Sprintf("%s (%d)", s, len(runs[s])), medians(runs[s]))
	}
	tw.Flush()
}

// printLines prints one machine-readable line per run.
func printLines(w io.Writer, rs []result) {
	fmt.Fprintln(w)
	for _, r := range rs {
		fmt.Fprintf(w, "LATE run=%s conns=%d chunks=%d all_p50_ms=%.3f all_p99_ms=%.3f first_p50_ms=%.3f first_p99_ms=%.3f later_p99_ms=%.3f offset_p50_ms=%.3f offset_p99_ms=%.3f top_first=%d top_later=%d\n",
			r.run, r.conns, r.chunks, ms(r.all.p50), ms(r.all.p99), ms(r.first.p50), ms(r.first.p99),
			ms(r.later.p99), ms(r.offset.p50), ms(r.offset.p99), r.topFirst, r.topLater)
	}
}

func row(w io.Writer, name string, cols []float64) {
	fmt.Fprint(w, name)
	for i, v := range cols {
		if i >= len(cols)-2 {
			fmt.Fprintf(w, "\t%.0f", v)
		} else {
			fmt.Fprintf(w, "\t%.2f", v)
		}
	}
	fmt.Fprintln(w, "\t")
}

// medians is the column-wise median of rows (the lower middle value for
// an even count, so that each figure is one that was measured).
func medians(rows [][]float64) []float64 {
	out := make([]float64, len(rows[0]))
	col := make([]float64, len(rows))
	for j := range out {
		for i, r := range rows {
			col[i] = r[j]
		}
		slices.Sort(col)
		out[j] = col[(len(col)-1)/2]
	}
	return out
}
