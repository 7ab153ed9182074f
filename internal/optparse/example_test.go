package optparse_test

import (
	"fmt"
	"os"

	"gyre/internal/optparse"
	"gyre/poetry"
)

// A program defines its options, parses, and checks its positional
// arguments. Parse exits by itself on -h or a bad option.
func Example() {
	p := optparse.New("slowpoetry", "%prog [options] poetry-file")
	port := p.Int("--port", 0, "The port to listen on.")
	delay := p.Float("--delay", 0.1, "The number of seconds between sending bytes.")
	args := p.Parse([]string{"poem.txt", "--port=10000", "--del", "0.5"})
	if len(args) != 1 {
		p.Error("Provide exactly one poetry file.")
	}
	fmt.Println(args[0], *port, *delay)
	// Output: poem.txt 10000 0.5
}

// The help is laid out as optparse lays it out. (The tutorial's usage
// strings end with a newline, which puts two blank lines before "Options:".)
func ExampleParser_PrintHelp() {
	p := optparse.New("slowpoetry", "%prog [options] poetry-file\n\nThe Slow Poetry Server.")
	p.Width = 80 // as if $COLUMNS were 80, optparse's default
	p.Int("--port", 0, "The port to listen on. Default to a random available port.")
	p.Int("--num-bytes", 10, "The number of bytes to send at a time.")
	p.PrintHelp()
	// Output:
	// Usage: slowpoetry [options] poetry-file
	//
	// The Slow Poetry Server.
	//
	// Options:
	//   -h, --help            show this help message and exit
	//   --port=PORT           The port to listen on. Default to a random available
	//                         port.
	//   --num-bytes=NUM_BYTES
	//                         The number of bytes to send at a time.
}

// ParseArgs reports errors with optparse's messages instead of exiting.
func ExampleParser_ParseArgs() {
	p := optparse.New("get-poetry", "%prog [options] [hostname]:port ...")
	p.Bool("--print", "Print the poems.")
	for _, args := range [][]string{{"--bogus"}, {"--print=yes"}, {"--pr", "10000"}} {
		rest, err := p.ParseArgs(args)
		fmt.Printf("%q %v\n", rest, err)
	}
	// Output:
	// [] no such option: --bogus
	// [] --print option does not take a value
	// ["10000"] <nil>
}

// Error prints the usage and the message on stderr and exits with status 2.
func ExampleParser_Error() {
	p := optparse.New("slowpoetry", "%prog [options] poetry-file")
	p.Stderr = os.Stdout                                  // to show it here
	p.Exit = func(code int) { fmt.Println("exit", code) } // a real program exits
	p.Error("Provide exactly one poetry file.")
	// Output:
	// Usage: slowpoetry [options] poetry-file
	//
	// slowpoetry: error: Provide exactly one poetry file.
	// exit 2
}

// The tutorial's clients all read their command line the same way: no
// address prints the help (and exits 0), a bad one is a usage error.
func Example_client() {
	p := optparse.New("get-poetry", "%prog [options] [hostname]:port ...")
	p.Stderr = os.Stdout // to show it here
	p.Exit = func(code int) { fmt.Println("exit", code) }

	args := p.Parse([]string{"10000", "localhost:x"})
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	if _, err := poetry.ParseAddresses(args); err != nil {
		p.Error(err.Error())
	}
	// Output:
	// Usage: get-poetry [options] [hostname]:port ...
	//
	// get-poetry: error: Ports must be integers.
	// exit 2
}
