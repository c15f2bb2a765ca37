#!/usr/bin/env python3
"""verify/mutants/mutate.py: mutation testing of latchkit (issue 14 item 4).

Reads the catalogue (verify/mutants/catalogue.txt, then catalogue_*.txt),
and for each mutant:
copies the sources once into a scratch tree (build/mutants/src, never the
working tree), applies that one change there (an exact text that must occur
exactly once, replaced), builds and runs its layers in order, fastest
first, and stops at the first layer that fails:

  unit     the named Criterion binaries (gcc), --fail-fast, LKT_WATCHDOG_S=5
  model    the lock table against its reference model (gcc), 5 seeds
  stress   the named stress programs (asan-gcc), -d 2 -t 4,
           STRESS_WATCHDOG_S=5
  tsan     the same under ThreadSanitizer without the annotations
           (tsan-gcc, LK_TSAN_ANNOTATE=0): it checks the latches' own
           memory orders, so it catches a weakened order that x86 hides
  wmm      GenMC (verify/wmm) on the clients of the mutated header only
           (`wmm.py clients FILE`, or the catalogue's `wmm:` names), under
           RC11 and IMM, no weakenings: only where GENMC is set
  killat   the shared table's kill-point tests in the nap build
           (build/gcc/shmnap, -DLK_SHM_TEST_NAP; make test-shm-killat)

Each layer run is capped (--cap seconds). A mutant is
  killed      a layer failed: a test failed, an invariant broke, a
              sanitizer reported, or a watchdog named a hang ("killed by
              hang (watchdog named ...)")
  timeout     a layer ran past its cap with no watchdog report
  survived    every layer passed
  invalid     the change did not apply or did not compile (a catalogue bug)
Prints a table and the score; --report FILE writes it as Markdown too.

  verify/mutants/mutate.py [--only ID,...] [--cap S] [--report FILE] [-j N]
"""
import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# catalogue.txt, then each catalogue_NAME.txt (one concern each, so that no
# file grows past a screenful of screens), as one catalogue.
CATALOGUES = [os.path.join(ROOT, "verify", "mutants", "catalogue.txt")] + \
    sorted(glob.glob(os.path.join(ROOT, "verify", "mutants", "catalogue_*.txt")))


def catalogue_lines(paths):
    for path in paths:
        for raw in open(path, encoding="utf-8"):
            yield raw
        yield "\n"  # a file's last block ends with it


def parse_catalogue(paths):
    """Blocks separated by blank lines; `key: value` lines; a value may go
    on over lines that start with whitespace. find/replace keep their text
    exactly, but for `\\n`, `\\t` and `\\\\` (newline, tab, backslash)."""
    muts, cur, key = [], {}, None
    for raw in catalogue_lines(paths):
        line = raw.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                muts.append(cur)
            cur, key = {}, None
            continue
        if line[0] in " \t" and key:
            cur[key] += "\n" + line.strip()
            continue
        k, _, v = line.partition(":")
        key = k.strip()
        cur[key] = v[1:] if v.startswith(" ") else v
    if cur:
        muts.append(cur)
    for m in muts:
        for k in ("find", "replace"):
            m[k] = re.sub(r"\\([nt\\])", lambda e: {"n": "\n", "t": "\t",
                                                    "\\": "\\"}[e.group(1)],
                          m.get(k, ""))
        for k in ("id", "file", "find", "layers", "what"):
            if k not in m:
                sys.exit("catalogue: entry %r lacks %s" % (m.get("id"), k))
    ids = [m["id"] for m in muts]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit("catalogue: duplicate ids %s" % sorted(dup))
    return muts


def sources():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return [f for f in out.stdout.split("\n") if f and os.path.isfile(
        os.path.join(ROOT, f))]


