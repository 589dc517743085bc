#!/usr/bin/env python3
"""Generate realistic BENIGN HTTP requests (expect_trigger=false) for WAF false-positive hunting.

Output: the JSONL file named on the command line, in the shape of ../shared/corpus/*.jsonl
(id, method, uri, version, headers, body, expect_trigger) plus:
  family    "benign <category>"  (clearly benign)  or  "ambiguous <category>" (legit but attack-like content,
            e.g. a code-documentation post with a real shell command or SQL statement)
  ambiguous bool
  note      what the record models
Reproducible: fixed seed.
"""
import base64
import hashlib
import json
import random
import string
import sys
import uuid
from urllib.parse import quote, quote_plus, urlencode

SEED = 20240611
R = random.Random(SEED)
OUT = sys.argv[1] if len(sys.argv) > 1 else "benign.jsonl"

# --------------------------------------------------------------------------------------------------------------
# helpers

def rid(n=16, alphabet=string.ascii_letters + string.digits):
    return "".join(R.choice(alphabet) for _ in range(n))

def hexs(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def ruuid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))

def ts():
    return R.randint(1_700_000_000, 1_718_000_000)

def iso(with_ms=True):
    t = ts()
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    s = d.strftime("%Y-%m-%dT%H:%M:%S")
    return s + (".%03dZ" % R.randint(0, 999) if with_ms else "Z")

def jwt(claims=None):
    hdr = {"alg": R.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    if hdr["alg"] != "HS256":
        hdr["kid"] = hexs(16)
    t = ts()
    body = {"sub": claims.get("sub") if claims else ruuid(), "iat": t, "exp": t + 3600,
            "iss": "https://auth.example.com/", "aud": "web"}
    if claims:
        body.update(claims)
    sig = bytes(R.getrandbits(8) for _ in range(32 if hdr["alg"] == "HS256" else 64))
    return ".".join([b64url(json.dumps(hdr, separators=(",", ":")).encode()),
                     b64url(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()),
                     b64url(sig)])

def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))

def std_b64(n):
    return base64.b64encode(rbytes(n)).decode()

# --------------------------------------------------------------------------------------------------------------
# browsers

