package simulator

import (
	"strings"
	"testing"
)

func render(c *canvas) string {
	var b strings.Builder
	if _, err := c.WriteTo(&b); err != nil {
		panic(err)
	}
	return b.String()
}

func TestCanvasPadsToWidth(t *testing.T) {
	var c canvas
	c.set(1, 0, 'a')
	c.text(0, 2, "bcd")
	c.set(5, 3, ' ') // a drawn space widens the canvas like any character
	got := render(&c)
	want := " a    \n      \nbcd   \n      \n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCanvasOverwritesAndKeepsNUL(t *testing.T) {
	var c canvas
	c.text(0, 0, "xyz")
	c.text(1, 0, "\x00")
	c.text(0, 1, "é\xff")
	if got, want := render(&c), "x\x00z\né\xff \n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEmptyCanvas(t *testing.T) {
	var c canvas
	if got := render(&c); got != "\n" {
		t.Errorf("got %q", got)
	}
}

func TestCentre(t *testing.T) {
	for _, tt := range []struct {
		s    string
		w    int
		want string
	}{
		{"ab", 6, "  ab  "},
		{"abc", 6, " abc  "}, // the odd space goes right
		{"initial", 18, "     initial      "},
		{"éé", 4, " éé "},
		{"toolong", 4, "toolong"},
		{"", 2, "  "},
	} {
		if got := centre(tt.s, tt.w); got != tt.want {
			t.Errorf("centre(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
	}
}

func TestCanvasReserveChangesNothing(t *testing.T) {
	draw := func(c *canvas) {
		c.text(2, 1, "ab")
		c.set(0, 3, '|')
		c.text(6, 3, "wider than the reservation")
	}
	var plain, reserved canvas
	draw(&plain)
	reserved.reserve(4, 10)
	draw(&reserved)
	if got, want := render(&reserved), render(&plain); got != want {
		t.Errorf("with reserve: %q, without: %q", got, want)
	}
}
