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

// A reference run replayed against a test's own servers: the transcript's
// ports are turned into the test's, in the command and in the output.
func ExamplePortMap() {
	ports := poetrytest.PortMap{"10003": "41234", "10009": "41999"}
	fmt.Println(ports.Args([]string{"--timeout", "2", "10003", "localhost:10009"}))
	fmt.Print(ports.Text("Failed to connect to: IPv4Address(type='TCP', host='127.0.0.1', port=10009)\n"))
	// Output:
	// [--timeout 2 41234 localhost:41999]
	// Failed to connect to: IPv4Address(type='TCP', host='127.0.0.1', port=41999)
}
