package poetrytest_test

import (
	"fmt"

	"gyre/examples/internal/poetrytest"
)

// Reference text from the tutorial's programs, turned into what the gyre
// programs print.
func ExampleGyreText() {
	ref := "Usage: get-poetry.py [options] [hostname]:port ...\n" +
		"  python get-poetry.py port1 port2 port3 ...\n" +
		"  python async-client/get-poetry.py 10001 10002 10003\n" +
		"get-poetry.py: error: Ports must be integers.\n"
	fmt.Print(poetrytest.GyreText(ref, "async-client", "get-poetry", "async-client"))
	// Output:
	// Usage: get-poetry [options] [hostname]:port ...
	//   go run . port1 port2 port3 ...
	//   go run ./examples/async-client 10001 10002 10003
	// get-poetry: error: Ports must be integers.
}
