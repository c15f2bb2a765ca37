#!/usr/bin/env python3
"""verify/wmm/wmm.py: GenMC on the real primitives/*.h (issue 14).

  wmm.py run [CLIENT...]      every client (verify/wmm/clients/*.c) under RC11
                              and IMM; one row each; exit 1 when one fails,
                              3 when none fails but one gives no verdict
                              (TIMEOUT, ERROR), but for the OPEN clients
                              below while their result is the listed one
  wmm.py sites [HEADER...]    the atomic call sites the generator weakens
  wmm.py header CLIENT...     the headers whose sites these clients check
  wmm.py clients FILE...      the clients that check these files (paths such
                              as primitives/ticket.h; none for other files),
                              but the SLOW ones: what `make mutate` runs for
                              a mutant of them
  wmm.py weaken [HEADER...]   for each site of each header, each one-step
                              weakening of its memory order, run the header's
                              clients under RC11 and IMM; prints the table and
                              writes it (Markdown) to build/wmm/weaken.md;
                              exit 1 on a TIMEOUT or ERROR (but for
                              GENMC_FAILS below), or when a weakening
                              neither model catches is not in SURVIVORS
                              below (nor explained in REPORT.md)

Env: GENMC (the genmc binary, required), WMM_TIMEOUT (seconds per GenMC
run, default 300), WMM_OUT (default build/wmm), WMM_SEEDED (0: `run` skips
the seeded bugs, as `make mutate` does), WMM_SITES ("ticket.h:153 ...":
`weaken` only these sites), WMM_CLIENTS (`weaken` with these clients only),
WMM_MODELS (default "rc11 imm"), WMM_SLOW (1: `run` and `weaken` include
the SLOW 3-thread clients; default 0: they are left out, and a weakening
only they can catch is listed as SLOW-ONLY, not failed; `make
verify-wmm-slow` sets it, with WMM_TIMEOUT 1800). Python standard library
only.

A run's verdict: "pass" when GenMC reports no error, "fail" when it reports
one (an assertion, the mock's lost wake-up assertion included, a data race
on the plain data a latch guards), TIMEOUT when it ran past WMM_TIMEOUT,
ERROR when GenMC itself failed (compile error, unsupported call, crash).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRIM = os.path.join(ROOT, "primitives")
WMM = os.path.join(ROOT, "verify", "wmm")
CLIENTS = os.path.join(WMM, "clients")
MODELS = tuple(os.environ.get("WMM_MODELS", "rc11 imm").split())
FLAGS = ["-disable-estimation"]
# GenMC's function inliner never finishes on cond.h (v0.10.3); with it
# off, GenMC gives a fresh stack slot the address of one its thread freed
# and reports the write as an access to freed memory, a check of its race
# detection: cond runs without race detection, so that its assertions (a
# lost wake-up, cond.h's memory guarantee on plain data) decide, as under
# IMM, which reports no races anyway.
# With three
# threads two may park at once, and base.h's lk__wake_stamp_ (a relaxed
# hint, two writers) is "unordered writes": a warning that GenMC's in-place
# revisiting (IPR) and symmetry reduction (SR) turn into an error;
# -disable-ipr -disable-sr keep it a warning.
# A second writer that finds the latch held naps in a loop
# (lk__wait(w, NULL, 0)) GenMC cannot turn into an assume: without a bound
# on loops it never ends; -unroll=6 leaves each loop 6 turns (every path
# the latch takes to a hand-off fits), so those clients' passes are bounded.
# The reuse clients: -unroll=4 leaves a waiter its 2 spin steps, its
# announcement and its park (6 does not finish); gate.h's arriving thread,
# which watches a free word with a running head for 128 relaxed reads in
# the real code, watches for 2 under mock.h, so that its take fits.
NO_IPR = ["-disable-ipr", "-disable-sr"]
# GenMC's spin-assume turns a wait loop into an assume: a waiter whose loop
# would spin, announce itself and park is pruned before it parks. Off for a
# client that must reach a park path inside such a loop (rwmutex.h's token
# wait); its loops then need a bound (-unroll=6 reaches the lost wake-up
# that a relaxed tseq bump causes, 4 does not).
NO_SPIN = ["-disable-spin-assume"]
UNROLL = ["-unroll=6"]
UNROLL4 = ["-unroll=4"]
COND = ["-disable-function-inliner", "-disable-race-detection"]
CLIENT_FLAGS = {"cond": COND, "condb": COND,
                "optlock2w": UNROLL, "optlock2wt": UNROLL, "rwmutexu": UNROLL,
                "rwmutexuf": UNROLL, "optlocku": UNROLL,
                "robust": UNROLL, "robustd": UNROLL,
                "ticket3": NO_IPR + UNROLL, "mcs3": NO_IPR + UNROLL,
                "clh3": NO_IPR + UNROLL, "brlock3": NO_IPR + UNROLL,
                "ticket21": UNROLL4, "mcs21": UNROLL4, "mcs21g": UNROLL4,
                "clh21": UNROLL4, "rwmutex2wp": NO_SPIN + UNROLL,
                "rwmutexwd": UNROLL4}
# Clients too slow for `make mutate`'s per-mutant layer (its cap is 90 s):
# `wmm.py clients` leaves them out; `run` and `weaken` run them.
SLOW = {"ticket3", "mcs3", "clh3", "brlock3", "rwmutexrf", "condb"}
# Decided in minutes, not seconds (mcs21 under IMM: 4326 executions, 220 s
# on a loaded machine; robust under IMM: 1344 executions, 29 s at low
# load, 534 s under heavy load): `make verify-wmm` runs them, `wmm.py
# clients` (what `make mutate` runs per mutant, under a 90 s cap) leaves
# them out.
NOT_PER_MUTANT = {"ticket21", "mcs21", "mcs21g", "clh21", "robust", "robustd",
                  "rwmutex2wp"}
# Clients GenMC v0.10.3 cannot decide, each with its result and why. They
# run, and their row says OPEN with the reason; `run` does not fail on them
# while their result is the one listed here, and fails if it changes.
OPEN = {}
# Seconds per GenMC run for the OPEN clients (they decide nothing).
OPEN_TIMEOUT = 60

# The clients that check a header's call sites: its own client(s), and for a
# header with none, the clients of the latches built on it.
HEADER_CLIENTS = {
    "barrier.h": ["barrier", "barriersh"],
    "brlock.h": ["brlock", "brlock3"],
    "clh.h": ["clh", "clh21", "clh3"],
    "cond.h": ["cond", "condb"],
    "event.h": ["event", "latch", "eventsh", "latchsh", "eventt"],
    "gate.h": ["ticket", "mcs", "clh", "ticketsh", "clh3"],
    "leftright.h": ["leftright"],
    "mcs.h": ["mcs", "mcs21", "mcs21g", "mcs3"],
    "mutex.h": ["mutex", "mutexsh"],
    "once.h": ["once", "oncesh", "oncectx"],
    "optlock.h": ["optlock", "optlock2w", "optlock2wt", "optlockt",
                  "optlocko", "optlocku"],
    # the try and timed writers' 64-bit CAS on the pair of 32-bit halves is
    # not run (GenMC v0.10.3: "Mixed-size accesses"; see the client)
    "pfrwlock.h": ["pfrwlock", "pfrwlocksh", "pfrwlockt"],
    "reentrant.h": ["reentrant"],
    "rprwlock.h": ["rprwlock", "rprwlocksh", "rprwlockt", "rprwlock2w",
                   "rprwlockrr"],
    "robust.h": ["robust", "robustd"],
    "rwlock.h": ["rwlock", "rwlock2w", "rwlockt"],
    "rwmutex.h": ["rwmutex", "rwmutexu", "rwmutexsh", "rwmutex2w",
                  "rwmutex2wt", "rwmutexrt", "rwmutexrm", "rwmutexuf",
                  "rwmutex2wp", "rwmutexwd", "rwmutexrf"],
    "sem.h": ["sem", "semsh"],
    "seqlock.h": ["seqlock", "seqlock2w", "optlock", "seqlock2wsh",
                  "seqlock2wt"],
    "tas.h": ["tas"],
    "ticket.h": ["ticket", "ticket21", "ticketsh", "ticket3"],
    "ttas.h": ["ttas"],
}

# Weakenings that neither model catches, as REPORT.md lists and explains
# them: (header, op, order, weakened to) -> the reason in brief. `weaken`
# fails on a survivor not listed here (a new one: explain it in REPORT.md
# and here, or strengthen the client), and on a listed one that is now
# caught (the list is stale).
# A key of 5 names one site: the 5th is which of the header's sites with
# that op and order it is, counted from 0 in file order (what `sites`
# prints), so that it survives edits that move lines.
SURVIVORS = {
    ("ticket.h", "load", "acquire", "relaxed"):
        "safe: serving orders only headship (REPORT.md)",
    ("ticket.h", "fetch_add", "release", "relaxed"):
        "safe: serving orders only headship (REPORT.md)",
    ("mcs.h", "load", "acquire", "relaxed", 0):
        "safe: the hand-over runs under the word (mcs.h, REPORT.md)",
    ("mcs.h", "compare_exchange_strong", "release", "relaxed"):
        "safe: nobody else touches the node after it (mcs.h)",
    ("mcs.h", "exchange", "release", "relaxed"):
        "safe: the hand-over runs under the word (mcs.h, REPORT.md)",
    ("clh.h", "load", "acquire", "relaxed"):
        "safe: the hand-over runs under the word (clh.h, REPORT.md)",
    ("clh.h", "compare_exchange_strong", "release", "relaxed"):
        "safe: nobody else touches the node after it (clh.h)",
    ("clh.h", "exchange", "release", "relaxed"):
        "safe: the hand-over runs under the word (clh.h, REPORT.md)",
    ("cond.h", "store", "release", "relaxed", 1):
        "safe on Linux: the requeue's full barrier comes just before "
        "(cond.h, REPORT.md round 8)",
    ("cond.h", "load", "acquire", "relaxed", 1):
        "stronger than needed: the outer loop loads again with acquire",
    ("once.h", "compare_exchange_strong", "acquire", "relaxed"):
        "success order stronger than needed; C11 (failure <= success)",
    ("sem.h", "fetch_add", "seq_cst", "acq_rel", 0):
        "safe with Linux's futex barrier (A); sem.h says so",
    ("optlock.h", "compare_exchange_strong", "acquire", "relaxed", 0):
        "safe: read_begin's acquire read the version the upgrade's CAS "
        "replaces (optlock.h, REPORT.md round 5)",
}

# Weakenings where GenMC v0.10.3 itself fails ("BUG: Failure at
# ...getStaticAddr()") on one client while the unweakened client passes:
# not counted against `weaken` (REPORT.md). Keys as in SURVIVORS. mcs.h's:
# mcs21 (stack nodes) fails; mcs21g (global nodes) decides them: caught
# under RC11, safe under IMM by dependency (mcs.h, REPORT.md round 4).
GENMC_FAILS = {
    ("mcs.h", "store", "release", "relaxed"):
        "the head reads a successor pointer it has no order to",
    ("mcs.h", "load", "acquire", "relaxed", 1): "the same",
    ("mcs.h", "load", "acquire", "relaxed", 2): "the same",
}

ORDERS = ("relaxed", "consume", "acquire", "release", "acq_rel", "seq_cst")


def genmc():
    g = os.environ.get("GENMC", "")
    if not g or not os.access(g, os.X_OK):
        sys.exit("wmm.py: GENMC must name the genmc binary")
    return g


def outdir():
    d = os.environ.get("WMM_OUT", os.path.join(ROOT, "build", "wmm"))
    os.makedirs(d, exist_ok=True)
    return d


# GenMC 0.10 compiles each client to a fixed /tmp name pattern (mkstemp)
# and leaves the file there; runs are sequential, so what appears during a
# run is that run's.
GENMC_SCRATCH = "/tmp/__genmc.ll.*"


def run_genmc(client, model, incdir, log):
    """One GenMC run; returns (verdict, executions, seconds, message)."""
    src = os.path.join(CLIENTS, client + ".c")
    cmd = [genmc(), "-" + model] + FLAGS + CLIENT_FLAGS.get(client, []) + [
        "--", "-std=gnu11", "-DLK_WMM_GENMC", "-I" + incdir, "-I" + WMM, src]
    limit = int(os.environ.get("WMM_TIMEOUT", "300"))
    if client in OPEN:
        limit = min(limit, OPEN_TIMEOUT)
    t0 = time.time()
    before = set(glob.glob(GENMC_SCRATCH))
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=limit)
        out = p.stdout.decode("utf-8", "replace")
        rc = p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        rc = None
    secs = time.time() - t0
    for f in set(glob.glob(GENMC_SCRATCH)) - before:
        try:  # this run's compiled client: GenMC never removes it
            os.remove(f)
        except OSError:
            pass
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    m = re.search(r"Number of complete executions explored: (\d+)", out)
    execs = m.group(1) if m else "-"
    if rc is None:
        return "TIMEOUT", execs, secs, ""
    if "Mixed-size accesses" in out:  # GenMC cannot model them: no verdict
        return "ERROR", execs, secs, "mixed-size accesses (unsupported)"
    if "No errors were detected" in out and rc == 0:
        return "pass", execs, secs, ""
    m = re.search(r"^Error(?: detected)?: (.*)", out, re.M)
    if m:
        # the error's kind and its first detail line
        msg = m.group(1).strip()
        d = re.search(r"Assertion violation: (.*)|(Non-terminating spinloop.*)"
                      r"|(Race.*)", out)
        if d:
            msg += ": " + next(x for x in d.groups() if x).strip()
        return "fail", execs, secs, msg
    return "ERROR", execs, secs, out.strip().splitlines()[-1] if out.strip() else ""


def slow_on():
    return os.environ.get("WMM_SLOW", "0") == "1"


def all_clients():
    return sorted(f[:-2] for f in os.listdir(CLIENTS) if f.endswith(".c")
                  and (slow_on() or f[:-2] not in SLOW))


# Seeded bugs the clients must reject (expected: fail, with this message):
# (client, header, text, replacement, message). The checks' own check.
SEEDED = [
    ("event", "event.h", "lk__futex_wake(&e->word, INT32_MAX);",
     "(void)0; /* seeded: set wakes no one */", "lost wake-up"),
    ("tas", "tas.h", "memory_order_release", "memory_order_relaxed",
     "lk_wmm_counter"),
    ("cond", "cond.h", "lk__cond_wake_parked_(n, morph);",
     "(void)morph; /* seeded: a parked waiter is never woken */",
     "lost wake-up"),
]


def seeded_rows(names, fmt, out):
    """Runs the seeded bugs of these clients; returns the number not OK."""
    bad = n = 0
    for c, h, old, new, msg in SEEDED:
        if c not in names:
            continue
        d = os.path.join(out, "seeded." + c)
        if os.path.isdir(d):
            shutil.rmtree(d)
        shutil.copytree(PRIM, d)
        p = os.path.join(d, h)
        text = open(p).read()
        assert old in text, "seeded bug for %s: %r not in %s" % (c, old, h)
        with open(p, "w") as f:
            f.write(text.replace(old, new, 1))
        for model in MODELS:
            log = os.path.join(out, "seeded.%s.%s.log" % (c, model))
            v, execs, secs, m = run_genmc(c, model, d, log)
            ok = v == "fail" and (msg in m or msg in open(log).read())
            bad += not ok
            n += 1
            print(fmt % ("genmc", model, c + "-seeded", execs, "%.1f" % secs,
                         "fail", v, "OK" if ok else "MISMATCH") +
                  "  (" + (m or "no error") + ")", flush=True)
        shutil.rmtree(d)
    return bad, n


def cmd_run(names):
    names = names or all_clients()
    out = outdir()
    fmt = "%-7s %-6s %-10s %10s %8s %-8s %-7s %s"
    print(fmt % ("checker", "model", "client", "execs", "time", "expected",
                 "actual", "verdict"))
    bad = nopen = failed = 0
    rows = []
    for c in names:
        for model in MODELS:
            log = os.path.join(out, "%s.%s.log" % (c, model))
            v, execs, secs, msg = run_genmc(c, model, PRIM, log)
            verdict = "OK" if v == "pass" else ("MISMATCH" if v == "fail"
                                               else v)
            if c in OPEN and v in OPEN[c][0]:
                verdict, msg = "OPEN", OPEN[c][1]
                nopen += 1
            elif verdict != "OK":
                bad += 1
                failed += v == "fail"
            line = fmt % ("genmc", model, c, execs, "%.1f" % secs, "pass", v,
                          verdict)
            if msg:
                line += "  (" + msg + ")"
            print(line, flush=True)
            rows.append((c, model, execs, secs, v))
    sbad, sn = 0, 0
    if os.environ.get("WMM_SEEDED", "1") != "0":
        sbad, sn = seeded_rows(names, fmt, out)
    bad += sbad
    with open(os.path.join(out, "run.md"), "w") as f:
        f.write("| client | model | executions | seconds | result |\n")
        f.write("| --- | --- | ---: | ---: | --- |\n")
        for c, model, execs, secs, v in rows:
            f.write("| %s | %s | %s | %.1f | %s |\n" % (c, model, execs, secs,
                                                       v))
    print("genmc: %d runs, %d not OK, %d OPEN (GenMC cannot decide them: "
          "see REPORT.md)" % (len(rows) + sn, bad, nopen))
    summary(len(rows) + sn - bad - nopen, bad, "genmc")
    # 1: a client failed (a seeded bug passing counts); 3: no client failed
    # but one gave no verdict (TIMEOUT, ERROR): `make mutate` tells them apart
    return 1 if failed or sbad else 3 if bad else 0


# ---- call sites ---------------------------------------------------------

def strip_comments(s):
    """Comments blanked, positions kept."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, s, flags=re.S)


