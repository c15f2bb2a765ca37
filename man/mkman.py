#!/usr/bin/env python3
"""mkman.py: section 3 man pages for latchkit, generated from the headers.

    mkman.py --out DIR --version V --examples DIR [--cc CC] HEADER...

For each public header NAME.h it writes DIR/latchkit-NAME.3:
  NAME         latchkit-NAME and every public verb, with the header's summary
               (the first paragraph of its opening comment)
  SYNOPSIS     the #include, the public types, macros and prototypes
  DESCRIPTION  the rest of the opening comment (algorithm, guarantees, size,
               memory orders), then the comments the header gives its verbs
               and data types
  RETURN VALUE the try/timed verbs' convention, when the header has them
  ERRORS       the status codes, when the header defines LK_OK and the rest
  DIAGNOSTICS  the LK_DEBUG misuse reports of each verb, read from the
               header preprocessed with -DLK_DEBUG
  EXAMPLES     man/examples/NAME.c, which the man-examples check compiles
               and runs
  SEE ALSO     latchkit(3) and the pages of the headers the text names
Each public verb gets a link, lk_VERB.3 -> latchkit-NAME.3 (a symlink, as
mandoc -Tlint prefers to .so), so that `man lk_mutex_lock` finds its page.
DIR/latchkit.3 indexes the pages. DIR is emptied first.

Public means: a name starting lk_ (functions, types) or LK_/LATCHKIT_
(macros, constants) that neither starts with lk__/LK__ nor ends with _.
Verbs come from the preprocessor (cc -E), so the ones a macro generates
(reentrant.h's lk_rmutex_*) are found as well. Python standard library only.
"""
import argparse
import datetime
import os
import re
import subprocess
import textwrap
import sys

PUBLIC_FN = re.compile(r"^lk_[a-z0-9_]*[a-z0-9]$")
PUBLIC_MACRO = re.compile(r"^(LK|LATCHKIT)_[A-Z0-9_]*[A-Z0-9]$")


def public_fn(name):
    return bool(PUBLIC_FN.match(name)) and not name.startswith("lk__")


def public_macro(name):
    return (bool(PUBLIC_MACRO.match(name)) and not name.startswith("LK__")
            and not re.match(r"^LATCHKIT_[A-Z0-9]+_H$", name))


# ---- reading a header ------------------------------------------------------

class Item:
    """A top-level piece of a header: 'comment', 'pp' (a preprocessor
    directive with its continuations) or 'code' (a declaration, definition
    or macro invocation), with its first and last line numbers."""

    def __init__(self, kind, text, first, last):
        self.kind, self.text, self.first, self.last = kind, text, first, last
        self.comment = None  # the comment attached to this item, if any

    def __repr__(self):
        return "%s@%d-%d %r" % (self.kind, self.first, self.last,
                                self.text[:40])


