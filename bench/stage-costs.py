#!/usr/bin/env python3
"""CPU cost per call by stage, from folded stacks rooted at their process (bench/flamegraph.py --comm-root).

    bench/stage-costs.py --folded folded-all.txt --hz 499 --calls 4200 --title "upload (after)"

Each sample goes to the first stage whose rule matches a frame of its stack (the rules below, in order), so a database
query made by the authentication middleware counts as EF Core/Npgsql, and fsync as fsync wherever it is called from.
CPU per call = samples / hz / calls (perf samples every CPU at hz, so this is CPU time, not wall time). The last column
is what two cores could do if that stage were the only cost: 2 s / (its CPU per call).
"""
import argparse
import re

# (stage, pattern over the whole stack), first match wins.
RULES = [
    ("PostgreSQL (its backend processes)", r"^\[postgres\]"),
    ("fsync (kernel, blob file)", r"fsync|ext4_sync_file|FlushToDisk|FileStream\.Flush"),
    ("runtime: JIT tier-up (its background thread)", r"^\[runtime background: tiered JIT\]"),
    ("runtime: GC (background GC thread)", r"^\[runtime background: GC\]"),
    ("EF Core + Npgsql (query building, commands, socket)", r"Npgsql|Microsoft\.EntityFrameworkCore"),
    ("blob store (temp file, write, SHA-256, link)", r"FileSystemBlobStore|InstrumentedBlobStore|SHA256|System\.IO\.RandomAccess|SafeFileHandle"),
    ("multipart parsing", r"Multipart"),
    ("auth (JWT validation, claims)", r"Authentication|JwtBearer|IdentityModel|ClaimsTransformation|Authorization(?!Behaviour)"),
    ("Mediator, validation, use case", r"Mediator|FluentValidation|Hoomi\.Application"),
    ("response (JSON, body copy)", r"System\.Text\.Json|BlobResponse|HttpResults|WriteAsJson"),
    ("ASP.NET Core pipeline (TestServer hosting, routing, middleware)", r"Microsoft\.AspNetCore|Microsoft\.Extensions"),
    ("client (HttpClient, the benchmark loop)", r"System\.Net\.Http|EndpointBenchmarks|AllocationProfile"),
    ("kernel, other (sockets, scheduling, page faults)", r"entry_SYSCALL|do_syscall|asm_exc_page_fault|asm_sysvec|\bsys_|__x64_sys"),
    ("other (runtime, thread pool, async machinery)", r""),
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folded", required=True)
    p.add_argument("--hz", type=float, default=499)
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--title", default="")
    a = p.parse_args()
    rules = [(name, re.compile(rx)) for name, rx in RULES]
    by_stage = {name: 0 for name, _ in RULES}
    total = 0
    with open(a.folded) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            n = int(n)
            total += n
            for name, rx in rules:
                if rx.search(stack):
                    by_stage[name] += n
                    break
    calls = max(a.calls, 1)
    print(f"### CPU per call by stage: {a.title}")
    print()
    print(f"{a.calls} calls in the window, {total} samples at {a.hz:g} Hz on all CPUs = "
          f"{total / a.hz:.2f} CPU-s, **{total / a.hz / calls * 1e6:.0f} µs of CPU per call** (client, server and PostgreSQL), "
          f"so two cores top out near {2 * calls * a.hz / max(total, 1):.0f} calls/s.")
    print()
    jit = by_stage["runtime: JIT tier-up (its background thread)"]
    steady = total - jit
    print(f"Without the background JIT thread (still tiering up; it stops once the process has warmed, not request work): "
          f"**{steady / a.hz / calls * 1e6:.0f} µs per call**, two cores ≈ {2 * calls * a.hz / max(steady, 1):.0f} calls/s.")
    print()
    print("| stage | share | CPU µs per call | calls/s two cores could do for this stage alone |")
    print("|---|--:|--:|--:|")
    for name, _ in RULES:
        n = by_stage[name]
        if n == 0:
            continue
        us = n / a.hz / calls * 1e6
        print(f"| {name} | {100.0 * n / max(total, 1):.1f} % | {us:.0f} | {2e6 / us:,.0f} |")
    print()


if __name__ == "__main__":
    main()
