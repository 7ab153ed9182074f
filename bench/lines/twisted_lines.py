#!/usr/bin/python3
"""Twisted's LineReceiver on the input of gyre's BenchmarkLineReceiver.

The same 1,000,000 lines of 64 bytes, cut into the same reads (whole reads
of 64 KiB, and random reads of 1 to 4,096 bytes from the same xorshift
generator and seed as protocols/basic/bench_test.go), fed to dataReceived
of a LineReceiver whose lineReceived counts. Prints one line per kind of
read: "twisted <kind> <lines/s> <cpu-ns/line>", best of --runs.
"""
import argparse
import sys
import time

from twisted.protocols.basic import LineReceiver

LINES = 1_000_000
LINE_LEN = 64
MASK = (1 << 64) - 1


def line_stream():
    parts = []
    for i in range(LINES):
        head = b"%d " % i
        tail = bytes(ord("a") + j % 26 for j in range(len(head), LINE_LEN - 2))
        parts.append(head + tail + b"\r\n")
    return b"".join(parts)


def whole_reads(b, size):
    return [b[i:i + size] for i in range(0, len(b), size)]


def random_reads(b):
    x = 0x9E3779B97F4A7C15
    reads, i = [], 0
    while i < len(b):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        n = 1 + x % 4096
        reads.append(b[i:i + n])
        i += n
    return reads


class Counter(LineReceiver):
    MAX_LENGTH = 16384

    def __init__(self):
        self.n = 0
        self.nbytes = 0

    def lineReceived(self, line):
        self.n += 1
        self.nbytes += len(line)


def measure(reads):
    """CPU seconds to deliver every line (CPU, not wall, time: on a shared
    machine wall time counts the neighbours too; the Go side reports the
    same)."""
    p = Counter()
    start = time.process_time()
    for r in reads:
        p.dataReceived(r)
    elapsed = time.process_time() - start
    if p.n != LINES:
        sys.exit("twisted_lines: got %d lines, want %d" % (p.n, LINES))
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    stream = line_stream()
    for kind, reads in (("whole", whole_reads(stream, 64 << 10)), ("random", random_reads(stream))):
        best = min(measure(reads) for _ in range(args.runs))
        print("twisted %s %.0f %.1f" % (kind, LINES / best, best * 1e9 / LINES))


if __name__ == "__main__":
    main()
