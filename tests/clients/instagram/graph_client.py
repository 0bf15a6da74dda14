"""Drive diorama's Instagram Graph API with python-facebook-api, unmodified.

usage: graph_client.py BASE_URL TOKEN COMMAND [ARGS...]

BASE_URL is the Graph root (`http://HOST/native/instagram/`), TOKEN the
profile's token, used as the access token. Each command prints one JSON
document on stdout; a Graph error is printed as {"error": {...}} and exits 0,
so the caller can assert on it.
"""

import json
import sys

from pyfacebook import FacebookError, IGBusinessApi


def client(base, token, ig_id=None):
    return IGBusinessApi(
        access_token=token,
        base_url=base,
        version="v21.0",
        instagram_business_id=ig_id,
        timeout=30,
    )


def main():
    base, token, command, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    me = client(base, token).get_object("me", fields="id,username")
    api = client(base, token, me["id"])
    try:
        out = COMMANDS[command](api, *args)
    except FacebookError as e:
        out = {"error": {k: v for k, v in e.__dict__.items() if not k.startswith("_")}}
    print(json.dumps(out))


def account(api):
    user = api.user.get_info()
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "followers_count": user.followers_count,
        "follows_count": user.follows_count,
        "media_count": user.media_count,
        "profile_picture_url": user.profile_picture_url,
        "biography": user.biography,
    }


def media(api, count, limit):
    # Pages through `/media` by following `paging.next`.
    page = api.user.get_media(count=int(count), limit=int(limit))
    return [
        {
            "id": m.id,
            "caption": m.caption,
            "media_type": m.media_type,
            "media_url": m.media_url,
            "permalink": m.permalink,
            "timestamp": m.timestamp,
            "like_count": m.like_count,
            "comments_count": m.comments_count,
        }
        for m in page.data
    ]


def comments(api, media_id, count, limit):
    page = api.media.get_comments(media_id, count=int(count), limit=int(limit))
    return [
        {"id": c.id, "text": c.text, "username": c.username, "timestamp": c.timestamp}
        for c in page.data
    ]


def reply(api, comment_id, text):
    made = api.post_object(comment_id, connection="replies", params={"message": text})
    replies = api.comment.get_replies(comment_id, count=100, limit=50)
    return {
        "id": made["id"],
        "listed": [{"id": r.id, "text": r.text, "username": r.username} for r in replies.data],
    }


def publish(api, caption):
    ig = api.instagram_business_id
    container = api.post_object(
        ig,
        connection="media",
        params={"image_url": "https://example.com/launch.jpg", "caption": caption},
    )
    status = api.container.get_info(container["id"])
    published = api.post_object(
        ig, connection="media_publish", params={"creation_id": container["id"]}
    )
    media = api.media.get_info(published["id"])
    again = api.container.get_info(container["id"])
    limit = api.user.get_content_publishing_limit()
    return {
        "container": container["id"],
        "status_before": status.status_code,
        "status_after": again.status_code,
        "media": {"id": media.id, "caption": media.caption, "permalink": media.permalink},
        "quota_usage": limit.data[0].quota_usage,
        "quota_total": limit.data[0].config.quota_total,
    }


def dms(api, text):
    ig = api.instagram_business_id
    threads = api.get_connection(
        ig,
        "conversations",
        platform="instagram",
        fields="participants,messages.limit(5){id,created_time,from,to,message}",
    )
    first = threads["data"][0]
    latest = first["messages"]["data"][0]
    sender = latest["from"]["id"]
    sent = api.post_object(
        ig,
        connection="messages",
        data={
            "recipient": json.dumps({"id": sender}),
            "message": json.dumps({"text": text}),
        },
    )
    after = api.get_connection(
        first["id"], "messages", fields="id,message,from,created_time"
    )
    return {
        "conversations": len(threads["data"]),
        "conversation": first["id"],
        "participants": first["participants"]["data"],
        "latest": latest,
        "sent": sent,
        "after": after["data"],
    }


def errors(api):
    out = {}
    for name, call in [
        ("no_field", lambda: api.user.get_info(fields="id,nonsense")),
        ("no_object", lambda: api.media.get_info("123")),
        ("bad_limit", lambda: api.get_connection(api.instagram_business_id, "media", limit="zero")),
    ]:
        try:
            call()
            out[name] = None
        except FacebookError as e:
            out[name] = {"code": e.code, "type": getattr(e, "type", None),
                         "error_subcode": getattr(e, "error_subcode", None),
                         "fbtrace_id": getattr(e, "fbtrace_id", None), "message": e.message}
    out["rate_limit"] = api.rate_limit.get_limit().__dict__
    return out


COMMANDS = {
    "account": account,
    "media": media,
    "comments": comments,
    "reply": reply,
    "publish": publish,
    "dms": dms,
    "errors": errors,
}

if __name__ == "__main__":
    main()
