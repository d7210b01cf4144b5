#!/usr/bin/env python3
"""Reference implementation of NAB scoring (numenta/NAB @ ea702d7, nab/sweeper.py,
nab/scorer.py, nab/runner.py) over the Sluice NAB development set (this directory). Stdlib only.
It reproduces NAB's own per-file scores of the published detectors (results/<det>/<det>_standard_scores.csv) to
5e-12; it is how the baselines in load-tests/src/main/resources/detection/nab-baselines.tsv were computed, and what
NabScoreTest cross-checks the Java scorer against.

Usage:
  score.py ALERTS.jsonl [--nab-root bench/nab] [--profile standard] [-v]
      ALERTS.jsonl: one {"series": "<category>/<file>.csv", "ts": "<timestamp as in csv>"} per line.
      Prints per-series windows / found / alerts / inside / raw score and the corpus NAB score.
  score.py --baselines NAB_GIT_DIR [--nab-root ...]
      Scores the published detectors' result files (results/<det>/...) found in a
      git checkout/mirror of numenta/NAB at their standard thresholds (config/thresholds.json).
"""
import argparse, bisect, json, math, os, subprocess, sys
from datetime import datetime, timezone

PROFILES = {  # config/profiles.json
    "standard": (1.0, 0.11, 1.0),           # (tpWeight, fpWeight, fnWeight)
    "reward_low_FP_rate": (1.0, 0.22, 1.0),
    "reward_low_FN_rate": (1.0, 0.11, 2.0),
}
PROBATION_PERCENT = 0.15  # nab/runner.py:71


def parse_ts(s):
    """'yyyy-MM-dd HH:mm:ss[.ffffff]' as UTC -> epoch milliseconds."""
    s = s.strip()
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in s else "%Y-%m-%d %H:%M:%S"
    return round(datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp() * 1000)


def scaled_sigmoid(pos):  # nab/sweeper.py:29-60
    return -1.0 if pos > 3.0 else 2.0 / (1.0 + math.exp(5.0 * pos)) - 1.0


def probation_length(n):  # nab/sweeper.py:94-98
    return min(math.floor(PROBATION_PERCENT * n), PROBATION_PERCENT * 5000)


def window_rows(ts, windows):
    """[(startMs,endMs)] -> [(leftRow, rightRow)] (inclusive), sorted; each window must hold a row."""
    out = []
    for a, b in sorted(windows):
        l, r = bisect.bisect_left(ts, a), bisect.bisect_right(ts, b) - 1
        if l > r or (out and l <= out[-1][1]):
            raise ValueError("window %r holds no row or overlaps the one before" % ((a, b),))
        out.append((l, r))
    return out


def alert_rows(ts, alerts):
    """Alert times -> distinct row indices (an alert belongs to the last row at or before it)."""
    rows = set()
    for t in alerts:
        i = bisect.bisect_right(ts, t) - 1
        if i >= 0:
            rows.add(i)
    return sorted(rows)


def sweep_score(i, wins, profile):
    """NAB's per-row weighted score if row i were a detection (nab/sweeper.py:148-181)."""
    tp, fp, _ = profile
    prev = None
    for l, r in wins:
        if l <= i <= r:
            width = r - l + 1
            return scaled_sigmoid(-(r - i + 1) / width) * tp / scaled_sigmoid(-1.0), (l, r)
        if r < i:
            prev = (l, r)
    if prev is None:
        return -1.0 * fp, None
    l, r = prev
    # NAB divides by (prevWindowWidth - 1); a one-row window would divide by zero there
    return scaled_sigmoid(abs(r - i) / float(r - l) if r > l else math.inf) * fp, None


def score_series(ts, windows, alerts, profile=PROFILES["standard"]):
    tp, fp, fn = profile
    wins = window_rows(ts, windows)
    rows = alert_rows(ts, alerts)
    prob = probation_length(len(ts))
    scorable = [w for w in wins if w[1] >= prob]      # windows with a row past probation
    best = {w: -fn for w in scorable}
    fp_sum = 0.0
    for i in rows:
        if i < prob:
            continue                                     # probationary rows are not scored
        s, w = sweep_score(i, wins, profile)
        if w is None:
            fp_sum += s
        else:
            best[w] = max(best[w], s)
    inside = lambda i: any(l <= i <= r for l, r in wins)
    rows_p = [i for i in rows if i >= prob]
    return {
        "windows": len(wins),
        "found": sum(1 for w in wins if any(w[0] <= i <= w[1] for i in rows)),
        "found_excl_prob": sum(1 for w in wins if any(w[0] <= i <= w[1] for i in rows_p)),
        "alerts": len(rows), "inside": sum(1 for i in rows if inside(i)),
        "alerts_excl_prob": len(rows_p), "inside_excl_prob": sum(1 for i in rows_p if inside(i)),
        "raw": fp_sum + sum(best.values()),
        "null": -fn * len(scorable),
        "perfect": tp * len(wins),  # nab/runner.py:240-256: tpCount * tpWeight
    }


