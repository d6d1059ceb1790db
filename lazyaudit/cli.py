"""Command-line interface: parse arguments, call the library, print, exit. The only module that does I/O to the user."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from lazyaudit import __version__
from lazyaudit.errors import LazyauditError

FORMATS = ("text", "json", "sarif", "markdown")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _common(p: argparse.ArgumentParser, *, path: bool = True, fmt: Sequence[str] | None = FORMATS) -> None:
    if path:
        p.add_argument("path", nargs="?", default=".", help="project folder (default: .)")
    p.add_argument("--python", metavar="EXE", help="interpreter whose environment is analysed (default: this one)")
    if fmt:
        p.add_argument("--format", choices=fmt, default="text", help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the caches (parse, environment, results)")
    p.add_argument("--debug", action="store_true", help="re-raise internal errors with a traceback")


def _selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--entry", action="append", default=[], metavar="M[:attr]", help="entry point (repeatable)")
    p.add_argument("--select", metavar="CODES", help="only these rule codes or prefixes, e.g. LA1,LA004")
    p.add_argument("--ignore", metavar="CODES", help="skip these rule codes or prefixes")
    p.add_argument("--baseline", metavar="FILE", help="report only findings absent from this earlier JSON or SARIF report")
    p.add_argument("--profile-data", metavar="FILE", help="measured import times saved by `profile --save`")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lazyaudit",
        description="Find out why a Python program starts slowly, and make its imports lazy. "
        "Static: never imports the analysed code (except `profile`).",
    )
    parser.add_argument("--version", action="version", version=f"lazyaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("audit", help="every rule: requirements, cold-start costs, side effects, bundle size")
    _common(p)
    _selection(p)

    p = sub.add_parser("deps", help="requirement rules only (LA001-LA005)")
    _common(p)
    _selection(p)

    p = sub.add_parser("closure", help="modules loaded by `import MODULE`, statically predicted")
    p.add_argument("module", help="dotted module name, first-party or installed (e.g. src.common, boto3)")
    _common(p, fmt=("text", "json"))
    p.add_argument("--entry-root", default="", help="source root the module runs from (a SAM CodeUri)")
    p.add_argument("--no-stdlib", action="store_true", help="leave standard-library modules out")

    p = sub.add_parser("why", help="the import chains from an entry point to MODULE")
    p.add_argument("module", help="dotted module name the entry points may load (e.g. aws_xray_sdk)")
    _common(p, fmt=("text", "json"))
    p.add_argument("--entry", action="append", default=[], metavar="M[:attr]", help="entry point (default: all)")

    p = sub.add_parser("graph", help="draw the import chains (DOT, SVG, PNG)")
    _common(p, fmt=None)
    p.add_argument("--entry", action="append", default=[], metavar="M[:attr]")
    p.add_argument("--focus", metavar="MODULE", help="only chains that reach MODULE")
    p.add_argument("--reverse", action="store_true", help="with --focus: who imports MODULE")
    p.add_argument("--max-depth", type=int, default=0, metavar="N")
    p.add_argument("--all", action="store_true", help="the whole first-party graph")
    p.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")
    p.add_argument("--profile-data", metavar="FILE")

    p = sub.add_parser("profile", help="measure import time with -X importtime (RUNS the module, in a subprocess)")
    p.add_argument("module")
    _common(p, path=False, fmt=("text", "json"))
    p.add_argument("--path", default=".", help="folder to run from (added to sys.path)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--save", metavar="FILE", help="save per-module medians for audit/graph --profile-data")

    p = sub.add_parser("fix", help="rewrite imports to be lazy (default: show a diff)")
    _common(p, fmt=None)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (default)")
    mode.add_argument("--write", action="store_true", help="write the changes (atomically)")
    mode.add_argument("--check", action="store_true", help="exit 1 if anything would change")
    p.add_argument("--select", metavar="CODES", help="which fixes: LA101, LA102, LA104 (default: all)")
    p.add_argument("--target-version", metavar="3.X", help="3.15+ emits PEP 810 `lazy import`")
    p.add_argument("--entry", action="append", default=[], metavar="M[:attr]")
    p.add_argument("--measure", action="store_true",
                   help="with --write: time each entry's import before and after (RUNS the code, in a subprocess)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse gives up on `why MODULE --entry E PATH`: a second positional after an option; take it as PATH
    if len(extra) == 1 and not extra[0].startswith("-") and args.command in ("closure", "why") and args.path == ".":
        args.path, extra = extra[0], []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not args.command:
        parser.print_help()
        return EXIT_ERROR
    from lazyaudit import commands  # the command bodies; keeps `--help` free of analysis imports

    if args.command == "profile":  # the one command that runs user code: say so before it does
        print(f"lazyaudit: profile runs `import {args.module}` in a subprocess ({args.runs} run{'s' * (args.runs != 1)}, "
              f"timeout {args.timeout:g} s each); this executes its code", file=sys.stderr)
    from lazyaudit.progress import progress_for

    args.progress = progress_for(sys.stderr)  # None unless stderr is a terminal
    try:
        text, code = getattr(commands, f"run_{args.command}")(args, _color(args))
    except LazyauditError as exc:
        _end_progress(args)
        print(f"lazyaudit: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        _end_progress(args)
        print("lazyaudit: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # a file the command writes itself: graph -o, profile --save
        if args.debug:
            raise
        _end_progress(args)
        target = {"graph": getattr(args, "output", None), "profile": getattr(args, "save", None)}.get(args.command)
        where = f"cannot write {target}" if target else str(exc.filename or "")
        print(f"lazyaudit: error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug in lazyaudit: one readable line instead of a traceback
        if args.debug:
            raise
        _end_progress(args)
        print(f"lazyaudit: internal error: {type(exc).__name__}: {exc}; rerun with --debug for the traceback "
              "and report it", file=sys.stderr)
        return EXIT_ERROR
    finally:
        _end_progress(args)
    if args.command == "graph":  # it wrote its own file (SVG, PNG...); the text is a one-line status
        print(f"lazyaudit: {text}", file=sys.stderr)
        return code
    side = getattr(args, "stderr_text", None)  # fix --diff: the summary, kept out of the diff
    if side:
        print(side.rstrip("\n"), file=sys.stderr)
    try:
        _emit(text, getattr(args, "output", None))
    except OSError as exc:
        print(f"lazyaudit: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    return code


def _end_progress(args: Any) -> None:
    if args.progress is not None:  # erase the status line before anything else is printed
        args.progress.close()


def _color(args: Any) -> bool:
    if getattr(args, "output", None) or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _emit(text: str, output: str | None) -> None:
    if not text:
        return
    if output:
        from lazyaudit.fileio import write_text_atomic

        write_text_atomic(output, text if text.endswith("\n") else text + "\n")
        print(f"lazyaudit: wrote {output}", file=sys.stderr)
        return
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
