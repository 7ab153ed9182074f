// Package sock is gyre's socket layer: the system calls on sockets
// (socket, accept, read, write, writev, close, sendfile), the socket
// options, and the conversion between socket addresses and Go's (netip,
// net.TCPAddr, net.UnixAddr), for stream and datagram sockets of any family
// the transports use (IPv4, IPv6, Unix).
//
// The reactor's transports stand on it; the tutorial's programs that make
// their own sockets (the async client and server, Twisted client 1.0)
// convert addresses with it too (Resolve, Sockaddr, TCPAddr), so that they
// connect and listen where the reactor would. It is internal to the module
// because its API is made of golang.org/x/sys/unix types, which no
// exported API of gyre holds.
//
// On Linux the calls made per connection are raw system calls (see
// sys_linux.go); elsewhere they are the portable x/sys ones, with the
// descriptor flags set under syscall.ForkLock.
package sock
