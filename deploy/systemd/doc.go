// Package systemd holds the tests of the unit files beside it
// (gyre@.socket, gyre@.service): the settings that must agree with what
// gyre serve does (its log, its stop), and systemd-analyze verify of
// instantiated copies, as deploy/README.md tells an operator to install
// them, where systemd-analyze is installed.
package systemd
