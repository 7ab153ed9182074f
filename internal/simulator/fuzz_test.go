package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseLine checks that any line either parses into a pair that prints
// and parses back the same, or is refused with one of the original's error
// messages.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"r good f bad", "f googly p", "p p", "RET A pa", "", "   ", "r", "r a", "p r",
		"XYZ 1 p", "r a p x", "r abcdefg p", "r it's_long p", "r \xff\xfe p", "ΣΑΣ x p",
		"İ x p", "r \x00 p", "r\u3000a\x1fp",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		pair, err := ParseLine(line)
		if err == nil {
			for _, h := range []Handler{pair.Callback, pair.Errback} {
				switch h.Op {
				case Return, Fail:
					if n := pyLen(h.Value); n < 1 || n > MaxValueLen {
						t.Fatalf("%q: value %q has %d characters", line, h.Value, n)
					}
					if f := pyFields(h.Value); len(f) != 1 || f[0] != h.Value {
						t.Fatalf("%q: value %q is not one token", line, h.Value)
					}
				case Passthru:
					if h.Value != "" {
						t.Fatalf("%q: passthru with value %q", line, h.Value)
					}
				default:
					t.Fatalf("%q: bad op %v", line, h.Op)
				}
			}
			again, err := ParseLine(pair.Callback.Caption() + " " + pair.Errback.Caption())
			if err != nil || again != pair {
				t.Fatalf("%q: %+v does not parse back: %+v, %v", line, pair, again, err)
			}
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n") {
			t.Fatalf("%q: message %q spans lines", line, msg)
		}
		switch {
		case errors.Is(err, ErrMissingCommand), errors.Is(err, ErrMissingArgument), errors.Is(err, ErrExtraArguments):
		default:
			if bc, ok := errors.AsType[*BadCommandError](err); ok {
				if bc.Command == "" || msg != "bad command: "+bc.Command {
					t.Fatalf("%q: bad command message %q", line, msg)
				}
				if _, ok := lookupCommand(bc.Command); ok {
					t.Fatalf("%q: %q is a command", line, bc.Command)
				}
				return
			}
			if tl, ok := errors.AsType[*ValueTooLongError](err); ok {
				if pyLen(tl.Value) <= MaxValueLen {
					t.Fatalf("%q: %q is not too long", line, tl.Value)
				}
				if !strings.HasPrefix(msg, "('result more than 6 chars long', ") || !strings.HasSuffix(msg, "')") && !strings.HasSuffix(msg, `")`) {
					t.Fatalf("%q: too-long message %q", line, msg)
				}
				return
			}
			t.Fatalf("%q: unexpected error %T %v", line, err, err)
		}
	})
}

// FuzzRun feeds arbitrary input to a whole session and checks that it ends,
// without error, printing what a direct reading of the rules predicts: the
// prompt, one message per refused line, and the diagrams if an empty line
// follows at least one pair.
func FuzzRun(f *testing.F) {
	f.Add([]byte("r good f bad\nf googly p\n\n"), false)
	f.Add([]byte("\nbogus 1 p\nr\nr toolong1 p\nr ok p extra\n   \nRET A pa\n\n"), true)
	f.Add([]byte("r a p\r\n\r\n"), false)
	f.Add([]byte("r a p\np"), true)
	if inputs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "input")); inputs != nil {
		for _, name := range inputs {
			if in, err := os.ReadFile(name); err == nil {
				f.Add(in, strings.Contains(name, "narrow"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, input []byte, narrow bool) {
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- Run(bytes.NewReader(input), &out, narrow) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
		}
		want := predictSession(input, narrow, 0, 0)
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("input %q: output differs:\n%s", input, firstDifference(out.Bytes(), want))
		}
	})
}

// FuzzRunBounded is FuzzRun under gyre simulate's bounds, made small
// enough for the fuzzer to cross them: lines of at most maxLine bytes
// (longer ones answered and skipped, error lines quoting at most maxQuote
// characters) and at most maxPairs pairs.
func FuzzRunBounded(f *testing.F) {
	f.Add([]byte("r good f bad\nf googly p\n\n"), uint8(12), uint8(1))
	f.Add([]byte("r a p\n"+strings.Repeat("x", 5000)+"\nzz"+strings.Repeat("y", 200)+" p\n\n"), uint8(250), uint8(3))
	f.Add([]byte("r a p\nr b p\nr c p\n\n"), uint8(5), uint8(2))
	f.Fuzz(func(t *testing.T, input []byte, maxLine, maxPairs uint8) {
		lineBound, pairBound := int(maxLine)+1, int(maxPairs)+1
		var out bytes.Buffer
		if err := Run(bytes.NewReader(input), &out, false, WithMaxLine(lineBound), WithMaxPairs(pairBound)); err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := predictSession(input, false, lineBound, pairBound)
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("input %q, bounds %d %d: output differs:\n%s", input, lineBound, pairBound, firstDifference(out.Bytes(), want))
		}
	})
}

// predictSession is the session's rules read directly: lines end at '\n',
// the last one may lack it, an empty line ends the input once there is a
// pair, and the end of input ends everything without a drawing. With
// maxLine or maxPairs above 0, it applies WithMaxLine's and WithMaxPairs's
// rules too.
func predictSession(input []byte, narrow bool, maxLine, maxPairs int) []byte {
	var want bytes.Buffer
	want.WriteString(prompt)
	var chain Chain
	rest := string(input)
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		rest = after
		if line == "" {
			if len(chain) == 0 {
				want.WriteString("You must enter at least one pair.\n")
				continue
			}
			layout := Wide
			if narrow {
				layout = Narrow
			}
			if err := chain.Draw(&want, layout); err != nil {
				panic(err)
			}
			return want.Bytes()
		}
		if maxLine > 0 && len(line) > maxLine {
			fmt.Fprintf(&want, "ERROR: line longer than %d bytes\n", maxLine)
			continue
		}
		p, err := ParseLine(line)
		switch {
		case err != nil && maxLine > 0:
			want.WriteString("ERROR: " + cutRunes(err.Error(), maxQuote) + "\n")
		case err != nil:
			want.WriteString("ERROR: " + err.Error() + "\n")
		case maxPairs > 0 && len(chain) == maxPairs:
			fmt.Fprintf(&want, "ERROR: too many pairs (at most %d)\n", maxPairs)
		default:
			chain = append(chain, p)
		}
	}
	return want.Bytes()
}

// cutRunes keeps the first n characters of s, marking a cut with "...".
func cutRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	// Converting back through []rune would turn a byte that is not UTF-8
	// into U+FFFD: cut the bytes instead, at the nth character.
	cut := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return s[:cut] + "..."
}
