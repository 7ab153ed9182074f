package task

import "errors"

var (
	// ErrAlreadyRunning is the failure of LoopingCall.Start on a running
	// LoopingCall.
	ErrAlreadyRunning = errors.New("task: LoopingCall is already running")
	// ErrNotRunning is returned by LoopingCall.Stop and Reset when it is
	// not running.
	ErrNotRunning = errors.New("task: LoopingCall is not running")
	// ErrStopping is the failure of LoopingCall.Start on a LoopingCall
	// stopped from inside its function, until the function returns, or
	// (made with NewLoopingCallDeferred) stopped while its last call's
	// Deferred had not fired, until it fires: a second loop would
	// otherwise start beside the one still finishing, and the first
	// loop's Deferred would never fire.
	ErrStopping = errors.New("task: LoopingCall is stopping: its last call has not finished")
	// ErrNegativeInterval is the failure of LoopingCall.Start with an
	// interval below zero.
	ErrNegativeInterval = errors.New("task: LoopingCall interval must not be negative")
)
