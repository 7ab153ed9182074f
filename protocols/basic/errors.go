package basic

import "errors"

// ErrFrameTooLong says a frame (a line, a netstring or a length-prefixed
// string) was longer than the framer's MaxLength. The error a framer
// records wraps it with the figures.
var ErrFrameTooLong = errors.New("frame longer than the maximum")

// ErrMalformed says the input broke the framing: a netstring whose length
// is not a number or that does not end with a comma. The error a framer
// records wraps it with what was wrong.
var ErrMalformed = errors.New("malformed frame")

// ErrNoHandler is recorded when a framer receives data while its Handler
// is nil (the protocol forgot to set it): the connection is lost.
var ErrNoHandler = errors.New("framer has no Handler")
