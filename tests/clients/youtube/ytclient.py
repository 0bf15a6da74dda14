"""The YouTube Data API's own Python client, pointed at a diorama profile.

Shared by the scripts here: `client()` builds the unmodified
google-api-python-client with one changed setting (the API endpoint) and the
profile token as the OAuth access token; `call()` runs a request and checks
its answer against the discovery document the client ships.

Environment: DIORAMA_BASE (http://host:port), DIORAMA_TOKEN.
"""

import datetime
import json
import os
import re
import sys

import googleapiclient
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

BASE = os.environ["DIORAMA_BASE"].rstrip("/")
TOKEN = os.environ["DIORAMA_TOKEN"]
ROOT = BASE + "/native/youtube/"

DOC = json.load(
    open(
        os.path.join(
            os.path.dirname(googleapiclient.__file__),
            "discovery_cache/documents/youtube.v3.json",
        )
    )
)
SCHEMAS = DOC["schemas"]

# Method id -> answers checked, for the report.
CHECKED = {}


def client():
    return build(
        "youtube",
        "v3",
        credentials=Credentials(token=TOKEN),
        client_options={"api_endpoint": ROOT},
        static_discovery=True,
        cache_discovery=False,
    )


def method(method_id):
    def walk(resources):
        for r in resources.values():
            for m in r.get("methods", {}).values():
                if m["id"] == method_id:
                    return m
            found = walk(r.get("resources", {}))
            if found:
                return found
        return None

    m = walk(DOC["resources"])
    if m is None:
        raise AssertionError(f"{method_id} is not a method of the discovery document")
    return m


def check_value(value, schema, path):
    """Every field of `value` exists in `schema` with its type."""
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"]]
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        if not isinstance(value, dict):
            raise AssertionError(f"{path}: expected an object, got {value!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                check_value(v, props[k], f"{path}.{k}")
            elif extra is not None:
                check_value(v, extra, f"{path}.{k}")
            else:
                raise AssertionError(f"{path}.{k} is not in the discovery document")
    elif kind == "array":
        if not isinstance(value, list):
            raise AssertionError(f"{path}: expected an array, got {value!r}")
        for i, v in enumerate(value):
            check_value(v, schema.get("items", {}), f"{path}[{i}]")
    elif kind == "string":
        if not isinstance(value, str):
            raise AssertionError(f"{path}: expected a string, got {value!r}")
        fmt = schema.get("format")
        if fmt in ("int64", "uint64") and not re.fullmatch(r"-?[0-9]+", value):
            raise AssertionError(f"{path}: expected a decimal {fmt} string, got {value!r}")
        if fmt == "date-time":
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if "enum" in schema and value not in schema["enum"]:
            raise AssertionError(f"{path}: {value!r} is not one of {schema['enum']}")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise AssertionError(f"{path}: expected an integer, got {value!r}")
        if schema.get("format", "").startswith("uint") and value < 0:
            raise AssertionError(f"{path}: expected an unsigned integer, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise AssertionError(f"{path}: expected a boolean, got {value!r}")
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise AssertionError(f"{path}: expected a number, got {value!r}")
    elif kind == "any":
        pass
    else:
        raise AssertionError(f"{path}: the discovery document gives no type ({schema})")


def check(method_id, body):
    """Check an answer of `method_id` against its response schema."""
    m = method(method_id)
    if "response" not in m:
        # A 204 No Content: the client answers {}.
        if body not in ("", None, b"", {}):
            raise AssertionError(f"{method_id} has no response body, got {body!r}")
    else:
        check_value(body, m["response"], method_id)
    CHECKED[method_id] = CHECKED.get(method_id, 0) + 1


def call(request):
    """Execute a request; check and return its answer."""
    body = request.execute()
    check(request.methodId, body)
    return body


def error_of(request):
    """Execute a request that must fail: (status, reason, message), its
    body checked to be Google's error shape."""
    try:
        request.execute()
    except HttpError as e:
        err = json.loads(e.content)["error"]
        assert err["code"] == e.resp.status, err
        assert isinstance(err["message"], str), err
        item = err["errors"][0]
        assert {"message", "domain", "reason"} <= set(item), err
        return e.resp.status, item["reason"], err["message"]
    raise AssertionError(f"{request.methodId} succeeded but should have failed")


def pages(make, limit=1000):
    """Every item of a listing through its nextPageToken, and the number of
    pages read."""
    items, token, n = [], None, 0
    while n < limit:
        page = call(make(token))
        n += 1
        items.extend(page["items"])
        token = page.get("nextPageToken")
        if not token:
            return items, n
    raise AssertionError("the listing did not end")


def report(result):
    result["checked"] = CHECKED
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
