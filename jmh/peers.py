#!/usr/bin/env python3
"""Dropout throughput of vecdrop's peers on this machine, single thread, for docs/benchmarks.md.

Measures, at the JMH suite's sizes and p = 0.5 (Gelem/s = elements per ns, best of 3 timed runs of >= 0.2 s):
  - numpy, the original formulation:  x *= np.random.binomial(1, keep_prob, size=x.shape) / keep_prob
  - numpy, a careful version:          rng.random(n, dtype=float32, out=r) < q, into reused buffers
  - PyTorch CPU F.dropout forward, and forward + backward
Peers that are not installed are skipped (Debian: apt-get install python3-numpy python3-torch).

Usage: python3 jmh/peers.py [--sizes 1024,16384,...] [--json out.json]
"""
import argparse
import json
import os
import platform
import sys
import time

# One thread everywhere, like the JMH suite; set before numpy/torch load their thread pools.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

P = 0.5
KEEP = 1.0 - P


def best_rate(fn, n, min_seconds=0.2, runs=3):
    """Best elements per nanosecond over `runs` timed runs of at least `min_seconds` each, after a warm-up."""
    fn()
    best = 0.0
    for _ in range(runs):
        calls = 0
        start = time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = max(best, calls * n / (elapsed * 1e9))
    return best


def numpy_peers(np, n):
    x = np.random.default_rng(1).standard_normal(n).astype(np.float32)

    def original():  # the seed code, as written: allocates and multiplies in float64, then casts back
        nonlocal x
        x *= (np.random.binomial(1, KEEP, size=x.shape) / KEEP).astype(np.float32)

    rng = np.random.default_rng(2)
    r = np.empty(n, dtype=np.float32)
    m = np.empty(n, dtype=np.bool_)
    y = np.empty(n, dtype=np.float32)
    scale = np.float32(1.0 / KEEP)

    def careful():
        rng.random(n, dtype=np.float32, out=r)
        np.less(r, KEEP, out=m)
        np.multiply(x, m, out=y)
        np.multiply(y, scale, out=y)

    return {"numpy original formulation": best_rate(original, n), "numpy careful (rng.random < q)": best_rate(careful, n)}


def torch_peers(torch, n):
    torch.set_num_threads(1)
    F = torch.nn.functional
    x = torch.randn(n)
    xg = torch.randn(n, requires_grad=True)
    grad = torch.ones(n)

    def forward():
        F.dropout(x, P, training=True)

    def forward_backward():
        xg.grad = None
        F.dropout(xg, P, training=True).backward(grad)

    return {"PyTorch F.dropout forward": best_rate(forward, n),
            "PyTorch F.dropout forward+backward": best_rate(forward_backward, n)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1024,16384,262144,1048576,16777216")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    results = {}
    versions = {"python": platform.python_version()}
    try:
        import numpy as np
        versions["numpy"] = np.__version__
    except ImportError:
        np = None
        print("numpy not installed: skipped (apt-get install python3-numpy)", file=sys.stderr)
    try:
        import torch
        versions["torch"] = torch.__version__
    except ImportError:
        torch = None
        print("PyTorch not installed: skipped (apt-get install python3-torch)", file=sys.stderr)

    for n in sizes:
        row = {}
        if np is not None:
            row.update(numpy_peers(np, n))
        if torch is not None:
            row.update(torch_peers(torch, n))
        results[n] = row
        print(f"n={n}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()), file=sys.stderr)

    peers = sorted({k for row in results.values() for k in row})
    print("| n | " + " | ".join(peers) + " |")
    print("|---:|" + "---:|" * len(peers))
    for n in sizes:
        print(f"| {n} | " + " | ".join(f"{results[n][k]:.3f}" if k in results[n] else "" for k in peers) + " |")
    print("\nGelem/s, single thread, p = 0.5; " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions, "gelem_per_s": results}, f, indent=2)


if __name__ == "__main__":
    main()
