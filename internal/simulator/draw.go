package simulator

import "io"

// Geometry of the drawings, in columns and rows. Boxes never change size,
// whatever their text: values are at most MaxValueLen characters, so every
// caption fits.
const (
	boxWidth    = 18                      // a box, frame included
	boxHeight   = 5                       // a box, frame included
	textWidth   = boxWidth - 2            // a box's inside, where text is centred
	pairGap     = 2                       // between a callback box and its errback box
	errbackX    = boxWidth + pairGap      // the errback column, from the diagram's left
	diagramW    = errbackX + boxWidth     // a two-column diagram (38)
	arrowOffset = 8                       // a connector, from its box column's left
	rowPitch    = 8                       // from one box to the next one below
	plainW      = boxWidth                // a plain value is centred over the callback column
	failureX    = 10                      // a failure's text starts here in a firing diagram
	failureW    = 38                      // and is centred in this width
	wideGutter  = 6                       // between the three wide diagrams
	wideStride  = diagramW + wideGutter   // from one wide diagram to the next (44)
	wideSepOff  = diagramW + wideGutter/2 // a wide separator, from a diagram's left (41)
)

// Texts of the drawings.
const (
	deferredHdr = "Deferred"            // title of the deferred diagram
	deferredRul = "--------"            // and its rule
	callbackHdr = "d.callback(initial)" // title of the callback firing
	errbackHdr  = "d.errback(initial*)" // title of the errback firing
	titleRule   = "-------------------" // the rule under either firing title
	initial     = "initial"             // the value the chain is fired with
)

// Layout chooses how the three diagrams are arranged.
type Layout int

const (
	// Wide puts the three diagrams side by side on one 136-column canvas
	// (the original's default).
	Wide Layout = iota
	// Narrow prints them one below the other, each on its own canvas
	// (the original's --narrow).
	Narrow
)

// Draw writes the three diagrams of the chain to w: the deferred with its
// pairs, how d.callback(initial) travels through it, and how
// d.errback(initial*) does, in the given layout. Its output is byte for byte
// the original simulator's. The chain should not be empty.
func (c Chain) Draw(w io.Writer, layout Layout) error {
	plain := Result{Value: initial}
	failed := Result{Value: initial, Failed: true}
	if layout == Narrow {
		var deferred, callback, errback canvas
		deferred.reserve(diagramW, 4+rowPitch*len(c))
		callback.reserve(failureX+failureW, 5+firingHeight(len(c)))
		errback.reserve(failureX+failureW, 5+firingHeight(len(c)))
		deferred.text(0, 1, centre(deferredHdr, diagramW))
		deferred.text(0, 2, centre(deferredRul, diagramW))
		drawDeferred(&deferred, 0, 4, c)
		callback.text(0, 2, centre(callbackHdr, diagramW))
		callback.text(0, 3, centre(titleRule, diagramW))
		drawFiring(&callback, 0, 5, c, plain)
		errback.text(0, 2, centre(errbackHdr, diagramW))
		errback.text(0, 3, centre(titleRule, diagramW))
		drawFiring(&errback, 0, 5, c, failed)
		for _, cv := range []*canvas{&deferred, &callback, &errback} {
			if _, err := cv.WriteTo(w); err != nil {
				return err
			}
		}
		return nil
	}

	// Wide: the firing diagrams start 4 rows above the deferred diagram so
	// that their first boxes (below the start value and its arrow) line up
	// with the first pair. The drawing order matters where the padding of
	// a failed callback result runs under the errback diagram: later
	// drawing wins, and the separators come last.
	var cv canvas
	cv.reserve(2*wideStride+failureX+failureW, 3+firingHeight(len(c)))
	cv.text(0, 0, centre(deferredHdr, diagramW))
	cv.text(wideStride, 0, centre(callbackHdr, diagramW))
	cv.text(2*wideStride, 0, centre(errbackHdr, diagramW))
	cv.text(0, 1, centre(deferredRul, diagramW))
	cv.text(wideStride, 1, centre(titleRule, diagramW))
	cv.text(2*wideStride, 1, centre(titleRule, diagramW))
	drawDeferred(&cv, 0, 7, c)
	drawFiring(&cv, wideStride, 3, c, plain)
	drawFiring(&cv, 2*wideStride, 3, c, failed)
	last := 3 + firingHeight(len(c)) - 1
	cv.vline(wideSepOff, 3, last, '|')
	cv.vline(wideStride+wideSepOff, 3, last, '|')
	_, err := cv.WriteTo(w)
	return err
}

