package basictwisted_test

import "golang.org/x/sys/unix"

// backendWaitSyscalls returns the system calls a program's reactor sleeps
// in: epoll_pwait2 (epoll_pwait on kernels without it) for the default
// backend, ppoll for the poll one. The Go runtime's own poller uses
// epoll_pwait too, which is why epoll_pwait2 comes first: on a kernel with
// it, seeing it proves the reactor is waiting.
func backendWaitSyscalls(program string) []int {
	if program == "simple-poll" {
		return []int{unix.SYS_PPOLL}
	}
	return []int{unix.SYS_EPOLL_PWAIT2}
}
