"""Every read the simulator serves, with every part it fills, checked
against the discovery document google-api-python-client ships (ytclient's
`call` checks each answer: every field exists there, with its type)."""

from ytclient import SCHEMAS, call, check_value, client, report

# The check itself can fail: a field the document lacks, a wrong type.
for bad, schema in [
    ({"kind": "youtube#video", "bogus": 1}, "Video"),
    ({"statistics": {"viewCount": 12}}, "Video"),
    ({"snippet": {"likeCount": "3"}}, "Comment"),
]:
    try:
        check_value(bad, {"$ref": schema}, schema)
    except AssertionError:
        continue
    raise AssertionError(f"the check let {bad} pass as a {schema}")
assert SCHEMAS

yt = client()
me = call(yt.channels().list(part="id,snippet,statistics,contentDetails,status", mine=True))["items"][0]
uploads = me["contentDetails"]["relatedPlaylists"]["uploads"]
call(yt.channels().list(part="snippet", forHandle=me["snippet"]["customUrl"]))
found = call(yt.search().list(part="id,snippet", forMine=True, type="video", order="date", maxResults=50))
ids = [r["id"]["videoId"] for r in found["items"]]
assert ids, found
call(yt.search().list(part="snippet", channelId=me["id"], order="viewCount", maxResults=5))
call(yt.videos().list(part="id,snippet,statistics,status,contentDetails", id=",".join(ids[:50])))
call(yt.videos().getRating(id=",".join(ids[:10])))
call(yt.playlistItems().list(part="id,snippet,contentDetails,status", playlistId=uploads, maxResults=50))
threads = call(
    yt.commentThreads().list(part="id,snippet,replies", allThreadsRelatedToChannelId=me["id"], maxResults=100)
)["items"]
assert threads, "no comment threads"
with_replies = [t for t in threads if t["snippet"]["totalReplyCount"] > 0]
assert with_replies, "no thread with replies"
call(yt.comments().list(part="id,snippet", parentId=with_replies[0]["id"], textFormat="plainText"))
call(yt.comments().list(part="snippet", id=",".join(t["id"] for t in threads[:20])))
call(yt.commentThreads().list(part="snippet,replies", videoId=threads[0]["snippet"]["videoId"], order="relevance"))
report({"videos": len(ids), "threads": len(threads)})