CHROME_BRANDS = [
    ('124', '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'),
    ('120', '"Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120"'),
    ('116', '"Chromium";v="116", "Not)A;Brand";v="24", "Google Chrome";v="116"'),
    ('115', '"Not/A)Brand";v="99", "Google Chrome";v="115", "Chromium";v="115"'),
    ('117', '"Google Chrome";v="117", "Not;A=Brand";v="8", "Chromium";v="117"'),
    ('119', '"Google Chrome";v="119", "Chromium";v="119", "Not?A_Brand";v="24"'),
    ('126', '"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"'),
    ('128', '"Chromium";v="128", "Not;A=Brand";v="24", "Google Chrome";v="128"'),
    ('131', '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
    ('133', '"Not(A:Brand";v="99", "Google Chrome";v="133", "Chromium";v="133"'),
    ('134', '"Chromium";v="134", "Not:A-Brand";v="24", "Google Chrome";v="134"'),
    ('137', '"Google Chrome";v="137", "Chromium";v="137", "Not/A)Brand";v="24"'),
]
EDGE_BRANDS = [
    ('122', '"Chromium";v="122", "Not(A:Brand";v="24", "Microsoft Edge";v="122"'),
    ('125', '"Microsoft Edge";v="125", "Chromium";v="125", "Not.A/Brand";v="24"'),
    ('131', '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
]

def profile():
    kind = R.choices(["chrome_win", "chrome_mac", "chrome_android", "edge", "firefox", "firefox_linux",
                      "safari_mac", "safari_ios", "samsung", "fb_inapp", "instagram"],
                     weights=[22, 10, 12, 8, 9, 3, 7, 12, 3, 3, 2])[0]
    p = {"kind": kind}
    if kind.startswith("chrome") or kind in ("edge", "samsung"):
        ver, brands = R.choice(EDGE_BRANDS if kind == "edge" else CHROME_BRANDS)
        plat = {"chrome_win": '"Windows"', "edge": '"Windows"', "chrome_mac": '"macOS"',
                "chrome_android": '"Android"', "samsung": '"Android"'}[kind]
        if kind == "chrome_win":
            ua = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{ver}.0.0.0 Safari/537.36"
        elif kind == "edge":
            ua = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{ver}.0.0.0 Safari/537.36 Edg/{ver}.0.{R.randint(1000,3000)}.{R.randint(10,99)}"
        elif kind == "chrome_mac":
            ua = f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{ver}.0.0.0 Safari/537.36"
        elif kind == "samsung":
            ua = "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36"
            brands = '"Not)A;Brand";v="24", "Samsung Internet";v="24.0", "Chromium";v="117"'
        else:
            ua = f"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{ver}.0.0.0 Mobile Safari/537.36"
        p.update(ua=ua, brands=brands, mobile="?1" if kind in ("chrome_android", "samsung") else "?0", platform=plat,
                 accept_nav="text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
                 accept_img="image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
                 enc="gzip, deflate, br, zstd" if int(ver) >= 123 else "gzip, deflate, br",
                 lang=R.choice(["en-US,en;q=0.9", "en-GB,en-US;q=0.9,en;q=0.8", "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
                                "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "zh-CN,zh;q=0.9,en;q=0.8", "es-ES,es;q=0.9",
                                "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "ja,en-US;q=0.9,en;q=0.8"]))
    elif kind.startswith("firefox"):
        ver = R.choice(["115.0", "121.0", "123.0", "125.0", "128.0", "133.0"])
        os_ = "Windows NT 10.0; Win64; x64" if kind == "firefox" else "X11; Ubuntu; Linux x86_64"
        p.update(ua=f"Mozilla/5.0 ({os_}; rv:{ver}) Gecko/20100101 Firefox/{ver}",
                 accept_nav="text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                 accept_img="image/avif,image/webp,*/*",
                 enc="gzip, deflate, br", lang=R.choice(["en-US,en;q=0.5", "de,en-US;q=0.7,en;q=0.3", "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3"]))
    else:
        if kind == "safari_mac":
            ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15"
        elif kind == "safari_ios":
            ua = R.choice([
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
                "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"])
        elif kind == "fb_inapp":
            ua = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
                  "[FBAN/FBIOS;FBAV/441.0.0.33.113;FBBV/541117093;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/543203640]")
        else:
            ua = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
                  "Instagram 310.0.0.26.112 (iPhone14,5; iOS 17_1; en_US; en; scale=3.00; 1170x2532; 536988435)")
        p.update(ua=ua, accept_nav="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                 accept_img="image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
                 enc="gzip, deflate, br", lang=R.choice(["en-US,en;q=0.9", "en-GB,en;q=0.9", "fr-FR,fr;q=0.9"]))
    return p

def ch_headers(p):
    if "brands" not in p:
        return {}
    return {"sec-ch-ua": p["brands"], "sec-ch-ua-mobile": p["mobile"], "sec-ch-ua-platform": p["platform"]}

# --------------------------------------------------------------------------------------------------------------
# cookies

def ga():
    return f"GA1.1.{R.randint(100000000, 2147483647)}.{ts()}"

def cf_bm():
    # __cf_bm: 43 url-safe chars, '-', unix time, '-1.0.1.1-', long base64url with dots and underscores
    tail = b64url(rbytes(100)).replace("-", ".")
    return f"{b64url(rbytes(32))[:43]}-{ts()}-1.0.1.1-{tail}"

def optanon():
    q = {"isGpcEnabled": "0",
         "datestamp": "Tue Jan 16 2024 10:12:47 GMT+0100 (Central European Standard Time)",
         "version": "202310.1.0", "browserGpcFlag": "0", "isIABGlobal": "false", "hosts": "",
         "consentId": ruuid(), "interactionCount": "1", "isAnonUser": "1",
         "landingPath": "NotLandingPage", "groups": "C0001:1,C0002:1,C0003:1,C0004:0",
         "geolocation": "DE;BY", "AwaitingReconsent": "false"}
    # OneTrust stores a query string: spaces as '+', ':' ',' '+' percent-encoded, parentheses left as they are
    return "&".join(f"{k}={quote_plus(v, safe='()')}" for k, v in q.items())

def cookiebot():
    stamp = quote(base64.b64encode(rbytes(30)).decode(), safe="")
    return ("{stamp:%27" + stamp + "%27%2Cnecessary:true%2Cpreferences:" + R.choice(["true", "false"]) +
            "%2Cstatistics:true%2Cmarketing:" + R.choice(["true", "false"]) +
            "%2Cmethod:%27explicit%27%2Cver:1%2Cutc:" + str(ts() * 1000) + "%2Cregion:%27" + R.choice(["de", "gb", "fr", "us-06"]) + "%27}")

def mixpanel():
    d = {"distinct_id": "$device:" + ruuid(), "$device_id": ruuid(), "$initial_referrer": R.choice(["$direct", "https://www.google.com/"]),
         "$initial_referring_domain": R.choice(["$direct", "www.google.com"]), "__mps": {}, "__mpso": {"$initial_referrer": "$direct"},
         "__mpus": {}, "__mpa": {}, "__mpu": {}, "__mpr": [], "__mpap": []}
    return quote(json.dumps(d), safe="")

def hotjar():
    return b64url(json.dumps({"id": ruuid(), "created": ts() * 1000, "existing": True}, separators=(",", ":")).encode())

def shopify_consent():
    d = {"con": {"CMP": {"a": "", "m": "", "p": "", "s": ""}}, "v": "2.1", "region": "DEBY", "reg": "", "purposes": {"a": True, "p": True, "m": True, "t": True}, "display_banner": False, "sale_of_data_region": False, "consent_id": ruuid()}
    return quote(json.dumps(d, separators=(",", ":")), safe="")

def laravel_session():
    d = {"iv": std_b64(16), "value": std_b64(120), "mac": hexs(64), "tag": ""}
    return quote(base64.b64encode(json.dumps(d, separators=(",", ":")).encode()).decode(), safe="")

def rails_session():
    return quote(std_b64(180), safe="") + "--" + hexs(40)

def flask_session():
    return "." + b64url(rbytes(90)) + "." + b64url(rbytes(4)) + "." + b64url(rbytes(20))

def cookie_jar(site="shop", logged_in=None):
    jar = []
    if R.random() < 0.85:
        jar += [("_ga", ga()), ("_ga_" + rid(10, string.ascii_uppercase + string.digits),
                                f"GS1.1.{ts()}.{R.randint(1, 40)}.1.{ts()}.0.0.0")]
    if R.random() < 0.5:
        jar.append(("_gid", f"GA1.2.{R.randint(100000000, 2147483647)}.{ts()}"))
    if R.random() < 0.4:
        jar.append(("_gcl_au", f"1.1.{R.randint(100000000, 2147483647)}.{ts()}"))
    if R.random() < 0.4:
        jar.append(("_fbp", f"fb.1.{ts()}{R.randint(100, 999)}.{R.randint(100000000, 2147483647)}"))
    if R.random() < 0.5:
        jar.append(("__cf_bm", cf_bm()))
    if R.random() < 0.2:
        jar.append(("cf_clearance", b64url(rbytes(32)) + "-" + str(ts()) + "-1.2.1.1-" + b64url(rbytes(150)).replace("-", ".")))
    c = R.random()
    if c < 0.25:
        jar += [("OptanonAlertBoxClosed", iso()), ("OptanonConsent", optanon())]
    elif c < 0.45:
        jar.append(("CookieConsent", cookiebot()))
    elif c < 0.55:
        jar.append(("cookieyes-consent", f"consentid:{b64url(rbytes(24))},consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:no,advertisement:no,other:yes"))
    if R.random() < 0.25:
        n = R.randint(1000000, 9999999)
        jar += [(f"_hjSessionUser_{n}", hotjar()), (f"_hjSession_{n}", b64url(json.dumps({"id": ruuid(), "c": ts() * 1000, "s": 0, "r": 0, "sb": 0, "sr": 0, "se": 0, "fs": 1, "sp": 0}, separators=(",", ":")).encode()))]
    if R.random() < 0.15:
        jar.append((f"mp_{hexs(32)}_mixpanel", mixpanel()))
    if R.random() < 0.15:
        jar += [("ajs_anonymous_id", quote('"' + ruuid() + '"', safe="")), ("ajs_user_id", quote(f'"{R.randint(1000, 99999)}"', safe=""))]
    if R.random() < 0.15:
        jar += [("_clck", f"{rid(7, string.ascii_lowercase + string.digits)}%7C2%7Cfi{R.randint(1, 9)}%7C0%7C{R.randint(1400, 1600)}"),
                ("_clsk", f"{rid(7, string.ascii_lowercase + string.digits)}%7C{ts()}000%7C{R.randint(1, 9)}%7C1%7C{R.choice('abcdefghijklmnopqrstuvwxyz')}.clarity.ms%2Fcollect")]
    if R.random() < 0.15:
        jar += [("__hstc", f"{R.randint(10000000, 99999999)}.{hexs(32)}.{ts()}000.{ts()}000.{ts()}000.{R.randint(1, 20)}"),
                ("hubspotutk", hexs(32)), ("__hssrc", "1")]
    if R.random() < 0.2:
        jar += [("__stripe_mid", ruuid() + hexs(6)), ("__stripe_sid", ruuid() + hexs(6))]
    if R.random() < 0.2:
        a = std_b64(120)
        jar += [("AWSALB", a), ("AWSALBCORS", a)]
    if site == "shop" and R.random() < 0.4:
        jar += [("_shopify_y", ruuid()), ("_tracking_consent", shopify_consent()),
                ("cart", hexs(32) + "%3Fkey%3D" + hexs(32)), ("cart_currency", R.choice(["USD", "EUR", "GBP"])),
                ("recently_viewed", quote(json.dumps([R.randint(1000, 9999) for _ in range(4)]), safe=""))]
    if R.random() < 0.3:
        jar.append(("theme", R.choice(["dark", "light", "system"])))
    if R.random() < 0.2:
        jar.append(("locale", R.choice(["en-US", "de_DE", "fr", "zh-Hans"])))
    if logged_in is None:
        logged_in = R.random() < 0.55
    if logged_in:
        s = R.choice(["jwt", "laravel", "rails", "django", "express", "php", "aspnet", "flask", "java"])
        if s == "jwt":
            jar.append(("session", jwt({"name": R.choice(["Zoë Martin", "Seán O'Brien", "李伟", "José Álvarez"]), "roles": ["user"]})))
        elif s == "laravel":
            jar += [("XSRF-TOKEN", laravel_session()), ("laravel_session", laravel_session())]
        elif s == "rails":
            jar.append(("_myapp_session", rails_session()))
        elif s == "django":
            jar += [("csrftoken", rid(32)), ("sessionid", rid(32, string.ascii_lowercase + string.digits))]
        elif s == "express":
            jar.append(("connect.sid", "s%3A" + rid(32, string.ascii_letters + string.digits + "-_") + "." + quote(std_b64(32).rstrip("="), safe="")))
        elif s == "php":
            jar.append(("PHPSESSID", rid(26, string.ascii_lowercase + string.digits)))
        elif s == "aspnet":
            jar += [("ASP.NET_SessionId", rid(24, string.ascii_lowercase + string.digits)),
                    (".AspNetCore.Antiforgery." + rid(11), "CfDJ8" + b64url(rbytes(110))),
                    (".AspNetCore.Cookies", "CfDJ8" + b64url(rbytes(400)))]
        elif s == "flask":
            jar.append(("session", flask_session()))
        else:
            jar.append(("JSESSIONID", hexs(32).upper()))
    R.shuffle(jar)
    return "; ".join(f"{k}={v}" for k, v in jar)

# --------------------------------------------------------------------------------------------------------------
# request header builders

def nav_headers(p, host, referer=None, site="same-origin", cookies=True, cookie_site="shop"):
    h = {"Host": host}
    if "brands" in p:
        h.update(ch_headers(p))
    h["Upgrade-Insecure-Requests"] = "1"
    h["User-Agent"] = p["ua"]
    h["Accept"] = p["accept_nav"]
    if p["kind"] not in ("safari_mac", "safari_ios", "fb_inapp", "instagram") or R.random() < 0.6:
        h["Sec-Fetch-Site"] = "none" if referer is None else site
        h["Sec-Fetch-Mode"] = "navigate"
        h["Sec-Fetch-User"] = "?1"
        h["Sec-Fetch-Dest"] = "document"
    if referer:
        h["Referer"] = referer
    h["Accept-Encoding"] = p["enc"]
    h["Accept-Language"] = p["lang"]
    if cookies:
        h["Cookie"] = cookie_jar(cookie_site)
    if p["kind"].startswith("firefox"):
        h["DNT"] = "1"
        h["Sec-GPC"] = "1"
        h["Priority"] = "u=0, i"
        h["TE"] = "trailers"
    elif "brands" in p:
        h["Priority"] = "u=0, i"
    h["Connection"] = "keep-alive"
    return h

def xhr_headers(p, host, origin=None, ctype=None, accept="application/json, text/plain, */*", referer=None,
                auth=None, extra=None, cookies=True, cookie_site="shop", site="same-origin"):
    h = {"Host": host}
    if "brands" in p:
        h.update(ch_headers(p))
    h["User-Agent"] = p["ua"]
    h["Accept"] = accept
    if ctype:
        h["Content-Type"] = ctype
    if auth:
        h["Authorization"] = auth
    if origin:
        h["Origin"] = origin
    h["Sec-Fetch-Site"] = site
    h["Sec-Fetch-Mode"] = "cors"
    h["Sec-Fetch-Dest"] = "empty"
    h["Referer"] = referer or ((origin or f"https://{host}") + "/")
    h["Accept-Encoding"] = p["enc"]
    h["Accept-Language"] = p["lang"]
    if R.random() < 0.3:
        h["traceparent"] = f"00-{hexs(32)}-{hexs(16)}-01"
    if R.random() < 0.15:
        h["sentry-trace"] = f"{hexs(32)}-{hexs(16)}-1"
        h["baggage"] = f"sentry-environment=production,sentry-release=web%40{R.randint(1, 9)}.{R.randint(0, 40)}.{R.randint(0, 9)},sentry-public_key={hexs(32)},sentry-trace_id={hexs(32)},sentry-sample_rate=0.1,sentry-sampled=true"
    if extra:
        h.update(extra)
    if cookies:
        h["Cookie"] = cookie_jar(cookie_site)
    h["Connection"] = "keep-alive"
    return h

def form_headers(p, host, ctype, referer, cookies=True, cookie_site="shop"):
    # a form POST from a page of the same site
    h = nav_headers(p, host, referer=referer, cookies=cookies, cookie_site=cookie_site)
    out = {}
    for k, v in h.items():
        if k == "Upgrade-Insecure-Requests":
            out["Cache-Control"] = "max-age=0"
        out[k] = v
        if k == "Upgrade-Insecure-Requests":
            out["Origin"] = "https://" + host
            out["Content-Type"] = ctype
    return out

# --------------------------------------------------------------------------------------------------------------

RECORDS = []
COUNTS = {}

class RawBody(str):
    """A body already held as bytes-as-Latin-1 characters (binary content)."""

def wire(s):
    """The corpus stores bytes as Latin-1 characters: send text as UTF-8 like a browser does."""
    if s is None or isinstance(s, RawBody):
        return None if s is None else str(s)
    return s.encode("utf-8").decode("latin-1")

def add(cat, method, uri, headers, body=None, ambiguous=False, note=""):
    n = COUNTS.get(cat, 0) + 1
    COUNTS[cat] = n
    uri = quote(uri, safe="/?&=%:@!$'()*+,;~#[]-._")  # browsers percent-encode non-ASCII (and spaces) in the target
    headers = {k: wire(v) for k, v in headers.items()}
    body = wire(body)
    rec = {"id": f"benign-{cat}-{n}", "method": method, "uri": uri, "version": "HTTP/1.1",
           "headers": headers, "body": body, "expect_trigger": False,
           "family": ("ambiguous " if ambiguous else "benign ") + cat, "ambiguous": ambiguous, "note": note}
    RECORDS.append(rec)

def qs(pairs):
    """application/x-www-form-urlencoded as a browser form submission encodes it."""
    return urlencode(pairs, quote_via=quote_plus)

SHOP = "shop.example.com"
APP = "app.example.io"
API = "api.example.com"
DOCS = "dev.example.dev"
FORUM = "forum.example.net"
CMS = "cms.example.org"

# ==============================================================================================================
# 1. page navigation and static assets
PAGES = [
    "/", "/en-us/", "/products/merino-wool-crew-sweater-navy", "/collections/womens-shoes?page=2&sort_by=price-ascending",
    "/blog/2024/03/how-we-cut-our-cloud-bill-by-40-percent", "/account/orders", "/cart", "/help/returns-and-refunds",
    "/about-us", "/careers/senior-backend-engineer-rust", "/c/electronics/tv-home-theater/tvs?brand=lg&brand=samsung&size=55-64",
    "/p/B0CHX1W1XY/apple-airpods-pro-2nd-generation", "/de/produkte/kaffeevollautomat-e8", "/fr/catégories/décoration",
    "/zh/产品/茶具", "/wiki/O%27Reilly_Media", "/wiki/Caf%C3%A9_(disambiguation)", "/r/programming/comments/1b2c3d/whats_your_favorite_sql_trick/",
    "/watch?v=dQw4w9WgXcQ&t=42s", "/maps/place/Caf%C3%A9+de+Flore/@48.8541,2.3326,17z", "/user/zo%C3%AB.martin/settings#profile".split("#")[0],
    "/docs/api/v2/reference/endpoints/users#list-users".split("#")[0], "/events/2024-06-21/summer-solstice-party-(21%2B)",
    "/listing/2-bed-apt-w-d-in-unit-near-park", "/jobs?q=c%23+developer&l=New+York%2C+NY", "/s?k=usb-c+hub+4k%4060hz",
    "/articles/why-1%3D1-is-always-true-in-boolean-logic", "/tags/c++", "/search/label/Linux%20%26%20Unix",
    "/index.php?title=Special:Search&search=select+statement", "/forum/viewtopic.php?f=12&t=33871&start=45",
    "/default.aspx?tabid=56&ctl=Edit&mid=412", "/cgi-bin/koha/opac-search.pl?q=ti:war+and+peace",
    "/servlet/ProductDetail?catalogId=10001&productId=734&langId=-1", "/en/Produkte.html?category=Herren&size=XL",
]
ASSETS = [
    ("/static/js/main.3f2a1c9b.js", "*/*", "script"), ("/static/css/main.8e1f0a2d.css", "text/css,*/*;q=0.1", "style"),
    ("/assets/img/hero@2x.webp", None, "image"), ("/fonts/Inter-roman.var.woff2", "*/*", "font"),
    ("/favicon.ico", None, "image"), ("/manifest.webmanifest", "*/*", "manifest"), ("/robots.txt", "*/*", "empty"),
    ("/sitemap.xml", "*/*", "empty"), ("/apple-touch-icon-180x180.png", None, "image"), ("/sw.js", "*/*", "serviceworker"),
    ("/_next/static/chunks/pages/_app-5f8a7e2c1b3d4e6f.js", "*/*", "script"),
    ("/_next/image?url=%2Fimages%2Fteam%2Fzoe.jpg&w=1080&q=75", None, "image"),
    ("/cdn-cgi/image/width=800,quality=80,format=auto/uploads/2024/05/IMG_2041.jpeg", None, "image"),
    ("/wp-content/themes/astra/assets/js/minified/frontend.min.js?ver=4.6.4", "*/*", "script"),
    ("/wp-includes/css/dist/block-library/style.min.css?ver=6.5.2", "text/css,*/*;q=0.1", "style"),
    ("/media/catalog/product/cache/1/image/9df78eab33525d08d6e5fb8d27136e95/m/b/mb01-blue-0.jpg", None, "image"),
    ("/.well-known/apple-app-site-association", "*/*", "empty"), ("/.well-known/security.txt", "*/*", "empty"),
    ("/video/intro-1080p.mp4", "*/*", "video"),
]
for i, path in enumerate(PAGES):
    p = profile()
    host = R.choice([SHOP, CMS, FORUM, "www.example.com"])
    ref = R.choice([None, "https://www.google.com/", f"https://{host}/", "https://duckduckgo.com/", "https://t.co/",
                    "https://www.bing.com/", "android-app://com.google.android.gm/"])
    add("browse", "GET", path, nav_headers(p, host, referer=ref, site="cross-site" if ref and host not in ref else "same-origin"),
        note="document navigation")
for path, acc, dest in ASSETS:
    for _ in range(2):
        p = profile()
        host = R.choice([SHOP, CMS, "www.example.com"])
        h = {"Host": host}
        h.update(ch_headers(p))
        h["User-Agent"] = p["ua"]
        h["Accept"] = acc or p["accept_img"]
        h["Sec-Fetch-Site"] = "same-origin"
        h["Sec-Fetch-Mode"] = "no-cors" if dest in ("image", "script", "style", "video") else "cors"
        h["Sec-Fetch-Dest"] = dest
        h["Referer"] = f"https://{host}/"
        h["Accept-Encoding"] = "identity;q=1, *;q=0" if dest == "video" else p["enc"]
        h["Accept-Language"] = p["lang"]
        if dest == "video":
            h["Range"] = R.choice(["bytes=0-", "bytes=1048576-", "bytes=0-1"])
        if R.random() < 0.4:
            h["If-None-Match"] = R.choice([f'W/"{hexs(2)}-{hexs(27)}"', f'"{hexs(32)}"', f'"{hexs(8)}-{hexs(13)}-gzip"'])
            h["If-Modified-Since"] = "Tue, 14 May 2024 08:21:43 GMT"
        h["Cookie"] = cookie_jar()
        add("browse", "GET", path, h, note=f"static asset ({dest})")
# HEAD requests (link checkers, uptime monitors, browsers for downloads)
for path, ua in [("/", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"),
                 ("/downloads/installer-2.4.1-x64.msi", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
                 ("/feed.xml", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 4 subscribers; like FeedFetcher-Google)"),
                 ("/blog/2024/03/how-we-cut-our-cloud-bill-by-40-percent", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
                 ("/products/merino-wool-crew-sweater-navy", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]:
    add("methods", "HEAD", path, {"Host": SHOP, "User-Agent": ua, "Accept": "*/*", "Accept-Encoding": "gzip"}, note="HEAD")

# ==============================================================================================================
# 2. search boxes (GET forms) -- what people really type
SEARCHES_CLEAR = [
    "O'Brien", "o'reilly head first java", "Zoë's Kitchen", "北京 酒店", "crème brûlée recipe", "\"exact phrase\" -excluded",
    "mens' shoes size 11", "rock 'n' roll hall of fame tickets", "it's a wonderful life (1946)", "Levi's 501 or Wrangler",
    "select case iphone 15 pro", "how to select all in excel", "union jack flag 3x5", "credit union near me",
    "drop table lamp", "drop-leaf table", "order by price", "sort by: price (low to high)", "1=1 tickets",
    "buy 1 get 1 free", "50% off", "$19.99 - $49.99", "100% cotton t-shirt", "C# developer", "F# vs OCaml",
    "c++ compiler", "top 10", "top 100 songs 2023", "ps 5", "ps 5 slim digital", "lexus ls 400", "value pack (12 rolls)",
    "family pack (4 tickets)", "compact (2 doors) rental", "sleep (8 hours) tracker", "benchmark (2024) laptops",
    "operating system(s) supported", "who's who in america", "man's search for meaning", "cat's eye marble",
    "time's up", "fork & knife set", "salt & pepper shakers", "table tennis & ping pong tables", "julia roberts & richard gere",
    "chef knife > 8 inch", "mac & cheese", "AT&T prepaid", "Q&A", "ben & jerry's", "what is 2+2", "x < 5 and y > 3",
    "win 10 error 0x80070005", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "european union select committee",
    "insert into envelope (not included)", "rename column headers excel", "delete from history where",
    "update profile set password", "[prototype] checkout redesign", "where is my order?", "null", "true", "undefined",
    "-1", "' ", "\"", "hello world!", "email@example.com", "+1 (555) 010-9999", "SW1A 1AA", "10115 Berlin",
    "i'm feeling lucky", "don't stop me now", "can't login", "what's new in python 3.12", "mother's day gift ideas",
    "5'11\" height", "6' 2\" to cm", "2 1/2\" pvc pipe", "lenovo thinkpad x1 carbon (gen 11)", "set (of 4) wine glasses",
    "type c charger", "net weight 500g", "free shipping", "last minute deals", "date night ideas", "echo dot (5th gen)",
    "more (see below)", "copy & paste", "sort & filter", "head & shoulders shampoo", "tail light bulb 1156",
    "cut-resistant gloves level 5", "find my iphone", "kill bill vol. 1", "ls 460 f sport", "sh 2024 results",
]
for q in SEARCHES_CLEAR:
    p = profile()
    host = R.choice([SHOP, "www.example.com", FORUM])
    params = [("q", q)]
    if R.random() < 0.4:
        params += [("page", str(R.randint(1, 5)))]
    if R.random() < 0.3:
        params += [("sort", R.choice(["relevance", "price_asc", "price_desc", "newest"]))]
    path = R.choice(["/search", "/s", "/catalogsearch/result/", "/search.php"])
    uri = path + "?" + qs(params)
    add("search", "GET", uri, nav_headers(p, host, referer=f"https://{host}/"), note=f"search box: {q}")
    # and the next click from the results page carries the query in the Referer
    if R.random() < 0.35:
        p2 = profile()
        add("search", "GET", "/products/" + R.choice(["item-4471", "merino-wool-crew-sweater-navy", "b0chx1w1xy"]),
            nav_headers(p2, host, referer=f"https://{host}{uri}"), note=f"click from results; Referer carries: {q}")

# autocomplete XHR with partial strings
for q in ["o'", "o'bri", "zo", "sel", "select c", "drop t", "union ", "1=", "c#", "top 1", "ps 5", "who's", "ben & j"]:
    p = profile()
    add("search", "GET", "/api/autocomplete?" + urlencode({"term": q, "limit": 8}),
        xhr_headers(p, SHOP, accept="application/json", referer=f"https://{SHOP}/"), note=f"autocomplete: {q}")

# ==============================================================================================================
# 3. marketing / click-id tagged landing pages
def gl_param():
    return "1*" + rid(6, string.ascii_lowercase + string.digits) + "*_gcl_au*" + b64url(f"{R.randint(1, 9)}.1.{R.randint(10**8, 10**9)}.{ts()}".encode()) + "*_ga*" + b64url(f"{R.randint(10**8, 10**9)}.{ts()}".encode()) + "*_ga_" + rid(10, string.ascii_uppercase + string.digits) + "*" + b64url(f"{ts()}.1.1.{ts()}.0.0.0".encode())

for i in range(30):
    p = profile()
    params = []
    src = R.choice(["google", "facebook", "newsletter", "linkedin", "tiktok", "bing", "reddit", "instagram"])
    params += [("utm_source", src), ("utm_medium", R.choice(["cpc", "email", "social", "paid_social", "display"])),
               ("utm_campaign", R.choice(["spring_sale_2024", "Q3 Launch – EU", "black-friday|retargeting|lal-1%", "brand (exact)", "{campaignname}", "summer_24_20%_off"]))]
    if R.random() < 0.5:
        params.append(("utm_content", R.choice(["hero_banner", "cta-button-2", "carousel_card_3", "video 15s"])))
    if R.random() < 0.5:
        params.append(("utm_term", R.choice(["running shoes", "+women +running +shoes", "[buy sneakers online]", "\"trail shoes\"", "select case"])))
    if src == "google":
        params.append(("gclid", "Cj0KCQjw" + b64url(rbytes(60)).replace("-", "_")[:80] + "_BwE"))
        params.append(("gad_source", "1"))
    elif src in ("facebook", "instagram"):
        params.append(("fbclid", "IwAR" + rid(57, string.ascii_letters + string.digits + "_-")))
    elif src == "bing":
        params.append(("msclkid", hexs(32)))
    elif src == "tiktok":
        params.append(("ttclid", "E.C.P." + rid(60, string.ascii_letters + string.digits + "_-")))
    elif src == "newsletter":
        params += [("mc_cid", hexs(10)), ("mc_eid", hexs(10))]
    if R.random() < 0.3:
        params.append(("_gl", gl_param()))
    if R.random() < 0.2:
        params.append(("srsltid", "AfmBOo" + rid(50, string.ascii_letters + string.digits + "_-")))
    path = R.choice(PAGES[:12])
    sep = "&" if "?" in path else "?"
    ref = {"google": "https://www.google.com/", "facebook": "https://l.facebook.com/", "instagram": "https://l.instagram.com/",
           "newsletter": None, "linkedin": "https://www.linkedin.com/", "tiktok": None, "bing": "https://www.bing.com/",
           "reddit": "https://out.reddit.com/"}[src]
    add("marketing", "GET", path + sep + urlencode(params), nav_headers(p, SHOP, referer=ref, site="cross-site"),
        note="campaign-tagged landing page")

# ==============================================================================================================
# 4. OAuth / OIDC / SAML / return URLs
def pkce():
    return b64url(hashlib.sha256(rbytes(32)).digest())

OAUTH_REDIRECTS = ["https://app.example.io/auth/callback", "https://www.example.com/oauth2/callback?provider=google",
                   "com.example.app:/oauth2redirect", "http://127.0.0.1:53682/", "http://localhost:8080/login/oauth2/code/github",
                   "https://app.example.io/#/auth", "msauth.com.example.app://auth", "https://example.my.site.com/services/authcallback/Okta"]
for redirect in OAUTH_REDIRECTS:
    p = profile()
    params = [("response_type", "code"), ("client_id", R.choice([ruuid(), rid(20), "Iv1." + hexs(16)])),
              ("redirect_uri", redirect), ("scope", R.choice(["openid profile email offline_access", "read:user user:email", "https://www.googleapis.com/auth/calendar.readonly openid"])),
              ("state", b64url(rbytes(24))), ("nonce", b64url(rbytes(16))), ("code_challenge", pkce()), ("code_challenge_method", "S256")]
    if R.random() < 0.5:
        params += [("prompt", "select_account"), ("login_hint", R.choice(["zoe.martin+test@example.com", "sean.obrien@example.ie"]))]
    if R.random() < 0.3:
        params.append(("ui_locales", "de-DE en"))
    add("oauth", "GET", "/oauth2/v2.0/authorize?" + urlencode(params, quote_via=quote),
        nav_headers(p, "login.example.com", referer="https://app.example.io/", site="cross-site", cookie_site="idp"),
        note=f"OAuth authorize, redirect_uri={redirect}")
# callbacks (Keycloak and Azure AD add session_state; the Referer is the IdP's host)
for i in range(6):
    p = profile()
    params = [("state", b64url(rbytes(24))), ("session_state", ruuid()), ("code", ruuid() + "." + ruuid() + "." + ruuid())]
    if i % 2:
        params.append(("iss", "https://sso.example.com/realms/corp"))
    ref = R.choice(["https://sso.example.com/", None, "https://login.microsoftonline.com/"])
    add("oauth", "GET", "/auth/callback?" + urlencode(params), nav_headers(p, APP, referer=ref, site="cross-site"),
        note="OIDC callback with session_state (Keycloak/Azure AD)")
# return URLs and deep links
RETURNS = ["/checkout?step=2", "/account/orders/10023#details", "https://forum.example.net/viewtopic.php?t=33871&start=45",
           "https://www.example.com/default.aspx?tabid=56", "https://shop.example.com/index.php?route=checkout/cart",
           "https://intranet.example.com/sites/HR/Shared%20Documents/Forms/AllItems.aspx?id=%2Fsites%2FHR",
           "https://app.example.io/projects/42/board?filter=assignee:me&view=kanban", "../dashboard", "/",
           "https://docs.example.com/guide/index.jsp?topic=install", "https://www.example.com/cgi-bin/cart.cgi?action=view",
           "https://example.com/search?", "http://192.168.1.20:8123/lovelace/0", "http://localhost:3000/auth/complete"]
for ru in RETURNS:
    p = profile()
    name = R.choice(["returnUrl", "ReturnUrl", "redirect", "next", "continue", "redirect_to", "goto", "return_to"])
    add("oauth", "GET", "/login?" + urlencode({name: ru}), nav_headers(p, R.choice([SHOP, APP, FORUM]), referer=None),
        note=f"login with {name}={ru}")
# SAML POST binding
for i in range(4):
    p = profile()
    assertion = (f'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
                 f'ID="_{hexs(32)}" Version="2.0" IssueInstant="{iso(False)}" Destination="https://app.example.io/saml/acs" '
                 f'InResponseTo="_{hexs(32)}"><saml:Issuer>https://sts.windows.net/{ruuid()}/</saml:Issuer><samlp:Status>'
                 f'<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_{hexs(32)}">'
                 f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">sean.obrien@example.ie</saml:NameID></saml:Subject>'
                 f'<saml:AttributeStatement><saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"><saml:AttributeValue>Seán O\'Brien</saml:AttributeValue></saml:Attribute>'
                 f'</saml:AttributeStatement><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>{std_b64(256)}</ds:SignatureValue></ds:Signature></saml:Assertion></samlp:Response>')
    body = qs([("SAMLResponse", base64.b64encode(assertion.encode()).decode()), ("RelayState", R.choice(["https://app.example.io/projects/42?tab=files", ruuid(), "/dashboard"]))])
    h = form_headers(p, APP, "application/x-www-form-urlencoded", referer="https://login.microsoftonline.com/")
    h["Origin"] = "https://login.microsoftonline.com"
    h["Sec-Fetch-Site"] = "cross-site"
    add("oauth", "POST", "/saml/acs", h, body, note="SAML POST binding")
# token endpoint (confidential client, form-encoded)
for i in range(3):
    body = qs([("grant_type", "authorization_code"), ("code", ruuid()), ("redirect_uri", "https://app.example.io/auth/callback"),
               ("code_verifier", b64url(rbytes(48))), ("client_id", "web-app")])
    add("oauth", "POST", "/oauth/token", {"Host": "login.example.com", "User-Agent": R.choice(["node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "python-requests/2.31.0", "Go-http-client/2.0"]),
        "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + base64.b64encode(b"web-app:" + b64url(rbytes(24)).encode()).decode()},
        body, note="OAuth token exchange (server to server)")

# ==============================================================================================================
# 5. urlencoded forms: login, signup, checkout, contact, reviews
PASSWORDS = ["P@ssw0rd!2024", "correct horse battery staple", "Tr0ub4dor&3", "S3cr3t;Pass#", "hunter2", "pa$$word'123",
             "Zoë-2024!", "my\"quoted\"pass", "<>{}[]()!!", "1' or '1'='1 is not my password lol", "Summer2024!", "qwerty/1234\\"]
for pw in PASSWORDS:
    p = profile()
    amb = "'1'='1" in pw  # a password that literally is a SQL tautology: legitimately ambiguous
    body = qs([("csrf_token", b64url(rbytes(32))), ("email", R.choice(["zoe.martin+shop@example.com", "sean.obrien@example.ie", "li.wei@example.cn", "j.doe@sub.example.co.uk"])),
               ("password", pw), ("remember_me", "on")])
    add("forms-password-sqli" if amb else "forms", "POST", "/login", form_headers(p, SHOP, "application/x-www-form-urlencoded", referer=f"https://{SHOP}/login"), body,
        ambiguous=amb, note=f"login form, password={pw!r}")

PEOPLE = [("Seán", "O'Brien", "sean.obrien@example.ie", "+353 1 234 5678", "Apt #4B, 221B Baker St.", "Dublin", "D02 X285", "O'Brien & Sons Ltd."),
          ("Zoë", "Martin-Lefèvre", "zoe.martin+shop@example.com", "+33 (0)6 12 34 56 78", "12, rue de l'Église", "Paris", "75004", "AT&T"),
          ("李", "伟", "li.wei@example.cn", "+86 10 1234 5678", "北京市朝阳区建国路88号", "北京", "100022", "北京科技有限公司"),
          ("Jean-Luc", "D'Amato", "jl.damato@example.it", "(555) 010-9999 ext. 42", "Via dell'Orso 5/A", "Roma", "00186", "Procter & Gamble"),
          ("Mary", "Smith-O'Neill", "mary@example.com", "555.010.1234", "P.O. Box 1234; Suite 100", "Austin, TX", "78701", "Ben & Jerry's"),
          ("Ólafur", "Þórsson", "olafur@example.is", "+354 555 1234", "Laugavegur 26 (2nd floor)", "Reykjavík", "101", "Smith, Johnson & Co. (UK) Ltd")]
for first, last, email, phone, street, city, zipc, company in PEOPLE:
    for kind in ("signup", "checkout"):
        p = profile()
        if kind == "signup":
            pairs = [("authenticity_token", std_b64(48)), ("user[first_name]", first), ("user[last_name]", last), ("user[email]", email),
                     ("user[phone]", phone), ("user[company]", company), ("user[website]", R.choice(["https://www.example.ie/", "http://example.com/~mary/", ""])),
                     ("user[password]", R.choice([x for x in PASSWORDS if "'1'='1" not in x])), ("user[terms]", "1"), ("commit", "Create account")]
            path = "/users"
        else:
            pairs = [("checkout[email]", email), ("checkout[shipping_address][first_name]", first), ("checkout[shipping_address][last_name]", last),
                     ("checkout[shipping_address][address1]", street), ("checkout[shipping_address][city]", city), ("checkout[shipping_address][zip]", zipc),
                     ("checkout[shipping_address][phone]", phone), ("checkout[reduction_code]", R.choice(["SAVE20%", "SUMMER-24", "WELCOME10", ""])),
                     ("checkout[note]", R.choice(["Please leave at the back door if no one's home :)", "Gift – please don't include the receipt!",
                                                   "Deliver after 5pm (I work until 4:30)", "Ring twice; the bell's broken", "N/A"])),
                     ("checkout[buyer_accepts_marketing]", "0"), ("checkout[buyer_accepts_marketing]", "1"), ("step", "contact_information")]
            path = "/checkouts/" + hexs(32)
        add("forms", "POST", path, form_headers(p, SHOP, "application/x-www-form-urlencoded", referer=f"https://{SHOP}{path}"), qs(pairs),
            note=f"{kind} form for {first} {last}")

CONTACT_MESSAGES = [
    "Hi,\n\nI ordered the blue sweater last week (order #10023) but received the navy one. Could you exchange it?\n\nThanks,\nSeán",
    "Hello!\nWho's the right person to talk to about wholesale pricing?\nWe're a small café in Dublin.\n\nBest,\nMary",
    "Order: #10441\nDate (approx): last Tuesday\nTime (UTC): around 14:00\nIssue: charged twice for the same order",
    "Product feedback:\nScreen size is great, battery life could be better.\nExpect more reviews from our team soon!",
    "Features I'd like to see:\n- dark mode\n- export to CSV\n- select multiple items at once\n- undo (Ctrl+Z)",
    "Description:\nNet weight: 500 g\nType C charging port\nCopy of the invoice attached.\nFree returns within 30 days?",
    "CV summary:\nChef de partie, 2019–2021, Le Bernardin\nHead chef, 2021–present, Café Zoë\nExpect references on request.",
    "Dear team, our operating system(s) are Windows 11 and macOS 14. Please include (if possible) a licence for both.",
    "Tried to pay with PayPal; it says \"error 0x80070005\". I then tried Visa and it worked. Any idea why?",
    "My wallet address is 0x742d35Cc6634C0532925a3b844Bc454e4438f44e – please send the refund there.",
    "Prices include (VAT) 20% and shipping is free over $50. Last time I paid €12.50 extra?",
    "Can you update my address? The old one was 12 Main St.; the new one is 34 Oak Ave., Apt 5.",
    "Sleep (hours): 7.5\nSteps: 10,432\nMood: 8/10\nNotes: felt great after the run & stretching",
    "Hi — I'd like to cancel my subscription. Reason: \"too expensive\" and I don't use it enough.",
    "1. Select your plan\n2. Enter your card details\n3. Click 'Confirm' — nothing happens after step 3!",
    "I can't select user roles in the admin panel; the dropdown is empty. Using Chrome 124 on Windows.",
    "Please delete my account and all data (GDPR Art. 17). My user ID is 48213.",
    "Hello, is the 'Family' pack (4 tickets) valid on weekends and holidays?",
    "Review: 5/5 — \"Best purchase ever\" and it is really worth the price; would buy again!",
    "Who is the author of \"Dune\" and is it worth reading? Also 'Foundation' or 'Hyperion' is better?",
    "As discussed, the rate will be reduced to 10 as from Monday; please confirm (by email) the new terms.",
    "Set start date: 01/07/2024\nSet end date: 31/07/2024\nStart stop button doesn't work on the car though",
    "Julia & Ruby Smith\n42 Elm Street\nSpringfield",
    "To reproduce: open Settings > Privacy > Clear data, then reload. The page shows 'undefined' instead of my name.",
    "Hi there,\nCould you send me the manual for model LS-400? The link /downloads/ls400.pdf returns 404.\nThanks!",
]
for msg in CONTACT_MESSAGES:
    p = profile()
    body = qs([("name", R.choice(["Seán O'Brien", "Zoë Martin", "Mary Smith-O'Neill", "李伟"])), ("email", "sean.obrien@example.ie"),
               ("subject", R.choice(["Order question", "Re: your invoice", "Feedback (long)", "Help!!"])), ("message", msg.replace("\n", "\r\n")),
               ("g-recaptcha-response", "03AFcWeA" + rid(400, string.ascii_letters + string.digits + "_-"))])
    add("forms", "POST", R.choice(["/contact", "/support/tickets", "/wp-admin/admin-ajax.php?action=wpcf7_submit"]),
        form_headers(p, R.choice([SHOP, CMS]), "application/x-www-form-urlencoded", referer=f"https://{SHOP}/contact"), body,
        note="contact form textarea: " + msg[:60].replace("\n", " | "))

# forum posts / comments (plain textarea, urlencoded)
COMMENTS = [
    "Great write-up! One question: does this work with PostgreSQL 16 or only 15?",
    "I disagree -- the old version was faster. Just my 2 cents.",
    "lol this is exactly what happened to me yesterday :D",
    "Thanks!!! [ ] done  [x] tested on Android",
    "Not sure why, but it only fails when the file name has an apostrophe (e.g. \"Zoë's notes.txt\").",
    "Could you add an option for \"sort by: newest\" or \"order by date\"?",
    "Update: fixed it by clearing the cache. For anyone else: Settings → Apps → Chrome → Storage → Clear.",
    "Is there a way to select all rows and then drop them into another table? (in the UI, not SQL)",
    "My set is {1, 2, 3}",
    "That's a 10/10 from me; would recommend to anyone who's into sci-fi.",
]
for c in COMMENTS:
    p = profile()
    add("forms", "POST", "/forum/posting.php?mode=reply&t=33871", form_headers(p, FORUM, "application/x-www-form-urlencoded", referer=f"https://{FORUM}/viewtopic.php?t=33871"),
        qs([("message", c), ("subject", "Re: Performance tips"), ("post", "Submit"), ("creation_time", str(ts())), ("form_token", hexs(40))]),
        note="forum reply: " + c[:60])

# ==============================================================================================================
# 6. rich-text editors (TinyMCE, CKEditor 5, Quill, Gutenberg) -- posted as form fields or JSON
IMG = lambda: f"https://cdn.example.org/uploads/2024/05/{R.choice(['IMG_2041', 'team-photo', 'chart_q3', 'Zoë-portrait'])}.jpg"
RICH = [
    ("tinymce", '<p>Hello <strong>everyone</strong>,</p>\n<p>Here is the <a href="https://www.example.com/report.pdf" target="_blank" rel="noopener">Q3 report</a> as promised.</p>'),
    ("tinymce", '<p style="text-align: center;"><span style="font-size: 14pt; color: #e03e2d;">Summer sale – 20% off everything!</span></p>\n<p style="text-align: center;">Use code <code>SUMMER20</code> at checkout.</p>'),
    ("tinymce", f'<p><img src="{IMG()}" alt="Our team at the offsite" width="640" height="427" /></p>\n<p>Photo: Zoë Martin</p>'),
    ("tinymce", '<p><img src="../../uploads/2024/05/chart_q3.png" alt="Q3 chart" width="600" height="300"></p>\n<p>See the <a href="../reports/q3.html">full report</a>.</p>'),
    ("tinymce", '<table style="border-collapse: collapse; width: 100%;" border="1">\n<tbody>\n<tr>\n<td style="width: 50%;">Plan</td>\n<td style="width: 50%;">Price</td>\n</tr>\n<tr>\n<td>Basic</td>\n<td>$9.99/mo</td>\n</tr>\n<tr>\n<td>Pro (annual)</td>\n<td>$99/yr – save 17%</td>\n</tr>\n</tbody>\n</table>'),
    ("tinymce", '<p><iframe title="YouTube video player" src="//www.youtube.com/embed/dQw4w9WgXcQ" width="560" height="314" allowfullscreen="allowfullscreen"></iframe></p>'),
    ("tinymce", '<p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?si=abc123" width="560" height="315" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe></p>'),
    ("ckeditor5", '<h2>Release notes 2.4</h2><ul><li>New: <i>dark mode</i></li><li>Fixed: export of names like O\'Brien &amp; Zoë</li><li>Changed: <code>select</code> box now supports search</li></ul>'),
    ("ckeditor5", f'<figure class="image image_resized" style="width:75%;"><img src="{IMG()}" srcset="{IMG()} 640w, {IMG()} 1280w" sizes="100vw"><figcaption>Q3 revenue by region</figcaption></figure>'),
    ("ckeditor5", '<figure class="table"><table><thead><tr><th>Region</th><th>Q2</th><th>Q3</th></tr></thead><tbody><tr><td>EMEA</td><td>1.2M</td><td>1.5M (+25%)</td></tr><tr><td>北京</td><td>0.8M</td><td>0.9M</td></tr></tbody></table></figure>'),
    ("ckeditor5", '<blockquote><p>"The best way to predict the future is to invent it." — Alan Kay</p></blockquote><p>Discuss below 👇</p>'),
    ("ckeditor5", '<p><span class="mention" data-mention="@zoe">@zoe</span> can you review the <a href="https://app.example.io/projects/42/board?filter=assignee:me&amp;view=kanban">board</a>?</p>'),
    ("quill", '<p class="ql-align-center"><strong class="ql-size-large">Welcome!</strong></p><ol><li data-list="bullet">Select your language</li><li data-list="bullet">Choose a theme</li></ol>'),
    ("quill", '<p><img src="data:image/png;base64,' + std_b64(180) + '"></p><p>pasted screenshot above</p>'),
    ("quill", '<pre class="ql-syntax" spellcheck="false">npm install --save quill\n</pre><p>then import it in your app.</p>'),
    ("quill", '<p>Meeting notes (2024-05-14):</p><ol><li>Budget: approved ✅</li><li>Hiring: 2 devs (backend &amp; frontend)</li><li>Next meeting: <u>Tue 10:00</u></li></ol>'),
    ("gutenberg", '<!-- wp:paragraph -->\n<p>Our new café opens on <strong>June 1st</strong>! Come by for a free coffee ☕.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:image {"id":2041,"sizeSlug":"large","linkDestination":"none"} -->\n<figure class="wp-block-image size-large"><img src="' + IMG() + '" alt="" class="wp-image-2041"/></figure>\n<!-- /wp:image -->'),
    ("gutenberg", '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">FAQ</h3>\n<!-- /wp:heading -->\n<!-- wp:list -->\n<ul><li>Is it free? – Yes, for up to 3 users.</li><li>Can I cancel? – Anytime.</li></ul>\n<!-- /wp:list -->'),
    ("gutenberg", '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube","responsive":true,"className":"wp-embed-aspect-16-9 wp-has-aspect-ratio"} -->\n<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->'),
    ("tinymce", '<p>Hi Seán,</p><p>Please find the contract attached. Key points:</p><ul><li>Term: 12 months</li><li>Fee: €1,200 (excl. VAT)</li><li>Notice: 30 days</li></ul><p>Best regards,<br>Zoë<br><span style="font-family: \'Courier New\', Courier, monospace; font-size: 10pt;">Zoë Martin | Head of Sales | +33 6 12 34 56 78</span></p>'),
    ("tinymce", '<p><a href="mailto:support@example.com?subject=Order%20%2310023&amp;body=Hi%20there">Email us</a> or call <a href="tel:+15550109999">+1 (555) 010-9999</a>.</p>'),
    ("tinymce", '<p><span style="background-color: rgb(255, 255, 0);">Highlighted text</span> and <span style="font-family: Georgia, serif;">a serif font</span>.</p><hr><p style="padding-left: 40px;">Indented paragraph.</p>'),
    ("ckeditor4", '<p><img alt="" src="/userfiles/images/logo.png" style="float:left; height:120px; margin:10px; width:120px" />Text wrapping around the logo.</p>'),
    ("ckeditor4", '<div style="page-break-after: always"><span style="display:none">&nbsp;</span></div><p>Page 2 starts here.</p>'),
    ("tinymce", '<p>Our <a title="Pricing" href="https://www.example.com/pricing?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=june">pricing page</a> has been updated.</p>'),
    ("tinymce", '<p>Select the product, choose a size (S, M, L), then click <em>Add to cart</em>. Who\'s it for? Anyone who loves cotton.</p>'),
]
for editor, html in RICH:
    p = profile()
    mode = R.choice(["form", "json"])
    if mode == "form":
        body = qs([("title", R.choice(["Release notes 2.4", "Summer sale", "Team offsite – photos", "Q3 report (final)"])),
                   ("content", html), ("status", "draft"), ("_wpnonce", hexs(10))])
        add("richtext", "POST", R.choice(["/admin/posts/1842/edit", "/wp-admin/post.php", "/cms/pages/save"]),
            form_headers(p, CMS, "application/x-www-form-urlencoded", referer=f"https://{CMS}/admin/posts/1842/edit"), body, note=f"{editor} content (form)")
    else:
        body = json.dumps({"id": R.randint(100, 9999), "title": "Release notes", "body_html": html, "author": {"id": ruuid(), "name": "Zoë Martin"},
                           "updated_at": iso(), "tags": ["news", "product"], "published": False}, ensure_ascii=False)
        add("richtext", R.choice(["PUT", "PATCH", "POST"]), f"/api/v1/articles/{R.randint(100, 9999)}",
            xhr_headers(p, CMS, origin=f"https://{CMS}", ctype="application/json", auth="Bearer " + jwt()), body, note=f"{editor} content (JSON)")

# ==============================================================================================================
# 7. Markdown posts on a developer Q&A / documentation site
FENCE = "```"
MD_CLEAR = [
    "## Summary\n\nThis PR adds **dark mode** and fixes #1234.\n\n- [x] tests\n- [ ] docs\n- [ ] changelog\n\nCloses #1200, #1201.",
    "Thanks @zoe! :tada:\n\n> Who's going to review this?\n\nI can take it tomorrow.",
    "### Steps to reproduce\n\n1. Select a user in the list\n2. Click *Edit*\n3. Change the name to `O'Brien`\n4. Save → the apostrophe becomes `&#39;`\n\n**Expected:** O'Brien\n**Actual:** O&#39;Brien",
    "| Plan | Price | Users |\n|------|------:|------:|\n| Free | $0 | 1 |\n| Team | $8/user | 2–50 |\n| Enterprise | contact us | 50+ |",
    "See [the docs](https://docs.example.com/guide/index.jsp?topic=install) and ![diagram](https://cdn.example.org/img/arch.png \"Architecture\").",
    "1. Execute the installer as administrator\n2. Restart your computer\n3. Open the app and sign in",
    "- Create user accounts for the new team\n- Update your profile set-up guide\n- Drop table tennis from the offsite agenda :)",
    "Short answer: yes. Long answer: it depends on whether the `select` element is inside a `<form>` or not.",
    "I think the problem is the *order by* clause in your report builder; try sorting in the UI instead.",
    "TIL: `git log --oneline --graph` is super handy.\n\nAlso `Ctrl+Shift+P` in VS Code.",
    "Version **2.4.1** (2024-05-14)\n\n* Fixed crash when the file name contains `#` or `%`\n* Improved search for `C#` and `F#`\n* Dropped support for IE 11",
    "[Prototype] New checkout flow\n\nGoals:\n* fewer steps (3 → 2)\n* guest checkout\n* Apple Pay / Google Pay",
]
CODE_CLEAR = [
    ("python", "def slugify(title: str) -> str:\n    return re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')\n\nprint(slugify(\"Zoë's Café\"))  # zo-s-caf"),
    ("rust", "fn main() {\n    let names = vec![\"Zoë\", \"Seán\", \"李伟\"];\n    for n in &names {\n        println!(\"Hello, {n}!\");\n    }\n}"),
    ("go", "func handler(w http.ResponseWriter, r *http.Request) {\n\tname := r.URL.Query().Get(\"name\")\n\tfmt.Fprintf(w, \"Hello, %s\", html.EscapeString(name))\n}"),
    ("css", ".card {\n  display: grid;\n  grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));\n  background: url(\"/img/bg.png\") no-repeat;\n}\n@media (max-width: 600px) { .card { grid-template-columns: 1fr; } }"),
    ("yaml", "services:\n  web:\n    image: nginx:1.25\n    ports:\n      - \"8080:80\"\n    environment:\n      - TZ=Europe/Dublin"),
    ("json", "{\n  \"name\": \"my-app\",\n  \"version\": \"1.0.0\",\n  \"scripts\": { \"build\": \"vite build\", \"test\": \"vitest\" }\n}"),
    ("typescript", "const total = items.reduce((sum, i) => sum + i.price * i.qty, 0);\nexport const fmt = (n: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);"),
    ("java", "public record User(String name, String email) {}\n\nvar u = new User(\"Seán O'Brien\", \"sean@example.ie\");\nSystem.out.println(u.name());"),
    ("csharp", "var orders = db.Orders.Where(o => o.Total > 100).OrderBy(o => o.Date).ToList();"),
    ("kotlin", "data class Point(val x: Int, val y: Int)\nfun main() = println(Point(1, 2))"),
]
MD_AMBIG = [
    ("shell", "To install:\n\n" + FENCE + "bash\ncurl -fsSL https://get.example.dev/install.sh | sh\nsudo systemctl enable --now exampled\n" + FENCE + "\n\nThen check `exampled --version`."),
    ("shell", "Fixed it with:\n\n" + FENCE + "\n$ cd ~/projects/app && rm -rf node_modules && npm install\n$ npm run build\n" + FENCE),
    ("shell", "You can find large files with `find / -type f -size +100M 2>/dev/null | sort`."),
    ("shell", "On Windows use PowerShell:\n\n" + FENCE + "powershell\nGet-ChildItem -Path C:\\Users\\$env:USERNAME\\Downloads -Recurse | Sort-Object Length -Descending\n" + FENCE),
    ("shell", "Make the script executable: `chmod +x deploy.sh` and run `./deploy.sh --env prod`."),
    ("shell", "Check your hosts file (`cat /etc/hosts`) and DNS (`dig +short example.com`)."),
    ("shell", FENCE + "dockerfile\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n" + FENCE),
    ("shell", "Windows: open cmd and run `ipconfig /flushdns` then `netsh winsock reset`."),
    ("sql", "Here's the query I use:\n\n" + FENCE + "sql\nSELECT u.id, u.name, COUNT(o.id) AS orders\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE u.created_at >= '2024-01-01'\nGROUP BY u.id, u.name\nHAVING COUNT(o.id) > 5\nORDER BY orders DESC;\n" + FENCE),
    ("sql", "To see table sizes in Postgres: `SELECT relname, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_catalog.pg_statio_user_tables ORDER BY 2 DESC;`"),
    ("sql", "Don't do `DROP TABLE users;` in production :) use a migration:\n\n" + FENCE + "sql\nALTER TABLE users ADD COLUMN last_login timestamptz;\n" + FENCE),
    ("sql", "MySQL: `SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop';`"),
    ("sql", "Upsert example:\n" + FENCE + "sql\nINSERT INTO prices (sku, price) VALUES ('A-1', 9.99)\nON CONFLICT (sku) DO UPDATE SET price = EXCLUDED.price;\n" + FENCE),
    ("sql", "Why does `WHERE name = 'O''Brien'` work but `WHERE name = \"O'Brien\"` doesn't in Postgres?"),
    ("js", "Use event delegation:\n\n" + FENCE + "js\ndocument.querySelector('#list').addEventListener('click', function (e) {\n  if (e.target.matches('li')) alert(e.target.textContent);\n});\n" + FENCE),
    ("js", "jQuery version: `$(document).ready(function() { $('#menu').toggle(); });`"),
    ("js", FENCE + "js\nconst mod = await import('./chunk.js');\nsetTimeout(() => console.log('done'), 1000);\nwindow.location.href = '/thanks';\n" + FENCE),
    ("js", "Don't set `innerHTML` with user input; use `el.textContent = value;` instead. e.g. `el.innerHTML = '<b>' + name + '</b>'` is XSS-prone."),
    ("js", "In Node: `const { exec } = require('child_process'); exec('ls -la', (err, out) => console.log(out));`"),
    ("php", "In PHP 8:\n\n" + FENCE + "php\n<?php\n$name = htmlspecialchars($_GET['name'] ?? '', ENT_QUOTES);\necho \"Hello, {$name}!\";\n" + FENCE),
    ("php", "Use `file_get_contents('php://input')` to read the raw body, and `json_decode($raw, true)` to parse it."),
    ("html", "Minimal page:\n\n" + FENCE + "html\n<!DOCTYPE html>\n<html>\n<head><script src=\"/app.js\" defer></script></head>\n<body onload=\"init()\"><div id=\"app\"></div></body>\n</html>\n" + FENCE),
    ("template", "Shopify snippet:\n\n" + FENCE + "liquid\n{% if product.available %}\n  <span>{{ product.price | money }}</span>\n{% else %}\n  Sold out\n{% endif %}\n" + FENCE),
    ("template", "Jinja: `{% for item in items %}{{ loop.index }}. {{ item.name }}{% endfor %}`"),
    ("config", "Add this to your nginx config (`/etc/nginx/conf.d/app.conf`):\n\n" + FENCE + "nginx\nlocation /api/ {\n    proxy_pass http://127.0.0.1:3000;\n}\n" + FENCE),
    ("config", "Spring: `server.port=${PORT:${APP_PORT:8080}}` lets you override it with an env var."),
]
def post_md(text, cat, ambiguous, note):
    p = profile()
    if R.random() < 0.5:
        body = json.dumps({"body": text, "title": R.choice(["How do I fix this?", "Re: slow query", "Tip of the day", "PR #4521"]),
                           "tags": ["help"], "draft": False}, ensure_ascii=False)
        add(cat, "POST", R.choice(["/api/v1/posts", "/api/comments", f"/repos/acme/app/issues/{R.randint(100, 5000)}/comments"]),
            xhr_headers(p, DOCS, origin=f"https://{DOCS}", ctype="application/json", cookie_site="docs",
                        extra={"X-CSRF-Token": b64url(rbytes(32))}), body, ambiguous=ambiguous, note=note)
    else:
        body = qs([("post[body]", text), ("post[title]", "Question"), ("authenticity_token", std_b64(48))])
        add(cat, "POST", "/questions/78123/answers", form_headers(p, DOCS, "application/x-www-form-urlencoded", referer=f"https://{DOCS}/questions/78123", cookie_site="docs"),
            body, ambiguous=ambiguous, note=note)
for t in MD_CLEAR:
    post_md(t, "markdown", False, "markdown prose: " + t[:50].replace("\n", " | "))
for lang, code in CODE_CLEAR:
    post_md(f"Here's how I did it in {lang}:\n\n{FENCE}{lang}\n{code}\n{FENCE}\n\nHope that helps!", "code-clear", False, f"code snippet ({lang}) without shell/SQL/DOM sinks")
for kind, t in MD_AMBIG:
    post_md(t, "code-" + kind, True, f"code-doc post with a real {kind} snippet: " + t[:50].replace("\n", " | "))

# ==============================================================================================================
# 8. JSON REST APIs
def api_send(cat, method, path, obj, host=API, ambiguous=False, note="", ctype="application/json", auth=True, raw=None):
    p = profile()
    body = raw if raw is not None else (json.dumps(obj, ensure_ascii=False) if obj is not None else None)
    h = xhr_headers(p, host, origin=f"https://{APP}" if host != APP else None, ctype=ctype if body is not None else None,
                    auth=("Bearer " + jwt()) if auth else None, referer=f"https://{APP}/", cookies=not auth or R.random() < 0.3,
                    site="same-site" if host != APP else "same-origin", extra={"X-Request-Id": ruuid()} if R.random() < 0.3 else None)
    add(cat, method, path, h, body, ambiguous=ambiguous, note=note)

PRODUCT_DESCS = ["Value pack (6 x 330ml) – sparkling water, no added sugar.", "Compact (2 doors), automatic, A/C. Insurance included (basic).",
                 "Solar system (planets, moons) poster, 60×90 cm.", "Sleep (8h) tracker with heart-rate & SpO₂. Works with iOS/Android.",
                 "Prices include (VAT) 20%. Free shipping over $50.", "Benchmark (2024): 2× faster than last year's model.",
                 "Set (of 4) wine glasses – dishwasher safe; 350 ml each.", "Men's 'Classic' fit; 100% cotton; made in Portugal.",
                 "Supports all major operating system(s): Windows, macOS, Linux.", "Family pack (4 tickets) for weekends & holidays.",
                 "Drop-leaf table, solid oak, seats 4–6. Select finish: natural or walnut.", "The 'Union' select range – hand-picked by our sommelier."]
for d in PRODUCT_DESCS:
    api_send("json-api", R.choice(["POST", "PUT"]), f"/v1/products/{R.randint(1000, 9999)}",
             {"sku": "SKU-" + rid(6, string.ascii_uppercase + string.digits), "title": d.split(" –")[0].split(",")[0], "description": d,
              "price": {"amount": round(R.uniform(3, 500), 2), "currency": "EUR"}, "stock": R.randint(0, 500), "tags": ["new", "summer-24"],
              "images": [{"url": IMG(), "alt": "front view"}], "updated_at": iso(), "metafields": None, "published": True}, note="product: " + d[:40])

PROFILES = [{"firstName": "Zoë", "lastName": "Martin-Lefèvre", "displayName": "zoë 🌸", "bio": "Product designer @ Acme. I like café crème & long walks. Views are my own.",
             "location": "Paris, France", "website": "https://zoe.example.fr/"},
            {"firstName": "Seán", "lastName": "O'Brien", "displayName": "Seán O'B.", "bio": "Dad, runner, SQL nerd (\"select * from life\" – jk). He/him.",
             "location": "Dublin", "website": "https://www.example.ie/~sean"},
            {"firstName": "伟", "lastName": "李", "displayName": "李伟", "bio": "北京 → 上海。喜欢编程和摄影。", "location": "上海市", "website": ""},
            {"firstName": "Nguyễn", "lastName": "Thị Minh Khai", "displayName": "Minh", "bio": "Hà Nội 🇻🇳 | coffee ☕ | <3 open source", "location": "Hà Nội", "website": None},
            {"firstName": "Jörg", "lastName": "Müller-Lüdenscheidt", "displayName": "jörg", "bio": "\"Ich bin ein Berliner\" – not really, I'm from Köln :-)", "location": "Köln", "website": "http://example.de"},
            {"firstName": "Ana", "lastName": "D'Souza", "displayName": "Ana D.", "bio": "Who's up for a game of chess? ♟️ 1800 ELO on a good day", "location": "Goa", "website": ""}]
for pr in PROFILES:
    obj = dict(pr)
    obj.update({"email": "user+" + rid(4).lower() + "@example.com", "phone": R.choice(["+1 (555) 010-9999", "+44 20 7946 0958", "+49 30 123456-78"]),
                "birthday": "1990-04-0" + str(R.randint(1, 9)), "preferences": {"newsletter": True, "theme": "dark", "language": R.choice(["fr-FR", "en-IE", "zh-CN"]),
                "timezone": R.choice(["Europe/Paris", "Europe/Dublin", "Asia/Shanghai"])}, "avatarUrl": IMG()})
    api_send("json-api", "PATCH", "/v1/users/me", obj, note="profile update " + pr["lastName"])

for i in range(10):
    items = [{"productId": ruuid(), "sku": "SKU-" + rid(6, string.ascii_uppercase + string.digits), "name": R.choice(["Merino sweater – navy", "Café crème beans 1kg", "USB-C hub (7-in-1)", "Book: \"Dune\"", "Zoë's hot sauce 🌶"]),
              "quantity": R.randint(1, 4), "unitPrice": round(R.uniform(5, 120), 2), "options": {"size": R.choice(["S", "M", "L", "XL"]), "color": R.choice(["navy", "rouge", "黑色"])}} for _ in range(R.randint(1, 4))]
    obj = {"orderId": ruuid(), "createdAt": iso(), "currency": R.choice(["USD", "EUR", "GBP", "CNY"]), "items": items,
           "shippingAddress": {"name": R.choice(["Seán O'Brien", "Zoë Martin", "李伟"]), "line1": R.choice(["Apt #4B, 221B Baker St.", "12, rue de l'Église", "建国路88号"]),
                               "city": R.choice(["London", "Paris", "北京"]), "postalCode": R.choice(["NW1 6XE", "75004", "100022"]), "country": R.choice(["GB", "FR", "CN"])},
           "discount": {"code": R.choice(["SAVE20%", "WELCOME10", None]), "percent": 20}, "giftMessage": R.choice(["Happy birthday!\nLove, Mom & Dad", "Joyeux anniversaire ! 🎂", "", None]),
           "metadata": {"source": "web", "ab": {"checkout_v2": "B"}}}
    api_send("json-api", "POST", "/v1/orders", obj, note="order create")

# search / filter objects
for q in ["select case", "drop table", "union jack", "o'brien", "1=1 tickets", "top 10", "who's who", "c# book"]:
    api_send("json-api", "POST", "/v1/search", {"query": q, "filters": {"price": {"gte": 10, "lte": 100}, "brand": ["Levi's", "AT&T"], "inStock": True},
                                                 "sort": [{"field": "price", "order": "desc"}, {"field": "_score"}], "page": {"size": 24, "from": 48},
                                                 "facets": ["brand", "size", "color"]}, note="search API: " + q)
# misc JSON payloads that tend to look odd
MISC_JSON = [
    ("feature flag targeting", "PUT", "/v1/flags/new-checkout", {"key": "new-checkout", "enabled": True, "rollout": {"audience": "all_users", "percentage": 50},
                                                                 "rules": [{"attribute": "country", "operator": "in", "values": ["DE", "AT", "CH"]}, {"attribute": "email", "operator": "ends_with", "values": ["@example.com"]}]}),
    ("audience segments", "POST", "/v1/campaigns", {"name": "Re-engagement – 30 days", "segment": "user_objects", "exclude": ["all_users_unsubscribed"], "sendAt": iso()}),
    ("web3 wallet link", "POST", "/v1/wallets", {"address": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "chainId": 1, "signature": "0x" + hexs(130),
                                                   "message": "Sign in to Example\nNonce: " + hexs(16)}),
    ("web3 tx status", "GET", "/v1/tx/0x" + hexs(64) + "?chain=ethereum", None),
    ("support ticket with windows error", "POST", "/v1/tickets", {"subject": "Update fails with error 0x80070005", "body": "Windows Update error 0x80070005 (access denied) since yesterday.",
                                                                    "priority": "normal"}),
    ("attachment as data URL", "POST", "/v1/expenses", {"merchant": "Café de Flore", "amount": 12.5, "currency": "EUR", "date": "2024-05-14",
                                                         "receipt": {"name": "receipt.pdf", "dataUrl": "data:application/pdf;base64,JVBERi0xLjcKJeLjz9MK" + std_b64(120)}}),
    ("avatar as data URL (png)", "PUT", "/v1/users/me/avatar", {"image": "data:image/png;base64,iVBORw0KGgo" + std_b64(200)}),
    ("logo as data URL (svg)", "PUT", "/v1/org/logo", {"image": "data:image/svg+xml;base64," + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#e03e2d"/></svg>').decode()}),
    ("nested JSON string from a Go service (html-escaped &)", "POST", "/v1/webhooks/replay", {"id": ruuid(), "payload": "{\"next\":\"/cart?x=1\\u0026y=2\",\"note\":\"A \\u0026 B\"}"}),
    ("ticket title with [Prototype] tag", "POST", "/v1/issues", {"title": "[Prototype] New checkout flow", "labels": ["design", "prototype"], "assignee": "zoe"}),
    ("ticket title with [Constructor] tag", "POST", "/v1/issues", {"title": "Bug in [Constructor] of PriceCalculator (v2.4)", "labels": ["bug"]}),
    ("calendar event", "POST", "/v1/calendars/primary/events", {"summary": "1:1 Zoë / Seán", "location": "Room 4.12 (Dublin)", "start": {"dateTime": "2024-06-03T10:00:00+01:00", "timeZone": "Europe/Dublin"},
                                                               "end": {"dateTime": "2024-06-03T10:30:00+01:00"}, "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20241231T000000Z"],
                                                               "description": "Agenda:\n- Q3 goals\n- hiring (2 devs)\n- who's on call?", "attendees": [{"email": "zoe@example.com"}, {"email": "sean@example.ie", "optional": True}]}),
    ("chat message", "POST", "/v1/chat.postMessage", {"channel": "C024BE91L", "text": "who's in for lunch? 🍕 <https://maps.example.com/?q=café|Café Zoë> at 12:30", "mrkdwn": True}),
    ("chat message 2", "POST", "/v1/chat.postMessage", {"channel": "C024BE91L", "text": "FYI: deploy is done; select users will see the new UI first."}),
    ("todo item", "POST", "/v1/tasks", {"title": "Set start date for Q3 campaign", "due": "2024-06-30", "notes": "Set start date; set end date; notify team"}),
    ("i18n strings", "PUT", "/v1/projects/42/locales/en", {"greeting": "Hello, {name}!", "cart": "You have {count, plural, one {# item} other {# items}}",
                                                            "select_user": "Select user", "drop_here": "Drop files here", "union": "Union", "confirm": "Confirm (required)"}),
    ("maps place", "POST", "/v1/places", {"name": "Café de Flore", "address": "172 Bd Saint-Germain, 75006 Paris", "lat": 48.8541, "lng": 2.3326, "hours": "Mo-Su 07:30-01:30"}),
    ("intranet webhook URL", "POST", "/v1/integrations", {"type": "webhook", "url": "http://10.0.12.5:8080/hooks/deploy", "events": ["push", "release"]}),
    ("LDAP directory settings", "PUT", "/v1/admin/directory", {"type": "ldap", "url": "ldaps://ad.corp.example.com:636/", "baseDn": "OU=Users,DC=corp,DC=example,DC=com",
                                                                "userFilter": "(&(objectClass=user)(sAMAccountName={0}))", "bindDn": "CN=svc-app,OU=Service,DC=corp,DC=example,DC=com"}),
    ("JSON Patch", "PATCH", "/v1/users/48213", [{"op": "replace", "path": "/name", "value": "Zoë O'Brien"}, {"op": "remove", "path": "/phones/1"},
                                                {"op": "add", "path": "/tags/-", "value": "vip"}]),
    ("bulk delete ids", "DELETE", "/v1/items", {"ids": [ruuid() for _ in range(5)]}),
    ("dashboard layout", "PUT", "/v1/dashboards/7", {"title": "Sales (EMEA) – weekly", "widgets": [{"type": "chart", "query": "sum(revenue) by region", "range": "last 30 days"},
                                                                                               {"type": "table", "columns": ["region", "q2", "q3"], "sort": "q3 desc"}]}),
    ("form builder schema", "POST", "/v1/forms", {"fields": [{"type": "select", "name": "country", "label": "Select country", "options": ["Ireland", "France", "中国"]},
                                                            {"type": "text", "name": "email", "validation": "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$"},
                                                            {"type": "checkbox", "name": "terms", "label": "I agree to the terms (required)"}]}),
    ("price rule", "POST", "/v1/price-rules", {"title": "Buy 2 get 1 free", "condition": "qty >= 2 and category = 'socks'", "value": "-100%"}),
    ("email template (handlebars)", "PUT", "/v1/templates/welcome", {"subject": "Welcome, {{first_name}}!", "html": "<p>Hi {{first_name}},</p><p>Your order {{order.id}} ships on {{order.ship_date}}.</p>"}),
    ("spreadsheet cell formulas", "PUT", "/v1/sheets/9/cells", {"A1": "Total", "B1": "=SUM(B2:B20)", "C1": "=IF(B1>100,\"high\",\"low\")", "D1": "=VLOOKUP(A2,Prices!A:B,2,FALSE)"}),
    ("math homework answer", "POST", "/v1/answers", {"question": 17, "answer": "x = 1 and y = 2, so x + y = 3", "work": "if (x > 0) then y = 2x"}),
]
for note, method, path, obj in MISC_JSON:
    api_send("json-api", method, path, obj, note=note)

# crash reports / client error telemetry (Android ACRA, browser error trackers)
STACK_JAVA = ("java.lang.IllegalStateException: Fragment not attached to a context.\n"
              "\tat androidx.fragment.app.Fragment.requireContext(Fragment.java:972)\n"
              "\tat com.example.app.ui.CartFragment.onResume(CartFragment.kt:88)\n"
              "\tat android.os.Handler.handleCallback(Handler.java:958)\n"
              "\tat android.os.Looper.loop(Looper.java:294)\n"
              "\tat java.lang.reflect.Method.invoke(Native Method)\n"
              "\tat com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1030)\n")
STACK_JAVA2 = ("java.net.SocketTimeoutException: timeout\n\tat okhttp3.internal.http2.Http2Stream$StreamTimeout.newTimeoutException(Http2Stream.kt:675)\n"
               "\tat java.net.URL.openConnection(URL.java:1095)\n\tat java.lang.Thread.run(Thread.java:1012)\n")
STACK_JS = ("TypeError: Cannot read properties of undefined (reading 'map')\n    at ProductList (https://shop.example.com/_next/static/chunks/pages/products-7f3a.js:1:2345)\n"
            "    at renderWithHooks (https://shop.example.com/_next/static/chunks/framework-2c79e2a6.js:1:59231)\n    at eval (webpack-internal:///./src/app.js:12:5)")
for st in (STACK_JAVA, STACK_JAVA2):
    api_send("telemetry", "POST", "/acra/report", {"REPORT_ID": ruuid(), "APP_VERSION_NAME": "4.12.1", "ANDROID_VERSION": "14", "PHONE_MODEL": "Pixel 8",
                                                    "STACK_TRACE": st, "USER_COMMENT": "app crashed when I opened the cart", "USER_APP_START_DATE": iso()}, auth=False,
             note="Android crash report (ACRA) with a Java stack trace")
api_send("telemetry", "POST", "/api/42/envelope/", None, auth=False, ctype="text/plain;charset=UTF-8",
         raw=json.dumps({"event_id": hexs(32), "sent_at": iso()}) + "\n" + json.dumps({"type": "event"}) + "\n" +
         json.dumps({"exception": {"values": [{"type": "TypeError", "value": "Cannot read properties of undefined (reading 'map')", "stacktrace": {"frames": [{"filename": "app:///_next/static/chunks/pages/products-7f3a.js", "function": "ProductList", "lineno": 1, "colno": 2345}]}}]},
                     "request": {"url": "https://shop.example.com/products?sort=price&order=desc", "headers": {"User-Agent": profile()["ua"]}}, "platform": "javascript"}),
         note="Sentry browser SDK envelope (text/plain, newline-delimited JSON)")
api_send("telemetry", "POST", "/errors", {"message": "Uncaught TypeError", "stack": STACK_JS, "url": "https://shop.example.com/products", "line": 1, "col": 2345}, auth=False,
         note="JS error tracker")

# ==============================================================================================================
# 9. GraphQL
GQL = [
    ("GetProduct", "query GetProduct($id: ID!, $first: Int = 10) {\n  product(id: $id) {\n    id\n    title\n    description\n    variants(first: $first) {\n      edges { node { id title price { amount currencyCode } } }\n    }\n  }\n}",
     {"id": "gid://shopify/Product/" + str(R.randint(10**12, 10**13)), "first": 20}),
    ("SearchProducts", "query SearchProducts($query: String!, $after: String) {\n  search(query: $query, first: 24, after: $after, sortKey: PRICE, reverse: true) {\n    pageInfo { hasNextPage endCursor }\n    nodes { ... on Product { id title handle } }\n  }\n}",
     {"query": "select case", "after": b64url(b'{"last_id":1234,"last_value":"9.99"}')}),
    ("SearchProducts", "query SearchProducts($query: String!) { search(query: $query, first: 24) { nodes { ... on Product { id title } } } }", {"query": "drop table lamp"}),
    ("UpdateProfile", "mutation UpdateProfile($input: ProfileInput!) {\n  updateProfile(input: $input) {\n    user { id name bio }\n    errors { field message }\n  }\n}",
     {"input": {"name": "Seán O'Brien", "bio": "Who's up for a run? 🏃 5k every Sunday", "birthday": "1988-02-29", "links": ["https://www.example.ie/~sean"]}}),
    ("AddToCart", "mutation AddToCart($cartId: ID!, $lines: [CartLineInput!]!) {\n  cartLinesAdd(cartId: $cartId, lines: $lines) {\n    cart { id totalQuantity cost { totalAmount { amount } } }\n    userErrors { field message }\n  }\n}",
     {"cartId": "gid://shopify/Cart/" + hexs(32), "lines": [{"merchandiseId": "gid://shopify/ProductVariant/" + str(R.randint(10**12, 10**13)), "quantity": 2, "attributes": [{"key": "Engraving", "value": "Zoë ♥ Seán"}]}]}),
    ("Viewer", "query Viewer { viewer { id login avatarUrl(size: 64) repositories(first: 5, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { nameWithOwner } } } }", {}),
    ("CreateIssue", "mutation CreateIssue($input: CreateIssueInput!) { createIssue(input: $input) { issue { number url } } }",
     {"input": {"repositoryId": "R_" + rid(16), "title": "Search for \"O'Brien\" returns nothing", "body": "Steps:\n1. Select user filter\n2. Type O'Brien\n3. Nothing found"}}),
    ("Feed", "query Feed($first: Int!, $filter: PostFilter) {\n  posts(first: $first, filter: $filter, orderBy: {createdAt: desc}) {\n    id\n    title\n    author { name }\n    createdAt\n    ...PostStats\n  }\n}\nfragment PostStats on Post { likes comments @include(if: true) { totalCount } }",
     {"first": 10, "filter": {"tag": "sql", "createdAt_gte": "2024-01-01T00:00:00Z", "title_contains": "union"}}),
    ("Hasura", "query AllUsers { all_users(where: {email: {_ilike: \"%@example.com\"}}, order_by: {created_at: desc}, limit: 20) { id name email } }", {}),
    ("Introspection-lite", "query { __typename }", {}),
]
for op, query, variables in GQL:
    api_send("graphql", "POST", "/graphql", {"operationName": op if op not in ("Hasura", "Introspection-lite") else None, "query": query, "variables": variables},
             host=APP, note=f"GraphQL {op}")
# Apollo automatic persisted queries over GET
for op, var in [("GetProduct", {"id": "42"}), ("SearchProducts", {"query": "o'brien & sons"}), ("Feed", {"first": 10, "filter": {"tag": "c#"}})]:
    p = profile()
    params = {"operationName": op, "variables": json.dumps(var, separators=(",", ":")),
              "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": hexs(64)}}, separators=(",", ":"))}
    add("graphql", "GET", "/graphql?" + urlencode(params, quote_via=quote), xhr_headers(p, APP, accept="application/graphql-response+json, application/json",
        extra={"apollographql-client-name": "web", "apollographql-client-version": "2.14.0"}), note=f"APQ GET {op}")
# application/graphql raw body
for q in ['{ product(handle: "merino-wool-crew-sweater-navy") { id title priceRange { minVariantPrice { amount } } } }',
          'query { search(query: "who\'s who", first: 5) { nodes { ... on Book { title author } } } }',
          'mutation { markRead(ids: ["1", "2", "3"]) { ok } }']:
    api_send("graphql", "POST", "/graphql", None, host=APP, ctype="application/graphql", raw=q, note="application/graphql raw body")

# ==============================================================================================================
# 10. multipart uploads
def multipart(fields, files, style="chrome"):
    if style == "firefox":
        b = "-" * 27 + str(R.randint(10**28, 10**29))
    else:
        b = "----WebKitFormBoundary" + rid(16)
    # text is sent as UTF-8; file content is already bytes held as Latin-1 characters (the corpus convention)
    u = lambda t: t.encode("utf-8").decode("latin-1")
    out = []
    for name, val in fields:
        out.append(u(f"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{val}\r\n"))
    for name, fname, ctype, content in files:
        fname = fname.replace('"', "%22")  # what Chrome and Firefox do with a quote in a file name
        out.append(u(f"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fname}\"\r\nContent-Type: {ctype}\r\n\r\n"))
        out.append(content if all(ord(c) < 256 for c in content) else u(content))
        out.append("\r\n")
    out.append(f"--{b}--\r\n")
    return b, RawBody("".join(out))

def fake(kind):
    if kind == "jpg":
        return "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00H\x00H\x00\x00" + "".join(chr(R.randint(0, 255)) for _ in range(200)) + "\xff\xd9"
    if kind == "png":
        return "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "".join(chr(R.randint(0, 255)) for _ in range(200))
    if kind == "pdf":
        return "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + "".join(chr(R.randint(0, 255)) for _ in range(150)) + "\n%%EOF"
    if kind == "xlsx":
        return "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + "".join(chr(R.randint(0, 255)) for _ in range(200))
    if kind == "csv":
        return "id,name,email,notes\r\n1,Seán O'Brien,sean@example.ie,\"likes 'select' wines; VIP\"\r\n2,Zoë Martin,zoe@example.com,=SUM(A1:A2)\r\n3,李伟,li@example.cn,\r\n"
    if kind == "txt":
        return "Meeting notes\n- who's presenting?\n- time (UTC): 14:00\n"
    return "".join(chr(R.randint(0, 255)) for _ in range(200))

UPLOADS = [
    ("IMG_2041.HEIC", "image/heic", "jpg"), ("IMG_20240514_153012.jpg", "image/jpeg", "jpg"), ("Screenshot 2024-05-14 at 15.30.12.png", "image/png", "png"),
    ("Q3 report (final).xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"), ("Q3 report (final) (1).xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("résumé – Zoë O'Brien.pdf", "application/pdf", "pdf"), ("CV_Seán_Ó_Briain_2024.pdf", "application/pdf", "pdf"), ("合同_2024.pdf", "application/pdf", "pdf"),
    ("Invoice #10023.pdf", "application/pdf", "pdf"), ("photo (2).jpg", "image/jpeg", "jpg"), ("Minutes; board meeting 14-05.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "bin"),
    ("contacts.csv", "text/csv", "csv"), ("notes.txt", "text/plain", "txt"), ("Apple.Inc.10-K.2023.pdf", "application/pdf", "pdf"),
    ("left.ear.jpg", "image/jpeg", "jpg"), ("presentation.final.v3.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "bin"),
    ("archive.tar.gz", "application/gzip", "bin"), ("song - artist (live @ O2).mp3", "audio/mpeg", "bin"), ("scan0001.tif", "image/tiff", "bin"),
    ("Tom & Jerry.png", "image/png", "png"), ("50% off flyer.pdf", "application/pdf", "pdf"), ("budget=final.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
]
for fname, ctype, kind in UPLOADS:
    p = profile()
    b, body = multipart([("title", R.choice(["Holiday photos", "Q3 report", "My CV", "Receipt"])), ("description", R.choice(["", "Final version – please review by Friday.", "Who's in this photo? (left to right)"])),
                         ("album_id", str(R.randint(1, 500))), ("authenticity_token", std_b64(48))], [("file", fname, ctype, fake(kind))],
                        style="firefox" if p["kind"].startswith("firefox") else "chrome")
    add("multipart", "POST", R.choice(["/uploads", "/api/v1/files", "/careers/apply", "/albums/42/photos"]),
        form_headers(p, R.choice([APP, SHOP, CMS]), f"multipart/form-data; boundary={b}", referer=f"https://{APP}/upload"), body, note=f"upload {fname}")
# old IE / Edge legacy send the full Windows path as the file name; some intranet apps still see them
for fname in ["C:\\Users\\jane.doe\\Desktop\\IMG_2041.jpg", "C:\\Users\\Zoë\\Documents\\Q3 report (final).xlsx", "\\\\fileserver\\share\\Finance\\budget 2024.xlsx",
              "D:\\Scans\\2024\\scan0001.pdf"]:
    p = profile()
    p["ua"] = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
    b, body = multipart([("folder", "Inbox")], [("attachment", fname, "application/octet-stream", fake("bin"))])
    h = {"Host": "intranet.example.com", "Accept": "text/html, application/xhtml+xml, image/jxr, */*", "Referer": "https://intranet.example.com/upload.aspx",
         "Accept-Language": "en-US", "User-Agent": p["ua"], "Content-Type": f"multipart/form-data; boundary={b}", "Accept-Encoding": "gzip, deflate",
         "Connection": "Keep-Alive", "Cache-Control": "no-cache", "Cookie": "ASP.NET_SessionId=" + rid(24, string.ascii_lowercase + string.digits)}
    add("multipart", "POST", "/upload.aspx", h, body, note="IE11 upload with full Windows path: " + fname)
# uploads that carry a config or script file legitimately (CI service, support ticket, course autograder)
for fname, ctype, content in [("config.yml", "application/x-yaml", "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/node:20.11\n"),
                              ("certificate.cer", "application/pkix-cert", "-----BEGIN CERTIFICATE-----\n" + std_b64(300) + "\n-----END CERTIFICATE-----\n"),
                              ("homework3.py", "text/x-python", "def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n"),
                              ("backup.sh", "application/x-sh", "#!/bin/sh\ntar czf /backup/site.tgz /var/www\n")]:
    p = profile()
    b, body = multipart([("ticket", "48213")], [("file", fname, ctype, content)])
    add("multipart-config", "POST", "/api/v1/attachments", form_headers(p, APP, f"multipart/form-data; boundary={b}", referer=f"https://{APP}/tickets/48213"),
        body, ambiguous=True, note="upload of a config/script/cert file: " + fname)

# ==============================================================================================================
# 11. beacons, CSP / NEL reports, text/plain bodies
for i in range(5):
    p = profile()
    ev = {"v": 1, "sid": ruuid(), "events": [{"name": "page_view", "ts": ts() * 1000, "url": "https://shop.example.com/search?q=" + quote_plus(R.choice(["select case", "o'brien", "top 10", "drop table lamp"])),
                                              "referrer": "https://www.google.com/", "title": "Search results – Shop", "viewport": "1440x900"},
                                             {"name": "click", "target": "button#add-to-cart.btn.btn-primary", "text": "Add to cart"}]}
    h = xhr_headers(p, SHOP, ctype="text/plain;charset=UTF-8", accept="*/*", referer=f"https://{SHOP}/search")
    h["Sec-Fetch-Mode"] = "no-cors"
    add("beacon", "POST", "/collect", h, json.dumps(ev, ensure_ascii=False), note="navigator.sendBeacon JSON as text/plain")
# server-side GTM / GA4 first-party collection: several hits in one text/plain body
for i in range(3):
    p = profile()
    hits = []
    for en in ("page_view", "scroll", "view_item"):
        hits.append(urlencode({"en": en, "_et": str(R.randint(1, 9000)), "ep.page_location": "https://shop.example.com/products/item-4471?variant=2",
                               "ep.page_title": "Merino sweater – navy | Shop", "epn.percent_scrolled": "90"}))
    uri = "/g/collect?" + urlencode({"v": "2", "tid": "G-" + rid(10, string.ascii_uppercase + string.digits), "gtm": "45je45e0", "_p": str(ts()),
                                     "cid": f"{R.randint(10**8, 10**9)}.{ts()}", "ul": "en-us", "sr": "1440x900", "dl": "https://shop.example.com/products/item-4471",
                                     "dr": "https://www.google.com/", "dt": "Merino sweater – navy | Shop", "sid": str(ts()), "sct": "3", "seg": "1", "_s": "2"})
    h = xhr_headers(p, "metrics.example.com", ctype="text/plain;charset=UTF-8", accept="*/*", referer=f"https://{SHOP}/")
    h["Sec-Fetch-Mode"] = "no-cors"
    add("beacon", "POST", uri, h, "\r\n".join(hits), note="GA4 hits to a first-party sGTM endpoint")
# CSP violation reports (application/csp-report) and Reporting API
for i in range(4):
    p = profile()
    rep = {"csp-report": {"document-uri": "https://shop.example.com/checkout?step=2", "referrer": "https://shop.example.com/cart",
                          "violated-directive": R.choice(["script-src-elem", "img-src", "style-src-attr"]), "effective-directive": "script-src-elem",
                          "original-policy": "default-src 'self'; script-src 'self' 'nonce-" + b64url(rbytes(12)) + "' https://js.stripe.com; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; report-uri /csp-report",
                          "disposition": "enforce", "blocked-uri": R.choice(["inline", "eval", "https://www.googletagmanager.com/gtm.js?id=GTM-ABC123", "chrome-extension"]),
                          "line-number": R.randint(1, 300), "source-file": "https://shop.example.com/checkout", "status-code": 200,
                          "script-sample": R.choice(["", "window.dataLayer = window.dataLayer || [];", "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':"])}}
    h = {"Host": SHOP, "User-Agent": p["ua"], "Accept": "*/*", "Content-Type": "application/csp-report", "Origin": f"https://{SHOP}",
         "Referer": "https://shop.example.com/checkout?step=2", "Accept-Encoding": p["enc"], "Accept-Language": p["lang"], "Connection": "keep-alive"}
    add("csp-report", "POST", "/csp-report", h, json.dumps(rep), note="browser CSP violation report")
for i in range(2):
    p = profile()
    rep = [{"age": 12, "type": "network-error", "url": "https://shop.example.com/", "user_agent": p["ua"],
            "body": {"elapsed_time": 1200, "method": "GET", "phase": "connection", "protocol": "h2", "referrer": "", "sampling_fraction": 1, "server_ip": "203.0.113.10", "status_code": 0, "type": "tcp.timed_out"}},
           {"age": 0, "type": "deprecation", "url": "https://shop.example.com/checkout", "user_agent": p["ua"],
            "body": {"id": "UnloadHandler", "message": "Unload event listeners are deprecated and will be removed.", "sourceFile": "https://shop.example.com/js/legacy.js", "lineNumber": 12, "columnNumber": 5}}]
    add("csp-report", "POST", "/reports", {"Host": SHOP, "User-Agent": p["ua"], "Content-Type": "application/reports+json", "Origin": f"https://{SHOP}", "Accept": "*/*"},
        json.dumps(rep), note="Reporting API (NEL/deprecation)")
# plain text bodies
for t in ["Hello from the kiosk #4 – status OK", "ping", "Order 10023: shipped; tracking 1Z999AA10123456784", "temperature=21.5;humidity=40%;battery=87",
          "Who's on call this weekend? -- Zoë"]:
    p = profile()
    add("text-plain", "POST", "/api/v1/notes", xhr_headers(p, APP, ctype="text/plain; charset=utf-8", accept="*/*"), t, note="text/plain body: " + t)

# ==============================================================================================================
# 12. XML: SOAP 1.1 / 1.2, XML-RPC, RSS ingest, WebDAV bodies
SOAP11 = '''<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetCustomer xmlns="http://tempuri.org/">
      <customerName>{name}</customerName>
      <includeOrders>true</includeOrders>
      <since>2024-01-01T00:00:00Z</since>
    </GetCustomer>
  </soap:Body>
</soap:Envelope>'''
for name in ["Seán O'Brien", "Zoë &amp; Co.", "李伟", "AT&amp;T Inc.", "O'Reilly Media"]:
    p = profile()
    add("xml-soap", "POST", "/CustomerService.asmx", {"Host": "erp.example.com", "User-Agent": "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)",
        "Content-Type": "text/xml; charset=utf-8", "SOAPAction": "\"http://tempuri.org/GetCustomer\"", "Accept-Encoding": "gzip, deflate", "Connection": "Keep-Alive"},
        SOAP11.format(name=name), note="SOAP 1.1 " + name)
SOAP12 = '''<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ord="urn:example:orders:v2">
  <env:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>svc-shop</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{pw}</wsse:Password></wsse:UsernameToken></wsse:Security></env:Header>
  <env:Body>
    <ord:SubmitOrder>
      <ord:Order id="{oid}">
        <ord:Customer><ord:Name>{name}</ord:Name><ord:Email>sean@example.ie</ord:Email></ord:Customer>
        <ord:Line sku="SKU-A1" qty="2" price="19.99"/>
        <ord:Note><![CDATA[Please deliver after 5pm; ring twice & wait. "Fragile" <glass>]]></ord:Note>
      </ord:Order>
    </ord:SubmitOrder>
  </env:Body>
</env:Envelope>'''
for name in ["Seán O'Brien", "Zoë Martin", "Müller & Söhne GmbH"]:
    add("xml-soap", "POST", "/services/OrderService", {"Host": "erp.example.com", "User-Agent": "Apache-CXF/3.5.5", "Content-Type": 'application/soap+xml; charset=UTF-8; action="urn:example:orders:v2:SubmitOrder"',
        "Accept": "*/*"}, SOAP12.format(pw="S3cr3t;Pass#", oid=ruuid(), name=name), note="SOAP 1.2 with CDATA note")
XMLRPC = '<?xml version="1.0"?><methodCall><methodName>wp.getPosts</methodName><params><param><value><int>1</int></value></param><param><value><string>jetpack</string></value></param><param><value><string>{pw}</string></value></param><param><value><struct><member><name>number</name><value><int>20</int></value></member></struct></value></param></params></methodCall>'
add("xml-soap", "POST", "/xmlrpc.php", {"Host": CMS, "User-Agent": "Jetpack by WordPress.com", "Content-Type": "text/xml", "Accept": "*/*"}, XMLRPC.format(pw=b64url(rbytes(18))), note="XML-RPC (Jetpack)")
add("xml-soap", "POST", "/api/feeds/import", {"Host": CMS, "User-Agent": "Mozilla/5.0", "Content-Type": "application/rss+xml"},
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Zoë\'s blog</title><link>https://zoe.example.fr/</link><item><title>Why "select *" is bad</title>'
    '<link>https://zoe.example.fr/2024/05/select-star</link><description>&lt;p&gt;Short version: list your columns.&lt;/p&gt;</description><pubDate>Tue, 14 May 2024 08:00:00 GMT</pubDate></item></channel></rss>',
    note="RSS ingest")
# sitemap / SVG / XLIFF
add("xml-soap", "PUT", "/api/v1/translations/de.xlf", xhr_headers(profile(), APP, ctype="application/xliff+xml"),
    '<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2"><file source-language="en" target-language="de" datatype="plaintext" original="app"><body>'
    '<trans-unit id="select_user"><source>Select user</source><target>Benutzer auswählen</target></trans-unit>'
    '<trans-unit id="drop_table"><source>Drop table</source><target>Tabelle löschen</target></trans-unit></body></file></xliff>', note="XLIFF translations")

# ==============================================================================================================
# 13. binary bodies: protobuf, gRPC-web, octet-stream, msgpack, CBOR
def pb_str(field, s):
    b = s.encode("utf-8")
    return bytes([(field << 3) | 2, len(b)]) + b

def pb_varint(field, v):
    out = bytes([(field << 3) | 0])
    while True:
        byte = v & 0x7F
        v >>= 7
        out += bytes([byte | (0x80 if v else 0)])
        if not v:
            return out

PB_STRINGS = ["Zoë Martin", "select case iphone", "https://shop.example.com/products/item-4471", "time 10:30 tomorrow",
              "python developer (remote)", "Who's on call?", "curl and wget are both fine", "Set (of 4) wine glasses"]
for i, s in enumerate(PB_STRINGS):
    p = profile()
    msg = pb_str(1, s) + pb_varint(2, R.randint(1, 10**6)) + pb_str(3, ruuid()) + pb_varint(4, ts())
    for ct, framed in [("application/x-protobuf", msg), ("application/grpc-web+proto", b"\x00" + len(msg).to_bytes(4, "big") + msg)]:
        h = xhr_headers(p, API, origin=f"https://{APP}", ctype=ct, accept="application/grpc-web+proto" if "grpc" in ct else "application/x-protobuf", auth="Bearer " + jwt())
        if "grpc" in ct:
            h["X-Grpc-Web"] = "1"
            h["X-User-Agent"] = "grpc-web-javascript/0.1"
        add("binary", "POST", "/example.v1.SearchService/Search" if "grpc" in ct else "/v1/search.pb", h, RawBody(framed.decode("latin-1")),
            note=f"{ct} with string field {s!r}")
# grpc-web-text (base64 framed)
for s in PB_STRINGS[:3]:
    msg = pb_str(1, s)
    framed = b"\x00" + len(msg).to_bytes(4, "big") + msg
    h = xhr_headers(profile(), API, origin=f"https://{APP}", ctype="application/grpc-web-text", accept="application/grpc-web-text", auth="Bearer " + jwt())
    h["X-Grpc-Web"] = "1"
    add("binary", "POST", "/example.v1.SearchService/Search", h, base64.b64encode(framed).decode(), note="grpc-web-text")
# octet-stream (chunked upload), msgpack, cbor
for ct in ["application/octet-stream", "application/msgpack", "application/x-msgpack", "application/cbor"]:
    for _ in range(2):
        raw = bytes(R.getrandbits(8) for _ in range(300))
        if "msgpack" in ct:
            raw = b"\x83\xa4name\xaaZo\xc3\xab Martin\xa5query\xb2select case iphone\xa4page\x02"
        add("binary", R.choice(["POST", "PUT"]), "/api/v1/blobs/" + ruuid(), xhr_headers(profile(), API, ctype=ct, accept="application/json", auth="Bearer " + jwt()),
            RawBody(raw.decode("latin-1")), note=f"{ct} body")

# ==============================================================================================================
# 14. methods: CORS preflight, PUT/PATCH/DELETE, S3 presigned PUT, WebDAV / CalDAV
for path, meth, hdrs in [("/v1/orders", "POST", "content-type,authorization,x-request-id"), ("/v1/users/me", "PATCH", "authorization,content-type"),
                         ("/graphql", "POST", "apollographql-client-name,apollographql-client-version,content-type"), ("/v1/items/" + ruuid(), "DELETE", "authorization"),
                         ("/v1/products/4471", "PUT", "authorization,content-type,if-match,traceparent,sentry-trace,baggage")]:
    p = profile()
    h = {"Host": API, "Accept": "*/*", "Access-Control-Request-Method": meth, "Access-Control-Request-Headers": hdrs, "Origin": f"https://{APP}",
         "User-Agent": p["ua"], "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Dest": "empty", "Referer": f"https://{APP}/",
         "Accept-Encoding": p["enc"], "Accept-Language": p["lang"]}
    add("methods", "OPTIONS", path, h, note=f"CORS preflight for {meth}")
add("methods", "OPTIONS", "*", {"Host": API, "User-Agent": "curl/8.4.0", "Accept": "*/*"}, note="OPTIONS * (server capabilities)")
for i in range(3):
    p = profile()
    key = f"uploads/{ruuid()}/Q3%20report%20%28final%29.xlsx"
    params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
              "X-Amz-Credential": "AKIA" + rid(16, string.ascii_uppercase + string.digits) + "/20240514/eu-west-1/s3/aws4_request",
              "X-Amz-Date": "20240514T101500Z", "X-Amz-Expires": "900", "X-Amz-Signature": hexs(64), "X-Amz-SignedHeaders": "host", "x-id": "PutObject"}
    h = xhr_headers(p, "uploads.example.com", origin=f"https://{APP}", ctype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", accept="*/*", cookies=False, site="cross-site")
    add("methods", "PUT", "/" + key + "?" + urlencode(params), h, RawBody(fake("xlsx")), note="S3 presigned PUT upload")
for i in range(4):
    api_send("methods", "DELETE", f"/v1/{R.choice(['items', 'carts/' + ruuid() + '/lines', 'users/me/sessions', 'webhooks'])}/{ruuid()}", None, note="DELETE")
api_send("methods", "PATCH", "/v1/users/48213", {"name": "Zoë O'Brien", "email": None}, ctype="application/merge-patch+json", note="JSON merge patch")
api_send("methods", "PUT", "/v1/products/4471", {"title": "Merino sweater", "price": 89.0}, note="PUT with If-Match") 
RECORDS[-1]["headers"]["If-Match"] = '"' + hexs(32) + '"'

DAV_UA = ["Mozilla/5.0 (Linux) mirall/3.12.3 (Nextcloud, ubuntu-6.5.0-35-generic ClientArchitecture: x86_64 OsArchitecture: x86_64)",
          "Microsoft-WebDAV-MiniRedir/10.0.19045", "WebDAVFS/3.0.0 (03008000) Darwin/23.4.0 (x86_64)", "DAVx5/4.3.16-ose (2024/03/15; dav4jvm; okhttp/4.12.0) Android/14"]
PROPFIND = '<?xml version="1.0" encoding="UTF-8"?>\n<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop><d:getlastmodified/><d:getcontentlength/><d:getcontenttype/><oc:permissions/><d:resourcetype/><d:getetag/></d:prop></d:propfind>'
auth_basic = "Basic " + base64.b64encode("zoe:app-password-".encode() + b64url(rbytes(12)).encode()).decode()
for meth, path, body, extra in [
        ("PROPFIND", "/remote.php/dav/files/zoe/Documents/", PROPFIND, {"Depth": "1"}),
        ("PROPFIND", "/remote.php/dav/files/zoe/Photos/2024/", PROPFIND, {"Depth": "0"}),
        ("MKCOL", "/remote.php/dav/files/zoe/Documents/Q3%20report%20(final)/", None, {}),
        ("MOVE", "/remote.php/dav/files/zoe/Documents/draft.docx", None, {"Destination": "https://cloud.example.com/remote.php/dav/files/zoe/Documents/final.docx", "Overwrite": "F"}),
        ("COPY", "/remote.php/dav/files/zoe/Photos/IMG_2041.jpg", None, {"Destination": "https://cloud.example.com/remote.php/dav/files/zoe/Shared/IMG_2041.jpg"}),
        ("LOCK", "/remote.php/dav/files/zoe/Documents/budget.xlsx", '<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>zoe</D:href></D:owner></D:lockinfo>', {"Timeout": "Second-3600"}),
        ("UNLOCK", "/remote.php/dav/files/zoe/Documents/budget.xlsx", None, {"Lock-Token": "<opaquelocktoken:" + ruuid() + ">"}),
        ("PROPPATCH", "/remote.php/dav/files/zoe/Documents/budget.xlsx", '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set></d:propertyupdate>', {}),
        ("REPORT", "/remote.php/dav/calendars/zoe/personal/", '<?xml version="1.0" encoding="utf-8" ?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20240601T000000Z" end="20240701T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>', {"Depth": "1"}),
        ("PUT", "/remote.php/dav/calendars/zoe/personal/" + ruuid() + ".ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.4//EN\r\nBEGIN:VEVENT\r\nUID:" + ruuid() + "\r\nDTSTART;TZID=Europe/Paris:20240603T100000\r\nSUMMARY:1:1 Zoë / Seán\r\nDESCRIPTION:Agenda: Q3 goals\\; hiring (2 devs)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}),
        ("PUT", "/remote.php/dav/addressbooks/users/zoe/contacts/" + ruuid() + ".vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Seán O'Brien\r\nN:O'Brien;Seán;;;\r\nEMAIL;TYPE=INTERNET:sean@example.ie\r\nTEL;TYPE=CELL:+353 1 234 5678\r\nADR;TYPE=HOME:;;Apt #4B\\, 221B Baker St.;Dublin;;D02 X285;Ireland\r\nEND:VCARD\r\n", {"Content-Type": "text/vcard; charset=utf-8"}),
        ]:
    h = {"Host": "cloud.example.com", "User-Agent": R.choice(DAV_UA), "Authorization": auth_basic, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
    if body is not None and "Content-Type" not in extra:
        h["Content-Type"] = "application/xml; charset=utf-8"
    h.update(extra)
    add("webdav", meth, path, h, body, note=f"WebDAV/CalDAV/CardDAV {meth}")

# ==============================================================================================================
# 15. long pagination / filter / query-language strings
FILTERS = [
    "page%5Bnumber%5D=3&page%5Bsize%5D=50&filter%5Bstatus%5D=active&filter%5Bcreated_at%5D%5Bgte%5D=2024-01-01T00%3A00%3A00Z&sort=-created_at,name&include=author,comments.author&fields%5Barticles%5D=title,body,author",
    "filters[title][$containsi]=o'brien&filters[price][$gte]=10&filters[price][$lte]=100&populate=*&sort[0]=createdAt:desc&pagination[page]=1&pagination[pageSize]=25",
    "filter[status][_eq]=published&filter[title][_contains]=select&fields=*,author.*&sort=-date_created&limit=25&offset=50",
    "$filter=startswith(Name,'Zo') and Price gt 5 and Price le 100&$orderby=Price desc,Name&$top=20&$skip=40&$select=Name,Price,Category&$expand=Category&$count=true",
    "$filter=Name eq 'O''Brien' or Name eq 'D''Souza'&$orderby=Name asc",
    "$filter=contains(Description,'select') and Discontinued eq false",
    "q=status:(active OR pending) AND price:[10 TO 100] AND NOT brand:\"Levi's\"&sort=price:desc&size=20",
    "q=title:\"drop table\" OR body:union&df=body&default_operator=AND",
    "_g=(filters:!(),refreshInterval:(pause:!t,value:0),time:(from:now-15m,to:now))&_a=(columns:!(_source),index:'logs-*',interval:auto,query:(language:kuery,query:'status:500 and not path:\"/healthz\"'),sort:!(!('@timestamp',desc)))",
    "orgId=1&from=now-6h&to=now&var-host=All&var-query=sum(rate(http_requests_total%7Bstatus%3D~%225..%22%7D%5B5m%5D))&refresh=30s",
    "query=SELECT%20count(*)%20FROM%20Transaction%20WHERE%20appName%20%3D%20'shop'%20SINCE%201%20day%20ago%20TIMESERIES",
    "where=%7B%22price%22%3A%7B%22%24gte%22%3A10%7D%2C%22tags%22%3A%7B%22%24in%22%3A%5B%22sale%22%2C%22new%22%5D%7D%7D&sort=-price&max_results=50",
    "ids=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20&fields=id,name,price&expand=variants(limit:5)",
    "start=2024-05-01T00:00:00.000Z&end=2024-05-31T23:59:59.999Z&granularity=1d&metrics=sessions,bounceRate,avg(sessionDuration)&dimensions=country,device&filters=country%3D%3DIE%3Bdevice!%3Dtablet",
    "cursor=" + b64url(json.dumps({"id": 12345, "created_at": "2024-05-14T10:00:00Z", "dir": "next"}).encode()) + "&limit=100",
    "page_token=" + quote(std_b64(60), safe="") + "&page_size=50&order_by=update_time%20desc&filter=state%3DACTIVE%20AND%20labels.env%3Dprod",
    "sort_by=price&order=asc&min_price=10&max_price=100&brand[]=nike&brand[]=adidas&size[]=42&size[]=43&color=black%7Cwhite&in_stock=1&view=grid&per_page=48",
    "jql=project%20%3D%20SHOP%20AND%20status%20in%20(%22In%20Progress%22%2C%20%22To%20Do%22)%20AND%20assignee%20%3D%20currentUser()%20ORDER%20BY%20priority%20DESC%2C%20updated%20DESC",
    "search=type%3Aissue%20is%3Aopen%20label%3A%22good%20first%20issue%22%20sort%3Aupdated-desc",
    "select=id,name,price&order=price.desc&name=ilike.*o'brien*&price=gte.10&limit=20",
    "select=*,orders(id,total)&id=eq.42",
    "fields=items(id,snippet(title,publishedAt))&q=sql%20union%20select%20tutorial&type=video&maxResults=25",
    "filter=(status eq 'open') and (priority in ('high','urgent'))&sort=due_date",
]
for f in FILTERS:
    p = profile()
    path = R.choice(["/api/v1/articles", "/api/products", "/odata/Products", "/app/discover", "/d/abc123/service-overview", "/rest/api/2/search", "/rest/v1/orders", "/api/v2/metrics"])
    amb = "SELECT" in f  # NRQL typed into a dashboard: a real query language in a parameter
    add("filters-nrql" if amb else "filters", "GET", path + "?" + f, xhr_headers(p, API, accept="application/json", auth="Bearer " + jwt(), origin=f"https://{APP}"),
        ambiguous=amb, note="filter/query string: " + f[:60])

# ==============================================================================================================
# 16. Windows paths and file-system-ish values in ordinary fields
WINPATHS = [
    {"localPath": "C:\\Users\\Zoë\\Documents\\Q3 report (final).xlsx"},
    {"backupTarget": "D:\\Backups\\2024\\", "exclude": ["C:\\Windows\\Temp", "C:\\$Recycle.Bin"]},
    {"sharePath": "\\\\fileserver\\share\\Finance\\Budget 2024", "mapAs": "Z:"},
    {"installDir": "C:\\Program Files (x86)\\Example App\\", "dataDir": "%APPDATA%\\Example"},
    {"logFile": "C:\\ProgramData\\Example\\logs\\app.log", "level": "info"},
    {"cmdHint": "Clear %TEMP% and restart the app", "step": 3},
    {"hostsFile": "C:\\Windows\\System32\\drivers\\etc\\hosts", "note": "edit as administrator to test the staging site"},
    {"lastFolder": "/Users/zoe/Library/Mobile Documents/com~apple~CloudDocs/Work", "os": "macOS"},
    {"workspace": "/home/sean/projects/shop", "editor": "vim"},
    {"path": "../assets/logo.svg"},
]
for obj in WINPATHS:
    amb = any(k in obj for k in ("cmdHint", "hostsFile"))
    api_send("paths", "PUT", "/v1/agents/" + ruuid() + "/settings", obj, host=APP, ambiguous=amb, note="path value: " + json.dumps(obj, ensure_ascii=False)[:70])
for q in ["C:\\Users\\Public\\Documents", "Z:\\Shared\\Photos (2023)", "My Documents\\tax-2023.pdf"]:
    p = profile()
    add("paths", "GET", "/files/browse?" + urlencode({"dir": q}), nav_headers(p, "intranet.example.com", referer="https://intranet.example.com/files"), note="Windows path in query")

# ==============================================================================================================
# 17. API clients: SDKs, mobile apps, CLIs, webhooks (no Referer, different Accept headers)
CLIENTS = [
    ("okhttp/4.12.0", "application/json"), ("Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240405.002)", "application/json"),
    ("ExampleApp/4.12.1 (iPhone; iOS 17.4.1; Scale/3.00)", "application/json"), ("ExampleApp/4.12.1 CFNetwork/1494.0.7 Darwin/23.4.0", "*/*"),
    ("python-requests/2.31.0", "*/*"), ("axios/1.6.8", "application/json, text/plain, */*"), ("Go-http-client/2.0", "application/json"),
    ("Java/17.0.10", "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"), ("PostmanRuntime/7.37.3", "*/*"), ("node-fetch", "*/*"),
    ("Stripe/1.0 (+https://stripe.com/docs/webhooks)", "*/*; q=0.5, application/xml"), ("GitHub-Hookshot/a1b2c3d", "*/*"),
]
for ua, acc in CLIENTS:
    h = {"Host": API, "User-Agent": ua, "Accept": acc, "Authorization": "Bearer " + jwt(), "Accept-Encoding": "gzip"}
    if R.random() < 0.5:
        h["X-Api-Key"] = "sk_live_" + rid(24)
    add("api-client", "GET", R.choice(["/v1/me", "/v1/orders?status=open&limit=50", "/v1/products?updated_since=2024-05-01T00:00:00Z"]), h, note=f"API client {ua}")
# mobile app JSON with session ids in the body and no Referer
for body in [{"sessionId": ruuid(), "event": "app_open", "ts": iso()}, {"session_id": hexs(32), "screen": "Cart", "items": 3},
             {"device": {"model": "iPhone14,5", "os": "iOS 17.4.1"}, "user_session": b64url(rbytes(24)), "locale": "en_IE"}]:
    h = {"Host": API, "User-Agent": "ExampleApp/4.12.1 (iPhone; iOS 17.4.1; Scale/3.00)", "Accept": "application/json", "Content-Type": "application/json",
         "Authorization": "Bearer " + jwt(), "Accept-Language": "en-IE;q=1.0, ga-IE;q=0.9", "Accept-Encoding": "br;q=1.0, gzip;q=0.9, deflate;q=0.8"}
    add("api-client", "POST", "/v1/events", h, json.dumps(body), note="mobile app event with session id key, no Referer")
# webhooks from SaaS providers
WEBHOOKS = [
    ("Stripe/1.0 (+https://stripe.com/docs/webhooks)", {"Stripe-Signature": f"t={ts()},v1={hexs(64)}"}, {"id": "evt_" + rid(24), "object": "event", "type": "checkout.session.completed",
      "data": {"object": {"id": "cs_live_" + rid(40), "customer_details": {"name": "Seán O'Brien", "email": "sean@example.ie", "address": {"line1": "Apt #4B, 221B Baker St."}},
                          "amount_total": 8999, "currency": "eur", "metadata": {"order": "10023", "note": "ring twice; bell's broken"}}}}),
    ("GitHub-Hookshot/a1b2c3d", {"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + hexs(64), "X-GitHub-Delivery": ruuid()},
     {"ref": "refs/heads/main", "commits": [{"id": hexs(40), "message": "Fix SQL: use parameterized query instead of string concat\n\nSELECT * FROM users WHERE name = ? -- was '%s'",
                                               "author": {"name": "Zoë Martin", "email": "zoe@example.com"}}, {"id": hexs(40), "message": "Update README.md (install: curl | sh)"}]}),
    ("Slackbot 1.0 (+https://api.slack.com/robots)", {"X-Slack-Signature": "v0=" + hexs(64), "X-Slack-Request-Timestamp": str(ts())}, None),
    ("Shopify-Captain-Hook", {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": std_b64(32), "X-Shopify-Shop-Domain": "example.myshopify.com"},
     {"id": R.randint(10**12, 10**13), "email": "zoe@example.com", "note": "Please gift wrap – it's for my mum's 60th!", "line_items": [{"title": "Value pack (6 x 330ml)", "quantity": 2}]}),
]
for ua, extra, obj in WEBHOOKS:
    h = {"Host": API, "User-Agent": ua, "Accept": "*/*", "Content-Type": "application/json" if obj else "application/x-www-form-urlencoded"}
    h.update(extra)
    if obj:
        body = json.dumps(obj, ensure_ascii=False)
    else:
        body = qs([("payload", json.dumps({"type": "block_actions", "user": {"id": "U024BE7LH", "name": "zoe"}, "actions": [{"action_id": "approve", "value": "order_10023"}],
                                            "message": {"text": "Approve refund for Seán O'Brien? (€12.50)"}}, ensure_ascii=False))])
    add("webhook", "POST", "/webhooks/" + ua.split("/")[0].split("-")[0].lower(), h, body, ambiguous=("GitHub" in ua), note=f"webhook from {ua}")


# ==============================================================================================================
# 18. more upload transports and body shapes
# tus resumable upload (Uppy): PATCH with application/offset+octet-stream
for i in range(3):
    h = xhr_headers(profile(), APP, origin=f"https://{APP}", ctype="application/offset+octet-stream", accept="*/*",
                    extra={"Tus-Resumable": "1.0.0", "Upload-Offset": str(i * 5242880)})
    add("binary", "PATCH", "/files/" + hexs(32), h, RawBody(bytes(R.getrandbits(8) for _ in range(2000)).decode("latin-1")), note="tus resumable upload chunk")
# direct PUT of office documents / archives with their own media types (not octet-stream)
for ct in ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/x-zip-compressed", "application/vnd.ms-excel",
           "application/epub+zip", "application/vnd.android.package-archive"]:
    h = xhr_headers(profile(), "uploads.example.com", origin=f"https://{APP}", ctype=ct, accept="*/*", cookies=False, site="cross-site")
    add("binary", "PUT", "/" + ruuid() + "/file?X-Amz-Signature=" + hexs(64), h, RawBody(("PK\x03\x04" + "".join(chr(R.getrandbits(8)) for _ in range(2000)))),
        note=f"direct binary PUT with {ct}")
# newline-delimited JSON (bulk APIs, log shippers from browsers)
nd = "\n".join(json.dumps(x, ensure_ascii=False) for x in [{"index": {"_id": ruuid()}}, {"type": "page_view", "date": "2024-05-14", "title": "Café Zoë"},
                                                              {"index": {"_id": ruuid()}}, {"type": "click", "time": iso(), "target": "a#more"}]) + "\n"
add("json-api", "POST", "/v1/_bulk", xhr_headers(profile(), API, ctype="application/x-ndjson", auth="Bearer " + jwt()), nd, note="NDJSON bulk body")
add("json-api", "POST", "/v1/logs", xhr_headers(profile(), API, ctype="text/plain", auth="Bearer " + jwt()), nd, note="NDJSON sent as text/plain")
# JSON with a UTF-8 BOM (some .NET / PowerShell clients) and pretty-printed JSON posted as text/plain
add("json-api", "POST", "/v1/orders/import", {"Host": API, "User-Agent": "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291",
    "Content-Type": "application/json", "Authorization": "Bearer " + jwt()}, "\ufeff" + json.dumps({"orders": [{"id": 10023, "note": "Gift; don't include receipt", "date": "2024-05-14"}]}, indent=2),
    note="JSON with BOM from PowerShell Invoke-RestMethod")
add("json-api", "POST", "/v1/notes", xhr_headers(profile(), APP, ctype="text/plain;charset=UTF-8"),
    json.dumps({"title": "Shopping list", "items": ["milk", "eggs"], "type": "list", "date": "2024-05-14", "more": None}, indent=2),
    note="pretty-printed JSON sent as text/plain (fetch without content-type)")

# ==============================================================================================================
# 19. non-English text (UTF-8), quoted words before parentheses, regexes and installer forms
I18N = [
    ("de", "<p>Liebe Grüße aus München!</p><p>Wir freuen uns auf Ihren Besuch.</p>"),
    ("de", "Für Kinder > 3 Jahre geeignet. Größe: 110–116."),
    ("de", "Sehr geehrte Frau Müller, anbei die Rechnung für März > bitte bis 15.04. überweisen."),
    ("tr", "<p>Gölcük'te güzel bir gün geçirdik, teşekkürler!</p>"),
    ("tr", "Ürün açıklaması: Türk kahvesi (250 g) – öğütülmüş"),
    ("ru", "Привет! Мой заказ №10023 > когда доставка?"),
    ("pl", "Dzień dobry, zamówienie dla Żanety – proszę o fakturę."),
    ("cs", "<p>Žluťoučký kůň úpěl ďábelské ódy.</p>"),
    ("fr", "<p>Très bien reçu, merci à l'équipe !</p>"),
    ("es", "<p>¡Muchas gracias! La reunión es el miércoles.</p>"),
]
for lang, t in I18N:
    p = profile()
    if t.startswith("<p>"):
        api_send("i18n", "POST", "/v1/comments", {"body_html": t, "lang": lang}, host=CMS, note=f"{lang} rich text: {t[:40]}")
    else:
        add("i18n", "POST", "/contact", form_headers(p, SHOP, "application/x-www-form-urlencoded", referer=f"https://{SHOP}/contact"),
            qs([("message", t), ("lang", lang)]), note=f"{lang} text: {t[:40]}")
for t in ['Click "Save" (top right) and then "Publish" (bottom).', 'I bought the "Premium" (annual) plan by mistake.',
          "The 'Classic' (2019) edition is out of stock.", 'Is "Dune" (1965) the first book?']:
    p = profile()
    add("forms", "POST", "/support/tickets", form_headers(p, SHOP, "application/x-www-form-urlencoded", referer=f"https://{SHOP}/support"),
        qs([("subject", "Question"), ("message", t)]), note="quoted word before a parenthesis: " + t)
for pat in ["/[a-z]{1,5}/", "/^\\d{5}(-\\d{4})?$/", "^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$", "/\\b(?:foo|bar)\\b/gi"]:
    api_send("forms", "POST", "/v1/forms/fields", {"name": "postcode", "validation": pat}, host=APP, note="regex pattern in a form builder: " + pat)
for pairs in [[("db_host", "localhost"), ("db_name", "wordpress"), ("db_user", "wp"), ("db_password", "S3cr3t;Pass#"), ("table_prefix", "wp_")],
              [("smtp_host", "localhost"), ("smtp_port", "25"), ("from", "noreply@example.com")],
              [("redis_url", "redis://127.0.0.1:6379/0"), ("cache_ttl", "300")]]:
    p = profile()
    add("forms", "POST", "/install/step2", form_headers(p, "new-site.example.com", "application/x-www-form-urlencoded", referer="https://new-site.example.com/install/step1"),
        qs(pairs), note="installer / settings form: " + pairs[0][0] + "=" + pairs[0][1])


with open(OUT, "w", encoding="utf-8") as f:
    for r in RECORDS:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(RECORDS)} records to {OUT}", file=sys.stderr)
amb = sum(r["ambiguous"] for r in RECORDS)
print(f"  clearly benign: {len(RECORDS) - amb}, ambiguous: {amb}", file=sys.stderr)
for k, v in sorted(COUNTS.items()):
    print(f"  {k:22} {v}", file=sys.stderr)
