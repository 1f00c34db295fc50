#!/usr/bin/env python3
"""Bank-scale benchmarks of drreport, with their baselines, written to BENCHMARKS.md.

    python3 scripts/benchmark.py                              # scales 0.125, 1, 2; 5 runs each
    python3 scripts/benchmark.py --scales 0.05 --runs 1       # a quick check of the script itself

Builds drreport and drreport-bench in release mode, generates one synthetic quarter per scale with
`drreport-bench generate` (cached under --work, keyed by seed, scale and the generator's format), then
for each scale runs every step --runs times, each drreport command on a fresh store:

  sha256sum over the evidence   the floor for ingest (every byte read and hashed once)
  parity_baseline.py            the plain-script baseline: Python + stdlib json, only the parity comparison
  ingest                        the whole quarter into a fresh SQLite store
  ingest states                 only the run folders that carry a state.json, into another fresh store
  check parity                  `check --rule parity` on that store (ingest states + this vs the baseline)
  check                         every rule, on the whole quarter, findings as JSON (~100 MB at scale 1)
  check text                    every rule, findings as text for people (the rules' time: the check
                                target and the verify floor use it)
  report                        report.html, report.xml, oscal-ar.xml
  bundle                        the signed evidence bundle
  verify                        `verify BUNDLE --key PUB`
  sha256sum over the bundle     the floor for verify: the .zip file, and its members unpacked

Each step is a child process: wall time from spawn to exit, peak resident memory and CPU time from
os.wait4's rusage. Medians over the runs; throughput in MB/s (10^6 bytes) and records/s; ratios to the
baselines; growth per unit of scale; pass or miss per target of the issue. The first run of every scale
also checks that drreport's findings are exactly the violations the generator planted and that the
Python baseline finds the same parity differences as drreport.

Standard library only; needs swift, sha256sum and python3 on PATH.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED_AT = "2026-10-01T09:00:00Z"
PERIOD = "2026-Q3"
MIB = 1024 * 1024

# Targets of the issue.
PARITY_SHARE = 1 / 3  # ingest states + parity check ≤ 1/3 of the Python baseline's time
VERIFY_FACTOR = 1.5  # verify ≤ 1.5 × (sha256sum over the bundle + check of all rules)
CHECK_SECONDS = 5.0  # check of all rules < 5 s
MEMORY_BYTES = 512 * MIB  # peak RSS per drreport command
LINEAR_TOLERANCE = 1.25  # time per unit of scale at the largest scale ≤ 1.25 × that at the next one

DRREPORT_STEPS = ["ingest", "ingest states", "check parity", "check", "check text", "report", "bundle", "verify"]


class BenchmarkError(Exception):
    pass


def log(message):
    print(message, file=sys.stderr, flush=True)


# MARK: - Running children


def _spawn(argv, stdout=None, stdin=None, cwd=None):
    """Runs argv to completion: {status, wall, cpu, rss, stderr}. stdin from a file or empty; stdout to
    a file or discarded. The rusage of a child includes its own reaped children (xargs)."""
    with tempfile.TemporaryFile() as errors:
        out = open(stdout, "wb") if stdout else subprocess.DEVNULL
        source = open(stdin, "rb") if stdin else subprocess.DEVNULL
        try:
            started = time.perf_counter()
            child = subprocess.Popen(argv, stdin=source, stdout=out, stderr=errors, cwd=cwd)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
        except OSError as error:
            return {"status": None, "stderr": str(error)}
        finally:
            if stdout:
                out.close()
            if stdin:
                source.close()
        errors.seek(0)
        tail = errors.read()[-2000:].decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return {"status": child.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss, "stderr": tail}


class Spawner:
    """Starts the measured children from a small helper process forked before this script reads any
    quarter. Linux counts the resident memory of the process that spawns a child in the child's
    ru_maxrss (exec records the old address space's high-water mark), so children spawned from this
    script, which grows as it reads file lists and bundles, would report its memory as theirs. The
    helper stays at the size of a bare interpreter: that floor is measured (a child running `true`)
    and reported."""

    def __init__(self):
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(requests_write)
            os.close(replies_read)
            with os.fdopen(requests_read, "r") as requests, os.fdopen(replies_write, "w") as replies:
                for line in requests:
                    replies.write(json.dumps(_spawn(**json.loads(line))) + "\n")
                    replies.flush()
            os._exit(0)
        os.close(requests_read)
        os.close(replies_write)
        self.requests = os.fdopen(requests_write, "w")
        self.replies = os.fdopen(replies_read, "r")

    def run(self, argv, stdout=None, stdin=None, cwd=None):
        self.requests.write(json.dumps({"argv": argv, "stdout": stdout, "stdin": stdin, "cwd": cwd}) + "\n")
        self.requests.flush()
        line = self.replies.readline()
        if not line:
            raise BenchmarkError("the process spawner died")
        return json.loads(line)

    def close(self):
        self.requests.close()
        self.replies.close()
        os.waitpid(self.pid, 0)


SPAWNER = None


def measure(argv, expect=(0,), stdout=None, stdin=None, cwd=None):
    """Runs argv to completion through the spawner: {wall, cpu, rss} (seconds, seconds, bytes)."""
    result = SPAWNER.run(argv, stdout=stdout, stdin=stdin, cwd=cwd) if SPAWNER else _spawn(argv, stdout, stdin, cwd)
    if result["status"] not in expect:
        raise BenchmarkError(f"{' '.join(argv)}: exit {result['status']}, expected {expect}\n{result['stderr']}")
    return {"wall": result["wall"], "cpu": result["cpu"], "rss": result["rss"]}


def output_of(argv, cwd=ROOT):
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# MARK: - Data


def build(skip):
    if not skip:
        for product in ("drreport", "drreport-bench"):
            log(f"building {product} (release)…")
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    folder = output_of(["swift", "build", "-c", "release", "--show-bin-path"])
    binaries = {name: os.path.join(folder, name) for name in ("drreport", "drreport-bench")}
    for name, path in binaries.items():
        if not os.access(path, os.X_OK):
            raise BenchmarkError(f"{path} is missing; run without --skip-build")
    return binaries


def quarter(binaries, work, scale, seed):
    """The generated quarter of a scale (generated once and cached): its folder and the generation time."""
    format_version = output_of([binaries["drreport-bench"], "--version"]).replace("format ", "")
    folder = os.path.join(work, f"quarter-seed{seed}-scale{scale:g}-format{format_version}")
    if os.path.exists(os.path.join(folder, "manifest.json")):
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    log(f"generating the quarter at scale {scale:g}…")
    figures = measure([binaries["drreport-bench"], "generate", "--output", folder, "--scale", str(scale), "--seed", str(seed)])
    return folder, figures


def files_under(folder):
    found = []
    for base, _, names in os.walk(folder):
        found += [os.path.join(base, name) for name in names]
    return sorted(found)


def describe(folder):
    """Sizes and counts of a quarter: what throughput is computed over."""
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    evidence = files_under(os.path.join(folder, "evidence"))
    runs = os.path.join(folder, "evidence", "runs")
    state_folders = sorted(
        os.path.join(runs, name) for name in os.listdir(runs) if os.path.exists(os.path.join(runs, name, "state.json")))
    state_bytes = sum(os.path.getsize(os.path.join(path, "state.json")) for path in state_folders)
    state_folder_bytes = sum(os.path.getsize(path) for state in state_folders for path in files_under(state))
    return {
        "manifest": manifest,
        "evidence_files": evidence,
        "evidence_bytes": sum(os.path.getsize(path) for path in evidence),
        "records": manifest["records"],
        "state_folders": state_folders,
        "state_bytes": state_bytes,
        "state_folder_bytes": state_folder_bytes,
        "resources": manifest["by_kind"]["state"]["records"],
    }


# MARK: - One run


def run_once(binaries, folder, data, scratch, key, first):
    """Every step once; {step: figures}. On the first run, also the correctness checks."""
    drreport = binaries["drreport"]
    config = os.path.join(folder, "drreport.yaml")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    evidence_list = os.path.join(scratch, "evidence.files0")
    with open(evidence_list, "wb") as handle:
        handle.write(b"".join(path.encode() + b"\0" for path in data["evidence_files"]))
    store = os.path.join(scratch, "quarter.db")
    states_store = os.path.join(scratch, "states.db")
    bundle = os.path.join(scratch, "bundle.zip")
    figures = {}
    figures["sha256sum evidence"] = measure(["xargs", "-0", "sha256sum"], stdin=evidence_list)
    baseline_output = os.path.join(scratch, "parity_baseline.json")
    figures["parity_baseline.py"] = measure(
        [sys.executable, os.path.join(ROOT, "scripts", "parity_baseline.py"), folder, "--json", "--details"],
        stdout=baseline_output)
    figures["ingest"] = measure([drreport, "ingest", "--store", store, os.path.join(folder, "evidence")])
    figures["ingest states"] = measure([drreport, "ingest", "--store", states_store] + data["state_folders"])
    parity_output = os.path.join(scratch, "check-parity.json")
    figures["check parity"] = measure(
        [drreport, "check", "--store", states_store, "--config", config, "--period", PERIOD, "--rule", "parity", "--format", "json"],
        expect=(0, 1), stdout=parity_output)
    check_output = os.path.join(scratch, "check.json")
    figures["check"] = measure(
        [drreport, "check", "--store", store, "--config", config, "--period", PERIOD, "--format", "json"],
        expect=(0, 1), stdout=check_output)
    figures["check text"] = measure(
        [drreport, "check", "--store", store, "--config", config, "--period", PERIOD, "--format", "text"], expect=(0, 1))
    figures["report"] = measure(
        [drreport, "report", "--store", store, "--config", config, "--period", PERIOD, "--output",
         os.path.join(scratch, "report"), "--generated-at", GENERATED_AT])
    figures["bundle"] = measure(
        [drreport, "bundle", "--store", store, "--config", config, "--period", PERIOD, "--key", key + ".key", "--output", bundle,
         "--generated-at", GENERATED_AT])
    figures["verify"] = measure([drreport, "verify", bundle, "--key", key + ".pub"])
    figures["sha256sum bundle"] = measure(["sha256sum", bundle])
    members = os.path.join(scratch, "members")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(members)
    member_files = files_under(members)
    member_list = os.path.join(scratch, "members.files0")
    with open(member_list, "wb") as handle:
        handle.write(b"".join(path.encode() + b"\0" for path in member_files))
    figures["sha256sum bundle members"] = measure(["xargs", "-0", "sha256sum"], stdin=member_list)
    sizes = {
        "bundle_bytes": os.path.getsize(bundle),
        "bundle_member_bytes": sum(os.path.getsize(path) for path in member_files),
        "store_bytes": os.path.getsize(store),
    }
    checks = correctness(folder, check_output, parity_output, baseline_output) if first else None
    return figures, sizes, checks


def correctness(folder, check_output, parity_output, baseline_output):
    """drreport's findings against expected.json; the baseline's parity differences against drreport's."""
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as handle:
        expected = json.load(handle)
    with open(check_output, encoding="utf-8") as handle:
        check = json.load(handle)
    with open(parity_output, encoding="utf-8") as handle:
        parity = json.load(handle)
    with open(baseline_output, encoding="utf-8") as handle:
        baseline = json.load(handle)
    reported = {(f["rule"], f["subject"], f["status"]) for f in check["findings"] if f["status"] != "pass"}
    planted = {(f["rule"], f["subject"], f["status"]) for f in expected["findings"]}
    drreport_differences = {}
    for finding in parity["findings"]:
        details = (finding.get("details") or {}).get("parity") or {}
        if not (details.get("primary") and details.get("secondary")):
            drreport_differences[finding["subject"]] = None
            continue
        listed = []
        for difference in details.get("differences", []):
            if difference["kind"] == "missing-in-secondary":
                listed.append(f"{difference['address']}: missing in secondary")
            elif difference["kind"] == "missing-in-primary":
                listed.append(f"{difference['address']}: missing in primary")
            else:
                listed.append(f"{difference['address']} {difference['path']}")
        drreport_differences[finding["subject"]] = sorted(listed)
    mismatches = []
    for workspace in sorted(set(drreport_differences) | set(baseline["differences"])):
        ours = drreport_differences.get(workspace)
        theirs = baseline.get("details", {}).get(workspace)
        theirs = sorted(theirs) if theirs is not None else None
        if ours != theirs:
            mismatches.append({"workspace": workspace, "drreport": ours, "parity_baseline.py": theirs})
    return {
        "findings": len(check["findings"]),
        "summary": check["summary"],
        "unexpected": sorted(" ".join(item) for item in reported - planted),
        "missing": sorted(" ".join(item) for item in planted - reported),
        "planted": len(planted),
        "parity_workspaces": len(drreport_differences),
        "parity_differences": sum(len(items) for items in drreport_differences.values() if items),
        "parity_mismatches": mismatches,
    }


# MARK: - Figures


def median(values):
    return statistics.median(values) if values else float("nan")


def summarise(runs):
    """{step: {wall, wall_min, wall_max, cpu, rss, rss_max}} over the runs, plus the targets' sums per run."""
    steps = runs[0].keys()
    summary = {}
    for step in steps:
        walls = [run[step]["wall"] for run in runs]
        summary[step] = {
            "wall": median(walls), "wall_min": min(walls), "wall_max": max(walls),
            "cpu": median([run[step]["cpu"] for run in runs]),
            "rss": median([run[step]["rss"] for run in runs]), "rss_max": max(run[step]["rss"] for run in runs),
        }
    summary["ingest states + check parity"] = {
        "wall": median([run["ingest states"]["wall"] + run["check parity"]["wall"] for run in runs]),
        "rss_max": max(max(run["ingest states"]["rss"], run["check parity"]["rss"]) for run in runs),
    }
    summary["sha256sum bundle + check"] = {
        "wall": median([run["sha256sum bundle"]["wall"] + run["check text"]["wall"] for run in runs]),
    }
    return summary


def workloads(data, sizes):
    """The bytes and records each step works through (for MB/s and records/s)."""
    evidence = (data["evidence_bytes"], data["records"])
    states = (data["state_bytes"], data["resources"])
    return {
        "sha256sum evidence": evidence,
        "parity_baseline.py": states,
        "ingest": evidence,
        "ingest states": (data["state_folder_bytes"], data["resources"]),
        "check parity": states,
        "check": evidence,
        "check text": evidence,
        "report": evidence,
        "bundle": evidence,
        "verify": (sizes["bundle_member_bytes"], data["records"]),
        "sha256sum bundle": (sizes["bundle_bytes"], None),
        "sha256sum bundle members": (sizes["bundle_member_bytes"], None),
    }


def targets(scale, summary):
    """[(target, measured, limit, passed)] at one scale."""
    rows = []
    parity = summary["ingest states + check parity"]["wall"]
    python = summary["parity_baseline.py"]["wall"]
    rows.append(("ingest states + parity check ≤ 1/3 × parity_baseline.py", f"{parity:.2f} s ({parity / python:.2f}×)",
                 f"{python * PARITY_SHARE:.2f} s", parity <= python * PARITY_SHARE))
    verify = summary["verify"]["wall"]
    floor = summary["sha256sum bundle + check"]["wall"]
    rows.append(("verify ≤ 1.5 × (sha256sum bundle + check text)", f"{verify:.2f} s ({verify / floor:.2f}×)",
                 f"{floor * VERIFY_FACTOR:.2f} s", verify <= floor * VERIFY_FACTOR))
    check = summary["check text"]["wall"]
    rows.append(("check of all rules < 5 s (text)", f"{check:.2f} s", f"{CHECK_SECONDS:.0f} s", check < CHECK_SECONDS))
    check = summary["check"]["wall"]
    rows.append(("check of all rules < 5 s (JSON findings)", f"{check:.2f} s", f"{CHECK_SECONDS:.0f} s", check < CHECK_SECONDS))
    heaviest = max(DRREPORT_STEPS, key=lambda step: summary[step]["rss_max"])
    memory = summary[heaviest]["rss_max"]
    rows.append(("peak memory < 512 MiB per command", f"{memory / MIB:.0f} MiB ({heaviest})", "512 MiB", memory < MEMORY_BYTES))
    return rows


def growth(results):
    """[(step, [seconds per unit of scale], ratio, [peak MiB], linear)] over the scales in order."""
    scales = sorted(results)
    rows = []
    for step in DRREPORT_STEPS + ["parity_baseline.py", "sha256sum evidence"]:
        per_unit = [results[scale]["summary"][step]["wall"] / scale for scale in scales]
        memory = [results[scale]["summary"][step]["rss_max"] / MIB for scale in scales]
        ratio = per_unit[-1] / per_unit[-2] if len(scales) > 1 else None
        rows.append((step, per_unit, ratio, memory, ratio is not None and ratio <= LINEAR_TOLERANCE))
    return scales, rows


# MARK: - BENCHMARKS.md


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
            memory = f"{kib / MIB:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    swift = output_of(["swift", "--version"]).splitlines()
    return {
        "cpu": cpu or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory": memory or "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "swift": swift[0] if swift else "unknown",
        "python": platform.python_version(),
        "sha256sum": output_of(["sha256sum", "--version"]).splitlines()[0] if output_of(["sha256sum", "--version"]) else "unknown",
    }


def fmt_rate(amount, seconds, unit):
    if amount is None or not seconds:
        return "–"
    rate = amount / seconds
    if unit == "MB":
        return f"{rate / 1e6:,.1f}"
    return f"{rate:,.0f}"


def render(arguments, results, host, commit, command, floor):
    standard = arguments.runs >= 5 and {0.125, 1.0, 2.0} <= set(results)
    lines = [
        "# Benchmarks",
        "",
        "Bank-scale performance of the release build of `drreport` (DESIGN.md §9), against two baselines measured",
        "in the same run on the same data: `sha256sum` over the same bytes (the floor for reading and hashing), and",
        "`scripts/parity_baseline.py`, a plain Python script (standard library `json`) doing only the dual-region",
        "parity comparison of the states. The quarters are synthetic, from `drreport-bench generate` (a separate",
        "executable, not part of the user CLI): scale 1 is the bank of DESIGN.md §9, with a known set of planted",
        "violations listed in the quarter's `expected.json`.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "python3 scripts/benchmark.py",
        "```",
        "",
        "The script (standard library only) builds `drreport` and `drreport-bench` in release mode, generates (and caches",
        f"under `{os.path.relpath(arguments.work, ROOT) if arguments.work.startswith(ROOT) else arguments.work}`) one quarter per scale, runs every step `--runs` times as a child process",
        "and rewrites this file. Defaults: `--scales 0.125,1,2 --runs 5 --seed 42`. Benchmarks are not part of",
        "`.ci/run`; the correctness of the planted violations is asserted at small scale by `Tests/BenchTests`.",
        "",
    ]
    if not standard:
        lines += [
            f"> **Not the reference figures.** This file was written by `{command}`, a check of the",
            "> script itself; the targets are judged on the default run (scales 1/8, 1 and 2, medians of 5 runs):",
            "> run the command above for them.",
            "",
        ]
    lines += [
        "## This run",
        "",
        f"- command: `{command}`",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; commit `{commit}`",
        f"- machine: {host['cpu']}, {host['cores']} cores, {host['memory']}; {host['os']}",
        f"- tools: {host['swift']}; Python {host['python']}; {host['sha256sum']}",
        f"- scales {', '.join(f'{s:g}' for s in sorted(results))}; {arguments.runs} run(s) per scale; seed {arguments.seed};"
        " figures are medians (min–max of wall time shown); page cache warm (the quarter was just generated or read)",
        "- MB = 10⁶ bytes; MiB = 2²⁰ bytes. Peak memory is the child's maximum resident set (`ru_maxrss`), the",
        f"  maximum over the runs; it has a floor of {floor / MIB:.0f} MiB (what a child running `true` reports: see Method).",
        "",
        "## Targets",
        "",
        "| scale | target | measured (median) | limit | |",
        "|---:|---|---:|---:|---|",
    ]
    for scale in sorted(results):
        for name, measured, limit, passed in targets(scale, results[scale]["summary"]):
            lines.append(f"| {scale:g} | {name} | {measured} | {limit} | {'pass' if passed else '**miss**'} |")
    scales, rows = growth(results)
    if len(scales) > 1:
        linear = all(row[4] for row in rows if row[0] in DRREPORT_STEPS)
        lines.append(f"| {scales[-2]:g}→{scales[-1]:g} | linear growth (time per unit of scale within ×{LINEAR_TOLERANCE}) | "
                     f"see growth | ×{LINEAR_TOLERANCE} | {'pass' if linear else '**miss**'} |")
    lines.append("")

    for scale in sorted(results):
        result = results[scale]
        data, sizes, summary, checks = result["data"], result["sizes"], result["summary"], result["checks"]
        manifest = data["manifest"]
        lines += [
            f"## Scale {scale:g}",
            "",
            f"Quarter: {len(data['evidence_files']):,} evidence files, {data['evidence_bytes'] / MIB:,.1f} MiB, "
            f"{data['records']:,} records: {manifest['workspaces']} workspaces × 2 regions, {manifest['resources_per_state']:,} "
            f"resources per state ({data['resources']:,} in {manifest['states']} states, {data['state_bytes'] / MIB:,.1f} MiB), "
            f"{manifest['runs']:,} pipeline runs, {manifest['change_requests']:,} change requests, {manifest['drills']} drills, "
            f"{manifest['tables']:,} tables × {manifest['drills']} consistency runs. Store {sizes['store_bytes'] / MIB:,.1f} MiB; "
            f"bundle {sizes['bundle_bytes'] / MIB:,.1f} MiB ({sizes['bundle_member_bytes'] / MIB:,.1f} MiB unpacked).",
            "",
        ]
        if result["generation"]:
            generation = result["generation"]
            lines += [f"Generated in {generation['wall']:.1f} s (peak {generation['rss'] / MIB:.0f} MiB).", ""]
        lines += [
            "| step | wall s (median) | min–max | MB/s | records/s | peak MiB | CPU s |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        loads = workloads(data, sizes)
        for step in ["sha256sum evidence", "parity_baseline.py"] + DRREPORT_STEPS + ["sha256sum bundle", "sha256sum bundle members"]:
            figures = summary[step]
            amount, records = loads[step]
            lines.append(
                f"| {step} | {figures['wall']:.3f} | {figures['wall_min']:.3f}–{figures['wall_max']:.3f} | "
                f"{fmt_rate(amount, figures['wall'], 'MB')} | {fmt_rate(records, figures['wall'], 'records')} | "
                f"{figures['rss_max'] / MIB:,.0f} | {figures['cpu']:.2f} |")
        parity = summary["ingest states + check parity"]["wall"]
        lines += [
            "",
            "Ratios to the baselines (medians; per-run sums where two steps make one task):",
            "",
            "| task | drreport s | baseline s | ratio |",
            "|---|---:|---:|---:|",
            f"| ingest states + check parity / parity_baseline.py | {parity:.3f} | {summary['parity_baseline.py']['wall']:.3f} | "
            f"{parity / summary['parity_baseline.py']['wall']:.2f} |",
            f"| ingest / sha256sum evidence | {summary['ingest']['wall']:.3f} | {summary['sha256sum evidence']['wall']:.3f} | "
            f"{summary['ingest']['wall'] / summary['sha256sum evidence']['wall']:.1f} |",
            f"| verify / (sha256sum bundle + check text) | {summary['verify']['wall']:.3f} | {summary['sha256sum bundle + check']['wall']:.3f} | "
            f"{summary['verify']['wall'] / summary['sha256sum bundle + check']['wall']:.2f} |",
            f"| verify / sha256sum bundle members | {summary['verify']['wall']:.3f} | {summary['sha256sum bundle members']['wall']:.3f} | "
            f"{summary['verify']['wall'] / summary['sha256sum bundle members']['wall']:.1f} |",
            "",
        ]
        if checks:
            verdict = "exactly the planted violations" if not checks["unexpected"] and not checks["missing"] else "**not** the planted violations"
            lines += [
                f"Correctness (first run): `check` gave {checks['findings']:,} findings ({checks['summary']['pass']:,} pass, "
                f"{checks['summary']['fail']} fail, {checks['summary']['indeterminate']} indeterminate, {checks['summary']['waived']} waived), "
                f"{verdict} of expected.json ({checks['planted']})."
                + (f" Unexpected: {', '.join(checks['unexpected'])}." if checks["unexpected"] else "")
                + (f" Missing: {', '.join(checks['missing'])}." if checks["missing"] else ""),
                f"parity_baseline.py and `check --rule parity` list "
                + ("the same " if not checks["parity_mismatches"] else "**different** ")
                + f"differences over {checks['parity_workspaces']} workspaces ({checks['parity_differences']} in all)"
                + (": " + "; ".join(f"{m['workspace']}: drreport {m['drreport']}, baseline {m['parity_baseline.py']}"
                                   for m in checks["parity_mismatches"]) if checks["parity_mismatches"] else "") + ".",
                "",
            ]

    if len(scales) > 1:
        header = " | ".join(f"s/unit at {s:g}" for s in scales)
        memory = " | ".join(f"MiB at {s:g}" for s in scales)
        lines += [
            "## Growth",
            "",
            f"Median wall time divided by the scale (seconds per unit of scale: constant means linear), the ratio between the",
            f"two largest scales ({scales[-2]:g}→{scales[-1]:g}; ≤ {LINEAR_TOLERANCE} counts as linear; the smallest scale carries the fixed",
            "start-up costs), and peak memory.",
            "",
            f"| step | {header} | ratio | {memory} | |",
            "|---|" + "---:|" * len(scales) + "---:|" + "---:|" * len(scales) + "---|",
        ]
        for step, per_unit, ratio, mib, linear in rows:
            lines.append(
                f"| {step} | " + " | ".join(f"{value:.3f}" for value in per_unit) + f" | {ratio:.2f} | "
                + " | ".join(f"{value:,.0f}" for value in mib) + f" | {'linear' if linear else '**super-linear**'} |")
        lines.append("")
    lines += [
        "## Method",
        "",
        "- Every step is one child process; wall time is from spawn to exit (`time.perf_counter`), peak memory and CPU",
        "  time come from `os.wait4`'s rusage. Each run starts from an empty scratch folder: fresh stores, fresh bundle.",
        "- Children are started by a helper process forked when the script starts: Linux counts the spawning process's",
        "  resident memory in a child's `ru_maxrss`, so the helper is kept at the size of a bare Python interpreter;",
        f"  that floor ({floor / MIB:.0f} MiB here) is in every peak figure, and is all the `sha256sum` rows show.",
        "- `ingest states` stores only the run folders that carry a `state.json` (run.json, apply.jsonl and state.json,",
        "  as a pipeline publishes them); with `check --rule parity` on that store it does the work of",
        "  `parity_baseline.py`, which reads the same run folders and compares the latest states of every workspace.",
        "- `sha256sum` hashes the same files, named through `xargs -0` (a few processes, for the argument-length",
        "  limit); `sha256sum bundle` hashes the .zip file, `sha256sum bundle members` the members unpacked (the",
        "  bytes `verify` hashes after inflating them).",
        "- `verify` checks the signature, every member's hash, the ledger chain, and re-runs every rule to reproduce",
        "  report.xml, hence its floor: hashing the bundle plus `check` of all rules (as text: the rules' time, not the JSON output's).",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="0.125,1,2", help="comma-separated scale factors (default: 0.125,1,2)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scale; figures are medians (default: 5)")
    parser.add_argument("--seed", type=int, default=42, help="the generator's seed (default: 42)")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "benchmarks"),
                        help="where quarters are cached and runs scratch (default: .build/benchmarks)")
    parser.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"), help="the report to write (default: BENCHMARKS.md)")
    parser.add_argument("--skip-build", action="store_true", help="use the release binaries already built")
    arguments = parser.parse_args()
    try:
        scales = sorted({float(text) for text in arguments.scales.split(",") if text.strip()})
    except ValueError:
        parser.error(f"--scales {arguments.scales!r}: expected numbers separated by commas")
    if not scales or any(scale <= 0 or scale > 16 for scale in scales):
        parser.error("--scales: each scale must be in (0, 16]")
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    for tool in ("swift", "sha256sum", "xargs"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not on PATH")
    arguments.work = os.path.abspath(arguments.work)
    os.makedirs(arguments.work, exist_ok=True)
    global SPAWNER
    SPAWNER = Spawner()
    try:
        return benchmark(arguments, scales)
    finally:
        SPAWNER.close()


def benchmark(arguments, scales):

    try:
        floor = measure(["true"])["rss"]
        binaries = build(arguments.skip_build)
        key = os.path.join(arguments.work, "bench-signing")
        if not os.path.exists(key + ".key"):
            measure([binaries["drreport"], "keygen", "--output", key])
        results = {}
        for scale in scales:
            folder, generation = quarter(binaries, arguments.work, scale, arguments.seed)
            data = describe(folder)
            runs = []
            sizes = checks = None
            for index in range(arguments.runs):
                log(f"scale {scale:g}: run {index + 1} of {arguments.runs}…")
                figures, sizes, run_checks = run_once(
                    binaries, folder, data, os.path.join(arguments.work, "scratch"), key, first=index == 0)
                checks = checks or run_checks
                runs.append(figures)
            shutil.rmtree(os.path.join(arguments.work, "scratch"), ignore_errors=True)
            results[scale] = {"data": data, "sizes": sizes, "runs": runs, "summary": summarise(runs), "checks": checks,
                              "generation": generation}
    except (BenchmarkError, subprocess.CalledProcessError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1

    commit = output_of(["git", "rev-parse", "--short=12", "HEAD"]) or "unknown"
    if output_of(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    command = "python3 scripts/benchmark.py"
    if arguments.scales != "0.125,1,2" or arguments.runs != 5 or arguments.seed != 42:
        command += f" --scales {','.join(f'{s:g}' for s in scales)} --runs {arguments.runs}"
        if arguments.seed != 42:
            command += f" --seed {arguments.seed}"
    text = render(arguments, results, machine(), commit, command, floor)
    with open(arguments.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    raw = {
        str(scale): {
            "runs": result["runs"], "sizes": result["sizes"], "checks": result["checks"], "generation": result["generation"],
            "evidence_bytes": result["data"]["evidence_bytes"], "records": result["data"]["records"],
        }
        for scale, result in results.items()
    }
    with open(os.path.join(arguments.work, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(raw, handle, indent=2)
    log(f"wrote {arguments.output} (raw figures in {os.path.join(arguments.work, 'results.json')})")
    failed = any(result["checks"] and (result["checks"]["unexpected"] or result["checks"]["missing"]) for result in results.values())
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
