package main

import (
	"github.com/spf13/cobra"

	"gyre/internal/simulator"
)

const simulateLong = `simulate is the tutorial's deferred simulator. Type a chain of
callback/errback pairs, one pair per line, then an empty line: it draws the
Deferred holding them and how a result travels through them when the
Deferred fires with d.callback(initial) and with d.errback(initial*).

Each line is "CALLBACK ERRBACK", where each half is one of

  return VALUE    (or r VALUE)   pass VALUE on as a result
  fail VALUE      (or f VALUE)   raise Exception(VALUE)
  passthru        (or p)         pass on whatever came in

and VALUE is one word of at most 6 characters. A value shown with a '*'
is a failure. Bad lines are reported and skipped, and so is a line longer
than 64 KiB (an error line quotes at most 100 characters of the input) or
a pair past the 1000th; end of input before the empty line ends the
session without a drawing.

The output is byte for byte that of the tutorial's deferred-simulator.py
(also available as go run ./examples/twisted-deferred/deferred-simulator).
The wide layout is 136 columns wide; --narrow stacks the three diagrams.`

const simulateExample = `  # Type the pairs, then an empty line
  gyre simulate

  # The tutorial's two examples, diagrams one below the other
  printf 'r good f bad\nf googly p\n\n' | gyre simulate --narrow`

// maxSimulateLine bounds the lines gyre simulate reads: far beyond any
// pair, and small enough that input without newlines costs no memory.
const maxSimulateLine = 64 << 10

// maxSimulatePairs bounds the chain gyre simulate holds and draws: far
// more than anyone types (a 1000-pair drawing is 8008 lines), and small
// enough that input that never ends costs a few megabytes, not all the
// memory there is (100000 pairs took 650 MB).
const maxSimulatePairs = 1000

func newSimulateCmd() *cobra.Command {
	var narrow bool
	cmd := &cobra.Command{
		Use:     "simulate",
		Short:   "Draw how results travel down a Deferred's callback/errback chain",
		Long:    simulateLong,
		Example: simulateExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("%s takes no arguments (it reads the pairs from stdin), got %q", cmd.Name(), args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return simulator.Run(cmd.InOrStdin(), cmd.OutOrStdout(), narrow, simulator.WithMaxLine(maxSimulateLine), simulator.WithMaxPairs(maxSimulatePairs))
		},
	}
	cmd.Flags().BoolVar(&narrow, "narrow", false, "draw the three diagrams one below the other instead of side by side")
	return cmd
}
