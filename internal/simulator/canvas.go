package simulator

import (
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// unset marks a cell nothing was drawn in. It cannot be a character of the
// input (a rune is never negative), so even a drawn NUL is told apart.
const unset rune = -1

// canvas is a grid of character cells that grows as it is drawn on. Drawing
// into a cell overwrites it. The printed size is set by the cells drawn:
// 1 + the largest column and 1 + the largest row, with every line padded with
// spaces to the full width. That is why text is drawn with its centring
// padding included: those spaces widen the canvas just as letters do, and the
// original's output depends on it.
type canvas struct {
	rows  [][]rune
	width int
	spare [][]rune // empty rows made by reserve, taken as rows are drawn on
}

// reserve allocates room for about width×height cells at once, for speed
// only: it draws nothing and does not change the printed size.
func (c *canvas) reserve(width, height int) {
	cells := make([]rune, width*height)
	c.spare = make([][]rune, height)
	for i := range c.spare {
		c.spare[i] = cells[i*width : i*width : (i+1)*width]
	}
	c.rows = slices.Grow(c.rows, height)
}

// set draws r at column x, row y (both from 0).
func (c *canvas) set(x, y int, r rune) {
	for len(c.rows) <= y {
		var row []rune
		if len(c.rows) < len(c.spare) {
			row = c.spare[len(c.rows)]
		}
		c.rows = append(c.rows, row)
	}
	row := c.rows[y]
	if x >= len(row) {
		// Grow to the canvas's width so far at least: rows tend to be
		// drawn out to the same width, and growing once is cheaper.
		n := len(row)
		row = slices.Grow(row, max(x+1, c.width)-n)[:x+1]
		for i := n; i < x; i++ {
			row[i] = unset
		}
		c.rows[y] = row
	}
	row[x] = r
	c.width = max(c.width, x+1)
}

// text draws s from column x on row y, one cell per character, spaces
// included.
func (c *canvas) text(x, y int, s string) {
	for i, r := range pyRunes(s) {
		c.set(x+i, y, r)
	}
}

// hline draws r in columns x0 through x1 of row y.
func (c *canvas) hline(x0, x1, y int, r rune) {
	for x := x0; x <= x1; x++ {
		c.set(x, y, r)
	}
}

// vline draws r in rows y0 through y1 of column x.
func (c *canvas) vline(x, y0, y1 int, r rune) {
	for y := y0; y <= y1; y++ {
		c.set(x, y, r)
	}
}

// WriteTo prints the canvas: each row padded with spaces to the full width
// and ended by a newline, then one empty line.
func (c *canvas) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 0, len(c.rows)*(c.width+1)+1)
	for _, row := range c.rows {
		for x := range c.width {
			r := rune(' ')
			if x < len(row) && row[x] != unset {
				r = row[x]
			}
			if r < utf8.RuneSelf {
				buf = append(buf, byte(r))
			} else {
				buf = appendPyRune(buf, r)
			}
		}
		buf = append(buf, '\n')
	}
	buf = append(buf, '\n')
	n, err := w.Write(buf)
	return int64(n), err
}

// centre pads s with spaces to width characters, the odd space going to the
// right, like Python's str.center for the even widths used here. Text of
// width characters or more is returned unchanged.
func centre(s string, width int) string {
	n := pyLen(s)
	if n >= width {
		return s
	}
	pad := width - n
	left := pad / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left)
}