def make_scratch(scratch):
    """Copies the sources into scratch, keeping its build/ from earlier
    runs: a file whose content differs is copied with a new mtime, an equal
    one is left alone (a file a mutant changed was restored with a new
    mtime, so whatever was built from the mutant is older and rebuilt)."""
    srcs = sources()
    keep = set(srcs)
    for dirpath, dirs, files in os.walk(scratch):
        rel = os.path.relpath(dirpath, scratch)
        if rel == "build" or rel.startswith("build" + os.sep):
            dirs[:] = []
            continue
        for f in files:
            r = os.path.normpath(os.path.join(rel, f))
            if r not in keep:
                os.remove(os.path.join(dirpath, f))
    for f in srcs:
        src, dst = os.path.join(ROOT, f), os.path.join(scratch, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.exists(dst) and not os.path.islink(dst):
            with open(src, "rb") as a, open(dst, "rb") as b:
                if a.read() == b.read():
                    continue
        shutil.copy(src, dst)


def run(cmd, cwd, cap, env=None):
    """(rc, output, timed_out). The command runs in its own process group,
    all of which is killed when it runs past the cap (a hung test binary
    and its Criterion workers must not outlive their mutant)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=e,
                         shell=isinstance(cmd, str), start_new_session=True,
                         errors="replace")
    try:
        out, _ = p.communicate(timeout=cap)
        return p.returncode, out, False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        kill_strays(cwd)
        try:
            out, _ = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            out = ""
        return -1, out or "", True
    finally:
        try:  # whatever it left behind in its group
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass


def kill_strays(cwd):
    """Kills what this runner started that outlived its process group
    (Criterion's sandbox runs each test in a session of its own): every
    process, but this one, whose working directory is in the scratch."""
    top = os.path.realpath(cwd)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            d = os.path.realpath(os.readlink("/proc/%s/cwd" % pid))
        except OSError:
            continue
        if d == top or d.startswith(top + os.sep):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


WD = re.compile(r"WATCHDOG: lock (.*?)(?: \(test [^)]*\))?: thread (\d+)"
                r".*?doing: (.*)")


def first_failure(out):
    """A short reason from a failing run's output."""
    m = WD.search(out)
    if m:
        return "hang (watchdog named %s, thread %s, %s)" % (
            m.group(1), m.group(2), m.group(3).strip())
    test = re.search(r"\[FAIL\] (\S+)", out)
    test = " [%s]" % test.group(1) if test else ""
    for pat in (r"INVARIANT BROKEN: .*", r"\S.*: lost wake-up.*",
                r"latchkit: .*", r"WARNING: ThreadSanitizer: .*",
                r"ERROR: AddressSanitizer: .*", r"runtime error: .*",
                r"MISMATCH.*", r"mismatch.*",
                r"\[----\]   (\S.*)", r"\[FAIL\] .*"):
        m = re.search(pat, out)
        if m:
            txt = m.group(m.lastindex or 0) if m.lastindex else m.group(0)
            return (txt.strip()[:140] + test)
    lines = [l for l in out.strip().split("\n") if l.strip()]
    return (lines[-1].strip()[:140] if lines else "non-zero exit")


def layer_cmds(layer, names, jobs):
    """[(build targets, [(label, run command, env)])]"""
    if layer == "unit":
        bins = ["build/gcc/tests/%s" % n for n in names]
        return bins, [(n, "exec build/gcc/tests/%s --jobs %d --fail-fast" % (n, jobs),
                       {"LKT_WATCHDOG_S": "5"}) for n in names]
    if layer == "model":
        return ["build/gcc/verify/model_test"], [
            ("model", "exec build/gcc/verify/model_test --first 1 --seeds 5 "
             "--ops 5000", {})]
    if layer == "stress":
        bins = ["build/asan-gcc/stress/%s" % n for n in names]
        return bins, [(n, "exec build/asan-gcc/stress/%s -d 2 -t 4" % n,
                       {"STRESS_WATCHDOG_S": "5"}) for n in names]
    if layer == "tsan":
        bins = ["build/tsan-gcc/stress/%s" % n for n in names]
        return bins, [(n, "exec build/tsan-gcc/stress/%s -d 2 -t 4" % n,
                       {"STRESS_WATCHDOG_S": "5",
                        "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"})
                      for n in names]
    if layer == "killat":
        # the shared table's named kill points, in the nap build
        # (tests/tests.mk, make test-shm-killat)
        b = "build/gcc/shmnap/test_lockmgr_shm_killat"
        return [b], [("killat", "exec %s --jobs 1" % b,
                      {})]
    if layer == "wmm":
        # the mutated header's clients alone, no weakenings, no seeded bugs
        return [], [(" ".join(names), "exec python3 verify/wmm/wmm.py run " +
                     " ".join(names),
                     {"WMM_SEEDED": "0", "WMM_OUT": "build/mutants/wmm"})]
    raise ValueError(layer)


def parse_layers(spec):
    """`unit: a b; stress: c` -> [(layer, [names])]"""
    out = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        layer, _, names = part.partition(":")
        out.append((layer.strip(), names.split()))
    return out


def have_wmm(scratch):
    g = os.environ.get("GENMC", "")
    if not g or not os.access(g, os.X_OK) or not os.path.isfile(
            os.path.join(scratch, "verify", "wmm", "wmm.py")):
        return False
    os.environ["GENMC"] = os.path.abspath(g)  # the layer runs in scratch
    return True


def wmm_clients(m, scratch):
    """The GenMC clients a mutant runs: the catalogue's `wmm:` names, or,
    for `yes` or no key, the mutated file's own (wmm.py clients); none for
    `no` or a file without clients."""
    want = m.get("wmm", "yes").split()
    if want == ["no"]:
        return []
    if want != ["yes"]:
        return want
    rc, out, _ = run(["python3", "verify/wmm/wmm.py", "clients", m["file"]],
                     scratch, 60)
    return out.split() if rc == 0 else []


def try_mutant(m, scratch, cap, jobs, wmm):
    path = os.path.join(scratch, m["file"])
    orig = open(os.path.join(ROOT, m["file"]), encoding="utf-8").read()
    n = orig.count(m["find"])
    if n != 1:
        return "invalid", "find text occurs %d times in %s" % (n, m["file"]), ""
    mutated = orig.replace(m["find"], m["replace"])
    with open(path, "w", encoding="utf-8") as f:
        f.write(mutated)
    try:
        layers = parse_layers(m["layers"])
        if wmm and not any(l == "wmm" for l, _ in layers):
            layers.append(("wmm", []))
        layers = [(l, names or wmm_clients(m, scratch) if l == "wmm" and wmm
                   else names) for l, names in layers]
        for layer, names in layers:
            if layer == "wmm" and (not wmm or not names):
                continue
            targets, runs = layer_cmds(layer, names, jobs)
            if targets:
                rc, out, to = run(["make", "--no-print-directory", "-j%d" %
                                   jobs] + targets, scratch, 600)
                if rc != 0:
                    err = [l for l in out.split("\n") if "error:" in l]
                    return "invalid", "does not compile: %s" % (
                        err[0][:160] if err else out[-300:].replace(
                            "\n", " / ")), layer
            for label, cmd, env in runs:
                if layer == "wmm":  # a GenMC run past the cap: no verdict
                    env = dict(env, WMM_TIMEOUT=str(cap))
                rc, out, to = run(cmd, scratch, cap, env)
                where = "%s %s" % (layer, label)
                if WD.search(out):
                    return "killed", "%s: %s" % (where,
                                                 first_failure(out)), where
                if to:
                    return "timeout", "%s: ran past %d s, no watchdog " \
                        "report" % (where, cap), where
                if layer == "wmm" and rc == 3:  # GenMC gave no verdict
                    return "timeout", "%s: GenMC gave no verdict " \
                        "(TIMEOUT or ERROR in its table)" % where, where
                if rc != 0:
                    return "killed", "%s: %s" % (where,
                                                 first_failure(out)), where
        return "survived", "every layer passed", ""
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig)
        # the next build must see the original again, whatever the mtimes
        os.utime(path, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--cap", type=int, default=90)
    ap.add_argument("--report", default="")
    ap.add_argument("-j", type=int, default=2, dest="jobs")
    ap.add_argument("--scratch", default=os.path.join(ROOT, "build",
                                                       "mutants", "src"))
    ap.add_argument("--expect-killed", action="store_true",
                    help="exit 1 unless every mutant run was killed")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="only check that every change applies")
    a = ap.parse_args()
    muts = parse_catalogue(CATALOGUES)
    if a.check:
        bad = 0
        for m in muts:
            n = open(os.path.join(ROOT, m["file"]), encoding="utf-8").read() \
                .count(m["find"])
            if n != 1:
                bad += 1
                print("%s: find text occurs %d times in %s" % (m["id"], n,
                                                               m["file"]))
            for layer, _ in parse_layers(m["layers"]):
                if layer not in ("unit", "model", "stress", "tsan", "wmm", "killat"):
                    bad += 1
                    print("%s: no layer %s" % (m["id"], layer))
        print("%d mutants, %d bad" % (len(muts), bad))
        return 1 if bad else 0
    if a.list:
        for m in muts:
            print("%-28s %-24s %s" % (m["id"], m["file"], m["what"]))
        return 0
    if a.only:
        want = a.only.split(",")
        unknown = set(want) - {m["id"] for m in muts}
        if unknown:
            sys.exit("no such mutant: %s" % ", ".join(sorted(unknown)))
        muts = [m for m in muts if m["id"] in want]
    os.makedirs(os.path.dirname(a.scratch), exist_ok=True)
    lock = open(a.scratch + ".lock", "w")
    try:
        import fcntl
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit("mutate: another run uses %s" % a.scratch)
    make_scratch(a.scratch)
    wmm = have_wmm(a.scratch)
    rows = []
    t_all = time.time()
    for m in muts:
        t0 = time.time()
        status, why, _ = try_mutant(m, a.scratch, a.cap, a.jobs, wmm)
        if status == "survived" and m.get("survives"):
            why = m["survives"]
        rows.append((m, status, why, time.time() - t0))
        print("%-9s %-30s %5.0fs  %s" % (status.upper(), m["id"],
                                          time.time() - t0, why), flush=True)
    killed = sum(1 for r in rows if r[1] == "killed")
    tout = sum(1 for r in rows if r[1] == "timeout")
    surv = sum(1 for r in rows if r[1] == "survived")
    inval = sum(1 for r in rows if r[1] == "invalid")
    valid = len(rows) - inval
    score = 100.0 * (killed + tout) / valid if valid else 0.0
    summary = ("%d mutants: %d killed, %d timeout, %d survived, %d invalid; "
               "score %.1f%% (killed+timeout of valid), %.1f%% killed by a "
               "failing check; %.0f s" % (
                   len(rows), killed, tout, surv, inval, score,
                   100.0 * killed / valid if valid else 0.0,
                   time.time() - t_all))
    print(summary)
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("| mutant | file | change | result | by / why |\n")
            f.write("| --- | --- | --- | --- | --- |\n")
            for m, st, why, _ in rows:
                f.write("| `%s` | `%s` | %s | %s | %s |\n" % (
                    m["id"], m["file"], m["what"], st,
                    why.replace("|", "\\|")))
            f.write("\n%s\n" % summary)
    if a.expect_killed and any(r[1] != "killed" for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
