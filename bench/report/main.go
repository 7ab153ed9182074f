package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
}

// run is the command without its process: arguments in, report out.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the report to this file (default: standard output)")
	subject := fs.String("subject", "gyre", "the server the targets are about (its name in the RUN lines)")
	metaPath := fs.String("meta", "", "meta.txt to use (default: the one in a directory argument)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: report [-o FILE] [-subject NAME] [-meta FILE] LOG|DIR...\n\n")
		fmt.Fprintf(fs.Output(), "Reads benchrun's RUN lines (raw logs from --out, or its standard output; a directory\n")
		fmt.Fprintf(fs.Output(), "means its *.log files and meta.txt) and writes the targets report in Markdown.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no log given")
	}
	rep, err := load(fs.Args(), *metaPath)
	if err != nil {
		return err
	}
	rep.Subject = *subject
	if *out == "" {
		return rep.WriteMarkdown(stdout)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := rep.WriteMarkdown(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// load reads every log (a directory: its *.log files, sorted, and its
// meta.txt) into a report.
func load(paths []string, metaPath string) (*Report, error) {
	rep := &Report{}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		logs, err := filepath.Glob(filepath.Join(p, "*.log"))
		if err != nil {
			return nil, err
		}
		if len(logs) == 0 {
			return nil, fmt.Errorf("%s: no *.log files", p)
		}
		slices.SortFunc(logs, byStepOrder)
		files = append(files, logs...)
		if m := filepath.Join(p, "meta.txt"); metaPath == "" {
			if _, err := os.Stat(m); err == nil {
				metaPath = m
			}
		}
	}
	var sessions []*Session
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		ss, err := ParseLog(f, filepath.Base(path))
		f.Close()
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, ss...)
		rep.Sources = append(rep.Sources, path)
	}
	n := 0
	for _, s := range sessions {
		n += len(s.Runs)
	}
	if n == 0 {
		return nil, fmt.Errorf("no RUN lines in %v", files)
	}
	if metaPath != "" {
		f, err := os.Open(metaPath)
		if err != nil {
			return nil, err
		}
		rep.Meta, err = ParseMeta(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", metaPath, err)
		}
	}
	rep.Steps = BuildSteps(sessions)
	return rep, nil
}

// byStepOrder sorts a run directory's logs as bench/run runs the steps
// (W1 W2 W3 W4 W5 W1-2loops, then the E steps), others after them by name.
func byStepOrder(a, b string) int {
	order := []string{"W1.log", "W2.log", "W3.log", "W4.log", "W5.log", "W1-2loops.log",
		"E1.log", "E2.log", "E3.log", "E1-2loops.log", "E2-2loops.log", "E3-2loops.log"}
	ia, ib := slices.Index(order, filepath.Base(a)), slices.Index(order, filepath.Base(b))
	if ia < 0 {
		ia = len(order)
	}
	if ib < 0 {
		ib = len(order)
	}
	if ia != ib {
		return ia - ib
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
