"""Upload videos with the YouTube Data API's own client (resumable and
multipart), then update, rate and delete them; prints what it did as JSON.

google-api-python-client sends media uploads to the discovery document's
root (https, no path prefix) with only the host taken from a custom
api_endpoint: https://HOST/upload/youtube/v3/videos. A server on plain HTTP
under /native/youtube/ is reached by giving the request that URL; the
session URL the server answers in `Location` then points back at it.
"""

import io

from googleapiclient.http import MediaIoBaseUpload

from ytclient import BASE, ROOT, call, client, error_of, report

yt = client()
out = {}
UPLOAD = ROOT + "upload/youtube/v3/videos"


def uploadable(request):
    """Point an upload request at this server; say where the client sent it."""
    sent = request.uri
    request.uri = UPLOAD + sent[sent.index("?"):]
    return sent


# Resumable: 600 kB in 256 KiB chunks, so two chunks are answered
# `308 Resume Incomplete` with the range received before the last publishes.
media = MediaIoBaseUpload(
    io.BytesIO(bytes(range(256)) * 2400), mimetype="video/mp4", chunksize=256 * 1024, resumable=True
)
request = yt.videos().insert(
    part="snippet,status",
    body={
        "snippet": {"title": "Studio tour 2026", "description": "Where the videos are made."},
        "status": {"privacyStatus": "public"},
    },
    media_body=media,
)
out["client_upload_url"] = uploadable(request)
progress, video = [], None
while video is None:
    status, video = request.next_chunk()
    if status:
        progress.append(status.resumable_progress)
assert request.resumable_uri.startswith(BASE + "/native/youtube/upload/"), request.resumable_uri
from ytclient import check  # noqa: E402  (the resumable answer is checked like any other)

check("youtube.videos.insert", video)
assert video["snippet"]["title"] == "Studio tour 2026", video
out["resumable"] = {"id": video["id"], "progress": progress}

# Multipart: metadata and bytes in one request.
request = yt.videos().insert(
    part="snippet",
    body={"snippet": {"title": "One take", "description": "No edits."}},
    media_body=MediaIoBaseUpload(io.BytesIO(b"\x00\x00\x00\x18ftypmp42" * 64), mimetype="video/mp4", resumable=False),
)
uploadable(request)
multi = call(request)
assert multi["snippet"]["title"] == "One take", multi
out["multipart"] = {"id": multi["id"]}

# Listed, updated, rated, deleted.
listed = call(yt.videos().list(part="snippet,statistics,status,contentDetails", id=f"{video['id']},{multi['id']}"))
assert [v["id"] for v in listed["items"]] == [video["id"], multi["id"]], listed
updated = call(
    yt.videos().update(
        part="snippet",
        body={"id": video["id"], "snippet": {"title": "Studio tour (2026)", "description": "Updated.", "categoryId": "22"}},
    )
)
assert updated["snippet"]["title"] == "Studio tour (2026)", updated
again = call(yt.videos().list(part="snippet", id=video["id"]))["items"][0]
assert again["snippet"]["title"] == "Studio tour (2026)", again
call(yt.videos().rate(id=video["id"], rating="like"))
ratings = call(yt.videos().getRating(id=f"{video['id']},{multi['id']}"))["items"]
assert ratings == [
    {"videoId": video["id"], "rating": "like"},
    {"videoId": multi["id"], "rating": "none"},
], ratings
liked = call(yt.videos().list(part="id", myRating="like"))["items"]
assert [v["id"] for v in liked] == [video["id"]], liked
call(yt.videos().delete(id=multi["id"]))
assert call(yt.videos().list(part="id", id=multi["id"]))["items"] == []
status, reason, _ = error_of(yt.videos().delete(id=multi["id"]))
assert (status, reason) == (404, "videoNotFound"), (status, reason)
out["updated"] = updated["snippet"]["title"]

# Bad input.
status, reason, _ = error_of(yt.videos().rate(id="nosuchvideo", rating="like"))
assert (status, reason) == (404, "videoNotFound"), reason
status, reason, message = error_of(
    yt.videos().update(part="snippet", body={"id": video["id"], "snippet": {"title": ""}})
)
assert (status, reason) == (400, "invalidTitle") and "snippet.title" in message, message

report(out)
