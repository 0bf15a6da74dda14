"""List, page through, reply to and moderate comment threads with the
YouTube Data API's own client; prints what it did as JSON."""

from ytclient import call, client, error_of, pages, report

yt = client()
out = {}

channel = call(yt.channels().list(part="id,snippet,statistics,contentDetails", mine=True))
me = channel["items"][0]
out["channel"] = me["id"]
uploads = me["contentDetails"]["relatedPlaylists"]["uploads"]

# The uploads playlist and a search of the channel's own videos by date
# list the same videos, newest first, page by page.
items, n = pages(
    lambda t: yt.playlistItems().list(
        part="snippet,contentDetails", playlistId=uploads, maxResults=2, pageToken=t
    )
)
playlist = [i["contentDetails"]["videoId"] for i in items]
found, _ = pages(
    lambda t: yt.search().list(
        part="id,snippet", forMine=True, type="video", order="date", maxResults=3, pageToken=t
    )
)
assert [r["id"]["videoId"] for r in found] == playlist, (found, playlist)
out["videos"] = playlist
out["playlist_pages"] = n

# Every thread of the channel, five a page, newest first, none twice.
threads, n = pages(
    lambda t: yt.commentThreads().list(
        part="snippet,replies",
        allThreadsRelatedToChannelId=me["id"],
        maxResults=5,
        pageToken=t,
        textFormat="plainText",
    )
)
ids = [t["id"] for t in threads]
assert len(ids) == len(set(ids)), "a thread listed twice"
times = [t["snippet"]["topLevelComment"]["snippet"]["publishedAt"] for t in threads]
assert times == sorted(times, reverse=True), times
assert len(threads) >= 4, f"only {len(threads)} threads"
out["threads"] = len(threads)
out["thread_pages"] = n

# By video, most liked first; with search terms, only matching comments.
target = threads[0]
video = target["snippet"]["videoId"]
by_video = call(
    yt.commentThreads().list(part="snippet", videoId=video, order="relevance", maxResults=100)
)["items"]
likes = [t["snippet"]["topLevelComment"]["snippet"]["likeCount"] for t in by_video]
assert likes == sorted(likes, reverse=True), likes
word = max(target["snippet"]["topLevelComment"]["snippet"]["textOriginal"].split(), key=len)
matching = call(
    yt.commentThreads().list(
        part="snippet", videoId=video, searchTerms=word, textFormat="plainText"
    )
)["items"]
assert matching and all(
    word.lower() in t["snippet"]["topLevelComment"]["snippet"]["textOriginal"].lower()
    for t in matching
), (word, matching)

# Reply to the newest thread; the reply is listed under it.
reply = call(
    yt.comments().insert(
        part="snippet",
        body={"snippet": {"parentId": target["id"], "textOriginal": "Thank you for watching!"}},
    )
)
under = call(yt.comments().list(part="snippet", parentId=target["id"], maxResults=100))["items"]
assert reply["id"] in [c["id"] for c in under], under
out["reply"] = {"id": reply["id"], "parent": target["id"], "video": video}

# A top-level comment by the creator, then edited.
made = call(
    yt.commentThreads().insert(
        part="snippet",
        body={
            "snippet": {
                "videoId": video,
                "topLevelComment": {"snippet": {"textOriginal": "Pinned: links in the description"}},
            }
        },
    )
)
edited = call(
    yt.comments().update(
        part="snippet",
        body={"id": made["id"], "snippet": {"textOriginal": "Pinned: all links below"}},
    )
)
assert edited["snippet"]["textOriginal"] == "Pinned: all links below", edited
out["own"] = {"id": made["id"], "video": video}
# Someone else's comment cannot be edited.
status, reason, _ = error_of(
    yt.comments().update(
        part="snippet", body={"id": threads[1]["id"], "snippet": {"textOriginal": "x"}}
    )
)
assert (status, reason) == (403, "forbidden"), (status, reason)

# Hold one thread for review: it leaves the published listing and shows
# among the held ones. Reject another and ban its author; delete a third.
def author(t):
    return t["snippet"]["topLevelComment"]["snippet"]["authorChannelId"]["value"]


# Threads by different authors than the reply's (a ban rejects every
# comment of its author).
picked, authors = [], {author(target)}
for t in threads[1:]:
    if author(t) not in authors and len(picked) < 3:
        picked.append(t["id"])
        authors.add(author(t))
assert len(picked) == 3, "three threads by three other authors"
held, rejected, deleted = picked
call(yt.comments().setModerationStatus(id=held, moderationStatus="heldForReview"))
call(yt.comments().setModerationStatus(id=rejected, moderationStatus="rejected", banAuthor=True))
call(yt.comments().delete(id=deleted))
published, _ = pages(
    lambda t: yt.commentThreads().list(
        part="id", allThreadsRelatedToChannelId=me["id"], maxResults=50, pageToken=t
    )
)
published = {t["id"] for t in published}
assert held not in published and rejected not in published and deleted not in published
assert target["id"] in published
held_list = call(
    yt.commentThreads().list(
        part="snippet", allThreadsRelatedToChannelId=me["id"], moderationStatus="heldForReview"
    )
)["items"]
assert held in [t["id"] for t in held_list], held_list
assert call(yt.comments().list(part="id", id=deleted))["items"] == []
out["moderated"] = {"held": held, "rejected": rejected, "deleted": deleted}

# `fields` trims the answer to what was asked.
trimmed = call(
    yt.commentThreads().list(
        part="snippet",
        videoId=video,
        maxResults=2,
        fields="items(id,snippet/topLevelComment/snippet/textOriginal),nextPageToken",
    )
)
assert set(trimmed) <= {"items", "nextPageToken"}, trimmed
assert set(trimmed["items"][0]) == {"id", "snippet"}, trimmed
assert set(trimmed["items"][0]["snippet"]["topLevelComment"]["snippet"]) == {"textOriginal"}

# Bad input: Google's errors, naming the parameter.
status, reason, message = error_of(yt.commentThreads().list(part="snippet", videoId=video, maxResults=500))
assert (status, reason) == (400, "invalidParameter") and "maxResults" in message, message
status, reason, _ = error_of(yt.commentThreads().list(part="snippet", videoId=video, pageToken="nope"))
assert (status, reason) == (400, "invalidPageToken"), reason
status, reason, _ = error_of(yt.commentThreads().list(part="nonsense", videoId=video))
assert (status, reason) == (400, "unknownPart"), reason
status, reason, _ = error_of(yt.comments().delete(id="UgzNoSuchCommentAtAll4AaABAg"))
assert (status, reason) == (404, "commentNotFound"), reason

report(out)
