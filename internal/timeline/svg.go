package timeline

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SVG geometry, in pixels. The figure has a fixed width (it scales through
// its viewBox) and grows downwards with the number of lanes.
const (
	svgWidth      = 1000.0
	svgMargin     = 20.0
	lanesTop      = 72.0 // below the title and the subtitle
	laneHeight    = 30.0
	errorHeight   = 16.0 // added under a failed lane for its reason
	markHeight    = 14.0 // a chunk's mark
	capHeight     = 20.0 // the thin ticks closing a lane's span, taller than the marks
	minMarkWidth  = 1.5  // narrowest mark: one chunk, however short
	mergeGap      = 1.0  // marks less than this apart are drawn as one run
	monoAdvance   = 7.2  // width of one 12 px monospace character
	smallAdvance  = 6.6  // width of one 11 px character (monospace, or an average sans one)
	svgLabelLimit = 40   // longest lane label, in characters, before it is cut
	minTickGap    = 56.0 // least room between two tick labels' anchors
)

// Fonts are generic families with common faces first: the SVG embeds no
// font and loads nothing.
const (
	sansFonts = "DejaVu Sans, Helvetica, Arial, sans-serif"
	monoFonts = "DejaVu Sans Mono, Menlo, Consolas, monospace"
)

// Colours: one per lane in turn, dark enough to read on white and apart
// from each other and from the failure red.
var lanePalette = [...]string{
	"#2b6cb0", // blue
	"#2f855a", // green
	"#d97706", // amber
	"#6b46c1", // purple
	"#0e7490", // teal
	"#a21caf", // magenta
	"#92400e", // brown
	"#475569", // slate
}

const (
	failedColour = "#c53030"
	inkColour    = "#1a202c" // labels and title
	mutedColour  = "#4a5568" // subtitle, axis, stats
	gridColour   = "#e2e8f0"
	stripeColour = "#f7fafc"
)

// WriteSVG draws t as a standalone SVG image: title and mode at the top, one
// lane per task with its label on the left and its bytes and duration on the
// right, and a shared time axis with grid lines at the bottom. In a lane a
// thin line spans the task's life, a filled mark shows each chunk received,
// and the empty stretches between marks are the time the task spent
// waiting. A failed lane is drawn in red, ends with a cross and shows its
// reason under it.
//
// Chunks closer together than the pixels can show are merged into solid
// runs, so the size of the file depends on the width of the figure and the
// number of lanes, not on the number of chunks. The image holds no script
// and refers to nothing outside itself; all text from the timeline is
// escaped. The same Timeline always gives the same bytes.
//
// Each lane is a group <g class="lane" data-task="N" data-state="done|failed">
// with a <title> tooltip, for tools that want to pick the figure apart.
func WriteSVG(w io.Writer, t Timeline) error {
	f := newSVGFigure(t)
	bw := bufio.NewWriter(w)
	f.write(bw)
	return bw.Flush()
}

// svgFigure is the layout of one SVG figure, worked out before any output.
type svgFigure struct {
	t             Timeline
	ax            axis
	labels        []string // lane labels as shown
	sizes, times  []string // the stats column
	x0, x1        float64  // the plot area, horizontally
	sizeX, timeX  float64  // right edges of the two stats columns
	tops          []float64
	bottom        float64 // of the last lane
	height        float64
	axisY, legend float64
}

func newSVGFigure(t Timeline) *svgFigure {
	f := &svgFigure{t: t}
	n := len(t.Lanes)
	f.labels = make([]string, n)
	f.sizes = make([]string, n)
	f.times = make([]string, n)
	labelW, sizeW, timeW := 4, 0, 0
	for i, l := range t.Lanes {
		f.labels[i] = shortLabel(laneLabel(l), svgLabelLimit, false, "…")
		f.sizes[i] = formatBytes(l.Bytes())
		f.times[i] = formatDuration(l.Duration(), "µs")
		labelW = max(labelW, utf8.RuneCountInString(f.labels[i]))
		sizeW = max(sizeW, utf8.RuneCountInString(f.sizes[i]))
		timeW = max(timeW, utf8.RuneCountInString(f.times[i]))
	}
	f.timeX = svgWidth - svgMargin
	f.sizeX = f.timeX - float64(timeW)*monoAdvance - 2*monoAdvance
	f.x0 = svgMargin + float64(labelW)*monoAdvance + 16
	// Room after the plot for the last tick label's right half and a
	// failure's cross.
	f.x1 = f.sizeX - float64(sizeW)*monoAdvance - 28

	plotW := f.x1 - f.x0
	f.ax = chooseAxis(t.Span(), func(a axis) bool {
		gap := plotW * float64(a.step) / float64(a.end)
		return gap >= max(minTickGap, float64(a.widestLabel("µs"))*smallAdvance+16)
	})

	y := lanesTop
	f.tops = make([]float64, n)
	for i, l := range t.Lanes {
		f.tops[i] = y
		y += laneHeight
		if l.Failed() {
			y += errorHeight
		}
	}
	if n == 0 {
		y += laneHeight // room for the "no tasks" note
	}
	f.bottom = y
	f.axisY = y + 6
	f.legend = f.axisY + 40
	f.height = f.legend + 8 + svgMargin
	return f
}

// x is the horizontal position of offset t.
func (f *svgFigure) x(t time.Duration) float64 {
	return f.x0 + f.ax.fraction(t)*(f.x1-f.x0)
}

// px writes a coordinate with at most one decimal, the same way every time.
func px(v float64) string {
	v = math.Round(v*10)/10 + 0 // + 0 turns a negative zero into zero
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// esc escapes text for use in XML character data and attribute values.
// Characters XML cannot hold at all come out as U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

func (f *svgFigure) write(bw *bufio.Writer) {
	h := px(f.height)
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"%s\">\n",
		px(svgWidth), h, px(svgWidth), h, sansFonts)
	fmt.Fprintf(bw, "<title>%s</title>\n", esc(f.heading()))
	fmt.Fprintf(bw, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n")
	f.writeHeader(bw)
	f.writeStripes(bw)
	f.writeGrid(bw)
	for i := range f.t.Lanes {
		f.writeLane(bw, i)
	}
	if len(f.t.Lanes) == 0 {
		fmt.Fprintf(bw, "<text x=\"%s\" y=\"%s\" font-size=\"12\" fill=\"%s\">(no tasks recorded)</text>\n",
			px(f.x0), px(lanesTop+laneHeight/2+4), mutedColour)
	}
	f.writeAxis(bw)
	f.writeLegend(bw)
	fmt.Fprintf(bw, "</svg>\n")
}

// heading is the figure's title line.
func (f *svgFigure) heading() string {
	if f.t.Title == "" {
		return "Timeline"
	}
	return oneLine(f.t.Title, 100, false, "…")
}

// writeHeader writes the title and, under it, the mode and a summary.
func (f *svgFigure) writeHeader(bw *bufio.Writer) {
	var parts []string
	if f.t.Mode != "" {
		parts = append(parts, oneLine(f.t.Mode, 40, false, "…")+" mode")
	}
	tasks := strconv.Itoa(len(f.t.Lanes)) + " tasks"
	if len(f.t.Lanes) == 1 {
		tasks = "1 task"
	}
	parts = append(parts, tasks, formatBytes(f.t.Bytes())+" received", "over "+formatDuration(f.t.Span(), "µs"))
	if n := f.t.Failures(); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" failed")
	}
	fmt.Fprintf(bw, "<g class=\"header\">\n")
	fmt.Fprintf(bw, "<text x=\"%s\" y=\"34\" font-size=\"18\" font-weight=\"bold\" fill=\"%s\">%s</text>\n",
		px(svgMargin), inkColour, esc(f.heading()))
	fmt.Fprintf(bw, "<text x=\"%s\" y=\"56\" font-size=\"12\" fill=\"%s\">%s</text>\n",
		px(svgMargin), mutedColour, esc(strings.Join(parts, " · ")))
	fmt.Fprintf(bw, "</g>\n")
}

