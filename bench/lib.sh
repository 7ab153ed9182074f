# bench/lib.sh: what the bench scripts share. Sourced, not run.

# harness_copy SHARED DEST: DEST becomes a copy of the load harness SHARED
# (../shared/bench, read-only), where go can build it. The copy is made
# again whenever a file of SHARED changed (its names, sizes and times are
# fingerprinted into DEST.stamp); builds left in DEST's bin/ survive until
# then. Every bench script uses the same DEST, $GYRE_BENCH_DIR/harness.
harness_copy() {
	local shared=$1 dest=$2 fingerprint
	fingerprint=$(cd "$shared" && find . \( -path ./results -o -path ./bin \) -prune -o -type f -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
	if [[ -f $dest.stamp && $(cat "$dest.stamp") == "$fingerprint" && -f $dest/go.mod ]]; then
		return
	fi
	echo "# copying $shared to $dest"
	rm -rf "$dest"
	mkdir -p "$dest"
	(cd "$shared" && tar --exclude=./results --exclude=./bin -cf - .) | (cd "$dest" && tar -xf -)
	chmod -R u+w "$dest"
	echo "$fingerprint" >"$dest.stamp"
}

# bench_lock SCRATCH NAME: hold SCRATCH's lock until the script exits, or
# exit 1 if another benchmark holds it. Two measurements at once would
# spoil each other's figures (and share the harness copy).
bench_lock() {
	exec 9>"$1/.lock"
	if ! flock -n 9; then
		echo "$2: another benchmark is using $1; wait for it or set GYRE_BENCH_DIR" >&2
		exit 1
	fi
}

# pin_cpus: sets srv_cpu and load_cpu to the commands that pin a server to
# CPU 0 and its load to CPU 1, as the harness pins a single-loop step, so
# that the two never share a core; both stay empty (unpinned) where there
# are fewer than two CPUs or no taskset.
pin_cpus() {
	srv_cpu=() load_cpu=()
	if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
		srv_cpu=(taskset -c 0) load_cpu=(taskset -c 1)
	fi
}
