//go:build !linux

package sock

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// AbstractUnixName reports false: only Linux has an abstract namespace for
// Unix sockets, and elsewhere a leading '@' is part of a file name.
func AbstractUnixName(string) bool { return false }

// fullAbstract reports false: without abstract names, x/sys's limit on a
// Unix address is the system's.
func fullAbstract(unix.Sockaddr) (syscall.Sockaddr, bool) { return nil, false }
