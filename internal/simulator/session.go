package simulator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// prompt is the explanation printed before any input is read, followed by an
// empty line.
const prompt = `Enter a list of callback/errback pairs in the form:

  CALLBACK ERRBACK

Where CALLBACK and ERRBACK are one of:

  return VALUE
  fail VALUE
  passthru

And where VALUE is a string of only letters and numbers (no spaces),
no more than 6 characters long.

Each pair should be on a single line and you can abbreviate
return/fail/passthru as r/f/p.

Examples:

  r good f bad  # callback returns 'good'
                # and errback raises Exception('bad')

  f googly p    # callback raises Exception('googly')
                # and errback passes its failure along

Enter a blank line when you are done, and a diagram of the deferred
will be printed next to the firing patterns for both the callback()
and errback() methods. In the diagram, a value followed by '*' is
really an Exception wrapped in a Failure, i.e:

  value* == Failure(Exception(value))

You will want to make your terminal as wide as possible.

`

// noPairsMessage answers an empty line when there is nothing to draw yet.
const noPairsMessage = "You must enter at least one pair.\n"

// Option configures Run.
type Option func(*session)

type session struct {
	maxLine  int // longest line read (0: no bound)
	maxPairs int // most pairs kept (0: no bound)
}

// WithMaxLine bounds the lines Run reads to n bytes (without the newline):
// a longer line is read to its end without being kept, answered with one
// "ERROR: line longer than N bytes" line and skipped like any bad line. An
// error line then quotes at most maxQuote characters of the input. The
// tutorial's program has no such bound: it holds a line of any length,
// and quotes all of it back.
func WithMaxLine(n int) Option {
	return func(s *session) { s.maxLine = n }
}

// WithMaxPairs bounds the chain to n pairs: a valid line past the nth
// pair is answered with one "ERROR: too many pairs (at most N)" line and
// skipped like any bad line: input that never ends (yes 'r a p') then
// holds no more than n pairs, and the drawing, which takes about 6 KiB of
// memory per pair, stays small. The tutorial's program keeps every pair.
func WithMaxPairs(n int) Option {
	return func(s *session) { s.maxPairs = n }
}

// maxQuote is the most an error line says of the input under WithMaxLine.
const maxQuote = 100

// Run is the whole simulator session, as the tutorial's program runs it: it
// prints the explanation to out, then reads pairs from in, one per line
// (newline-separated; see ParseLine), answering each bad line with one
// "ERROR: ..." line and ignoring it. An empty line ends the input once there
// is at least one pair, and the chain is drawn (Chain.Draw) in the narrow or
// the wide layout. If in ends before that, Run returns without drawing
// anything: that is not an error.
//
// Run returns an error only when reading or writing fails. Output is flushed
// before every read, so the session works interactively on a terminal. Run
// reads no further than the line that ends the input (apart from buffering).
func Run(in io.Reader, out io.Writer, narrow bool, opts ...Option) error {
	var s session
	for _, o := range opts {
		o(&s)
	}
	w := bufio.NewWriter(out)
	r := bufio.NewReader(in)
	if _, err := w.WriteString(prompt); err != nil {
		return err
	}
	var chain Chain
	for {
		if err := w.Flush(); err != nil {
			return err
		}
		line, tooLong, err := s.readLine(r)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if tooLong {
			if _, err := fmt.Fprintf(w, "ERROR: line longer than %d bytes\n", s.maxLine); err != nil {
				return err
			}
			continue // the end of input, if it came, is seen on the next read
		}
		if line == "" && err != nil {
			// End of input before the terminating empty line: the
			// original simply exits, drawing nothing.
			return nil
		}
		// A last line without its newline is still a line; the end of
		// input is then noticed on the next read.
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if len(chain) == 0 {
				if _, err := w.WriteString(noPairsMessage); err != nil {
					return err
				}
				continue
			}
			break
		}
		pair, perr := ParseLine(line)
		if perr != nil {
			if _, err := w.WriteString("ERROR: " + s.quote(perr.Error()) + "\n"); err != nil {
				return err
			}
			continue
		}
		if s.maxPairs > 0 && len(chain) >= s.maxPairs {
			if _, err := fmt.Fprintf(w, "ERROR: too many pairs (at most %d)\n", s.maxPairs); err != nil {
				return err
			}
			continue
		}
		chain = append(chain, pair)
	}
	layout := Wide
	if narrow {
		layout = Narrow
	}
	if err := chain.Draw(w, layout); err != nil {
		return err
	}
	return w.Flush()
}

// readLine reads the next line, with its newline if it has one. Under
// WithMaxLine a longer line is read to its end but not kept: tooLong is
// then true and line empty.
func (s *session) readLine(r *bufio.Reader) (line string, tooLong bool, err error) {
	if s.maxLine <= 0 {
		line, err = r.ReadString('\n')
		return line, false, err
	}
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, frag...)
			if len(bytes.TrimSuffix(buf, []byte("\n"))) > s.maxLine {
				tooLong, buf = true, nil
			}
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return string(buf), tooLong, err
		}
	}
}

// quote cuts an error message that quotes the input to maxQuote
// characters under WithMaxLine, and leaves it whole otherwise, as the
// tutorial's program does.
func (s *session) quote(msg string) string {
	if s.maxLine <= 0 || utf8.RuneCountInString(msg) <= maxQuote {
		return msg
	}
	cut := 0
	for range maxQuote {
		_, n := utf8.DecodeRuneInString(msg[cut:])
		cut += n
	}
	return msg[:cut] + "..."
}
