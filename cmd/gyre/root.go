package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// subcommands builds gyre's commands, in the order of this list. Adding a
// command is one line here plus its own file.
var subcommands = []func() *cobra.Command{
	newSimulateCmd,
	newServeCmd,
	newGetCmd,
	newDemoCmd,
	newEchoCmd,
	newLinesCmd,
}

const rootLong = `gyre is Twisted's asynchronous programming model rebuilt in Go: a
single-threaded reactor loop with its timers, transports, protocols and
factories, Deferreds and Failures, and on top of them the poetry servers
and clients of Dave Peticolas's tutorial "An Introduction to Asynchronous
Programming and Twisted".

The gyre tool runs the project's main jobs from one binary; the tutorial's
own programs live under examples/, one per program of the tutorial.`

const rootExample = `  # Draw how a result travels down a Deferred's callback/errback chain
  gyre simulate

  # The same with the diagrams stacked, reading the pairs from a pipe
  printf 'r good f bad\nf googly p\n\n' | gyre simulate --narrow

  # Set up shell completion for the current bash session
  source <(gyre completion bash)`

// builtinExamples are the Example sections of the commands cobra adds by
// itself (help and completion), by command path.
var builtinExamples = map[string]string{
	"gyre help": `  # Help about a command
  gyre help simulate`,
	"gyre completion": `  # Load completions into the current bash session
  source <(gyre completion bash)

  # Install zsh completions for every new session
  gyre completion zsh > "${fpath[1]}/_gyre"`,
	"gyre completion bash":       `  source <(gyre completion bash)`,
	"gyre completion zsh":        `  gyre completion zsh > "${fpath[1]}/_gyre"`,
	"gyre completion fish":       `  gyre completion fish | source`,
	"gyre completion powershell": `  gyre completion powershell | Out-String | Invoke-Expression`,
}

// newRootCmd builds the whole command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:     "gyre",
		Short:   "Twisted's asynchronous model in Go, with the tutorial's poetry system",
		Long:    rootLong,
		Example: rootExample,
		// Errors are printed once, by report, as one line; usage is
		// shown only when asked for.
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          unknownCommand,
		// Suggest a command within two typos of an unknown one.
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if v, _ := cmd.Flags().GetBool("version"); v {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "gyre version %s\n", version())
				return readerGoneIsNoError(err)
			}
			return cmd.Help()
		},
	}
	// gyre's own --version rather than cobra's (Command.Version): cobra
	// prints the version before it checks the arguments, so
	// "gyre --version nosuch" succeeded; this one is a flag of the root
	// command, whose arguments are checked first.
	root.Flags().BoolP("version", "v", false, "version for gyre")
	for _, newCmd := range subcommands {
		root.AddCommand(newCmd())
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return flagError(err)
	})
	// Create cobra's own commands now rather than when executing, so that
	// they get their examples and usage errors like the others.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	if help, _, err := root.Find([]string{"help"}); err == nil {
		// cobra's help shows the root's help for a topic it does not
		// know, and exits 0: "gyre help nosuch" succeeded.
		help.Args = helpTopic
	}
	forEachCommand(root, func(cmd *cobra.Command) {
		// cobra adds -h/--help to a command only when it executes it,
		// after it has looked for the command: until then "-h" was taken
		// for a flag with a value, the word after it with it, and
		// "gyre -h serve" was the root with the argument -h serve.
		cmd.InitDefaultHelpFlag()
		if ex, ok := builtinExamples[cmd.CommandPath()]; ok && cmd.Example == "" {
			cmd.Example = ex
		}
		if cmd.HasSubCommands() && !cmd.Runnable() {
			// cobra shows the help of such a command (completion) for any
			// argument and exits 0: "gyre completion nosuch" succeeded.
			cmd.Args = unknownCommand
			cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
		if cmd.Parent() != nil && cmd.Parent().Name() == "completion" && cmd.RunE != nil {
			// A script piped into a reader that stops early is no failure,
			// as for the help and --version.
			run := cmd.RunE
			cmd.RunE = func(cmd *cobra.Command, args []string) error {
				return readerGoneIsNoError(run(cmd, args))
			}
		}
		// A wrong argument is a usage error wherever it is checked.
		if check := cmd.Args; check != nil {
			cmd.Args = func(cmd *cobra.Command, args []string) error {
				return asUsageError(check(cmd, args))
			}
		}
	})
	return root
}

// execute runs gyre with the command-line arguments args (without the
// program name) and returns the process's exit status.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// cobra's help cannot fail, so its failures are kept here (helpErr).
	// It answers --help before it checks the arguments, and answers it
	// for a command it does not know with the help of the command above
	// it and status 0: "gyre serv --help" showed gyre's help, and
	// "gyre completion bsh --help" completion's, said nothing of the typo
	// and succeeded. The help of a command with subcommands (the root,
	// completion) now refuses such a word, as "gyre completion bsh" and
	// "gyre help completion bsh" do. And it drops its write errors: help
	// written to a full disk exited 0. (A reader that has gone, as head
	// does once it has its lines, read what it wanted: no error then.)
	var helpErr error
	showHelp := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		if helpErr = unknownSubcommand(root, cmd, args); helpErr != nil {
			return
		}
		out := &firstErrWriter{w: cmd.OutOrStdout()}
		cmd.SetOut(out)
		showHelp(cmd, args)
		if err := readerGoneIsNoError(out.err); err != nil {
			helpErr = &exitError{code: exitFailure, err: fmt.Errorf("cannot write the help to stdout: %s", writeReason(err))}
		}
	})
	err := root.ExecuteContext(ctx)
	if err == nil {
		err = helpErr
	}
	return report(stderr, err)
}

// unknownSubcommand is the usage error of asking for the help of cmd with
// args (the whole command line) that cmd would refuse: for a command with
// subcommands, words after it that name none of them (its flags, only
// -h/--help, take no value: any other word would name a subcommand); for
// any other command, arguments its own check refuses ("gyre echo 9000
// --help", "gyre completion bash extra --help"), as it refuses them
// without --help. A command asked for with no arguments shows its help,
// even one that needs some (gyre get --help). nil when the help of cmd
// was asked for in another way (gyre help), which checks its own words.
func unknownSubcommand(root, cmd *cobra.Command, args []string) error {
	found, rest, err := root.Find(args)
	if err != nil || found != cmd {
		return nil
	}
	if cmd.HasSubCommands() {
		return unknownCommand(cmd, commandWords(rest))
	}
	// cobra has parsed cmd's flags before it answers --help: what is
	// left are the arguments.
	if words := cmd.Flags().Args(); len(words) > 0 && cmd.Args != nil {
		return asUsageError(cmd.Args(cmd, words))
	}
	return nil
}

// commandWords are the arguments that are not flags, up to "--": at the
// root, whose flags take no value, the words that would name a command.
func commandWords(args []string) []string {
	var words []string
	for _, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			words = append(words, a)
		}
	}
	return words
}

// unknownCommand is the root's argument check: any argument that reaches
// the root is a command gyre does not have.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", strings.Join(s, `" or "`))
	}
	return usageErrorf("%s", msg)
}

// noArguments is the argument check of a command that takes none. It
// says so: cobra.NoArgs called the argument an unknown command ("gyre echo
// 9000": unknown command "9000" for "gyre echo").
func noArguments(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.Name(), args[0])
	}
	return nil
}

// helpTopic is the argument check of gyre help: the arguments must name a
// command, as they would on the command line.
func helpTopic(cmd *cobra.Command, args []string) error {
	found, rest, err := cmd.Root().Find(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return unknownCommand(found, rest)
	}
	return nil
}

// forEachCommand calls fn on cmd and every command below it.
func forEachCommand(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, sub := range cmd.Commands() {
		forEachCommand(sub, fn)
	}
}

// version is gyre's version as the Go toolchain stamped it into the binary
// (the module version, or a VCS pseudo-version), or "devel".
func version() string {
	info, ok := debug.ReadBuildInfo()
	return versionFrom(info, ok)
}

func versionFrom(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "devel"
	}
	return info.Main.Version
}

// readerGoneIsNoError drops a write's EPIPE: what gyre prints for a reader
// (help, --version, a completion script) is no longer wanted once the
// reader has gone (head has its lines), and that is no failure. Any other
// write error (a full disk) stays one.
func readerGoneIsNoError(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}
