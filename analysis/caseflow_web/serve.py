"""`make serve`: the web page on http://127.0.0.1:8765/ (waitress).

Bound to the loopback address unless --host says otherwise: the page runs
programs on this machine for whoever can reach it, so offering it to a
network is a decision to make explicitly (and it then answers to any Host
name, since the network's name for the machine is not known here).
"""
import argparse
import ipaddress
import os
import signal
import sys

from .app import ROOT, create_app
from .schema import SchemaError


def _is_loopback(host):
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_parser():
    p = argparse.ArgumentParser(prog="caseflow-web", description="caseflow's web page for planners")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--results", default=os.path.join(ROOT, "results", "web"),
                   help="the app's results folder: runs, reports, comparisons (default results/web)")
    p.add_argument("--caseflow", default=os.path.join(ROOT, "build", "caseflow"), help="the simulator binary")
    p.add_argument("--max-parallel", type=int, default=None,
                   help="runs at once (default: the number of cores)")
    p.add_argument("--upload-limit-kb", type=int, default=256, help="largest scenario upload (default 256 kB)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if not os.access(args.caseflow, os.X_OK):
        print(f"caseflow-web: the simulator {args.caseflow} is missing: run `make build` first", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print("caseflow-web: --port must be 0 to 65535", file=sys.stderr)
        return 2
    loopback = _is_loopback(args.host)
    try:
        from waitress import create_server
        app = create_app(args.results, args.caseflow, max_parallel=args.max_parallel,
                         upload_limit=args.upload_limit_kb * 1024,
                         allowed_hosts=None if loopback else "*")
    except SchemaError as e:
        print(f"caseflow-web: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"caseflow-web: {args.results}: {e.strerror}", file=sys.stderr)
        return 3
    try:
        server = create_server(app, host=args.host, port=args.port, threads=8, ident="caseflow-web")
    except OSError as e:
        print(f"caseflow-web: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 3
    host = f"[{args.host}]" if ":" in args.host and not args.host.startswith("[") else args.host
    print(f"caseflow web page: http://{host}:{server.effective_port}/   (Ctrl-C stops it)", flush=True)
    if not loopback:
        print(f"caseflow-web: warning: listening on {args.host}, not only this machine: anyone who can reach it "
              "can run the simulator here", file=sys.stderr, flush=True)
    runq = app.extensions["caseflow"]["queue"]

    def on_term(_sig, _frame):     # as Ctrl-C: runs in progress are interrupted, resumable
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # A shell starts background jobs with SIGINT ignored, and an ignored
    # signal stays ignored across exec: the simulators would then not hear
    # Cancel. Handled here, it is back to the default in every child.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        runq.stop()
    return 0
