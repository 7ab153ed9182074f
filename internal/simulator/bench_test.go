package simulator

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkDrawLongChain draws a chain of 1000 random pairs.
func BenchmarkDrawLongChain(b *testing.B) {
	c := randomChain(rand.New(rand.NewPCG(3, 4)), 1000)
	for _, l := range []struct {
		name   string
		layout Layout
	}{{"wide", Wide}, {"narrow", Narrow}} {
		b.Run(l.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Draw(io.Discard, l.layout); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunSession runs a whole session of 1000 lines, with errors.
func BenchmarkRunSession(b *testing.B) {
	var in strings.Builder
	for i := range 1000 {
		if i%10 == 0 {
			in.WriteString("r toolong1 p\n")
		}
		in.WriteString("r ab f cd\nf ef p\n")
	}
	in.WriteString("\n")
	input := in.String()
	b.ReportAllocs()
	for b.Loop() {
		if err := Run(strings.NewReader(input), io.Discard, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLine(b *testing.B) {
	for b.Loop() {
		if _, err := ParseLine("RET abcdef passthru"); err != nil {
			b.Fatal(err)
		}
	}
}