// firingHeight is the number of rows of a firing diagram of n pairs: the start
// value, then per pair a 3-row arrow and a 5-row box, then the final arrow and
// the final value.
func firingHeight(n int) int { return 1 + rowPitch*n + 4 }

// drawBox draws the frame of a box with its top-left corner at (x, y).
func drawBox(cv *canvas, x, y int) {
	cv.hline(x, x+boxWidth-1, y, '-')
	cv.hline(x, x+boxWidth-1, y+boxHeight-1, '-')
	cv.vline(x, y+1, y+boxHeight-2, '|')
	cv.vline(x+boxWidth-1, y+1, y+boxHeight-2, '|')
}

// drawDeferred draws the chain as the deferred holds it: one row of two boxes
// per pair, captioned with what each half does.
func drawDeferred(cv *canvas, x0, y0 int, c Chain) {
	for i, p := range c {
		y := y0 + rowPitch*i
		for j, h := range []Handler{p.Callback, p.Errback} {
			x := x0 + j*errbackX
			drawBox(cv, x, y)
			cv.text(x+1, y+2, centre(h.Caption(), textWidth))
		}
	}
}

// drawFiring draws how start travels through the chain: the start value on
// row y0, then for every pair the box of the half that handled it (what came
// in on top, what went out below), each reached by an arrow from the previous
// one, and the final result at the bottom.
func drawFiring(cv *canvas, x0, y0 int, c Chain, start Result) {
	hops, final := c.Fire(start)
	drawResult(cv, x0, y0, start)
	prev := sideOf(start)
	t := y0 + 4 // below the start value and the 3-row arrow from it
	for _, h := range hops {
		x := x0 + int(h.Side)*errbackX
		drawBox(cv, x, t)
		cv.text(x+1, t+1, centre(h.In.String(), textWidth))
		cv.text(x+1, t+3, centre(h.Out.String(), textWidth))
		drawArrow(cv, x0, t, prev, h.Side)
		prev = h.Side
		t += rowPitch
	}
	drawResult(cv, x0, t, final)
	drawArrow(cv, x0, t, prev, sideOf(final))
}

// drawResult writes a start or final result on row y of the firing diagram at
// x0: a plain value centred over the callback column, a failure centred in a
// 38-column band from inside the callback column to past the errback column.
// That band has the same middle as the errback column, so the text lands where
// centring over the errback column would put it, but its padding reaches
// further right and widens the canvas, as it does in the original.
func drawResult(cv *canvas, x0, y int, r Result) {
	if r.Failed {
		cv.text(x0+failureX, y, centre(r.String(), failureW))
		return
	}
	cv.text(x0, y, centre(r.String(), plainW))
}

// drawArrow draws the connector that arrives at row t (a box's top or the
// final result) in the gap of three rows above it, from column from to
// column to. Staying in a column, and moving from the callback column to the
// errback column (the other way is its mirror image):
//
//	 |              |
//	 |              |-------------------|
//	\|/                                \|/
func drawArrow(cv *canvas, x0, t int, from, to Side) {
	mFrom := x0 + int(from)*errbackX + arrowOffset
	mTo := x0 + int(to)*errbackX + arrowOffset
	cv.vline(mFrom, t-3, t-2, '|')
	if from != to {
		cv.hline(min(mFrom, mTo)+1, max(mFrom, mTo)-1, t-2, '-')
		cv.set(mTo, t-2, '|')
	}
	cv.set(mTo, t-1, '|')
	cv.set(mTo-1, t-1, '\\')
	cv.set(mTo+1, t-1, '/')
}
