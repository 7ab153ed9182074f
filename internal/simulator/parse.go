package simulator

import (
	"errors"
	"strings"
)

// MaxValueLen is the longest value a handler may carry, in characters
// (Unicode code points): longer ones would not fit the boxes.
const MaxValueLen = 6

// The errors ParseLine returns. Their Error text is exactly what the original
// prints after "ERROR: ", so a session prints "ERROR: " + err.Error().
var (
	// ErrMissingCommand: the line ended where a command word was expected
	// (including a line of only whitespace, or one with no errback).
	ErrMissingCommand = errors.New("missing command")
	// ErrMissingArgument: "return" or "fail" without a value.
	ErrMissingArgument = errors.New("missing argument")
	// ErrExtraArguments: tokens left over after the errback.
	ErrExtraArguments = errors.New("extra arguments")
)

// BadCommandError reports a token that abbreviates none of return, fail and
// passthru.
type BadCommandError struct {
	// Command is the offending token, lower-cased (as Python's str.lower
	// does it), which is how the original shows it.
	Command string
}

func (e *BadCommandError) Error() string { return "bad command: " + e.Command }

// ValueTooLongError reports a value of more than MaxValueLen characters.
type ValueTooLongError struct {
	Value string
}

// Error is the original's message text, which is the repr of the Python
// exception's argument tuple: the value appears as a Python string literal.
func (e *ValueTooLongError) Error() string {
	return "('result more than 6 chars long', " + pyRepr(e.Value) + ")"
}

// commandWords are the commands a token may abbreviate. Each starts with a
// different letter, so a non-empty token matches at most one.
var commandWords = [...]struct {
	word string
	op   Op
}{
	{"return", Return},
	{"fail", Fail},
	{"passthru", Passthru},
}

// ParseLine parses one input line (without its newline) into a pair:
//
//	CALLBACK ERRBACK
//
// where each half is "return VALUE", "fail VALUE" or "passthru", command
// words may be abbreviated to any prefix (r, re, ..., f, fa, ..., p, pa, ...)
// in any case, and VALUE is one token of at most MaxValueLen characters.
// Tokens are separated by whitespace as Python's str.split() sees it.
//
// The line is read left to right and the first problem found is returned:
// ErrMissingCommand, ErrMissingArgument, ErrExtraArguments, a
// *BadCommandError or a *ValueTooLongError. An empty line is not special here
// (it is ErrMissingCommand); ending the input with it is the session's job.
//
// Bytes that are not valid UTF-8 are accepted: each counts as one character,
// as in the original, which reads its input with Python's surrogateescape.
func ParseLine(line string) (Pair, error) {
	tokens := pyFields(line)
	var p Pair
	var err error
	if p.Callback, tokens, err = parseHandler(tokens); err != nil {
		return Pair{}, err
	}
	if p.Errback, tokens, err = parseHandler(tokens); err != nil {
		return Pair{}, err
	}
	if len(tokens) > 0 {
		return Pair{}, ErrExtraArguments
	}
	return p, nil
}

// parseHandler takes one handler off the front of tokens and returns the
// tokens that remain.
func parseHandler(tokens []string) (Handler, []string, error) {
	if len(tokens) == 0 {
		return Handler{}, nil, ErrMissingCommand
	}
	word := pyLower(tokens[0])
	tokens = tokens[1:]
	op, ok := lookupCommand(word)
	if !ok {
		return Handler{}, nil, &BadCommandError{Command: word}
	}
	if op == Passthru {
		return Handler{Op: op}, tokens, nil
	}
	if len(tokens) == 0 {
		return Handler{}, nil, ErrMissingArgument
	}
	value := tokens[0]
	if pyLen(value) > MaxValueLen {
		return Handler{}, nil, &ValueTooLongError{Value: value}
	}
	// The token is a slice of the line: copied, the few bytes a pair
	// keeps do not hold the whole line (up to 64 KiB in gyre simulate)
	// in memory for as long as the chain lives.
	return Handler{Op: op, Value: strings.Clone(value)}, tokens[1:], nil
}

// lookupCommand finds the command that word (already lower-cased) abbreviates.
func lookupCommand(word string) (Op, bool) {
	for _, c := range commandWords {
		if word != "" && strings.HasPrefix(c.word, word) {
			return c.op, true
		}
	}
	return 0, false
}
