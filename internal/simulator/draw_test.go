package simulator

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// randomChain makes a chain of n pairs with short random values.
func randomChain(rng *rand.Rand, n int) Chain {
	handler := func() Handler {
		op := Op(rng.IntN(3))
		if op == Passthru {
			return Handler{Op: op}
		}
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789é"
		runes := []rune(letters)
		v := make([]rune, 1+rng.IntN(MaxValueLen))
		for i := range v {
			v[i] = runes[rng.IntN(len(runes))]
		}
		return Handler{Op: op, Value: string(v)}
	}
	c := make(Chain, n)
	for i := range c {
		c[i] = Pair{handler(), handler()}
	}
	return c
}

// screens splits drawn output into its canvases (each ends with an empty
// line) and each canvas into rows of runes.
func screens(t *testing.T, out string) [][][]rune {
	t.Helper()
	if !strings.HasSuffix(out, "\n\n") {
		t.Fatalf("output does not end with an empty line: %q", out[max(0, len(out)-40):])
	}
	// Canvas rows are never empty, so an empty line ends a canvas.
	var result [][][]rune
	var rows [][]rune
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			result = append(result, rows)
			rows = nil
			continue
		}
		rows = append(rows, []rune(line))
	}
	return result
}

// checkSize checks that every row of a canvas is width characters.
func checkSize(t *testing.T, name string, rows [][]rune, width, height int) {
	t.Helper()
	if len(rows) != height {
		t.Errorf("%s: %d rows, want %d", name, len(rows), height)
	}
	for i, r := range rows {
		if len(r) != width {
			t.Errorf("%s: row %d is %d wide, want %d", name, i, len(r), width)
			return
		}
	}
}

// at returns the text of a canvas row from column x, len(want) characters.
func at(rows [][]rune, x, y, n int) string {
	if y >= len(rows) || x+n > len(rows[y]) {
		return "<outside>"
	}
	return string(rows[y][x : x+n])
}

// checkFiring checks a firing diagram drawn at (x0, y0): the start value,
// every box on the side the spec says with what came in and went out, and
// the final result.
func checkFiring(t *testing.T, name string, rows [][]rune, x0, y0 int, c Chain, start Result) {
	t.Helper()
	result := func(y int, r Result) {
		t.Helper()
		x, w := x0, 18
		if r.Failed {
			x, w = x0+10, 38
		}
		// Only the text itself: in the wide layout a separator is drawn
		// over the padding of a failed callback result.
		text := r.String()
		n := utf8.RuneCountInString(text)
		if got := at(rows, x+(w-n)/2, y, n); got != text {
			t.Errorf("%s: row %d: %q, want %q", name, y, got, text)
		}
	}
	result(y0, start)
	hops, final := c.Fire(start)
	for i, h := range hops {
		x, y := x0+20*int(h.Side), y0+4+8*i
		if got := at(rows, x, y, 18); got != strings.Repeat("-", 18) {
			t.Errorf("%s: hop %d: box top %q", name, i, got)
		}
		if got, want := at(rows, x, y+1, 18), "|"+centre(h.In.String(), 16)+"|"; got != want {
			t.Errorf("%s: hop %d: %q, want %q", name, i, got, want)
		}
		if got, want := at(rows, x, y+3, 18), "|"+centre(h.Out.String(), 16)+"|"; got != want {
			t.Errorf("%s: hop %d: %q, want %q", name, i, got, want)
		}
		if got := at(rows, x+7, y-1, 3); got != `\|/` {
			t.Errorf("%s: hop %d: arrow %q", name, i, got)
		}
	}
	result(y0+4+8*len(c), final)
}

// TestDrawLayouts checks the shape of both layouts on random chains: sizes,
// separators, and where every box and result lands.
func TestDrawLayouts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 1 + rng.IntN(8)
		c := randomChain(rng, n)
		plain := Result{Value: "initial"}
		failed := Result{Value: "initial", Failed: true}

		var wide bytes.Buffer
		if err := c.Draw(&wide, Wide); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(wide.Bytes()) {
			t.Fatal("wide output is not UTF-8")
		}
		s := screens(t, wide.String())
		if len(s) != 1 {
			t.Fatalf("wide: %d canvases", len(s))
		}
		rows := s[0]
		checkSize(t, "wide", rows, 136, 8*n+8)
		for y := 3; y < len(rows); y++ {
			if rows[y][41] != '|' || rows[y][85] != '|' {
				t.Errorf("wide: separators missing on row %d", y)
			}
		}
		if strings.TrimSpace(string(rows[2])) != "" {
			t.Errorf("wide: row 2 not blank")
		}
		checkFiring(t, "wide callback", rows, 44, 3, c, plain)
		checkFiring(t, "wide errback", rows, 88, 3, c, failed)
		for i, p := range c {
			if got, want := at(rows, 1, 9+8*i, 16), centre(p.Callback.Caption(), 16); got != want {
				t.Errorf("wide: pair %d callback caption %q, want %q", i, got, want)
			}
			if got, want := at(rows, 21, 9+8*i, 16), centre(p.Errback.Caption(), 16); got != want {
				t.Errorf("wide: pair %d errback caption %q, want %q", i, got, want)
			}
		}

		var narrow bytes.Buffer
		if err := c.Draw(&narrow, Narrow); err != nil {
			t.Fatal(err)
		}
		s = screens(t, narrow.String())
		if len(s) != 3 {
			t.Fatalf("narrow: %d canvases", len(s))
		}
		checkSize(t, "narrow deferred", s[0], 38, 8*n+1)
		callbackWidth := 38
		if _, final := c.Fire(plain); final.Failed {
			callbackWidth = 48
		}
		checkSize(t, "narrow callback", s[1], callbackWidth, 8*n+10)
		checkSize(t, "narrow errback", s[2], 48, 8*n+10)
		checkFiring(t, "narrow callback", s[1], 0, 5, c, plain)
		checkFiring(t, "narrow errback", s[2], 0, 5, c, failed)
	}
}

// TestWideOutputSize checks the spec's byte count for the wide layout:
// prompt + (8n+8) lines of 136 columns and a newline + the empty line.
func TestWideOutputSize(t *testing.T) {
	for n := 1; n <= 5; n++ {
		in := strings.Repeat("r a f b\n", n) + "\n"
		var out bytes.Buffer
		if err := Run(strings.NewReader(in), &out, false); err != nil {
			t.Fatal(err)
		}
		if got, want := out.Len(), 912+(8*n+8)*137+1; got != want {
			t.Errorf("%d pairs: %d bytes, want %d", n, got, want)
		}
	}
}