def scan(src):
    """Splits a header into top-level items. Function bodies and struct
    bodies stay inside their item; `extern "C" {` and its `}` are dropped."""
    items = []
    i, n, line = 0, len(src), 1
    depth = 0
    code, code_first = [], None
    at_line_start = True

    def flush_code(last):
        nonlocal code, code_first
        text = "".join(code).strip()
        if text:
            items.append(Item("code", text, code_first, last))
        code, code_first = [], None

    while i < n:
        c = src[i]
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            text = src[i:j]
            if depth == 0 and not "".join(code).strip():
                items.append(Item("comment", text, line,
                                  line + text.count("\n")))
            else:
                code.append(text)
            line += text.count("\n")
            i = j
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
            continue
        if c == "#" and at_line_start and depth == 0:
            j = i
            while True:
                k = src.find("\n", j)
                if k < 0:
                    k = n
                    break
                if src[k - 1] == "\\":
                    j = k + 1
                    continue
                break
            text = src[i:k]
            items.append(Item("pp", text, line, line + text.count("\n")))
            line += text.count("\n")
            i = k
            continue
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            if code_first is None:
                code_first = line
            code.append(src[i:j + 1])
            i = j + 1
            at_line_start = False
            continue
        if c == "\n":
            if depth == 0 and re.match(r"^[A-Z][A-Z0-9_]*\([^;{}]*\)$",
                                       "".join(code).strip()):
                flush_code(line)  # a macro invocation at top level
            code.append(c)
            line += 1
            i += 1
            at_line_start = True
            continue
        if not c.isspace():
            at_line_start = False
            if code_first is None:
                code_first = line
        if c == "{":
            if depth == 0 and "".join(code).strip() == 'extern "C"':
                code, code_first = [], None
                i += 1
                continue
            if depth == 0:
                code.append(c)
                depth = 1
                i += 1
                continue
            depth += 1
        elif c == "}":
            if depth == 0:  # the end of extern "C"
                i += 1
                continue
            depth -= 1
            if depth == 0:
                code.append(c)
                head = "".join(code)
                head = head[:head.find("{")].rstrip()
                i += 1
                if head.endswith(")"):  # a function definition ends here
                    flush_code(line)
                continue
        elif c == ";" and depth == 0:
            code.append(c)
            flush_code(line)
            i += 1
            continue
        code.append(c)
        i += 1
    flush_code(line)

    # Attach comments: one that ends on the line before an item (or starts
    # on the line an item ends, after it: a trailing comment).
    for k, it in enumerate(items):
        if it.kind == "comment":
            continue
        prev = items[k - 1] if k else None
        nxt = items[k + 1] if k + 1 < len(items) else None
        if nxt and nxt.kind == "comment" and nxt.first == it.last:
            it.comment = nxt
        if prev and prev.kind == "comment" and prev.last + 1 == it.first:
            it.comment = prev
    return items


