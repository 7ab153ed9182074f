#!/usr/bin/env python3
"""Regenerates cases.json: what Python's optparse does with a set of
parsers and command lines. optparse_test.go replays every case against the
Go package. Run from this directory: python3 gen_cases.py > cases.json"""

import contextlib
import io
import json
import optparse
import os

SLOW = """usage: %prog [options] poetry-file

This is the Slow Poetry Server, blocking edition.
Run it like this:

  go run . <path-to-poetry-file>
"""

PARSERS = {
    "slow": dict(usage=SLOW, options=[
        dict(names="--port", type="int", default=0,
             help="The port to listen on. Default to a random available port."),
        dict(names="--iface", type="string", default="localhost",
             help="The interface to listen on. Default is localhost."),
        dict(names="--delay", type="float", default=0.1,
             help="The number of seconds between sending bytes."),
        dict(names="--num-bytes", type="int", default=10,
             help="The number of bytes to send at a time."),
    ]),
    "client": dict(usage="%prog [options] [hostname]:port ...\n\nA client.\n", options=[
        dict(names="--print", type="bool", default=False, help="Print the poems."),
    ]),
    "bare": dict(usage=None, options=[]),
    "mixed": dict(usage="%prog [options] FILE", description=(
        "A description long enough to need wrapping, with a well-known "
        "hyphenated-word and an em--dash, some\ttabs, and "
        "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword to break."),
        options=[
            dict(names="-p, --port", type="int", default=8,
                 help="Port (default %default); a help text long enough to be wrapped over more than one line of the help."),
            dict(names="-v, --verbose", type="bool", default=False, help="Say more."),
            dict(names="--print-all", type="bool", default=False, help="Print everything."),
            dict(names="-r, --rate", type="float", default=1.5, help="Rate, default %default."),
            dict(names="--name", type="string", default="x", metavar="WHO", help=""),
            dict(names="--a-really-long-option-name", type="string", default="", help="Long one."),
        ]),
}

CASES = [
    ("slow", 80, []), ("slow", 80, ["--help"]), ("slow", 80, ["-h"]),
    ("slow", 80, ["--port", "10000", "poem.txt", "--num-bytes", "30"]),
    ("slow", 80, ["--port=10000", "poem.txt"]),
    ("slow", 80, ["--port", "abc", "poem.txt"]),
    ("slow", 80, ["--port=", "poem.txt"]),
    ("slow", 80, ["--delay", "abc"]), ("slow", 80, ["--delay", "1e-3"]),
    ("slow", 80, ["--delay", " 2.5 "]), ("slow", 80, ["--delay", "1_0.5"]),
    ("slow", 80, ["--delay", "1__0"]), ("slow", 80, ["--delay", "inf"]),
    ("slow", 80, ["--delay", "-Infinity"]), ("slow", 80, ["--delay", "0x10"]),
    ("slow", 80, ["--delay", ".5"]), ("slow", 80, ["--delay", "5."]),
    ("slow", 80, ["--delay", "."]), ("slow", 80, ["--delay", "1e"]),
    ("slow", 80, ["--delay", "1e999"]), ("slow", 80, ["--delay", "+-1"]),
    ("slow", 80, ["--num-bytes", "abc"]), ("slow", 80, ["--bogus", "poem.txt"]),
    ("slow", 80, ["--bogus=1"]), ("slow", 80, ["-x"]),
    ("slow", 80, ["--port"]), ("slow", 80, ["--po", "7"]), ("slow", 80, ["--num", "7"]),
    ("slow", 80, ["--p=7"]), ("slow", 80, ["--help=yes"]), ("slow", 80, ["--he"]),
    ("slow", 80, ["--port", "--delay", "1"]), ("slow", 80, ["--iface", "--port"]),
    ("slow", 80, ["a", "--", "--port", "1"]), ("slow", 80, ["-", "b"]),
    ("slow", 80, ["--port", "010"]), ("slow", 80, ["--port", "08"]),
    ("slow", 80, ["--port", "0x1F"]), ("slow", 80, ["--port", "0b101"]),
    ("slow", 80, ["--port", "0b"]), ("slow", 80, ["--port", "0o17"]),
    ("slow", 80, ["--port", "1_000"]), ("slow", 80, ["--port", "_1"]),
    ("slow", 80, ["--port", "-5"]), ("slow", 80, ["--port", "+5"]),
    ("slow", 80, ["--port", " 7 "]), ("slow", 80, ["--port", "-0x10"]),
    ("slow", 80, ["--port", "0x_1f"]), ("slow", 80, ["--port", "0b-1"]),
    ("slow", 80, ["--port", "it's"]), ("slow", 80, ["--port", "a\tb\\c"]),
    ("slow", 80, ["--port", "caf\u00e9\u00a0"]), ("slow", 80, ["--port", "x'\""]),
    ("slow", 80, ["--port", "abc", "--bogus"]), ("slow", 80, ["--bogus", "--port", "abc"]),
    ("slow", 80, ["--port", "abc", "--help"]), ("slow", 80, ["--help", "--port", "abc"]),
    ("slow", 80, ["--=x"]), ("slow", 80, ["---x"]),
    ("slow", 40, ["--help"]), ("slow", 30, ["--help"]), ("slow", 132, ["--help"]),
    ("client", 80, ["--help"]), ("client", 80, ["--print", "1", "2"]),
    ("client", 80, ["--print=1"]), ("client", 80, ["--pr"]), ("client", 80, ["--bogus", "1"]),
    ("bare", 80, ["--help"]), ("bare", 80, ["x", "--nope"]),
    ("mixed", 80, ["--help"]), ("mixed", 60, ["--help"]), ("mixed", 200, ["--help"]),
    ("mixed", 80, ["--p", "1"]), ("mixed", 80, ["--print", "1"]),
    ("mixed", 80, ["-vp9", "f"]), ("mixed", 80, ["-vp", "9", "f"]),
    ("mixed", 80, ["-p"]), ("mixed", 80, ["-vx"]), ("mixed", 80, ["-p", "abc"]),
    ("mixed", 80, ["-r", "x"]), ("mixed", 80, ["-r2", "--name=", "--a", "z"]),
    ("mixed", 80, ["-\u00e9"]), ("mixed", 80, ["-p=3"]),
]


def build(spec):
    p = optparse.OptionParser(usage=spec["usage"], description=spec.get("description"), prog="prog")
    for o in spec["options"]:
        names = [n.strip() for n in o["names"].split(",")]
        kw = dict(default=o["default"], help=o["help"])
        if o.get("metavar"):
            kw["metavar"] = o["metavar"]
        if o["type"] == "bool":
            kw["action"] = "store_true"
        else:
            kw["type"] = o["type"]
        p.add_option(*names, **kw)
    return p


def value_str(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def main():
    out = []
    for name, columns, args in CASES:
        os.environ["COLUMNS"] = str(columns)
        parser = build(PARSERS[name])
        stdout, stderr = io.StringIO(), io.StringIO()
        code, values, positional = 0, None, None
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                opts, positional = parser.parse_args(args)
                values = {o.dest: value_str(getattr(opts, o.dest))
                          for o in parser.option_list if o.dest}
            except SystemExit as e:
                code = e.code
        out.append(dict(parser=name, columns=columns, args=args, code=code,
                        stdout=stdout.getvalue(), stderr=stderr.getvalue(),
                        positional=positional, values=values))
    print(json.dumps(dict(parsers=PARSERS, cases=out), indent=1, ensure_ascii=False))


main()
