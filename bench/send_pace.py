"""The selection job on a table at its write limit: SendPace on (as deployed) and off, side by side.

`selection_patience.SendPace` is the job's back-pressure on its task puts (issue 18): a throttled put does not
hold its worker, it goes back to the pool with its backoff, so without a pace a table that keeps throttling
would see the job send as fast as ever. Every refused write is a request the table turns away; the API's
requests (a manager registering a prospect at 02:00, an agent's claim) share the table and its limit, so the
job should not keep it saturated with writes it knows will be refused.

Here the throttles come from load, not chance: the replay's engine (bench/replay_engine.py) accepts
`--write-limit` WCU a virtual second and refuses the writes past it, whoever sends them (the random faults of
bench/replay.py are off). The same seed runs twice through the whole SDK, once as deployed and once with the
pace switched off (`SendPace.wait` a no-op), and prints for each: tasks created, virtual seconds, tasks a
second, write requests sent per task and the share of them refused.

Targets, from SendPace's own rule: with the pace, the share of writes refused at most THROTTLED_SHARE (25%) plus
one window's lag (30%), and below the share without it. Printed, not checked: tasks a second with the pace over
those without: a pause only approximates the table's rate and may leave some seconds under-filled (0.84x to
1.03x in the runs of 2026-12-08; 10k candidates vary more than 20k).
Run: `python -m bench.send_pace [--candidates 20000] [--write-limit 400]` (part of `make bench`).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from bench.replay import HEADER, Faults, Figures, bench_environment, per, replay

MAX_REFUSED_SHARE = 0.30
LIMIT_CODE = "ProvisionedThroughputExceededException"


@contextmanager
def pace_off():
    """The job without its back-pressure: every worker sends as soon as it is free."""
    from chalicelib.domain.selection_patience import SendPace

    saved = SendPace.wait
    SendPace.wait = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        SendPace.wait = saved  # type: ignore[method-assign]


def refused_share(f: Figures) -> float:
    return per(f.refused.get(LIMIT_CODE, 0), f.write_sends)


def main(argv: list[str] | None = None) -> int:
    bench_environment()
    from chalicelib.wiring import install

    install()
    ap = argparse.ArgumentParser(prog="python -m bench.send_pace")
    ap.add_argument("--candidates", type=int, default=20_000)
    ap.add_argument("--write-limit", type=float, default=400.0, help="WCU a second the table accepts")
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args(argv)
    faults = Faults(throttle=0.0, tx_conflict=0.0, load_conflict=0.0, write_limit=args.write_limit)
    print(
        f"send pace: {args.candidates:,} candidates, {args.workers} workers, {faults.latency * 1000:g} ms a request, "
        f"the table accepting {args.write_limit:g} WCU a virtual second (writes past it refused), no random faults",
        flush=True,
    )
    print(HEADER, flush=True)
    on = replay("pace on (as deployed)", args.candidates, faults, workers=args.workers)[0]
    with pace_off():
        off = replay("pace off", args.candidates, faults, workers=args.workers)[0]
    print()
    for f in (on, off):
        print(
            f"  {f.label}: {f.created:,} tasks in {f.seconds:.1f} virtual s ({per(f.created, f.seconds):.0f}/s), "
            f"{f.write_sends:,} write requests sent ({per(f.write_sends, f.created):.2f} a task), "
            f"{f.refused.get(LIMIT_CODE, 0):,} refused at the limit ({refused_share(f):.1%})"
        )
    share_on, share_off = refused_share(on), refused_share(off)
    checks = [
        (f"pace on: share of writes refused <= {MAX_REFUSED_SHARE:.0%}", share_on, share_on <= MAX_REFUSED_SHARE),
        (f"pace on: share refused below pace off's ({share_off:.3f})", share_on, share_on < share_off),
    ]
    failed = False
    for f in (on, off):
        if not f.status.startswith("completed") or f.created != f.candidates:
            failed = True
            print(f"MISS {f.label} ended {f.status} with {f.created:,} of {f.candidates:,} tasks")
    print()
    for name, value, ok in checks:
        failed |= not ok
        print(f"{'ok' if ok else 'MISS':<4} {name}: {value:.3f}")
    speed = per(per(on.created, on.seconds), per(off.created, off.seconds))
    print(f"     reference, not checked: tasks a second, pace on / pace off: {speed:.3f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
