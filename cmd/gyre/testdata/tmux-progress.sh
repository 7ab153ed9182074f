#!/usr/bin/env bash
# tmux-progress.sh: checks gyre's live progress lines in a real terminal.
#
#   cmd/gyre/testdata/tmux-progress.sh [--demo]
#
# The Go tests run gyre with pipes, where it prints plain lines; the live
# board only appears on a terminal. This script builds gyre, starts three
# slow servers (gyre serve --slow), and runs `gyre get` on them inside a
# detached tmux session on a private socket, 100x20. It captures the screen
# (tmux capture-pane) while the poems arrive and once the command is done,
# prints both captures, and checks them: the board's lines with their
# states while running, "done in" and the total at the end, exit status 0.
# With --demo it does the same for `gyre demo`.
#
# It needs tmux (apt-get install -y tmux) and Go. Exit status 0 when every
# check passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="$(mktemp -d)"
sock="$work/tmux.sock"
srv=""
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null || true
	if [[ -n $srv ]]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "tmux-progress: tmux is not installed"; exit 1; }
(cd "$root" && go build -o "$work/gyre" ./cmd/gyre)

failures=0
check() { # check NAME FILE TEXT: FILE contains TEXT
	if grep -qF -- "$3" "$2"; then
		echo "ok    $1"
	else
		echo "FAIL  $1: the screen lacks: $3"
		failures=$((failures + 1))
	fi
}

# wait_screen PATTERN SECONDS: until the screen shows PATTERN.
wait_screen() {
	local deadline=$((SECONDS + $2))
	until tmux -S "$sock" capture-pane -p -t gyre | grep -qE -- "$1"; do
		if ((SECONDS > deadline)); then
			echo "tmux-progress: the screen never showed /$1/ within $2 s:"
			tmux -S "$sock" capture-pane -p -t gyre
			exit 1
		fi
		sleep 0.05
	done
}

capture() { # capture TITLE FILE
	tmux -S "$sock" capture-pane -p -t gyre >"$2"
	echo "----- $1 -----"
	sed -e 's/[[:space:]]*$//' "$2" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	echo "-----"
}

# Three slow servers: the long poem takes about 6 s at 10 bytes every 20 ms.
"$work/gyre" serve --slow --delay 0.02 --quiet >"$work/serve.out" &
srv=$!
for _ in $(seq 100); do
	[[ $(grep -c '^Serving' "$work/serve.out" || true) == 3 ]] && break
	sleep 0.05
done
ports=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/serve.out" | tr '\n' ' ')
[[ -n $ports ]] || { echo "tmux-progress: gyre serve did not start"; exit 1; }

tmux -S "$sock" new-session -d -s gyre -x 100 -y 20 \
	"$work/gyre get $ports; echo \"EXIT=\$?\"; sleep 600"
wait_screen 'receiving' 10
sleep 0.5 # let a few more chunks in
capture "gyre get, while the poems arrive" "$work/during.txt"
check "a line per task while running" "$work/during.txt" "Task 3  127.0.0.1:"
check "state: receiving" "$work/during.txt" "receiving"
check "rate shown" "$work/during.txt" " B/s"
wait_screen '^EXIT=' 30
capture "gyre get, at the end" "$work/end.txt"
check "done in, tutorial format" "$work/end.txt" "done in 0:00:0"
check "the total" "$work/end.txt" "Got 3 poems in"
check "exit status 0" "$work/end.txt" "EXIT=0"
tmux -S "$sock" kill-session -t gyre

if [[ ${1:-} == --demo ]]; then
	tmux -S "$sock" new-session -d -s gyre -x 100 -y 40 \
		"$work/gyre demo; echo \"EXIT=\$?\"; sleep 600"
	wait_screen '^async:' 30
	wait_screen 'receiving' 10
	capture "gyre demo, during the async run" "$work/demo-during.txt"
	check "demo: blocking run finished" "$work/demo-during.txt" "Got 3 poems in"
	wait_screen '^EXIT=' 60
	capture "gyre demo, at the end" "$work/demo-end.txt"
	check "demo: the table" "$work/demo-end.txt" "library  night-bus    orchard      total"
	check "demo: the speed-up" "$work/demo-end.txt" "as fast as blocking"
	check "demo: exit status 0" "$work/demo-end.txt" "EXIT=0"
fi

if ((failures > 0)); then
	echo "tmux-progress: $failures check(s) failed"
	exit 1
fi
echo "tmux-progress: all checks passed"