def split_args(s, start):
    """s[start] is '('; returns (list of (arg_start, arg_end), close)."""
    depth, args, a = 0, [], start + 1
    for i in range(start, len(s)):
        ch = s[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append((a, i))
                return args, i
        elif ch == "," and depth == 1:
            args.append((a, i))
            a = i + 1
    raise ValueError("unbalanced call at %d" % start)


def kind_of(fn):
    if fn == "atomic_thread_fence":
        return "fence"
    if fn.startswith("atomic_load"):
        return "load"
    if fn.startswith("atomic_store"):
        return "store"
    if fn.startswith("atomic_compare_exchange"):
        return "cas"
    return "rmw"  # exchange, fetch_*


def weaker(kind, order):
    """The one-step weakenings of order for this kind of access."""
    if kind == "load" or kind == "cas-fail":
        return {"seq_cst": ["acquire"], "acquire": ["relaxed"]}.get(order, [])
    if kind == "store":
        return {"seq_cst": ["release"], "release": ["relaxed"]}.get(order, [])
    # rmw, cas success, fence
    return {"seq_cst": ["acq_rel"], "acq_rel": ["acquire", "release"],
            "acquire": ["relaxed"], "release": ["relaxed"]}.get(order, [])


def sites(header):
    """[(line, fn, role, order, (start, end))] of every weakenable order."""
    text = open(os.path.join(PRIM, header)).read()
    code = strip_comments(text)
    out = []
    for m in re.finditer(r"\b(atomic_\w+_explicit|atomic_thread_fence)\s*\(",
                         code):
        fn = m.group(1)
        args, _ = split_args(code, m.end() - 1)
        kind = kind_of(fn)
        for idx, (a, b) in enumerate(args):
            tok = code[a:b].strip()
            mm = re.fullmatch(r"memory_order_(\w+)", tok)
            if not mm:
                continue
            role = kind
            if kind == "cas":
                role = "cas-fail" if idx == len(args) - 1 else "cas"
            order = mm.group(1)
            s = a + code[a:b].index(tok)
            line = text.count("\n", 0, s) + 1
            out.append((line, fn, role, order, (s, s + len(tok))))
    return out


def all_headers():
    return sorted(h for h in os.listdir(PRIM) if h.endswith(".h"))


def cmd_sites(headers):
    for h in [os.path.basename(h) for h in headers] or all_headers():
        for line, fn, role, order, _ in sites(h):
            w = weaker(role, order)
            print("%s:%d %s %s %s -> %s" % (h, line, fn, role, order,
                                          ",".join(w) or "-"))
    return 0


def patched_dir(root, header, span, text_at_span):
    """A copy of primitives/ with the order at span in header replaced."""
    if os.path.isdir(root):
        shutil.rmtree(root)
    shutil.copytree(PRIM, root)
    p = os.path.join(root, header)
    text = open(p).read()
    s, e = span
    with open(p, "w") as f:
        f.write(text[:s] + text_at_span + text[e:])
    return root


def variant_dir(root, header, span, new):
    """A copy of primitives/ with one order replaced."""
    return patched_dir(root, header, span, "memory_order_" + new)


def reach_dir(root, header, span, order):
    """A copy where the site asserts that it runs (is it exercised?)."""
    return patched_dir(root, header, span,
                       "(lk_wmm_reached(), memory_order_%s)" % order)


def caught(results):
    """Over a header's clients: 'yes' if any run failed, TIMEOUT/ERROR if
    none failed and one did not finish, else 'no'."""
    if any(v == "fail" for v in results):
        return "yes"
    for v in ("TIMEOUT", "ERROR"):
        if v in results:
            return v
    return "no"


def cmd_weaken(headers):
    # primitives/cond.h and cond.h alike
    headers = [os.path.basename(h) for h in headers] or \
        [h for h in all_headers() if h in HEADER_CLIENTS]
    out = outdir()
    work = os.path.join(out, "variants")
    os.makedirs(work, exist_ok=True)
    rows = []
    fmt = "%-12s %5s %-28s %-8s %-8s %-9s %-7s %-7s %s"
    print(fmt % ("header", "line", "op", "order", "weak", "reached", "rc11",
                 "imm", "clients"))
    only_sites = os.environ.get("WMM_SITES", "").split()
    only_clients = os.environ.get("WMM_CLIENTS", "").split()
    for h in headers:
        clients = [c for c in HEADER_CLIENTS.get(h, [])
                   if (not only_clients or c in only_clients)
                   and (slow_on() or c not in SLOW)]
        for n, (line, fn, role, order, span) in enumerate(sites(h)):
            ws = weaker(role, order)
            if not ws or not clients:
                continue
            if only_sites and "%s:%d" % (h, line) not in only_sites:
                continue
            if role == "cas-fail":
                # GenMC v0.10.3 gives a CAS's read its success order even
                # when it fails (Execution.cpp, visitAtomicCmpXchgInst): a
                # weaker failure order cannot show. Listed, not run.
                for w in ws:
                    row = (h, line, fn.replace("atomic_", "").replace(
                        "_explicit", "") + " (fail)", order, w, "n/a",
                        "n/a", "n/a", ",".join(clients))
                    rows.append(row)
                    print(fmt % row, flush=True)
                continue
            tag = "%s.%d.%d" % (h[:-2], line, n)
            # exercised? (under RC11; the site asserts when it runs)
            d = reach_dir(os.path.join(work, tag + ".reach"), h, span, order)
            reached = []
            for c in clients:
                v, _, _, msg = run_genmc(
                    c, "rc11", d, os.path.join(work, tag + ".reach.%s.log" % c))
                if v == "fail" and "lk_wmm_reached" in msg:
                    reached.append(c)
            shutil.rmtree(d)
            op = fn.replace("atomic_", "").replace("_explicit", "")
            if role == "cas-fail":
                op += " (fail)"
            for w in ws if not reached else []:
                row = (h, line, op, order, w, "no", "-", "-",
                       ",".join(clients))
                rows.append(row)
                print(fmt % row, flush=True)
            for w in ws if reached else []:
                d = variant_dir(os.path.join(work, tag + "." + w), h, span, w)
                res = {}
                for model in MODELS:
                    vs = []
                    for c in reached:
                        v, _, secs, msg = run_genmc(
                            c, model, d, os.path.join(
                                work, "%s.%s.%s.%s.log" % (tag, w, c, model)))
                        vs.append(v)
                        if v == "fail":
                            break
                    res[model] = caught(vs)
                shutil.rmtree(d)
                row = (h, line, op, order, w, ",".join(reached),
                       res.get("rc11", "-"), res.get("imm", "-"),
                       ",".join(clients))
                rows.append(row)
                print(fmt % row, flush=True)
    with open(os.path.join(out, "weaken.md"), "w") as f:
        f.write("| header | line | op | order | weakened to | exercised by |"
                " RC11 caught | IMM caught |\n")
        f.write("| --- | ---: | --- | --- | --- | --- | --- | --- |\n")
        for r in rows:
            f.write("| %s | %d | `%s` | %s | %s | %s | %s | %s |\n" %
                    r[:8])
    missed = [r for r in rows if r[6] == "no" and r[7] == "no"]
    print("weaken: %d weakenings, %d caught under IMM, %d under RC11, "
          "%d caught by neither" % (
              len(rows), sum(r[7] == "yes" for r in rows),
              sum(r[6] == "yes" for r in rows), len(missed)))
    bad = 0
    for r in rows:
        key = (r[0], r[2], r[3], r[4])
        key5 = key + (site_index(r[0], r[1], r[2], r[3]),)
        if key5 in SURVIVORS or key5 in GENMC_FAILS:
            key = key5
        if key in GENMC_FAILS and "ERROR" in (r[6], r[7]):
            print("weaken: %s:%d %s -> %s: GenMC fails (listed: %s)" % (
                r[0], r[1], r[3], r[4], GENMC_FAILS[key]))
        elif r[6] in ("TIMEOUT", "ERROR") or r[7] in ("TIMEOUT", "ERROR"):
            print("weaken: %s:%d %s -> %s: %s/%s" % (r[0], r[1], r[3], r[4],
                                                   r[6], r[7]))
            bad += 1
        elif (r in missed and key not in SURVIVORS and not slow_on()
              and set(HEADER_CLIENTS.get(r[0], [])) & SLOW):
            print("weaken: SLOW-ONLY %s:%d %s %s -> %s (its 3-thread client: "
                  "WMM_SLOW=1)" % (r[0], r[1], r[2], r[3], r[4]))
        elif r in missed and key not in SURVIVORS:
            print("weaken: NEW SURVIVOR %s:%d %s %s -> %s" % (
                r[0], r[1], r[2], r[3], r[4]))
            bad += 1
        elif key in SURVIVORS and (r[6] == "yes" or r[7] == "yes"):
            print("weaken: listed survivor now caught: %s:%d %s %s -> %s" % (
                r[0], r[1], r[2], r[3], r[4]))
            bad += 1
    summary(len(rows) - bad, bad, "genmc-weaken")
    return 1 if bad else 0


def site_index(header, line, op, order):
    """Which of header's sites with this op and order the one at line is,
    from 0 in file order (SURVIVORS' and GENMC_FAILS' 5th key)."""
    same = [ln for ln, fn, role, o, _ in sites(header) if o == order and
            fn.replace("atomic_", "").replace("_explicit", "") +
            (" (fail)" if role == "cas-fail" else "") == op]
    return same.index(line) if line in same else -1


def cmd_header(names):
    """The headers whose call sites these clients check."""
    print(" ".join(sorted(h for h, cs in HEADER_CLIENTS.items()
                          if set(cs) & set(names))))
    return 0


def cmd_clients(files):
    """The clients that check these files, one line, space-separated."""
    out = []
    for f in files:
        for c in HEADER_CLIENTS.get(os.path.basename(f), []) \
                if os.path.dirname(os.path.normpath(f)) == "primitives" else []:
            if c not in out and c not in SLOW and c not in NOT_PER_MUTANT:
                out.append(c)
    print(" ".join(out))
    return 0


def summary(ok, bad, what):
    """One line for scripts/summary.sh, as the other checkers add."""
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "summary"), "a") as f:
        f.write("%d %d %s\n" % (ok, bad, what))


def main(argv):
    cmds = {"run": cmd_run, "sites": cmd_sites, "weaken": cmd_weaken,
            "header": cmd_header, "clients": cmd_clients}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit(__doc__)
    return cmds[argv[1]](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
