//go:build !linux

package reactor

// Without io_uring there is no batch, and no ring send takes flags.
const sendFlags, closingSendFlags = 0, 0
