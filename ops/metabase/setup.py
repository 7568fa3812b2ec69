"""Metabase's first-run setup for the compose stack, safe to run again.

Creates the admin user (first run only), connects the analytics database through the read-only BI
role (it sees the `bi` views only), and saves the native questions of questions/*.sql under their
file names. Standard library only: it runs in a plain python image. Settings from the environment
(see docker-compose.yml, service metabase-setup).
"""
import glob
import json
import os
import sys
import time
import urllib.error
import urllib.request

URL = os.environ.get("METABASE_URL", "http://metabase:3000").rstrip("/")
EMAIL = os.environ["METABASE_ADMIN_EMAIL"]
PASSWORD = os.environ["METABASE_ADMIN_PASSWORD"]
DATABASE_NAME = "School analytics (bi)"
DETAILS = {
    "host": os.environ.get("BI_DATABASE_HOST", "postgres"),
    "port": int(os.environ.get("BI_DATABASE_PORT", "5432")),
    "dbname": os.environ.get("BI_DATABASE_NAME", "analytics"),
    "user": os.environ.get("BI_READER_ROLE", "bi_reader"),
    "password": os.environ["BI_READER_PASSWORD"],
    "ssl": False,
    "schema-filters-type": "inclusion",
    "schema-filters-patterns": "bi",
}


def call(method, path, body=None, session=None):
    request = urllib.request.Request(URL + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if session:
        request.add_header("X-Metabase-Session", session)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise SystemExit(f"metabase-setup: {method} {path}: HTTP {error.code}: {error.read().decode()[:500]}")


def wait_until_up():
    for _ in range(120):
        try:
            with urllib.request.urlopen(URL + "/api/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(5)
    raise SystemExit("metabase-setup: Metabase did not become healthy")


def main():
    wait_until_up()
    properties = call("GET", "/api/session/properties")
    if not properties.get("has-user-setup"):
        answer = call("POST", "/api/setup", {
            "token": properties["setup-token"],
            "user": {"email": EMAIL, "password": PASSWORD, "first_name": "Admin", "last_name": "School",
                     "site_name": "School analytics"},
            "prefs": {"site_name": "School analytics", "allow_tracking": False},
        })
        session = answer["id"]
        print("metabase-setup: admin user created")
    else:
        session = call("POST", "/api/session", {"username": EMAIL, "password": PASSWORD})["id"]

    databases = call("GET", "/api/database", session=session)
    databases = databases.get("data", databases) if isinstance(databases, dict) else databases
    database = next((d for d in databases if d["name"] == DATABASE_NAME), None)
    if database is None:
        database = call("POST", "/api/database", {"engine": "postgres", "name": DATABASE_NAME, "details": DETAILS},
                        session=session)
        print(f"metabase-setup: database {DATABASE_NAME!r} added (as {DETAILS['user']})")
    else:
        call("PUT", f"/api/database/{database['id']}", {"details": DETAILS}, session=session)

    cards = {card["name"]: card for card in call("GET", "/api/card", session=session)}
    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "questions", "*.sql"))):
        name = os.path.splitext(os.path.basename(path))[0].split("_", 1)[1].replace("_", " ").capitalize()
        with open(path, encoding="utf-8") as file:
            query = file.read()
        card = {"name": name, "display": "table", "visualization_settings": {},
                "dataset_query": {"type": "native", "native": {"query": query}, "database": database["id"]}}
        if name in cards:
            call("PUT", f"/api/card/{cards[name]['id']}", card, session=session)
        else:
            call("POST", "/api/card", card, session=session)
            print(f"metabase-setup: question {name!r} saved")
    print("metabase-setup: done")


if __name__ == "__main__":
    sys.exit(main())