def comment_lines(text):
    """The lines of a /* */ comment, without the delimiters and ' * '."""
    body = text.strip()
    body = body[2:-2] if body.startswith("/*") and body.endswith("*/") \
        else body
    out = []
    for ln in body.split("\n"):
        s = ln.rstrip()
        m = re.match(r"^\s*\* ?(.*)$", s)
        if m:
            s = m.group(1)
        elif out or s.strip():
            s = s.strip() if not out else re.sub(r"^\s{0,3}", "", s)
        out.append(s)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def squash(text):
    """A declaration on one line, comments dropped."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\( ", "(", text)
    text = re.sub(r" \)", ")", text)
    text = re.sub(r" ,", ",", text)
    return text


def prototype(code):
    """'static inline bool lk_x(lk_t *l)' -> 'bool lk_x(lk_t *l);'"""
    head = code[:code.find("{")] if "{" in code else code.rstrip(";")
    head = squash(head)
    head = re.sub(r"^(static\s+)?(inline\s+)?", "", head)
    return head + ";"


FN_RE = re.compile(r"\b(lk_[a-z0-9_]+)\s*\(")


def fn_name(code):
    """The name a code item declares or defines, if it is a function."""
    head = code[:code.find("{")] if "{" in code else code
    if head.lstrip().startswith(("typedef", "enum", "struct", "union")):
        return None
    m = FN_RE.search(head)
    if not m or not head.rstrip().rstrip(";").rstrip().endswith(")"):
        return None
    return m.group(1)


def fold(proto, width=72):
    """A long prototype broken after commas, aligned after its '('."""
    if len(proto) <= width:
        return [proto]
    col = proto.find("(") + 1
    lines, cur = [], ""
    for part in re.split(r"(?<=,) ", proto):
        if cur and len(cur) + 1 + len(part) > width:
            lines.append(cur)
            cur = " " * col + part
        else:
            cur = cur + " " + part if cur else part
    return lines + [cur]


def preprocess(cc, header):
    """The header run through cc -E as C11 with LK_DEBUG (which adds misuse
    checks, never a verb), as (file, text) rows."""
    cmd = [cc, "-E", "-DLK_DEBUG", "-std=c11", "-D_GNU_SOURCE", "-x", "c",
           header]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    rows, cur = [], None
    for ln in out.split("\n"):
        m = re.match(r'^# (\d+) "([^"]*)"', ln)
        if m:
            cur = m.group(2)
            continue
        rows.append((cur, ln))
    return rows


def own_text(rows, header):
    """What the header itself contributes to the preprocessed text (macro
    expansions of invocations in it included), with the rest blanked."""
    want = os.path.normpath(header)
    return "\n".join(t for f, t in rows
                     if f and os.path.normpath(f) == want)


def expanded_functions(text):
    """Public function definitions in preprocessed text, in order:
    name -> prototype (the ones a macro generates come out of here)."""
    out = {}
    for m in re.finditer(
            r"(?:^|[;}])\s*((?:static\s+)?(?:inline\s+)?[A-Za-z_][\w\s\*]*?"
            r"\b(lk_[a-z0-9_]+)\s*\(([^(){};]*)\))\s*\{", text):
        name = m.group(2)
        if public_fn(name) and name not in out:
            proto = prototype(m.group(1)).replace("_Bool", "bool")
            out[name] = proto
    return out


def diagnostics(rows, header):
    """LK_DEBUG misuse reports per verb: [(fn, message)], in order."""
    full = "\n".join(t for _, t in rows)
    mine = own_text(rows, header)
    join = lambda s: re.sub(r'"\s*"', "", s)  # "lk_" "rmutex" "_lock"
    full, mine = join(full), join(mine)
    pairs = []
    for m in re.finditer(r'"(lk_[a-z0-9_]+)"\s*,\s*"([^"]+)"', mine):
        pairs.append((m.group(1), m.group(2)))
    # A call that passes only the verb's name: the messages are in the
    # callee's body (base.h's owner kit), as literals next to that name.
    for m in re.finditer(r'\b(lk__[a-z0-9_]+)\s*\([^;]*?"(lk_[a-z0-9_]+)"\s*\)',
                         mine):
        callee, fn = m.group(1), m.group(2)
        body = re.search(r"\b%s\s*\(((?:[^()]|\([^()]*\))*)\)\s*\{(.*?)\n\}"
                         % callee, full, re.S)
        if not body:
            continue
        words = body.group(1).split(",")[-1].split()
        if not words:
            continue
        param = words[-1].strip("*")
        for msg in re.findall(r'\b%s\s*,\s*"([^"]+)"' % re.escape(param),
                              body.group(2)):
            pairs.append((fn, msg))
    seen, out = set(), []
    for p in pairs:
        if p not in seen and public_fn(p[0]):
            seen.add(p)
            out.append(p)
    return out


# ---- writing man(7) ----------------------------------------------------------

def esc(s, code=False):
    s = s.replace("\\", "\\e")
    if code:
        s = s.replace("-", "\\-")
    s = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in s)
    return s


def line_out(s):
    """A text line that roff must not take for a request."""
    return "\\&" + s if s[:1] in (".", "'") else s


def wrap(s):
    """Filled text as roff input lines: a new line for each sentence, none
    longer than 80 bytes (mandoc -Tlint's style)."""
    out = []
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z(\\])", s.strip()):
        out += textwrap.wrap(sentence, 80, break_long_words=False,
                             break_on_hyphens=False)
    return [line_out(o) for o in out]


def code_block(lines):
    """Source lines as an indented no-fill block."""
    lines = [l.expandtabs(8).rstrip() for l in lines]
    ind = min((len(l) - len(l.lstrip()) for l in lines if l.strip()),
              default=0)
    out = [".RS 4", ".nf"]
    out += [line_out(esc(l[ind:], True)) if l.strip() else "\\&"
            for l in lines]
    return out + [".fi", ".RE"]


