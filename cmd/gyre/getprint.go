package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"gyre/internal/fetch"
)

// poemPrinter is gyre get --print: it writes each complete poem to out,
// in the order of the addresses, byte for byte (nothing added), and never
// a poem that failed, while keeping as little as it can in memory.
//
// The poems arrive all at once, but go out one after the other. The
// poem whose turn it is (the head) goes out as it arrives when out is a
// regular file: should it fail, the file is cut back to where the poem
// began, so a failed poem is never left in it. Into a pipe or a terminal
// nothing can be taken back, so each poem is held until it is complete
// (one copy, and none once written). A poem that is not the head is held
// until its turn, however out is made.
//
// The first write error (a full disk, a closed pipe) stops the printing;
// err reports it, and the downloads go on to the end as without --print.
type poemPrinter struct {
	out  io.Writer
	file *os.File // out, when a regular file: the head is streamed into it

	held  []fetch.Buffer // per task, what arrived while it was not streamed
	ended []bool         // per task: finished
	ok    []bool         // per task: finished with the whole poem
	head  int            // the first task not yet printed (or dropped)

	streaming bool  // the head is being written to file as it arrives
	headStart int64 // where the head's poem begins in file
	err       error
}

func newPoemPrinter(out, errOut io.Writer, tasks int) *poemPrinter {
	p := &poemPrinter{out: out, held: make([]fetch.Buffer, tasks), ended: make([]bool, tasks), ok: make([]bool, tasks)}
	if f, ok := out.(*os.File); ok && rewindable(f, errOut) {
		p.file = f
	}
	return p
}

// rewindable reports whether a failed poem can be cut back out of f: f is
// a regular file, not opened to append (>>: the offset reads 0 until the
// first write, and cutting back to it emptied the file of what it held
// before), and not the file stderr writes to as well (2>&1: cutting back
// erased the other tasks' error lines written meanwhile).
func rewindable(f *os.File, errOut io.Writer) bool {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || appending(f) {
		return false
	}
	if e, ok := errOut.(*os.File); ok {
		if ei, err := e.Stat(); err == nil && os.SameFile(fi, ei) {
			return false
		}
	}
	return true
}

// appending reports whether f was opened with O_APPEND (or that cannot be
// told).
func appending(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return true
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		return true
	}
	return flags&unix.O_APPEND != 0
}

// observe is the fetch observer.
func (p *poemPrinter) observe(ev fetch.Event) {
	i := ev.Task - 1
	switch ev.Kind {
	case fetch.Started:
		if i == p.head {
			p.startStreaming()
		}
	case fetch.Received:
		if i == p.head && p.streaming {
			p.write(ev.Data)
			return
		}
		if p.err == nil {
			p.held[i].Write(ev.Data)
		}
	case fetch.Finished:
		p.ended[i], p.ok[i] = true, ev.Err == nil
		p.settle()
	}
}

// settle prints (or drops) the finished poems at the head, in order, and
// starts streaming the next one.
func (p *poemPrinter) settle() {
	for p.head < len(p.ended) && p.ended[p.head] {
		i := p.head
		switch {
		case p.streaming && !p.ok[i]:
			p.undo()
		case !p.streaming && p.ok[i]:
			p.writeFrom(&p.held[i])
		}
		p.held[i].Reset()
		p.streaming = false
		p.head++
		if p.head < len(p.ended) && !p.ended[p.head] {
			p.startStreaming()
		}
	}
}

// startStreaming makes the head stream into the file: what it has held so
// far goes out first.
func (p *poemPrinter) startStreaming() {
	if p.file == nil || p.err != nil || p.streaming {
		return
	}
	pos, err := p.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return // not seekable after all: hold the poem
	}
	p.streaming, p.headStart = true, pos
	i := p.head
	p.writeFrom(&p.held[i])
	p.held[i].Reset()
}

// undo cuts the file back to where the failed head began.
func (p *poemPrinter) undo() {
	if p.err != nil {
		return
	}
	if err := p.file.Truncate(p.headStart); err != nil {
		p.err = err
		return
	}
	if _, err := p.file.Seek(p.headStart, io.SeekStart); err != nil {
		p.err = err
	}
}

func (p *poemPrinter) write(b []byte) {
	if p.err != nil || len(b) == 0 {
		return
	}
	if _, err := p.out.Write(b); err != nil {
		p.err = err
	}
}

// writeFrom writes a poem held whole (a fetch.Buffer, a strings.Reader)
// without making one more copy of it.
func (p *poemPrinter) writeFrom(src io.WriterTo) {
	if p.err != nil {
		return
	}
	if _, err := src.WriteTo(p.out); err != nil {
		p.err = err
	}
}

// result is the printer's error, as gyre reports it: one line, exit 1.
func (p *poemPrinter) result() error {
	if p.err == nil {
		return nil
	}
	return &exitError{code: exitFailure, err: fmt.Errorf("cannot write the poems to stdout: %w", writeCause(p.err))}
}

// writeReason is the system's words for a write error.
func writeReason(err error) string {
	return writeCause(err).Error()
}

// writeCause is the system's error under a write error (the errno of an
// *os.PathError), for an error message that wraps it with %w: its words
// are writeReason's, and errors.Is still finds the errno in it (see
// causedBySignal).
func writeCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
