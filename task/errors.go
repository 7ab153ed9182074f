package task

import "errors"

var (
	// ErrAlreadyRunning is the failure of LoopingCall.Start on a running
	// LoopingCall.
	ErrAlreadyRunning = errors.New("task: LoopingCall is already running")
	// ErrNotRunning is returned by LoopingCall.Stop and Reset when it is
	// not running.
	ErrNotRunning = errors.New("task: LoopingCall is not running")
	// ErrNegativeInterval is the failure of LoopingCall.Start with an
	// interval below zero.
	ErrNegativeInterval = errors.New("task: LoopingCall interval must not be negative")
)
