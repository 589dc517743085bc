#!/usr/bin/env python3
"""Moves each single-argument GET attack of a probe corpus to other encodings and other places in a request.

Usage: variants.py PROBES.jsonl OUT.jsonl   (PROBES from probes.py)
       variants.py --score VERDICTS.jsonl    (from `gateway waf-eval --corpus OUT.jsonl --verdicts VERDICTS.jsonl`)

A probe `GET /search?NAME=VALUE` becomes one record per variant, id `<probe id>~<variant>`:
  encodings   raw, all (every byte %XX), double (encoded twice), plus (spaces as +), uenc (%uXXXX letters),
              tabs / newline (spaces replaced), fullwidth (letters and digits as U+FF21… forms)
  places      form, json (nested), jsonapi (+json type), multipart, xml (element), xmlattr, cookie, text (text/plain),
              path (one path segment), header-ua, header-referer, header-xff
  relabelled  json / form bodies sent as text/plain, application/octet-stream, or with no Content-Type
The `raw` variant is the probe itself. `--score` prints, per variant, how many are caught among the probes whose
`raw` variant is caught: a probe the engine misses as a plain GET says nothing about where else it is missed.
Every record has expect_trigger true.
"""
import collections
import json
import sys
import urllib.parse as up
from xml.sax.saxutils import escape

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BASE = {"Host": "localhost", "User-Agent": UA, "Accept": "text/html"}


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in s)


def uenc(s):
    # Deterministic: every other letter as %uXXXX.
    out, n = [], 0
    for c in s:
        if c.isalpha():
            n += 1
            if n % 2:
                out.append("%%u%04X" % ord(c))
                continue
        out.append(up.quote(c, safe=""))
    return "".join(out)


ENCODINGS = {
    "raw": lambda v: up.quote(v, safe=""),
    "all": lambda v: "".join("%%%02X" % b for b in v.encode()),
    "double": lambda v: up.quote(up.quote(v, safe=""), safe=""),
    "plus": up.quote_plus,
    "uenc": uenc,
    "tabs": lambda v: up.quote(v.replace(" ", "\t"), safe=""),
    "newline": lambda v: up.quote(v.replace(" ", "\n"), safe=""),
    "fullwidth": lambda v: up.quote(fullwidth(v), safe=""),
}


def record(rid, method, uri, headers=None, body=None):
    h = dict(BASE)
    h.update(headers or {})
    return {"id": rid, "method": method, "uri": uri, "version": "HTTP/1.1", "headers": h, "body": body,
            "expect_trigger": True}


def places(pid, name, v):
    mp = "------WebKitFormBoundaryX"
    form = f"{name}={up.quote_plus(v)}"
    js = json.dumps({"data": {"items": [{"name": "x", "note": v}]}})
    yield record(f"{pid}~form", "POST", "/submit", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    yield record(f"{pid}~json", "POST", "/api", {"Content-Type": "application/json"}, js)
    yield record(f"{pid}~jsonapi", "POST", "/api", {"Content-Type": "application/vnd.api+json; charset=utf-8"},
                 json.dumps({"q": v}))
    yield record(f"{pid}~multipart", "POST", "/upload", {"Content-Type": f"multipart/form-data; boundary={mp[2:]}"},
                 f"{mp}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{v}\r\n{mp}--\r\n")
    yield record(f"{pid}~xml", "POST", "/soap", {"Content-Type": "text/xml"},
                 f"<?xml version=\"1.0\"?><r><q>{escape(v)}</q></r>")
    yield record(f"{pid}~xmlattr", "POST", "/soap", {"Content-Type": "application/xml"},
                 f"<r q=\"{escape(v, {chr(34): '&quot;'})}\"/>")
    yield record(f"{pid}~cookie", "GET", "/", {"Cookie": f"sid=abc; pref={up.quote(v, safe='')}"})
    yield record(f"{pid}~text", "POST", "/log", {"Content-Type": "text/plain"}, v)
    yield record(f"{pid}~path", "GET", "/api/items/" + up.quote(v, safe=""))
    if not any(ord(c) < 32 for c in v):
        yield record(f"{pid}~header-ua", "GET", "/", {"User-Agent": v})
        yield record(f"{pid}~header-referer", "GET", "/", {"Referer": "https://example.com/?q=" + up.quote(v)})
        yield record(f"{pid}~header-xff", "GET", "/", {"X-Forwarded-For": v})
    for kind, body in (("json", js), ("form", form)):
        for label, ct in (("text", "text/plain"), ("octet", "application/octet-stream"), ("none", None)):
            r = record(f"{pid}~{kind}-as-{label}", "POST", "/api", {"Content-Type": ct} if ct else {}, body)
            yield r


def score(path):
    caught = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        caught[r["id"]] = r["attack"]
    base = {k.split("~", 1)[0]: a for k, a in caught.items() if k.endswith("~raw")}
    total, hit = collections.Counter(), collections.Counter()
    for k, a in caught.items():
        probe, variant = k.split("~", 1)
        if base.get(probe):
            total[variant] += 1
            hit[variant] += a
    for variant in total:
        print(f"{variant:16} {hit[variant]:5}/{total[variant]:<5} {100 * hit[variant] / total[variant]:6.1f}%")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--score":
        return score(sys.argv[2])
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = []
    for line in open(sys.argv[1], encoding="utf-8"):
        p = json.loads(line)
        target = p.get("uri") or ""
        if not (p.get("expect_trigger") and p.get("method") == "GET" and target.startswith("/search?")):
            continue
        query = target[len("/search?"):]
        if "&" in query:
            continue
        name, _, raw = query.partition("=")
        v = up.unquote(raw)
        for enc, f in ENCODINGS.items():
            out.append(record(f"{p['id']}~{enc}", "GET", f"/search?{name}={f(v)}"))
        out.extend(places(p["id"], name, v))
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} records to {sys.argv[2]}")


if __name__ == "__main__":
    main()
