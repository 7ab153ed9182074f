package sock

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// AbstractUnixName reports whether path names a socket in Linux's abstract
// namespace rather than a file: a leading '@' (which golang.org/x/sys/unix
// turns into the leading NUL byte of the address, as package net does) or
// a leading NUL. Such a socket has no file to check, chmod or remove, and
// disappears with its last descriptor.
func AbstractUnixName(path string) bool {
	return path != "" && (path[0] == '@' || path[0] == 0)
}

// fullAbstract returns sa in package syscall's form if it is an abstract
// name that fills sun_path: x/sys keeps the last byte for a terminating
// NUL, which an abstract name does not have, and refuses the name with
// EINVAL; package syscall, which package net uses, takes it.
func fullAbstract(sa unix.Sockaddr) (syscall.Sockaddr, bool) {
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok || len(u.Name) != len(unix.RawSockaddrUnix{}.Path) || !AbstractUnixName(u.Name) {
		return nil, false
	}
	return &syscall.SockaddrUnix{Name: u.Name}, true
}
