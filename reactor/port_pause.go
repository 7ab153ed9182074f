package reactor

// Pausing a port: the listening socket stays open and keeps its queue,
// but the loop stops accepting from it. StopListening closes the socket,
// and a client that connects then is refused; a paused port's clients
// wait in the listen queue (its backlog), in the kernel, at no cost to
// the process, until the port resumes or the queue is full.

// PauseAccepting stops accepting connections until ResumeAccepting. It
// is for a server at its limit that cannot turn the next connection away
// cleanly: over a Unix stream socket an aborted connection reaches its
// peer as an end of stream, not a reset (see ListenUnix), so a server
// whose close ends its message would rather leave the client waiting in
// the queue than send it an empty one.
//
// It takes effect at once: called from a factory's BuildProtocol, in the
// middle of a batch of accepts, the connections behind the one being
// built stay in the queue. It does nothing on a port that is paused
// already or no longer listening. A port backing off after running out
// of descriptors stays paused once the back-off is over. Call it on the
// loop goroutine.
func (p *Port) PauseAccepting() {
	if p.paused || !p.listening {
		return
	}
	p.paused = true
	if p.retry == nil { // backing off, the port is already watched for nothing
		p.r.RemoveReader(p)
		p.parked(true)
	}
}

// ResumeAccepting accepts again after PauseAccepting: the connections
// that waited in the queue are accepted on the loop's next turn. It does
// nothing on a port that is not paused, and a port that stopped
// listening meanwhile stays closed. A port that was backing off when it
// was paused resumes with its next retry. Call it on the loop goroutine.
func (p *Port) ResumeAccepting() {
	if !p.paused {
		return
	}
	p.paused = false
	if !p.listening || p.retry != nil {
		return
	}
	p.retryAccept() // serves a connection held for a free descriptor first
}

// Paused reports whether the port is paused (PauseAccepting). A port
// that stopped listening is not paused.
func (p *Port) Paused() bool { return p.paused }
