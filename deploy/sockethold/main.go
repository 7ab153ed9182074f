// Command sockethold does, on a machine without systemd, the part of a
// systemd socket unit that makes restarts lose nothing: it opens a
// listening TCP socket once, keeps it open, and runs a server command on it
// through socket activation (the socket as descriptor 3, LISTEN_FDS=1,
// LISTEN_PID set to the server's own process id). When the server exits
// it is started again on the same socket; connections that arrive in
// between wait in the socket's listen queue instead of being refused.
//
//	sockethold [-pidfile FILE] ADDR -- COMMAND [ARG...]
//
// The listen queue is as long as the system allows (package net asks for
// net.core.somaxconn), which is what holds connections during a restart.
//
// Restart the server by signalling its pid (written to -pidfile each time
// it starts); stop everything with SIGTERM or SIGINT to sockethold, which
// passes the signal on and exits once the server has. deploy/loopback
// uses it to prove socket activation without systemd; under systemd use
// the units in deploy/systemd instead.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "sockethold: %v\n", err)
		os.Exit(2)
	}
}

func run() error {
	fs := flag.NewFlagSet("sockethold", flag.ContinueOnError)
	pidfile := fs.String("pidfile", "", "write the running server's pid to this file")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	args := fs.Args()
	if len(args) < 3 || args[1] != "--" {
		return errors.New("usage: sockethold [-pidfile FILE] ADDR -- COMMAND [ARG...]")
	}
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		return err
	}
	sock, err := ln.(*net.TCPListener).File() // a blocking duplicate, inherited by each server
	if err != nil {
		return err
	}
	fmt.Printf("Holding %s.\n", ln.Addr())

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	for {
		cmd := serverCommand(args[2:], sock)
		if err := cmd.Start(); err != nil {
			return err
		}
		if *pidfile != "" {
			os.WriteFile(*pidfile+".tmp", []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
			os.Rename(*pidfile+".tmp", *pidfile)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case sig := <-sigs:
			cmd.Process.Signal(sig)
			<-exited
			return nil
		case err := <-exited:
			fmt.Fprintf(os.Stderr, "sockethold: server exited (%v); starting it again on the same socket\n", exitReason(err))
			time.Sleep(50 * time.Millisecond) // a server that dies at once must not spin
		}
	}
}

// serverCommand starts argv with the socket as descriptor 3. LISTEN_PID
// must be the server's own pid, which is known only once it runs: a shell
// sets it to its own pid ($$) and then becomes the server (exec).
func serverCommand(argv []string, sock *os.File) *exec.Cmd {
	script := `LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=gyre exec "$@"`
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh"}, argv...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{sock}
	return cmd
}

func exitReason(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}
