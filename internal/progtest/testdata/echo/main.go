// Command echo is progtest's own test subject. Each argument is an
// instruction, done in order:
//
//	out:TEXT   print TEXT and a newline on stdout
//	err:TEXT   print TEXT and a newline on stderr
//	stdin      copy stdin to stdout
//	env:NAME   print NAME=value (or NAME unset)
//	pwd        print the working directory
//	wait       block until a signal ends the program
//	exit:N     exit with status N
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	for _, arg := range os.Args[1:] {
		cmd, val, _ := strings.Cut(arg, ":")
		switch cmd {
		case "out":
			fmt.Println(val)
		case "err":
			fmt.Fprintln(os.Stderr, val)
		case "stdin":
			io.Copy(os.Stdout, os.Stdin)
		case "env":
			if v, ok := os.LookupEnv(val); ok {
				fmt.Printf("%s=%s\n", val, v)
			} else {
				fmt.Printf("%s unset\n", val)
			}
		case "pwd":
			wd, _ := os.Getwd()
			fmt.Println(wd)
		case "wait":
			// Sleep, not select{}: with no goroutine left to run, the
			// runtime ends a program blocked in select{} as deadlocked,
			// which raced the test's signal.
			for {
				time.Sleep(time.Hour)
			}
		case "exit":
			n, _ := strconv.Atoi(val)
			os.Exit(n)
		}
	}
}
