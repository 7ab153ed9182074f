// Package loopback holds the test that runs deploy/loopback/run scaled
// down: HAProxy in front of three gyre serve instances on this machine's
// loopback, poems through it, a rolling restart under load, and a
// socket-activated restart. The script is the proof; see its header.
package loopback
