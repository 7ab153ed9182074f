package simulator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		want := predictSession(input, narrow)
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("input %q: output differs:\n%s", input, firstDifference(out.Bytes(), want))
		}
	})
}

// predictSession is the session's rules read directly: lines end at '\n',
// the last one may lack it, an empty line ends the input once there is a
// pair, and the end of input ends everything without a drawing.
func predictSession(input []byte, narrow bool) []byte {
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
		if p, err := ParseLine(line); err != nil {
			want.WriteString("ERROR: " + err.Error() + "\n")
		} else {
			chain = append(chain, p)
		}
	}
	return want.Bytes()
}
