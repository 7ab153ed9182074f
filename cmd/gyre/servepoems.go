package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"gyre/internal/progress"
	"gyre/poetry"
)

// How gyre serve holds its poems.
const (
	// streamThreshold: a poem file larger than this is streamed from the
	// file to each client (sendfile(2) on Linux, with flow control)
	// instead of being read into memory. Smaller ones are read once and
	// written whole to each client, which is the fastest way.
	streamThreshold = 1 << 20
	// slowLimit: --slow serves from memory (the slow factory cuts the
	// poem into chunks that never split a character), so it refuses
	// poems larger than this. At 10 bytes every 0.1 s a poem this size
	// takes 19 days to send.
	slowLimit = 16 << 20
)

// poemSource is one poem to serve: in memory, or a large file streamed.
type poemSource struct {
	name string   // as given on the command line
	data []byte   // the poem, when held in memory
	file *os.File // the open file, when streamed (data is nil)
	size int64
}

// loadPoems finds every poem of the command line: a file path, or else the
// name of an embedded poem. No argument means every embedded poem. Any
// problem is a usage error naming the argument.
func loadPoems(args []string, slow bool) ([]*poemSource, error) {
	if len(args) == 0 {
		args = poetry.Poems()
	}
	var poems []*poemSource
	for _, arg := range args {
		p, err := loadPoem(arg, slow)
		if err != nil {
			closePoems(poems)
			return nil, usageErrorf("%v", err)
		}
		poems = append(poems, p)
	}
	return poems, nil
}

func loadPoem(arg string, slow bool) (*poemSource, error) {
	fi, err := os.Stat(arg)
	if errors.Is(err, fs.ErrNotExist) {
		data, perr := poetry.Poem(arg)
		if perr != nil {
			return nil, fmt.Errorf("%s: no such file, nor an embedded poem (those are: %s)", quoteName(arg), strings.Join(poetry.Poems(), ", "))
		}
		return &poemSource{name: arg, data: data, size: int64(len(data))}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", quoteName(arg), errReason(err))
	}
	switch {
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a poem", arg)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", arg)
	case slow && fi.Size() > slowLimit:
		return nil, fmt.Errorf("%s is %s: --slow serves poems of at most %s", arg, progress.FormatBytes(fi.Size()), progress.FormatBytes(slowLimit))
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, errReason(err))
	}
	if !slow && fi.Size() > streamThreshold {
		return &poemSource{name: arg, file: f, size: fi.Size()}, nil
	}
	defer f.Close()
	// Read at most one byte past the bound that stat's size was checked
	// against: a file that grows meanwhile, or one of /proc whose size
	// reads as 0, must not be read whole into memory.
	limit := int64(streamThreshold)
	if slow {
		limit = slowLimit
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, errReason(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s has more than %s to read, though its size is %s: serve a file that does not change", arg, progress.FormatBytes(limit), progress.FormatBytes(fi.Size()))
	}
	// Emptiness is judged on what was read, not on the size stat gives:
	// files of /proc report 0 bytes and yet have content (or cannot be
	// read at all, which must be said as such, not called empty).
	if len(data) == 0 {
		return nil, fmt.Errorf("%s is empty: there is no poem to serve", arg)
	}
	return &poemSource{name: arg, data: data, size: int64(len(data))}, nil
}

func closePoems(poems []*poemSource) {
	for _, p := range poems {
		if p.file != nil {
			p.file.Close()
		}
	}
}

// quoteName gives a file name as the user typed it, quoted when it would
// be hard to see in a message: empty, blank, or with spaces or control
// characters.
func quoteName(name string) string {
	if name == "" || strings.TrimSpace(name) != name || strings.ContainsFunc(name, func(r rune) bool {
		return r == ' ' || r < 0x20 || r == 0x7f || r == '"'
	}) {
		return strconv.Quote(name)
	}
	return name
}

// errReason is an error without the operation and path that the message
// already gives: "permission denied" rather than "open x: permission
// denied".
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
