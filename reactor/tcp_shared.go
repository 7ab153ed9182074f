package reactor

// WriteShared is Write for bytes that nobody will change while the
// connection may still be sending them: a poem served to many clients, a
// constant reply. What the socket does not take at once is kept by
// reference instead of being copied, so a reader that never reads costs
// its connection no buffer, however large data is: a thousand stalled
// clients of one 1 MB poem hold one copy of it, not a thousand.
//
// The caller must not modify data until the connection has sent it or
// ended (Buffered reports 0, or ConnectionLost has run). Writes that follow
// while data is still pending are appended to a copy of what remains, as
// with Write; data written during a file transfer is copied too.
func (c *Conn) WriteShared(data []byte) {
	c.r.checkLoop("Conn.WriteShared")
	c.write(data, true)
}

// lend makes data (what the socket refused of a WriteShared, with nothing
// else pending) the write buffer itself. The capacity is cut to the length
// so that nothing can ever be appended into the caller's array.
func (c *Conn) lend(data []byte) {
	x := c.needExtra()
	x.wbuf, x.woff, x.lent = data[:len(data):len(data)], 0, true
	c.buffered()
}
