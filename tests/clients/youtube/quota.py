"""Spend the daily quota with the YouTube Data API's own client: a search
costs 100 of the day's 10,000 units, so a fresh day allows 100 searches;
the next call, even a 1-unit list, is refused with Google's
`403 quotaExceeded`. Prints how many passed as JSON."""

from googleapiclient.errors import HttpError

from ytclient import call, client, error_of, report

yt = client()
searches = 0
while searches < 1000:
    try:
        call(yt.search().list(part="id", forMine=True, type="video", maxResults=1))
    except HttpError as e:
        assert e.resp.status == 403, e
        break
    searches += 1
status, reason, message = error_of(yt.channels().list(part="id", mine=True))
assert (status, reason) == (403, "quotaExceeded"), (status, reason)
assert "quota" in message, message
report({"searches": searches, "error": {"status": status, "reason": reason}})
