#!/usr/bin/env python3
"""CPU accounting for the side-by-side benchmarks (loadtest/lib.sh uses it).

The machine has 2 cores that other work shares; a figure measured while something else
ran is worth little. This tool tells our processes from the others:

  cpuwatch.py snap FILE          write a snapshot: per-CPU ticks, per-process ticks
  cpuwatch.py diff A B           one line for the time between two snapshots:
                                 cpu0=..% cpu1=..% ours_s=.. foreign_s=.. foreign=name[pid]:s,..
  cpuwatch.py quiet SECONDS      foreign CPU over the next SECONDS, as an integer % of one core

"Ours" is the process tree under $CPUWATCH_ROOT (the benchmark script's shell: every
server, Redis and load generator it starts); "foreign" is every other user process.
Kernel threads are left out. A process that exits between two snapshots is charged to
the parent that reaps it (the kernel adds its ticks to the parent's cutime/cstime), so
its ticks from before the first snapshot are taken off again.
"""
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
KTHREADD = 2


def read_processes():
    """pid -> (name, ppid, ticks incl. reaped children)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        close = stat.rindex(")")
        name = stat[stat.index("(") + 1:close]
        fields = stat[close + 2:].split()  # fields[0] is field 3 (state)
        ppid = int(fields[1])
        ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        table[int(entry)] = (name, ppid, ticks)
    return table


def read_cpus():
    """cpuN -> (all ticks, idle + iowait ticks)."""
    cpus = {}
    with open("/proc/stat") as f:
        for line in f:
            parts = line.split()
            if parts[0].startswith("cpu") and parts[0] != "cpu":
                values = [int(x) for x in parts[1:9]]
                cpus[parts[0]] = (sum(values), values[3] + values[4])
    return cpus


def snapshot():
    return {"time": time.time(), "cpus": read_cpus(),
            "procs": {str(k): v for k, v in read_processes().items()}}


def split_usage(before, after, root):
    """(ours_s, foreign_s, [(name, pid, s)] of the foreign processes)."""
    procs = {int(k): v for k, v in before["procs"].items()}
    procs.update({int(k): v for k, v in after["procs"].items()})
    ours = {root, os.getpid()}
    grew = True
    while grew:
        grew = False
        for pid, (_, ppid, _) in procs.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                grew = True
    ours_s, foreign_s, foreign = 0.0, 0.0, []
    for pid, (name, ppid, _) in procs.items():
        if pid == KTHREADD or ppid == KTHREADD:
            continue
        was = before["procs"].get(str(pid))
        now = after["procs"].get(str(pid))
        if now is None:
            used = -was[2] / HZ  # exited: its whole life shows up in a reaper
        else:
            used = (now[2] - (was[2] if was else 0)) / HZ
        if pid in ours:
            ours_s += used
        else:
            foreign_s += used
            if used >= 0.2:
                foreign.append((name, pid, used))
    return max(ours_s, 0.0), max(foreign_s, 0.0), foreign


def root_pid():
    return int(os.environ.get("CPUWATCH_ROOT", os.getppid()))


def main(argv):
    if len(argv) == 3 and argv[1] == "snap":
        with open(argv[2], "w") as f:
            json.dump(snapshot(), f)
    elif len(argv) == 4 and argv[1] == "diff":
        with open(argv[2]) as f:
            before = json.load(f)
        with open(argv[3]) as f:
            after = json.load(f)
        words = []
        for cpu in sorted(after["cpus"]):
            total = after["cpus"][cpu][0] - before["cpus"][cpu][0]
            idle = after["cpus"][cpu][1] - before["cpus"][cpu][1]
            words.append(f"{cpu}={100 * (total - idle) / max(total, 1):.0f}%")
        ours_s, foreign_s, foreign = split_usage(before, after, root_pid())
        words.append(f"ours_s={ours_s:.2f}")
        words.append(f"foreign_s={foreign_s:.2f}")
        named = ",".join(f"{n}[{p}]:{s:.1f}s" for n, p, s in sorted(foreign, key=lambda x: -x[2]))
        words.append("foreign=" + (named if foreign_s >= 0.2 and named else "none"))
        print(" ".join(words))
    elif len(argv) == 3 and argv[1] == "quiet":
        before = snapshot()
        time.sleep(float(argv[2]))
        after = snapshot()
        _, foreign_s, _ = split_usage(before, after, root_pid())
        print(round(100 * foreign_s / (after["time"] - before["time"])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
