"""The "my picks" feed URL: the UIDs of the sessions and talks an attendee starred, in the URL.

Picks live in the browser (static/js/picks.js), so the feed URL itself must carry them: the
16 bytes of each UID, sorted (the same picks always give the same URL) and written in unpadded
base64url. A token is bounded, so a link stays short enough for every calendar client.
"""

import base64
import binascii
import re
import uuid

MAX_PICKS = 100
MAX_TOKEN_LENGTH = -(-16 * MAX_PICKS * 4 // 3)  # unpadded base64 of 100 UIDs
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")


class PicksTokenError(ValueError):
    """The token is not one this site made; the message says what is wrong, for the 400 page."""


def encode_picks(uids):
    raw = b"".join(uid.bytes for uid in sorted(set(uids)))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_picks(token):
    """The UIDs a token names, or PicksTokenError saying why it cannot be read."""
    if not TOKEN_RE.match(token):
        raise PicksTokenError("A picks link may only contain letters, digits, “-” and “_”.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise PicksTokenError(f"A picks link holds at most {MAX_PICKS} sessions and talks.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise PicksTokenError("This picks link is incomplete: copy it again.") from error
    if not raw or len(raw) % 16:
        raise PicksTokenError("This picks link is incomplete: copy it again.")
    return [uuid.UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]
