"""Photos and files passed between chat apps: fetched by the sender, then uploaded.

A chat app cannot copy another app's message, so the sender fetches what the source app
holds (`FileSource`: a Telegram file by its id, a Zalo file by its address) and hands
the bytes to the destination channel with the envelope. Downloads are bounded: at most
`MAX_FILE_BYTES` (the Bot API's own download limit), streamed so that a larger file is
cut off, not held, and within `TOTAL_SECONDS` however slowly the bytes come.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

from bot.delivery.errors import Rejected, Transient
from handlers.model import Attachment, AttachmentKind

MAX_FILE_BYTES = 20 * 1024 * 1024
TIMEOUT = httpx.Timeout(15.0, connect=5.0)  # each step: connecting, each read
TOTAL_SECONDS = 60.0
DEFAULT_NAMES = {AttachmentKind.PHOTO: "anh.jpg", AttachmentKind.DOCUMENT: "tep"}


@dataclass(frozen=True)
class Fetched:
    """A photo or file's content, with its name and kind, ready to upload."""

    kind: AttachmentKind
    name: str
    content: bytes


@runtime_checkable
class FileSource(Protocol):
    async def fetch(self, file: Attachment) -> Fetched:
        """The content of `file`, a reference this channel gave in an `Incoming`. Raises
        `Rejected` (too big, gone) or `Transient` (try again later)."""


class FileTooBig(Rejected):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file too big: {megabytes(size)} (at most {megabytes(limit)})")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def fetched(file: Attachment, content: bytes, name: str = "") -> Fetched:
    return Fetched(file.kind, file.file_name or name or DEFAULT_NAMES.get(file.kind, "tep"),
                   content)


async def download(url: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The body at `url`, at most `limit` bytes. The address may hold a secret (the Bot
    API's file links carry the token): no error here names it."""
    try:
        async with asyncio.timeout(TOTAL_SECONDS), httpx.AsyncClient(timeout=TIMEOUT) as client, \
                client.stream("GET", url) as response:
            if response.status_code >= 400:
                error = Rejected if response.status_code in (403, 404, 410) else Transient
                raise error(f"download refused: HTTP {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > limit:
                raise FileTooBig(declared, limit)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FileTooBig(len(body), limit)
    except (httpx.HTTPError, TimeoutError) as err:
        raise Transient(f"download failed: {type(err).__name__}") from None
    return bytes(body)
