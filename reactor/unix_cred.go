package reactor

// Credentials identify the process at the other end of a Unix socket
// (Conn.PeerCredentials).
type Credentials struct {
	PID, UID, GID int
}
