//go:build unix && !linux

package reactor

import "errors"

// PeerCredentials is SO_PEERCRED, which only Linux has among the systems
// gyre builds for: errors.ErrUnsupported here.
func (c *Conn) PeerCredentials() (Credentials, error) {
	return Credentials{}, errors.ErrUnsupported
}