LABEL = re.compile(r"^([A-Z][A-Za-z-]*(?: [a-z-]+){0,2}(?: \([^)]*\))?):"
                   r"(\s+.*)?$")


def prose(lines, para=".PP"):
    """Comment text to roff: paragraphs at blank lines, indented lines as
    preformatted blocks, a leading 'Label:' in bold."""
    out, text, pre = [], [], []

    def flush_text():
        if not text:
            return
        s = " ".join(t.strip() for t in text)
        m = LABEL.match(s)
        if m:
            rest = (m.group(2) or "").strip()
            lines = wrap(esc(rest)) if rest else []
            out.append(para)
            out.append("\\fB%s:\\fP" % esc(m.group(1)))
            out.extend(lines)
        else:
            out.append(para)
            out.extend(wrap(esc(s)))
        text.clear()

    def flush_pre():
        if pre:
            out.extend(code_block(pre))
            pre.clear()

    for ln in lines:
        if not ln.strip():
            flush_text()
            flush_pre()
        elif ln.startswith((" ", "\t")):
            flush_text()
            pre.append(ln)
        else:
            flush_pre()
            text.append(ln)
    flush_text()
    flush_pre()
    return out


def split_summary(lines):
    """The opening comment's first paragraph (the summary) and the rest."""
    k = 0
    while k < len(lines) and lines[k].strip():
        k += 1
    summary = " ".join(l.strip() for l in lines[:k])
    summary = re.sub(r"^latchkit/[a-z0-9_]+\.h:\s*", "", summary)
    return summary.rstrip("."), lines[k:]


def header_date(path):
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path],
                             capture_output=True, text=True, check=False,
                             cwd=os.path.dirname(os.path.abspath(path)))
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except OSError:
        pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(
            int(epoch), datetime.timezone.utc).strftime("%Y-%m-%d")
    return datetime.date.today().isoformat()


def th(title, date, version):
    return ['.TH %s 3 %s "latchkit %s" "latchkit Library Functions"'
            % (title.upper(), date, version)]