def normalised(results):
    """100 * (raw - null) / (perfect - null) on corpus totals (nab/runner.py:257)."""
    raw = sum(r["raw"] for r in results)
    null = sum(r["null"] for r in results)
    perfect = sum(r["perfect"] for r in results)
    return 100.0 * (raw - null) / (perfect - null)


def load_dev(root):
    wins = json.load(open(os.path.join(root, "combined_windows.json")))
    dev = {}
    for series in sorted(wins):
        with open(os.path.join(root, "data", series)) as f:
            next(f)
            ts = [parse_ts(line.split(",")[0]) for line in f if line.strip()]
        dev[series] = (ts, [(parse_ts(a), parse_ts(b)) for a, b in wins[series]])
    return dev


def totals(results):
    keys = ("windows", "found", "found_excl_prob", "alerts", "inside", "alerts_excl_prob",
            "inside_excl_prob", "raw", "null", "perfect")
    return {k: sum(r[k] for r in results) for k in keys}


def baselines(git_dir, dev, profile_name):
    show = lambda p: subprocess.check_output(["git", "-C", git_dir, "show", "HEAD:" + p], text=True)
    thresholds = json.loads(show("config/thresholds.json"))
    print("detector          thr      found(all) prec(all)  found(excl) prec(excl)  raw      NAB(dev)  max|raw-NAB file score|")
    for det in ("ARTime", "numenta", "contextOSE", "knncad", "randomCutForest", "twitterADVec",
                "windowedGaussian", "skyline", "relativeEntropy", "null"):
        thr = thresholds[det][profile_name]["threshold"]
        nab_file = {}
        for line in show("results/%s/%s_%s_scores.csv" % (det, det, profile_name)).splitlines()[1:]:
            c = line.split(",")
            nab_file[c[2]] = float(c[4])
        res, worst = [], 0.0
        for series, (ts, wins) in dev.items():
            cat, fname = series.split("/")
            lines = show("results/%s/%s/%s_%s" % (det, cat, det, fname)).splitlines()
            col = lines[0].split(",").index("anomaly_score")
            alerts = [parse_ts(l.split(",")[0]) for l in lines[1:] if float(l.split(",")[col]) >= thr]
            r = score_series(ts, wins, alerts, PROFILES[profile_name])
            worst = max(worst, abs(r["raw"] - nab_file[series]))
            res.append(r)
        t = totals(res)
        print("%-16s %8.5f  %2d/%d %6.3f     %2d/%d %6.3f    %8.3f  %6.1f    %.2e" % (
            det, thr, t["found"], t["windows"], t["inside"] / max(1, t["alerts"]),
            t["found_excl_prob"], t["windows"], t["inside_excl_prob"] / max(1, t["alerts_excl_prob"]),
            t["raw"], normalised(res), worst))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alerts", nargs="?")
    ap.add_argument("--nab-root", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--profile", default="standard", choices=sorted(PROFILES))
    ap.add_argument("--baselines", metavar="NAB_GIT_DIR")
    a = ap.parse_args()
    dev = load_dev(a.nab_root)
    if a.baselines:
        return baselines(a.baselines, dev, a.profile)
    if not a.alerts:
        ap.error("ALERTS.jsonl required")
    by_series = {s: [] for s in dev}
    with open(a.alerts) as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                if o["series"] not in by_series:
                    sys.exit("unknown series: " + o["series"])
                by_series[o["series"]].append(parse_ts(o["ts"]))
    res = []
    print("%-52s %7s %5s %6s %6s %9s" % ("series", "windows", "found", "alerts", "inside", "raw"))
    for s, (ts, wins) in dev.items():
        r = score_series(ts, wins, by_series[s], PROFILES[a.profile])
        res.append(r)
        print("%-52s %7d %5d %6d %6d %9.4f" % (s, r["windows"], r["found"], r["alerts"], r["inside"], r["raw"]))
    t = totals(res)
    print("TOTAL: windows found %d/%d, alerts %d, inside %d (precision %.3f); "
          "excluding probation: found %d, alerts %d, inside %d" % (
              t["found"], t["windows"], t["alerts"], t["inside"], t["inside"] / max(1, t["alerts"]),
              t["found_excl_prob"], t["alerts_excl_prob"], t["inside_excl_prob"]))
    print("raw %.4f  null %.1f  perfect %.1f  NAB %s score (dev set) %.2f" % (
        t["raw"], t["null"], t["perfect"], a.profile, normalised(res)))


if __name__ == "__main__":
    main()
