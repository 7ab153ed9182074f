package simulator

import (
	"bufio"
	"errors"
	"io"
	"strings"
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
func Run(in io.Reader, out io.Writer, narrow bool) error {
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
		line, err := r.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
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
			if _, err := w.WriteString("ERROR: " + perr.Error() + "\n"); err != nil {
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
