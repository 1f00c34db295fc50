#!/usr/bin/env python3
"""The plain-script baseline for drreport's dual-region parity check (BENCHMARKS.md).

Does ONLY the parity comparison, the way a platform engineer would script it with the standard
library: for every workspace of drreport.yaml, find the latest primary and secondary state among the
pipeline run folders (the run with the latest finishedDate before the period end that published a
state.json), load both with `json`, mask the values `sensitive_values` marks, drop the attributes of
the policy's parity ignore list, and compare the managed resources by address — null, [] and {}
meaning "not set", lists compared as multisets (Terraform writes sets, whose order is arbitrary).
It counts the differences the same way drreport lists them: a resource missing on one side is one
difference, a changed attribute path is one difference.

    scripts/parity_baseline.py QUARTER            # QUARTER holds drreport.yaml and evidence/
    scripts/parity_baseline.py QUARTER --json     # per-workspace counts as JSON
    scripts/parity_baseline.py QUARTER --json --details   # and every difference, `ADDRESS PATH` or
                                                          # `ADDRESS: missing in primary|secondary`

Standard library only. The YAML reader understands just the parts of drreport.yaml it needs
(regions, workspace ids, the parity ignore lists in flow style), as the generated policy writes them
(and as samples/drreport.yaml has them).

Checked against drreport: on generated quarters (Tests/BenchTests at small scale; every run of
scripts/benchmark.py) and on samples/, it lists the same differences per workspace as drreport's
`parity` findings. Where it would differ, none of which the generated quarters contain: a state
listing one address twice (drreport refuses the file at ingest; this keeps the first), a state that
is not valid for drreport in other ways (this script validates nothing), and workspaces of an
environment the policy's parity does not apply to (this compares every workspace listed).
"""

import argparse
import datetime
import json
import os
import re
import sys

SENSITIVE = object()
PERIOD_END = datetime.datetime(2026, 9, 30, 22, 0, tzinfo=datetime.timezone.utc)  # 2026-10-01T00:00+02:00


