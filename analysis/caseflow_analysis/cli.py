"""Command line: report, compare, sweep, plan. See analysis/README.md."""
import argparse
import importlib
import os
import sys
import traceback
from typing import Optional, Sequence

from .errors import EXIT_INTERNAL, EXIT_OK, AnalysisError

PROG = "caseflow_report"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Reports, plots and scenario comparisons from caseflow HDF5 output.",
        epilog="exit codes: 0 ok, 1 internal failure, 2 bad input (missing file, not HDF5, not a caseflow "
               "file, unsupported format_version, data the command needs is absent), 3 output cannot be written")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    r = sub.add_parser("report", help="figures + one self-contained HTML page + summary.json for a run file")
    r.add_argument("file", metavar="FILE", help="caseflow run file (.h5)")
    r.add_argument("-o", "--outdir", metavar="DIR", help="output folder (default: FILE without .h5 + _report)")
    r.add_argument("--scenario", metavar="NAME|INDEX", help="which scenario of a study file (default: 0, the base)")
    r.add_argument("--targets", metavar="JSON", help="targets to evaluate in addition to any /targets in the file")
    r.add_argument("--reference", metavar="NAME|INDEX",
                   help="for a study: the scenario the all-scenarios table compares with (default: the study's "
                        "study.reference, else scenario 0)")
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")

    c = sub.add_parser("compare", help="scenarios side by side, with differences against a base")
    c.add_argument("files", metavar="FILE", nargs="+",
                   help="caseflow run files; every scenario of each (a study file alone is enough)")
    c.add_argument("--base", metavar="NAME", help="base scenario: its name as listed, a file's name (without .h5) "
                                                  "or path (default: the first)")
    c.add_argument("-o", "--outdir", metavar="DIR", help="also write index.html, compare.json and figures here")
    c.add_argument("--all-metrics", action="store_true", help="also list per-destination exit rates and shares")
    c.add_argument("-q", "--quiet", action="store_true", help="do not print the table")

    s = sub.add_parser("sweep", help="metric-vs-parameter curves and heat maps from a study file (/scenarios)")
    s.add_argument("file", metavar="STUDYFILE", help="caseflow study file with a /scenarios group")
    s.add_argument("-o", "--outdir", metavar="DIR", help="output folder (default: STUDYFILE without .h5 + _sweep)")
    s.add_argument("--metric", action="append", metavar="NAME", help="metric(s) to plot (default: the key metrics present)")
    s.add_argument("--x", metavar="PARAM", help="parameter on the x axis (default: the key run at the most values)")
    s.add_argument("--y", metavar="PARAM", help="second parameter: one curve per value, heat-map rows (default: the "
                                                "key with the next most values)")
    s.add_argument("--facet", metavar="PARAM", help="third parameter: one panel per value (default: the key with the "
                                                    "third most values)")
    s.add_argument("--at", action="append", default=[], metavar="KEY=VALUE",
                   help="hold a further varied key at a value that was run (default: its most common value); "
                        "repeatable")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")

    pl = sub.add_parser("plan", help="the plan page from `caseflow plan -o PLAN.h5`: recommendation, runner-up, "
                                     "every evaluated point and the cost-against-probability frontier")
    pl.add_argument("file", metavar="PLAN.h5", help="plan file written by caseflow plan -o")
    pl.add_argument("-o", "--outdir", metavar="DIR", help="output folder (default: PLAN without .h5 + _plan)")
    pl.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    return p


# Debian packages the commands import (python3-<name>); checked up front so a
# Python without them gets one line saying what to install, not a traceback.
DEPENDENCIES = ("numpy", "scipy", "h5py", "matplotlib")


def missing_dependencies() -> list[str]:
    missing = []
    for name in DEPENDENCIES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = missing_dependencies()
    if missing:
        print(f"{PROG}: this Python ({sys.executable}) lacks {', '.join(missing)}: install Debian's "
              + ", ".join(f"python3-{m}" for m in missing) + " (make deps) and run with /usr/bin/python3",
              file=sys.stderr)
        return EXIT_INTERNAL
    if not args.command:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a command is needed: report, compare, sweep or plan", file=sys.stderr)
        return 2
    try:
        if args.command == "report":
            from .report import make_report
            s = make_report(args.file, args.outdir, args.targets, args.scenario, args.reference)
            if not args.quiet:
                print(f"{s['outdir']}/index.html")
                bad = [c["name"] for c in s["checks"] if not c["ok"]]
                if s.get("summary_agrees") is False:
                    print(f"{PROG}: warning: recomputed metrics differ from the file's /summary (see the page)",
                          file=sys.stderr)
                for b in bad:
                    print(f"{PROG}: warning: check failed: {b}", file=sys.stderr)
        elif args.command == "compare":
            from .compare import run_compare
            run_compare(args.files, base=args.base, outdir=args.outdir, all_metrics=args.all_metrics,
                        quiet=args.quiet)
        elif args.command == "sweep":
            from .sweep import run_sweep
            out = run_sweep(args.file, args.outdir, metrics=args.metric, x=args.x, y=args.y, facet=args.facet,
                            at=args.at)
            if not args.quiet:
                print(f"{out}/index.html")
        elif args.command == "plan":
            from .plan_report import run_plan_report
            out = run_plan_report(args.file, args.outdir)
            if not args.quiet:
                print(f"{out}/index.html")
    except AnalysisError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception:  # noqa: BLE001 - a bug: say so, with the traceback
        traceback.print_exc()
        print(f"{PROG}: internal error (a bug in analysis/; the traceback is above)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK
