// Command anchor is the TLS anchor of bench/tls: a poetry server on Go's
// net and crypto/tls with a goroutine per connection, the way a Go
// programmer would write it without gyre. It serves one poem file to
// every client (the whole file, then a close with close_notify), or with
// -idle holds each connection open after the handshake without sending,
// for measuring the memory of idle connections.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	cert := flag.String("cert", "", "certificate chain (PEM)")
	key := flag.String("key", "", "private key (PEM)")
	idle := flag.Bool("idle", false, "after the handshake, send nothing and wait for the client to close")
	flag.Parse()
	if flag.NArg() != 1 || *cert == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "usage: anchor -cert CERT -key KEY [-addr ADDR] [-idle] POEM")
		os.Exit(2)
	}
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := tls.Listen("tcp", *addr, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Serving %s on %s.\n", flag.Arg(0), ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go serve(c.(*tls.Conn), flag.Arg(0), *idle)
	}
}

func serve(c *tls.Conn, poem string, idle bool) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	if idle {
		io.Copy(io.Discard, c)
		return
	}
	f, err := os.Open(poem)
	if err != nil {
		return
	}
	defer f.Close()
	io.Copy(c, f)
}
