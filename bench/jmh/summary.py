#!/usr/bin/env python3
"""Prints a JMH JSON result file (bench/jmh/run.sh) as one table: the score in ns per op, and
for the benchmarks whose op is one guest instruction, the rate in millions per second."""
import json, sys

# What one op is, per benchmark class; "instruction" scores also give M instructions/s.
PER = {"FetchDecodeBenchmark": "instruction", "GuestLoopBenchmark": "instruction",
       "LoadLoopBenchmark": "instruction", "TranslateBenchmark": "block"}


def main():
    results = json.load(open(sys.argv[1]))
    rows = [["benchmark", "params", "ns/op", "op", "M ops/s", "MIPS (guest)"]]
    for r in results:
        cls, method = r["benchmark"].split(".")[-2:]
        m = r["primaryMetric"]
        unit = m["scoreUnit"]
        if unit != "ns/op":
            rows.append([cls + "." + method, "", "%.4g %s" % (m["score"], unit), "", "", ""])
            continue
        score = m["score"]
        try:
            err = float(m.get("scoreError"))  # "NaN" (a string) with fewer than 3 iterations
        except (TypeError, ValueError):
            err = float("nan")
        per = PER.get(cls, "call")
        rate = 1e3 / score if score > 0 else float("nan")
        rows.append([cls.replace("Benchmark", "") + "." + method,
                     " ".join("%s=%s" % kv for kv in sorted(r.get("params", {}).items())),
                     "%.3f ± %.3f" % (score, err) if err == err else "%.3f" % score,
                     per, "%.4g" % rate, "%.0f" % rate if per == "instruction" else "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("score: average time per op, ± JMH's 99.9 % confidence half-width; MIPS = 1000 / (ns per guest instruction)")


if __name__ == "__main__":
    main()
