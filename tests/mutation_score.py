"""Print the mutation score of the last `mutmut run`, per module and in total.

Used by `make mutate`: reads `mutmut results --all true` (lines of
``module.x_function__mutmut_N: status``) and fails when the total is below
``--fail-under`` percent. Survivors are listed, to be killed or explained.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter, defaultdict


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fail-under", type=float, default=0.0, help="percent")
    args = parser.parse_args()
    output = subprocess.run(
        [".venv/bin/mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    survivors = []
    for line in output.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if not sep or "__mutmut_" not in name:
            continue
        module = name.rsplit(".", 1)[0].replace(".", "/") + ".py"
        statuses[module][status] += 1
        if status != "killed":
            survivors.append(f"  {name}: {status}")
    if not statuses:
        print("No mutmut results: run `make mutate`.")
        return 1
    total = Counter[str]()
    print("Mutation score (killed / mutants):")
    for module, counts in sorted(statuses.items()):
        total += counts
        print(_score(module, counts))
    print(_score("total", total))
    if survivors:
        print("Not killed (`.venv/bin/mutmut show NAME` for the diff):")
        print("\n".join(survivors))
    percent = 100 * total["killed"] / total.total()
    return 1 if percent < args.fail_under else 0


def _score(label: str, counts: Counter[str]) -> str:
    killed, mutants = counts["killed"], counts.total()
    return f"  {label:<26} {killed:>4} / {mutants:<4} {100 * killed / mutants:5.1f} %"


if __name__ == "__main__":
    sys.exit(main())