// writeStripes shades every other lane, to guide the eye from a label
// across to its marks and stats.
func (f *svgFigure) writeStripes(bw *bufio.Writer) {
	fmt.Fprintf(bw, "<g class=\"stripes\" fill=\"%s\">\n", stripeColour)
	for i := 1; i < len(f.t.Lanes); i += 2 {
		end := f.bottom
		if i+1 < len(f.tops) {
			end = f.tops[i+1]
		}
		fmt.Fprintf(bw, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/>\n",
			px(svgMargin-8), px(f.tops[i]), px(svgWidth-2*svgMargin+16), px(end-f.tops[i]))
	}
	fmt.Fprintf(bw, "</g>\n")
}

// writeGrid draws a light vertical line at every tick, behind the lanes.
func (f *svgFigure) writeGrid(bw *bufio.Writer) {
	fmt.Fprintf(bw, "<g class=\"grid\" stroke=\"%s\" stroke-width=\"1\">\n", gridColour)
	for _, t := range f.ax.ticks() {
		x := px(f.x(t))
		fmt.Fprintf(bw, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", x, px(lanesTop-4), x, px(f.axisY))
	}
	fmt.Fprintf(bw, "</g>\n")
}

// writeLane draws lane i: label, span, chunk marks, stats, failure.
func (f *svgFigure) writeLane(bw *bufio.Writer, i int) {
	l := f.t.Lanes[i]
	colour, state := lanePalette[i%len(lanePalette)], "done"
	labelColour := inkColour
	if l.Failed() {
		colour, state, labelColour = failedColour, "failed", failedColour
	}
	top := f.tops[i]
	cy := top + laneHeight/2
	start := max(l.Start, 0)
	end := max(l.End, start)
	xs, xe := f.x(start), f.x(end)

	fmt.Fprintf(bw, "<g class=\"lane\" data-task=\"%d\" data-state=\"%s\">\n", l.Task, state)
	tip := fmt.Sprintf("%s: %s in %s, %d chunks", laneLabel(l), formatBytes(l.Bytes()), formatDuration(l.Duration(), "µs"), l.ReadCount())
	if l.Failed() {
		tip += "; failed: " + l.Err
	}
	fmt.Fprintf(bw, "<title>%s</title>\n", esc(oneLine(tip, 300, false, "…")))
	fmt.Fprintf(bw, "<text x=\"%s\" y=\"%s\" font-family=\"%s\" font-size=\"12\" fill=\"%s\">%s</text>\n",
		px(svgMargin), px(cy+4), monoFonts, labelColour, esc(f.labels[i]))

	// The span: a thin line for the task's whole life, closed by a short
	// tick at each end. Whatever stays bare of marks is waiting.
	fmt.Fprintf(bw, "<g stroke=\"%s\" stroke-width=\"1.5\">\n", colour)
	fmt.Fprintf(bw, "<line class=\"span\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke-opacity=\"0.6\"/>\n", px(xs), px(cy), px(xe), px(cy))
	fmt.Fprintf(bw, "<line class=\"start\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke-width=\"1\"/>\n", px(xs), px(cy-capHeight/2), px(xs), px(cy+capHeight/2))
	if l.Failed() {
		const r = 4.0
		fmt.Fprintf(bw, "<path class=\"fail\" d=\"M%s %sL%s %sM%s %sL%s %s\" stroke-width=\"2\"/>\n",
			px(xe-r), px(cy-r), px(xe+r), px(cy+r), px(xe-r), px(cy+r), px(xe+r), px(cy-r))
	} else {
		fmt.Fprintf(bw, "<line class=\"end\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke-width=\"1\"/>\n", px(xe), px(cy-capHeight/2), px(xe), px(cy+capHeight/2))
	}
	fmt.Fprintf(bw, "</g>\n")

	f.writeMarks(bw, l, start, end, cy, colour)

	fmt.Fprintf(bw, "<g font-family=\"%s\" font-size=\"12\" fill=\"%s\" text-anchor=\"end\">\n", monoFonts, mutedColour)
	fmt.Fprintf(bw, "<text class=\"bytes\" x=\"%s\" y=\"%s\">%s</text>\n", px(f.sizeX), px(cy+4), esc(f.sizes[i]))
	fmt.Fprintf(bw, "<text class=\"duration\" x=\"%s\" y=\"%s\">%s</text>\n", px(f.timeX), px(cy+4), esc(f.times[i]))
	fmt.Fprintf(bw, "</g>\n")

	if l.Failed() {
		// The reason goes under the lane, from where the task started,
		// shifted left (and cut) as needed to stay inside the plot.
		limit := max(int((f.x1-f.x0)/smallAdvance), 10)
		reason := oneLine("failed: "+l.Err, limit, false, "…")
		width := float64(utf8.RuneCountInString(reason)) * smallAdvance
		tx := max(min(xs, f.x1-width), f.x0)
		fmt.Fprintf(bw, "<text class=\"error\" x=\"%s\" y=\"%s\" font-family=\"%s\" font-size=\"11\" fill=\"%s\">%s</text>\n",
			px(tx), px(top+laneHeight+8), monoFonts, failedColour, esc(reason))
	}
	fmt.Fprintf(bw, "</g>\n")
}

// writeMarks draws a lane's chunks. Each chunk is a mark minMarkWidth wide
// starting where it arrived; marks that touch or come closer than mergeGap
// become one solid run. A run's count is bounded by the plot's width in
// pixels, however many chunks there are.
func (f *svgFigure) writeMarks(bw *bufio.Writer, l Lane, start, end time.Duration, cy float64, colour string) {
	chunks := l.Chunks
	if !slices.IsSortedFunc(chunks, compareChunks) {
		chunks = slices.Clone(chunks)
		slices.SortStableFunc(chunks, compareChunks)
	}
	y, hgt := px(cy-markHeight/2), px(markHeight)
	fmt.Fprintf(bw, "<g class=\"chunks\" fill=\"%s\">\n", colour)
	emit := func(a, b float64) {
		fmt.Fprintf(bw, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/>\n", px(a), y, px(b-a), hgt)
	}
	open := false
	var ra, rb float64 // the run being gathered
	for _, c := range chunks {
		// Marks stay inside the lane's span (a hand-built lane may have
		// chunks outside it).
		a := f.x(min(max(c.At, start), end))
		b := a + minMarkWidth
		if open && a < rb+mergeGap {
			rb = max(rb, b)
			continue
		}
		if open {
			emit(ra, rb)
		}
		ra, rb, open = a, b, true
	}
	if open {
		emit(ra, rb)
	}
	fmt.Fprintf(bw, "</g>\n")
}

func compareChunks(a, b Chunk) int { return cmp.Compare(a.At, b.At) }

// writeAxis draws the time axis under the lanes: a line, a tick and a label
// at every step.
func (f *svgFigure) writeAxis(bw *bufio.Writer) {
	fmt.Fprintf(bw, "<g class=\"axis\" stroke=\"%s\" fill=\"%s\" font-size=\"11\" text-anchor=\"middle\">\n", mutedColour, mutedColour)
	fmt.Fprintf(bw, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", px(f.x0), px(f.axisY), px(f.x1), px(f.axisY))
	for _, t := range f.ax.ticks() {
		x := px(f.x(t))
		fmt.Fprintf(bw, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", x, px(f.axisY), x, px(f.axisY+4))
		fmt.Fprintf(bw, "<text x=\"%s\" y=\"%s\" stroke=\"none\">%s</text>\n", x, px(f.axisY+17), esc(f.ax.label(t, "µs")))
	}
	fmt.Fprintf(bw, "</g>\n")
}

// writeLegend explains the marks under the axis.
func (f *svgFigure) writeLegend(bw *bufio.Writer) {
	y := f.legend
	x := f.x0
	fmt.Fprintf(bw, "<g class=\"legend\" font-size=\"11\" fill=\"%s\">\n", mutedColour)
	item := func(text string) {
		fmt.Fprintf(bw, "<text x=\"%s\" y=\"%s\">%s</text>\n", px(x), px(y+4), esc(text))
		x += float64(utf8.RuneCountInString(text))*smallAdvance + 24
	}
	for i := range 3 {
		fmt.Fprintf(bw, "<rect x=\"%s\" y=\"%s\" width=\"2\" height=\"10\" fill=\"%s\"/>\n", px(x+float64(i)*4), px(y-5), lanePalette[0])
	}
	x += 16
	item("data received (a mark per chunk)")
	fmt.Fprintf(bw, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"1.5\" stroke-opacity=\"0.6\"/>\n",
		px(x), px(y), px(x+20), px(y), lanePalette[0])
	x += 26
	item("connected, waiting for data")
	fmt.Fprintf(bw, "<path d=\"M%s %sL%s %sM%s %sL%s %s\" stroke=\"%s\" stroke-width=\"2\"/>\n",
		px(x), px(y-4), px(x+8), px(y+4), px(x), px(y+4), px(x+8), px(y-4), failedColour)
	x += 14
	item("failed")
	fmt.Fprintf(bw, "</g>\n")
}
