//go:build solaris || illumos

package sock

import "errors"

// SetReusePort: Solaris and illumos have no SO_REUSEPORT.
func SetReusePort(int) error { return errors.ErrUnsupported }
