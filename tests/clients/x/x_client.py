"""Drive diorama's X API v2 with the real clients, unmodified.

    python x_client.py BASE TOKEN LIBRARY COMMAND [ARGS...]

BASE is the API root (`.../native/x`), TOKEN the profile token (an OAuth 2.0
user access token to the clients), LIBRARY `tweepy` or `xdk`. Prints one JSON
document: what the client returned.

tweepy's `Client` always calls `https://api.twitter.com`; its requests
session is given a transport adapter that sends those requests to BASE
instead (requests' own mounting mechanism; tweepy itself is untouched). The
official `xdk` SDK takes BASE as its `base_url`. xdk parses every answer
into the pydantic models generated from X's published OpenAPI document, so
an answer off that document fails here.
"""

import json
import sys

import requests


class Rebase(requests.adapters.HTTPAdapter):
    """Send requests for X's API host to BASE."""

    def __init__(self, base):
        super().__init__()
        self.base = base.rstrip("/")

    def send(self, request, **kwargs):
        for host in ("https://api.twitter.com", "https://api.x.com"):
            if request.url.startswith(host):
                request.url = self.base + request.url[len(host):]
        return super().send(request, **kwargs)


def plain(value):
    """A client's answer as JSON data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True, by_alias=True)
    if hasattr(value, "data") and isinstance(value.data, dict):
        return value.data
    return str(value)


def with_tweepy(base, token, command, args):
    import tweepy

    client = tweepy.Client(bearer_token=token)
    client.session.mount("https://api.twitter.com/", Rebase(base))
    fields = ["author_id", "conversation_id", "created_at", "in_reply_to_user_id",
              "referenced_tweets", "public_metrics"]
    if command == "me":
        r = client.get_me(user_auth=False, user_fields=["public_metrics", "verified"])
        return {"data": plain(r.data)}
    if command == "post":
        r = client.create_tweet(text=args[0], user_auth=False)
        return {"data": plain(r.data)}
    if command == "reply":
        r = client.create_tweet(text=args[1], in_reply_to_tweet_id=args[0], user_auth=False)
        return {"data": plain(r.data)}
    if command == "mentions":
        r = client.get_users_mentions(args[0], max_results=100, tweet_fields=fields,
                                      expansions=["author_id"], user_auth=False)
        return {"data": plain(r.data or []), "includes": plain(r.includes), "meta": plain(r.meta)}
    if command == "search":
        # Every page, through the paginator.
        out = []
        for page in tweepy.Paginator(client.search_recent_tweets, args[0], max_results=10,
                                     tweet_fields=fields):
            out.extend(plain(page.data or []))
        return {"data": out}
    if command == "dms":
        r = client.get_direct_message_events(
            dm_event_fields=["sender_id", "created_at", "dm_conversation_id", "text"],
            expansions=["sender_id"], user_auth=False)
        return {"data": plain(r.data or [])}
    if command == "delete":
        r = client.delete_tweet(args[0], user_auth=False)
        return {"data": plain(r.data)}
    if command == "flood":
        # Post until X refuses: the 429's headers and tweepy's exception.
        for i in range(int(args[0])):
            try:
                client.create_tweet(text=f"post {i}", user_auth=False)
            except tweepy.TooManyRequests as e:
                h = e.response.headers
                return {"posted": i, "status": e.response.status_code,
                        "limit": h.get("x-rate-limit-limit"),
                        "remaining": h.get("x-rate-limit-remaining"),
                        "reset": h.get("x-rate-limit-reset"),
                        "body": e.response.json()}
        return {"posted": int(args[0])}
    raise SystemExit(f"unknown tweepy command {command}")


def with_xdk(base, token, command, args):
    from xdk import Client
    from xdk.posts.models import CreateRequest
    from xdk.direct_messages.models import CreateByParticipantIdRequest

    client = Client(base_url=base.rstrip("/"), bearer_token=token, access_token=token)
    fields = ["author_id", "conversation_id", "created_at", "in_reply_to_user_id",
              "public_metrics"]
    if command == "me":
        return plain(client.users.get_me(user_fields=["public_metrics", "verified"]))
    if command == "post":
        return plain(client.posts.create(body=CreateRequest(text=args[0])))
    if command == "reply":
        body = CreateRequest(text=args[1], reply={"in_reply_to_tweet_id": args[0]})
        return plain(client.posts.create(body=body))
    if command == "mentions":
        page = next(iter(client.users.get_mentions(args[0], max_results=100, post_fields=fields,
                                                   expansions=["author_id"])))
        return plain(page)
    if command == "search":
        out = []
        for page in client.posts.search_recent(args[0], max_results=10, post_fields=fields):
            out.extend(plain(page).get("data", []))
        return {"data": out}
    if command == "dms":
        page = next(iter(client.direct_messages.get_events(
            max_results=100, dm_event_fields=["created_at", "dm_conversation_id", "text"],
            expansions=["sender_id"])))
        return plain(page)
    if command == "dm":
        body = CreateByParticipantIdRequest(text=args[1])
        return plain(client.direct_messages.create_by_participant_id(args[0], body=body))
    raise SystemExit(f"unknown xdk command {command}")


def main():
    base, token, library, command, *args = sys.argv[1:]
    run = with_tweepy if library == "tweepy" else with_xdk
    print(json.dumps(run(base, token, command, args)))


if __name__ == "__main__":
    main()
