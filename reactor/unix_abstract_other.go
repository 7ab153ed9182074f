//go:build !linux

package reactor

// abstractUnixName reports false: only Linux has an abstract namespace for
// Unix sockets, and elsewhere a leading '@' is part of a file name.
func abstractUnixName(string) bool { return false }
