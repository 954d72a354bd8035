"""Markdown messages for group robots, cut to each robot's size limit.

企业微信 documents 4096 UTF-8 bytes for a markdown message's content; 钉钉 about 20000. A longer
message is split between lines into parts that each fit; past MAX_PARTS the rest is left out and
the last part says where to read all of it.
"""

from projects.domain.choices import RobotKind

MAX_BYTES = {RobotKind.WECOM: 4096, RobotKind.DINGTALK: 20000}
MAX_PARTS = 5
# Room kept in each part for its "（第 k/n 段）" heading.
_HEADING_BYTES = 40


def _cut(line: str, limit: int) -> list[str]:
    """`line` in pieces of at most `limit` UTF-8 bytes, never splitting a character."""
    pieces = []
    data = line.encode()
    while len(data) > limit:
        piece = data[:limit].decode(errors="ignore")
        pieces.append(piece)
        data = data[len(piece.encode()):]
    pieces.append(data.decode())
    return pieces


def split_markdown(text: str, kind: str, *, more: str = "") -> list[str]:
    """The message as parts that each fit the robot's limit; several parts get a "（第 k/n 段）" heading."""
    limit = MAX_BYTES[kind]
    if len(text.encode()) <= limit:
        return [text]
    room = limit - _HEADING_BYTES
    parts: list[str] = []
    current = None
    for line in text.split("\n"):
        for piece in _cut(line, room):
            candidate = piece if current is None else f"{current}\n{piece}"
            if len(candidate.encode()) <= room:
                current = candidate
            else:
                parts.append(current)
                current = piece
    parts.append(current)
    if len(parts) > MAX_PARTS:
        tail = f"\n\n……（未完，{more}）" if more else "\n\n……（未完）"
        parts = parts[:MAX_PARTS]
        last = parts[-1]
        while len((last + tail).encode()) > room and "\n" in last:
            last = last.rsplit("\n", 1)[0]
        parts[-1] = _cut(last, room - len(tail.encode()))[0] + tail
    return [f"**（第 {k}/{len(parts)} 段）**\n\n{part}" for k, part in enumerate(parts, 1)]