def page_for(header, args, headers_all):
    base = os.path.basename(header)[:-2]
    page = "latchkit-" + base
    src = open(header, encoding="utf-8").read()
    items = scan(src)
    if not items or items[0].kind != "comment":
        sys.exit("mkman: %s: no opening comment" % header)
    summary, rest = split_summary(comment_lines(items[0].text))
    items = items[1:]

    # Verbs: every public function the header defines or declares, found by
    # the preprocessor (so macro-generated ones too); prototypes from the
    # source where the source spells them.
    rows = preprocess(args.cc, header)
    expanded = expanded_functions(own_text(rows, header))
    raw = {}
    for it in items:
        if it.kind == "code":
            name = fn_name(it.text)
            if name and public_fn(name) and name not in raw:
                raw[name] = it
    verbs = list(expanded)
    verbs += [n for n in raw if n not in expanded]  # declarations
    order = {it: k for k, it in enumerate(items)}
    exp_order = {n: k for k, n in enumerate(expanded)}
    verbs.sort(key=lambda v: (order[raw[v]] if v in raw else 10**6,
                              exp_order.get(v, 0)))

    # Types, macros, enums.
    types, macros, datatypes, statuses = [], [], [], []
    seen_macro = set()
    for it in items:
        if it.kind == "pp":
            m = re.match(r"^#\s*define\s+([A-Z0-9_]+)(\([^)]*\))?[ \t]*(.*)$",
                         it.text, re.S)
            if not m or not public_macro(m.group(1)) or \
                    m.group(1) in seen_macro:
                continue
            seen_macro.add(m.group(1))
            value = squash(re.sub(r"\\\n", " ", m.group(3)))
            if value.startswith("{"):
                value = "{ ... }"
            elif m.group(2) or len(value) > 40:
                value = ""
            macros.append(("#define %s%s %s" % (m.group(1), m.group(2) or "",
                                                value)).rstrip())
        elif it.kind == "code" and it.text.startswith("typedef"):
            t = it.text
            tail = t[t.rfind("}"):] if "{" in t else t
            names = [x for x in re.findall(r"\b(lk_[a-z0-9_]+)\b", tail)
                     if public_fn(x)]
            if not names:
                continue
            if "{" in t:
                tag = re.match(r"^typedef\s+(struct|union|enum)\s*(\w*)", t)
                kw, tagname = (tag.group(1), tag.group(2)) if tag else \
                    ("struct", "")
                types.append("typedef %s %s{ ... } %s;" % (
                    kw, tagname + " " if tagname else "", names[-1]))
                if tagname:  # a named struct: its fields are API
                    datatypes.append(it)
            else:
                types.append(squash(t))
        elif it.kind == "code" and it.text.startswith("enum"):
            consts = re.findall(r"\b(LK_[A-Z0-9_]+)\s*(?:=|,|\})",
                                re.sub(r"/\*.*?\*/", "", it.text, flags=re.S))
            if any(public_macro(c) for c in consts):
                (statuses if "LK_OK" in consts else datatypes).append(it)

    for name in re.findall(r"\}\s*(lk_[a-z0-9_]+_t)\s*;",
                           own_text(rows, header)):
        if public_fn(name) and not any(t.endswith(" %s;" % name)
                                       for t in types):
            types.append("typedef struct { ... } %s;" % name)

    date = header_date(header)
    out = th(page, date, args.version)
    out += [".SH NAME"]
    out += wrap(", ".join(esc(n, True) for n in [page] + verbs) + " \\- " +
                esc(summary))

    out += [".SH SYNOPSIS", ".nf", "\\fB#include <latchkit/%s.h>\\fP" % base]
    for block in (types, macros):
        if block:
            out += ["\\&"] + [line_out(esc(t, True)) for t in block]
    if verbs:
        out += ["\\&"]
        for v in verbs:
            proto = prototype(raw[v].text) if v in raw else expanded[v]
            for k, ln in enumerate(fold(proto)):
                ln = esc(ln, True)
                if k == 0:
                    ln = ln.replace(esc(v, True) + "(",
                                    "\\fB%s\\fP(" % esc(v, True), 1)
                out.append(line_out(ln))
    out += [".fi", ".PP"]
    needs_lib = any(v in raw and "{" not in raw[v].text for v in verbs)
    out += wrap("Compile with \\fIpkg\\-config \\-\\-cflags latchkit\\fP "
                "(it adds \\fB\\-pthread\\fP); " +
                ("link with \\fIpkg\\-config \\-\\-libs latchkit\\fP "
                 "(\\fB\\-llatchkit \\-pthread\\fP)." if needs_lib else
                 "the header needs no library."))

    out += [".SH DESCRIPTION"]
    out += prose(rest)

    # The comments the header gives its verbs and function-like macros, in
    # source order; declarations that follow one comment line by line share
    # it.
    groups, cur = [], None
    for it in items:
        label = None
        if it.kind == "code":
            name = fn_name(it.text)
            label = name if name and public_fn(name) else None
        elif it.kind == "pp":
            m = re.match(r"^#\s*define\s+([A-Z0-9_]+)\(", it.text)
            label = m.group(1) if m and public_macro(m.group(1)) else None
        if not label:
            cur = None
        elif it.comment is not None:
            cur = {"names": [label], "comment": it.comment, "last": it.last}
            groups.append(cur)
        elif cur is not None and it.first == cur["last"] + 1:
            cur["names"].append(label)
            cur["last"] = it.last
        else:
            cur = None
    if groups:
        out += [".SS Functions and macros"]
        for g in groups:
            out += [".TP", ", ".join(
                "\\fB%s\\fP%s" % (esc(n, True), "()" if n.islower() else "")
                for n in g["names"])]
            out += prose(comment_lines(g["comment"].text), ".IP")
    if datatypes:
        out += [".SS Data types and constants"]
        for it in datatypes:
            if it.comment is not None and it.comment.last < it.first:
                out += prose(comment_lines(it.comment.text))
            out += [".PP"] + code_block(it.text.split("\n"))

    def proto_of(v):
        return prototype(raw[v].text) if v in raw else expanded[v]

    # bool try/timed forms (a relative timeout_ns); int timed forms that
    # take an absolute CLOCK_MONOTONIC struct timespec (0 or an errno)
    abs_timed = [v for v in verbs
                 if re.search(r"struct timespec \*abstime", proto_of(v))]
    tried = [v for v in verbs if re.search(r"(try|timed)(lock|wait)$", v)
             and v not in abs_timed]
    if (tried or abs_timed) and not statuses:
        out += [".SH RETURN VALUE"]
    if tried and not statuses:
        out += wrap(
            "The try and timed forms (" +
            ", ".join("\\fB%s\\fP()" % esc(v, True) for v in tried) +
            ") return true when they acquired (a semaphore: took a permit" +
            ("; an event: found it set"
             if any(v.startswith("lk_event_") for v in tried) else "") +
            ("; a condition variable: was woken"
             if any(v.startswith("lk_cond_") for v in tried) else "") +
            ") and false when they did not: a try form at once, without "
            "waiting; a timed form once \\fItimeout_ns\\fP nanoseconds, "
            "counted from the call, have passed. What the other verbs "
            "return is under DESCRIPTION.")
    if abs_timed and not statuses:
        if tried:
            out += [".PP"]
        out += wrap(
            "The timed forms that take an absolute deadline (" +
            ", ".join("\\fB%s\\fP()" % esc(v, True) for v in abs_timed) +
            ") return 0 when what they wait for has happened (even with "
            "the deadline past), \\fBETIMEDOUT\\fP once "
            "\\fBCLOCK_MONOTONIC\\fP has reached \\fIabstime\\fP "
            "first, and \\fBEINVAL\\fP, doing nothing, when "
            "\\fIabstime\\fP is not a valid time (\\fItv_nsec\\fP "
            "outside [0, 1000000000), or a negative \\fItv_sec\\fP). "
            "What the other verbs return is under DESCRIPTION.")
    if statuses:
        out += [".SH ERRORS"]
        out += wrap("The calls that return \\fIint\\fP return one of these "
                    "codes, and \\fBlk_strerror\\fP() names each.")
        for it in statuses:
            body = it.text[it.text.find("{") + 1:it.text.rfind("}")]
            for m in re.finditer(r"\b(LK_[A-Z0-9_]+)\s*=\s*\d+\s*,?\s*"
                                 r"(/\*.*?\*/)?", body, re.S):
                out += [".TP", "\\fB%s\\fP" % esc(m.group(1), True)]
                text = " ".join(l.strip() for l in comment_lines(m.group(2))) \
                    if m.group(2) else "Success."
                out += wrap(esc(text[:1].upper() + text[1:]))
    diags = diagnostics(rows, header)
    if diags:
        out += [".SH DIAGNOSTICS"]
        out += wrap("Built with \\fB\\-DLK_DEBUG\\fP (by every translation "
                    "unit of the program alike), a misuse aborts the program "
                    "with \\(lqlatchkit: \\fIverb\\fP: \\fImessage\\fP\\(rq "
                    "on standard error. The checks:")
        by = {}
        for fn, msg in diags:
            by.setdefault(fn, []).append(msg)
        for fn in sorted(by, key=lambda f: verbs.index(f) if f in verbs
                         else 10**6):
            out += [".TP", "\\fB%s\\fP()" % esc(fn, True)]
            out += wrap(esc("; ".join(by[fn]) + "."))

    ex = os.path.join(args.examples, base + ".c")
    if os.path.exists(ex):
        lines = open(ex, encoding="utf-8").read().rstrip("\n").split("\n")
        out += [".SH EXAMPLES", ".nf"]
        out += [line_out(esc(l.expandtabs(8).rstrip(), True)) if l.strip()
                else "\\&" for l in lines]
        out += [".fi"]
    elif verbs:
        print("mkman: %s has no example (%s)" % (header, ex), file=sys.stderr)

    others = set()
    for h in headers_all:
        b = os.path.basename(h)[:-2]
        if b not in (base, "base") and re.search(r"\b%s\.h\b" % re.escape(b),
                                                 src):
            others.add("latchkit-" + b)
    out += [".SH SEE ALSO"]
    out += [",\n".join(".BR %s (3)" % esc(p, True)
                       for p in ["latchkit"] + sorted(others))]
    return page, summary, verbs, date, tidy(out)


