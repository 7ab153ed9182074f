package reactor

import (
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// ListenUnix makes its socket file under an exclusive lock (flock(2)) on
// the directory that holds it, from the check for a stale file to listen.
// Between bind and listen the new file refuses connections exactly as a
// dead server's does, so without the lock a second server starting at
// that moment takes it for stale, removes it and binds its own: both
// report that they listen, and the first one's socket has no file left
// to reach it by. Two servers finding the same stale file do the same to
// each other. Under the lock a file that refuses connections is one that
// no server taking the lock is making.
//
// The lock is advisory, so it orders gyre's servers (and any program
// that locks the directory the same way), not others. It is held for a
// few system calls; a directory that cannot be opened or locked (no read
// permission, a file system without flock, a lock some other program
// holds for long) is not a reason to refuse to listen, so after
// socketDirLockWait the socket is made without it, as it would be
// without this lock at all.

// socketDirLockWait bounds the wait for the directory's lock: far longer
// than another server holds it, short enough not to stall a start-up
// behind a program that holds it for its own reasons.
const socketDirLockWait = 2 * time.Second

// lockSocketDir locks the directory of path and returns what releases
// the lock (which does nothing if it could not be taken).
func lockSocketDir(path string) (unlock func()) {
	fd, err := unix.Open(filepath.Dir(path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	release := func() {
		unix.Flock(fd, unix.LOCK_UN)
		unix.Close(fd)
	}
	deadline := time.Now().Add(socketDirLockWait)
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 10*time.Millisecond) {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return release
		case err != unix.EWOULDBLOCK && err != unix.EINTR, time.Now().After(deadline):
			unix.Close(fd)
			return func() {}
		}
		time.Sleep(pause)
	}
}
