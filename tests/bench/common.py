"""What the benchmark scripts' Python halves share (imported by cycle.py and comparison.py)."""

import glob
import http.cookiejar
import os
import re
import sys
import time
import urllib.parse
import urllib.request


def fail(message):
    """Stops the script with a message naming it."""
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(1)


def is_page(path):
    return path.startswith("/t/")


def sign_in(base, outbox, slug, email):
    """Signs in as a person does (asks for a link, opens it from the outbox folder, presses the
    button) and returns the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(url):
        with opener.open(url) as r:
            return r.read().decode()

    def post(url, fields):
        with opener.open(urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode())) as r:
            return r.read().decode()

    def field(html, name):
        m = re.search(rf'name="{name}" value="([^"]+)"', html)
        if not m:
            fail(f"signing in: no {name} on the page")
        return m.group(1)

    before = set(glob.glob(os.path.join(outbox, "*")))
    post(f"{base}/t/{slug}/login/email", {"csrf": field(get(f"{base}/t/{slug}/login"), "csrf"), "email": email})
    for _ in range(100):
        new = sorted(set(glob.glob(os.path.join(outbox, "*"))) - before, key=os.path.getmtime)
        if new:
            break
        time.sleep(0.1)
    else:
        fail("signing in: no mail reached the outbox")
    mail = open(new[-1]).read().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    link = re.search(r"https?://\S+/login/link/[A-Za-z0-9_-]+", mail)
    if not link:
        fail("signing in: no link in the mail")
    page = get(base + urllib.parse.urlsplit(link.group(0)).path)
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    post(base + action, {"csrf": field(page, "csrf"), "token": field(page, "token")})
    cookie = next((c.value for c in jar if c.name == "platform_session"), None)
    if not cookie:
        fail("signing in: no session cookie")
    return cookie
