"""Drive diorama's Graph API for Pages with python-facebook-api, unmodified.

usage: page_client.py BASE_URL TOKEN COMMAND [ARGS...]

BASE_URL is the Graph root (`http://HOST/native/facebook/`), TOKEN the
profile's token, used as the Page access token. Each command prints one JSON
document on stdout; a Graph error is printed as {"error": {...}} and exits 0,
so the caller can assert on it.
"""

import json
import sys

from pyfacebook import FacebookApi, FacebookError

REACTIONS = ["like", "love", "haha", "wow", "sad", "angry"]


def client(base, token):
    return FacebookApi(access_token=token, base_url=base, version="v21.0", timeout=30)


def main():
    base, token, command, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    api = client(base, token)
    page_id = api.get_object("me", fields="id,name")["id"]
    try:
        out = COMMANDS[command](api, page_id, *args)
    except FacebookError as e:
        out = {"error": {k: v for k, v in e.__dict__.items() if not k.startswith("_")}}
    print(json.dumps(out))


def total(reactions):
    return reactions.summary.total_count if reactions and reactions.summary else None


def page(api, page_id):
    p = api.page.get_info(page_id)
    return {
        "id": p.id,
        "name": p.name,
        "username": p.username,
        "fan_count": p.fan_count,
        "link": p.link,
        "category": p.category,
        "verification_status": p.verification_status,
    }


def feed(api, page_id, count, limit):
    # The library's default fields: the post, its comment summary and its
    # reactions by type; paged by following `paging.next`.
    response = api.page.get_feed(object_id=page_id, count=int(count), limit=int(limit))
    out = []
    for post in response.data:
        item = {
            "id": post.id,
            "message": post.message,
            "created_time": post.created_time,
            "status_type": post.status_type,
            "permalink_url": post.permalink_url,
            "shares": post.shares.count if post.shares else 0,
            "comments": post.comments["summary"]["total_count"] if post.comments else None,
            "reactions": total(post.reactions),
        }
        for name in REACTIONS:
            item[name] = total(getattr(post, name))
        out.append(item)
    return out


def published(api, page_id, count):
    response = api.page.get_published_posts(object_id=page_id, fields="id,message", count=int(count), limit=5)
    return [{"id": p.id, "message": p.message} for p in response.data]


def comments(api, page_id, object_id, count, limit):
    response = api.post.get_comments(
        object_id=object_id, summary=True, count=int(count), limit=int(limit),
        fields="id,message,created_time,from,comment_count,parent",
    )
    return {
        "total_count": response.summary.total_count if response.summary else None,
        "order": response.summary.order if response.summary else None,
        "data": [
            {
                "id": c.id,
                "message": c.message,
                "created_time": c.created_time,
                "from": c._from,
                "comment_count": c.comment_count,
            }
            for c in response.data
        ],
    }


def reply(api, page_id, comment_id, text):
    made = api.comment.create(object_id=comment_id, message=text)
    replies = api.post.get_comments(object_id=comment_id, count=100, limit=25, fields="id,message,from,parent")
    return {
        "id": made.id,
        "listed": [
            {"id": r.id, "message": r.message, "from": r._from, "parent": r.parent.id if r.parent else None}
            for r in replies.data
        ],
    }


def reactions(api, page_id, post_id):
    out = {"all": api.get_connection(post_id, "reactions", summary="true")}
    for name in REACTIONS:
        out[name] = api.get_connection(post_id, "reactions", type=name.upper(), summary="total_count")
    return out


def errors(api, page_id):
    out = {}
    for name, call in [
        ("no_field", lambda: api.page.get_info(page_id, fields="id,nonsense")),
        ("no_object", lambda: api.post.get_info("123_456")),
        ("bad_limit", lambda: api.get_connection(page_id, "feed", limit="zero")),
    ]:
        try:
            call()
            out[name] = None
        except FacebookError as e:
            out[name] = {"code": e.code, "type": getattr(e, "type", None),
                         "error_subcode": getattr(e, "error_subcode", None),
                         "fbtrace_id": getattr(e, "fbtrace_id", None), "message": e.message}
    limit = api.rate_limit.get_limit(object_id=page_id, rate_limit_type="pages")
    out["pages_usage"] = limit.__dict__ if limit else None
    return out


COMMANDS = {
    "page": page,
    "feed": feed,
    "published": published,
    "comments": comments,
    "reply": reply,
    "reactions": reactions,
    "errors": errors,
}

if __name__ == "__main__":
    main()
