package servercli

import (
	"errors"
	"fmt"
	"os"

	"gyre/poetry"
)

// Poem is a poetry file checked and ready to serve: its bytes, or, for a
// file big enough to be streamed, the open file.
type Poem struct {
	Path string   // as given on the command line
	Data []byte   // the poem, unless File is set
	File *os.File // the open file of a poem to stream, else nil
}

// LoadPoem checks the poetry file at path and reads it, with its line ends
// made "\n" as the originals read it (see textNewlines), or, if streamAbove
// is positive and the file is larger, opens it for streaming as it is. The
// error, if any, is the one line a server prints before it listens: "No
// such file: PATH" (the original's words), "Not a file (a directory):
// PATH", "Not a regular file: PATH" (a device, a FIFO, a socket), "Cannot
// read PATH: REASON", "Empty poetry file: PATH". The
// originals only check that the path exists and open the file for each
// client; checking everything here means a bad file is reported at
// start-up, not when the first reader arrives.
func LoadPoem(path string, streamAbove int64) (Poem, error) {
	cannotRead := func(err error) error {
		return fmt.Errorf("Cannot read %s: %s", path, poetry.Reason(err)) //lint:ignore ST1005 a message for the user, printed as is
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Poem{}, errors.New("No such file: " + path)
	case err != nil:
		return Poem{}, cannotRead(err)
	case fi.IsDir():
		return Poem{}, errors.New("Not a file (a directory): " + path)
	case !fi.Mode().IsRegular():
		// /dev/zero would be read for ever, a FIFO would wait for a
		// writer: neither is a poem.
		return Poem{}, errors.New("Not a regular file: " + path)
	}
	if streamAbove > 0 && fi.Size() > streamAbove {
		f, err := os.Open(path)
		if err != nil {
			return Poem{}, cannotRead(err)
		}
		return Poem{Path: path, File: f}, nil
	}
	data, err := os.ReadFile(path)
	switch {
	case err != nil:
		return Poem{}, cannotRead(err)
	case len(data) == 0:
		return Poem{}, errors.New("Empty poetry file: " + path)
	}
	return Poem{Path: path, Data: textNewlines(data)}, nil
}

// PoemsNote ends the help of the tutorial's servers, whose example names a
// poem of the tutorial's (poetry/ecstasy.txt): it says where those poems
// come from, and which of gyre's own runs as written instead.
const PoemsNote = `
The tutorial's poems (poetry/ecstasy.txt and the others) are not part of
gyre: copy the poetry/ folder of the twisted-intro repository
(https://github.com/jdavisp3/twisted-intro) into the base directory of
gyre first, or serve one of gyre's own poems: poetry/poems/library.txt.
`
