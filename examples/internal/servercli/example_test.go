package servercli_test

import (
	"fmt"
	"os"
	"path/filepath"

	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
)

// The slow server's command line, as blocking-server and async-server
// read it.
func ExampleParseSlow() {
	dir, _ := os.MkdirTemp("", "servercli")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "poem.txt")
	os.WriteFile(path, []byte("A short poem.\n"), 0o644)

	p := optparse.New("slowpoetry", "%prog [options] poetry-file")
	opts := servercli.ParseSlow(p, []string{"--num-bytes", "5", path})
	fmt.Println(opts.Iface, opts.Port, opts.Delay, opts.NumBytes, len(opts.Poem.Data))
	// Output:
	// localhost 0 700ms 5 14
}

// A file that cannot be served is one line, said before listening.
func ExampleLoadPoem() {
	_, err := servercli.LoadPoem("no/such/poem.txt", 0)
	fmt.Println(err)
	// Output:
	// No such file: no/such/poem.txt
}
