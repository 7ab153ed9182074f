package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of gyre.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // the command line was wrong; nothing was done
)

// exitError is an error that says which exit status it deserves. Any other
// error a command returns means exitFailure.
//
// A command that has already told the user what went wrong and only needs a
// particular status returns &exitError{code: n}: report prints nothing more.
type exitError struct {
	code int
	err  error // nil: exit quietly, the command has said what it had to
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a mistake in the command line (exit status 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// asUsageError marks err as a usage error unless it already carries an exit
// status.
func asUsageError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*exitError](err); ok {
		return err
	}
	return &exitError{code: exitUsage, err: err}
}

// report prints err, if any, as one line "gyre: <error>" on stderr and returns
// the exit status it deserves. It is the only place that turns errors into
// exit statuses.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitFailure
	if ee, ok := errors.AsType[*exitError](err); ok {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	fmt.Fprintf(stderr, "gyre: %s\n", oneLine(err.Error()))
	return code
}

// oneLine folds a multi-line message onto one line, so that every error is
// exactly one line on stderr whatever produced it.
func oneLine(msg string) string {
	var parts []string
	for line := range strings.Lines(msg) {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, " ")
}
