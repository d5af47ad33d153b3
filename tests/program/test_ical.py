"""The iCalendar writer and the picks token, without the database."""

import uuid

import icalendar
import pytest

from program.ical import escape_text, fold
from program.picks import MAX_PICKS, PicksTokenError, decode_picks, encode_picks


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "a" * 200,
        "é" * 100,  # two octets each: a fold must not split one
        "x" + "😀" * 40,  # four octets each
        "Commas, semicolons; back\\slash\nnew line",
    ],
)
def test_fold_keeps_lines_short_and_unfolds_to_the_original(value):
    line = f"DESCRIPTION:{escape_text(value)}"
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part.removeprefix(" ") if i else part for i, part in enumerate(folded)) == line
    raw = "\r\n".join(["BEGIN:VEVENT", *folded, "END:VEVENT", ""]).encode()
    event = icalendar.Event.from_ical(raw)
    assert str(event["DESCRIPTION"]) == value


def test_picks_round_trip_and_canonical_order():
    uids = [uuid.uuid4() for _ in range(5)]
    token = encode_picks(uids)
    assert sorted(decode_picks(token)) == sorted(uids)
    assert encode_picks(reversed(uids)) == token
    assert encode_picks(uids + uids[:2]) == token


def test_picks_token_is_bounded():
    assert len(decode_picks(encode_picks([uuid.uuid4() for _ in range(MAX_PICKS)]))) == MAX_PICKS
    with pytest.raises(PicksTokenError, match="at most"):
        decode_picks(encode_picks([uuid.uuid4() for _ in range(MAX_PICKS + 1)]))


@pytest.mark.parametrize("token", ["", "ab/cd", "A" * 21, "=" * 4])
def test_bad_picks_tokens_are_refused(token):
    with pytest.raises(PicksTokenError):
        decode_picks(token)
