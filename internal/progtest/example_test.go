package progtest_test

import (
	"fmt"

	"gyre/internal/progtest"
)

// A transcript is cut into sections; each keeps its command, exit status
// and output blocks exactly as recorded.
func ExampleParseTranscript() {
	text := `Run 3: Error: bad port "abc"
----------------------------
$ timeout 10 python3 blocking-client/get-poetry.py abc
exit status 2, wall time 0.03 s
--- stdout ---
(empty)
--- stderr ---
get-poetry.py: error: Ports must be integers.
--- end ---
`
	for _, s := range progtest.ParseTranscript(text) {
		fmt.Printf("%s | %s | exit %d\nstdout %q\nstderr %q\n", s.Title, s.Command, s.Exit, s.Stdout(), s.Stderr())
	}
	// Output:
	// Run 3: Error: bad port "abc" | timeout 10 python3 blocking-client/get-poetry.py abc | exit 2
	// stdout ""
	// stderr "get-poetry.py: error: Ports must be integers.\n"
}