def read_policy(path):
    """regions, workspace ids, and {type: [path segments]} of parity.ignore."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()

    def strip_comment(line):
        out, quoted = [], False
        for char in line:
            if char == '"':
                quoted = not quoted
            if char == "#" and not quoted:
                break
            out.append(char)
        return "".join(out).rstrip()

    lines = [strip_comment(line) for line in lines]
    regions = {}
    workspaces = []
    ignore = {}
    section = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if not line.startswith(" "):
            section = line.split(":", 1)[0].strip()
            match = re.match(r"regions:\s*\{\s*primary:\s*([\w-]+)\s*,\s*secondary:\s*([\w-]+)\s*\}", line)
            if match:
                regions = {"primary": match.group(1), "secondary": match.group(2)}
            continue
        if section == "workspaces":
            match = re.search(r"\bid:\s*\"?([\w.-]+)\"?", line)
            if match and line.lstrip().startswith("- "):
                workspaces.append(match.group(1))
        elif section == "parity" and re.match(r"^\s{4}\S", line):
            text = line
            while text.count("[") > text.count("]") and index < len(lines):
                text += " " + lines[index].strip()
                index += 1
            key, _, value = text.strip().partition(":")
            key = key.strip().strip('"')
            items = [item.strip().strip('"') for item in value.strip().strip("[]").split(",") if item.strip()]
            ignore[key] = [item.split(".") for item in items]
    return regions, workspaces, ignore


def parse_instant(text):
    # ADO writes up to 7 fraction digits; datetime takes 6.
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    if not match:
        raise ValueError(f"not an RFC 3339 instant: {text!r}")
    fraction = (match.group(2) or "0")[:6].ljust(6, "0")
    offset = "+00:00" if match.group(3) == "Z" else match.group(3)
    return datetime.datetime.fromisoformat(f"{match.group(1)}.{fraction}{offset}")


def latest_states(evidence):
    """{(workspace, region): path of the latest state.json as of the period end}."""
    latest = {}
    runs = os.path.join(evidence, "runs")
    for name in sorted(os.listdir(runs)):
        folder = os.path.join(runs, name)
        state = os.path.join(folder, "state.json")
        if not os.path.exists(state):
            continue
        with open(os.path.join(folder, "run.json"), encoding="utf-8") as handle:
            run = json.load(handle)
        parameters = run["templateParameters"]
        finished = parse_instant(run["finishedDate"])
        if finished >= PERIOD_END:
            continue
        key = (parameters["workspace"], parameters["region"])
        if key not in latest or (finished, run["id"]) > latest[key][0]:
            latest[key] = ((finished, run["id"]), state)
    return {key: value[1] for key, value in latest.items()}


def mask(value, marks):
    if marks is True:
        return None if value is None else SENSITIVE
    if isinstance(marks, dict) and isinstance(value, dict) and marks:
        return {key: (mask(item, marks[key]) if key in marks else item) for key, item in value.items()}
    if isinstance(marks, list) and isinstance(value, list) and marks:
        return [mask(item, marks[i]) if i < len(marks) else item for i, item in enumerate(value)]
    return value


def remove(segments, value):
    if not segments:
        return value
    segment, rest = segments[0], segments[1:]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if segment == "*" or segment == key:
                if rest:
                    out[key] = remove(rest, item)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        if segment == "*":
            return [] if not rest else [remove(rest, item) for item in value]
        if re.fullmatch(r"-?\d+", segment):
            position = int(segment)
            if position < 0 or position >= len(value):
                return value
            copy = list(value)
            if rest:
                copy[position] = remove(rest, copy[position])
            else:
                del copy[position]
            return copy
        return [remove(segments, item) for item in value]
    return value


def normalise(value):
    if value is None:
        return None
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = normalise(item)
            if item is not None:
                out[key] = item
        return out or None
    if isinstance(value, list):
        out = [item for item in (normalise(item) for item in value) if item is not None]
        return out or None
    return value


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=lambda _: "(sensitive)")


def same_scalar(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def diff(a, b, path, out):
    if a is SENSITIVE or b is SENSITIVE:
        return
    if a is None and b is None:
        return
    if isinstance(a, dict) or isinstance(b, dict):
        if isinstance(a, dict) and b is None:
            b = {}
        if isinstance(b, dict) and a is None:
            a = {}
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=lambda k: k.encode()):
                diff(a.get(key), b.get(key), f"{path}.{key}" if path else key, out)
            return
    if isinstance(a, list) and isinstance(b, list):
        unmatched = {}
        for item in b:
            key = canonical(item)
            unmatched[key] = unmatched.get(key, 0) + 1
        leftovers = []
        for item in a:
            key = canonical(item)
            if unmatched.get(key, 0) > 0:
                unmatched[key] -= 1
            else:
                leftovers.append(item)
        rightovers = []
        for item in b:
            key = canonical(item)
            if unmatched.get(key, 0) > 0:
                unmatched[key] -= 1
                rightovers.append(item)
        if not leftovers and not rightovers:
            return
        if len(leftovers) == 1 and len(rightovers) == 1:
            diff(leftovers[0], rightovers[0], path + "[*]", out)
            return
        out.append(path)
        return
    if not same_scalar(a, b):
        out.append(path)


def resources(state_path, ignore):
    with open(state_path, encoding="utf-8") as handle:
        document = json.load(handle)
    found = {}
    stack = [((document.get("values") or {}).get("root_module") or {})]
    while stack:
        module = stack.pop()
        for resource in module.get("resources") or []:
            if resource.get("mode") != "managed" or resource["address"] in found:
                continue
            values = mask(resource.get("values") or {}, resource.get("sensitive_values"))
            for segments in ignore.get("*", []) + ignore.get(resource["type"], []):
                values = remove(segments, values)
            found[resource["address"]] = normalise(values)
        stack.extend(module.get("child_modules") or [])
    return found


def compare(primary, secondary):
    differences = []
    for address in sorted(set(primary) | set(secondary), key=lambda a: a.encode()):
        if address not in secondary:
            differences.append(f"{address}: missing in secondary")
        elif address not in primary:
            differences.append(f"{address}: missing in primary")
        else:
            paths = []
            diff(primary[address], secondary[address], "", paths)
            differences += [f"{address} {path}" for path in paths]
    return differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("quarter", help="a folder with drreport.yaml and evidence/ (drreport-bench generate)")
    parser.add_argument("--policy", help="drreport.yaml (default: QUARTER/drreport.yaml)")
    parser.add_argument("--json", action="store_true", help="print per-workspace difference counts as JSON")
    parser.add_argument("--details", action="store_true", help="with --json: also list every difference per workspace")
    arguments = parser.parse_args()
    regions, workspaces, ignore = read_policy(arguments.policy or os.path.join(arguments.quarter, "drreport.yaml"))
    states = latest_states(os.path.join(arguments.quarter, "evidence"))
    result = {}
    details = {}
    compared = 0
    for workspace in workspaces:
        primary = states.get((workspace, regions["primary"]))
        secondary = states.get((workspace, regions["secondary"]))
        if primary is None or secondary is None:
            result[workspace] = None
            continue
        left, right = resources(primary, ignore), resources(secondary, ignore)
        compared += len(set(left) & set(right))
        differences = compare(left, right)
        result[workspace] = len(differences)
        details[workspace] = differences
    if arguments.json:
        output = {"differences": result, "resources_compared": compared}
        if arguments.details:
            output["details"] = details
        json.dump(output, sys.stdout, indent=2, sort_keys=True)
        print()
    else:
        for workspace, count in result.items():
            print(f"{workspace:32} {'no state in one region' if count is None else f'{count} difference(s)'}")
        print(f"{compared} resources compared")


if __name__ == "__main__":
    main()