def tidy(out):
    """Drops paragraph macros that would do nothing (mandoc -Tlint says
    so): one right after a section or subsection heading, or after .TP's
    tag line (the first paragraph of an item needs none)."""
    res = []
    for o in out:
        if o in (".PP", ".IP") and res and (
                res[-1].startswith((".SH", ".SS", ".PP")) or
                (len(res) >= 2 and res[-2] == ".TP")):
            continue
        res.append(o)
    return "\n".join(res) + "\n"


def index_page(pages, date, args):
    out = th("latchkit", date, args.version)
    out += [".SH NAME",
            "latchkit \\- C11 latches, reader\\-writer latches and a lock "
            "table",
            ".SH SYNOPSIS", ".nf",
            "\\fB#include <latchkit/\\fP\\fIname\\fP\\fB.h>\\fP",
            "\\&",
            "cc \\-std=c11 ... $(pkg\\-config \\-\\-cflags \\-\\-libs "
            "latchkit)",
            "\\&",
            "find_package(latchkit CONFIG REQUIRED)",
            "target_link_libraries(app PRIVATE latchkit::latchkit)",
            ".fi",
            ".SH DESCRIPTION"]
    out += wrap(
        "The latches are header\\-only: include one header and link nothing "
        "but \\fB\\-pthread\\fP (CMake: \\fBlatchkit::headers\\fP). The lock "
        "table, \\fI<latchkit/lockmgr.h>\\fP, is the library "
        "\\fIliblatchkit\\fP (\\fB\\-llatchkit\\fP; CMake: "
        "\\fBlatchkit::latchkit\\fP). Each page below is generated from its "
        "header's opening comment (the algorithm and its paper, the progress "
        "and fairness guarantee, the size, the memory order of every atomic "
        "operation) and names every verb of the header, so that "
        "\\fBman\\fP \\fIverb\\fP finds it.")
    for page, summary in pages:
        out += [".TP", "\\fB%s\\fP(3)" % esc(page, True)]
        out += wrap(esc(summary[:1].upper() + summary[1:]) + ".")
    out += [".SH SEE ALSO",
            ",\n".join(".BR %s (3)" % esc(p, True) for p, _ in pages)]
    return tidy(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--examples", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("headers", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".3"):
            os.unlink(os.path.join(args.out, f))
    written, pages, dates = [], [], []
    for h in args.headers:
        page, summary, verbs, date, text = page_for(h, args, args.headers)
        pages.append((page, summary))
        dates.append(date)
        with open(os.path.join(args.out, page + ".3"), "w") as f:
            f.write(text)
        written.append(page)
        for v in verbs:
            os.symlink(page + ".3", os.path.join(args.out, v + ".3"))
            written.append(v)
    with open(os.path.join(args.out, "latchkit.3"), "w") as f:
        f.write(index_page(pages, max(dates), args))
    written.append("latchkit")
    if len(set(written)) != len(written):
        dup = sorted({w for w in written if written.count(w) > 1})
        sys.exit("mkman: two pages claim %s" % ", ".join(dup))


if __name__ == "__main__":
    main()
