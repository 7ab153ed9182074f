// Package deploy holds the tests of deploy/README.md's steps as an
// operator follows them: a server started in a block of commands must
// not hold the shell (the commands after it would never run), and a
// block uses only what the page has built or installed before it; and
// its PromQL is prometheus.yml's, which promtool checks and evaluates,
// with the alerting rules of gyre-alerts.yml, where it is installed.
// (The units have their tests in deploy/systemd, the loopback proof in
// deploy/loopback.)
package deploy
