package timeline

import (
	"bufio"
	"io"
	"strings"
	"time"
)

// Text figure limits.
const (
	// DefaultTextWidth is the number of cells WriteText uses when it is
	// given a width of zero or less.
	DefaultTextWidth = 60
	// MaxTextWidth caps the cells of a text figure; a wider request is
	// drawn at this width.
	MaxTextWidth = 1000

	textLabelLimit = 32 // longest lane label, in characters, before it is cut
	textErrorLimit = 60 // longest failure reason shown after a failed lane
)

// Cell symbols of the text figure.
const (
	cellData    = '#' // a chunk arrived during the cell's slice of time
	cellWaiting = '-' // the task existed but received nothing
	cellIdle    = ' ' // before the task started or after it ended
	cellFailed  = 'x' // where a failed task ended
)

// WriteText draws t for a terminal: a header line, then one row per lane
// ("label |cells| bytes duration", and the reason after a failed lane),
// then an axis with tick labels and a legend line. The time axis is cut into
// width cells of equal duration; a cell shows '#' when a chunk arrived in
// its slice of time, '-' while the task was alive but waiting, a space
// before the task started and after it ended, and 'x' where a failed task
// ended. A width of zero or less means DefaultTextWidth. The output is pure
// ASCII: characters outside it in labels and reasons are shown as '?'.
func WriteText(w io.Writer, t Timeline, width int) error {
	if width <= 0 {
		width = DefaultTextWidth
	}
	width = min(width, MaxTextWidth)
	ax := chooseAxis(t.Span(), func(a axis) bool { return textTicksFit(a, width) })

	labels := make([]string, len(t.Lanes))
	sizes := make([]string, len(t.Lanes))
	times := make([]string, len(t.Lanes))
	labelW, sizeW, timeW := 0, 0, 0
	for i, l := range t.Lanes {
		labels[i] = shortLabel(laneLabel(l), textLabelLimit, true, "...")
		sizes[i] = formatBytes(l.Bytes())
		times[i] = formatDuration(l.Duration(), "us")
		labelW = max(labelW, len(labels[i]))
		sizeW = max(sizeW, len(sizes[i]))
		timeW = max(timeW, len(times[i]))
	}

	bw := bufio.NewWriter(w)
	bw.WriteString(textHeader(t))
	bw.WriteByte('\n')
	if len(t.Lanes) == 0 {
		bw.WriteString("(no tasks)\n")
	}
	cells := make([]byte, width)
	for i, l := range t.Lanes {
		fillCells(cells, l, ax)
		bw.WriteString(padRight(labels[i], labelW))
		bw.WriteString(" |")
		bw.Write(cells)
		bw.WriteString("| ")
		bw.WriteString(padLeft(sizes[i], sizeW))
		bw.WriteString("  ")
		bw.WriteString(padLeft(times[i], timeW))
		if l.Failed() {
			bw.WriteString("  failed: ")
			bw.WriteString(oneLine(l.Err, textErrorLimit, true, "..."))
		}
		bw.WriteByte('\n')
	}
	writeTextAxis(bw, ax, width, labelW)
	bw.WriteString("legend: # data received, - waiting, x failed; one cell = ")
	bw.WriteString(formatDuration(ax.end/time.Duration(width), "us"))
	bw.WriteByte('\n')
	return bw.Flush()
}

// textHeader is the first line: the title and the mode.
func textHeader(t Timeline) string {
	title := oneLine(t.Title, 80, true, "...")
	mode := oneLine(t.Mode, 40, true, "...")
	switch {
	case title != "" && mode != "":
		return title + " (" + mode + " mode)"
	case title != "":
		return title
	case mode != "":
		return mode + " mode"
	}
	return "timeline"
}

// fillCells draws one lane into cells.
func fillCells(cells []byte, l Lane, ax axis) {
	width := len(cells)
	first := ax.cell(l.Start, width)
	last := max(ax.lastCell(l.End, width), first)
	for i := range cells {
		switch {
		case i < first || i > last:
			cells[i] = cellIdle
		default:
			cells[i] = cellWaiting
		}
	}
	for _, c := range l.Chunks {
		// A chunk outside its lane's span (only in a hand-built timeline)
		// is drawn at the nearest edge of the span.
		i := min(max(ax.cell(c.At, width), first), last)
		cells[i] = cellData
	}
	if l.Failed() {
		cells[last] = cellFailed
	}
}

// tickColumns places the ticks on the text axis, as offsets from the first
// cell: the first tick sits on the left border (-1), the last on the right
// border (width), and those between in the cell whose slice they begin.
func tickColumns(ax axis, width int) []int {
	ticks := ax.ticks()
	cols := make([]int, len(ticks))
	for i, t := range ticks {
		switch i {
		case 0:
			cols[i] = -1
		case len(ticks) - 1:
			cols[i] = width
		default:
			cols[i] = ax.cell(t, width)
		}
	}
	return cols
}

// textTicksFit reports whether every tick label of ax fits before the next
// tick with two spaces to spare (the last label may run past the border).
func textTicksFit(ax axis, width int) bool {
	cols := tickColumns(ax, width)
	for i, t := range ax.ticks()[:len(cols)-1] {
		if cols[i+1]-cols[i] < len(ax.label(t, "us"))+2 {
			return false
		}
	}
	return true
}

// writeTextAxis writes the ruler under the lanes ("+----+----+") and the
// tick labels under it, aligned with the lanes' cells. A label that would
// run into the previous one is left out (only possible when the figure is
// too narrow for even one step).
func writeTextAxis(bw *bufio.Writer, ax axis, width, labelW int) {
	cols := tickColumns(ax, width)
	// Column 0 of these lines is the lanes' left border.
	ruler := []byte(strings.Repeat("-", width+2))
	ruler[0], ruler[width+1] = '+', '+'
	var names []byte
	for i, t := range ax.ticks() {
		c := cols[i] + 1
		ruler[c] = '+'
		name := ax.label(t, "us")
		if len(names) > 0 && c <= len(names) {
			continue // would touch the previous label
		}
		names = append(names, strings.Repeat(" ", c-len(names))...)
		names = append(names, name...)
	}
	indent := strings.Repeat(" ", labelW+1)
	bw.WriteString(indent)
	bw.Write(ruler)
	bw.WriteByte('\n')
	bw.WriteString(indent)
	bw.Write(names)
	bw.WriteByte('\n')
}

// padRight and padLeft pad ASCII text with spaces to n characters.
func padRight(s string, n int) string { return s + strings.Repeat(" ", max(n-len(s), 0)) }
func padLeft(s string, n int) string  { return strings.Repeat(" ", max(n-len(s), 0)) + s }
