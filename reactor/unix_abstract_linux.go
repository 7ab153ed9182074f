package reactor

// abstractUnixName reports whether path names a socket in Linux's abstract
// namespace rather than a file: a leading '@' (which golang.org/x/sys/unix
// turns into the leading NUL byte of the address, as package net does) or
// a leading NUL. Such a socket has no file to check, chmod or remove, and
// disappears with its last descriptor.
func abstractUnixName(path string) bool {
	return path != "" && (path[0] == '@' || path[0] == 0)
}
