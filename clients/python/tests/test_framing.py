"""Frame encoding and decoding, fed in every possible chunking."""

from __future__ import annotations

import json
from typing import List

import pytest

import taskwire

MESSAGES = [
    {"jsonrpc": "2.0", "id": 1, "result": {}},
    {"jsonrpc": "2.0", "id": 2, "result": {"title": "Überprüfen ✓ 日本語 🚀", "tags": ["a\nb"]}},
    {"jsonrpc": "2.0", "method": "tasks.event", "params": {"note": "é" * 40}},
]


def bodies() -> List[bytes]:
    return [json.dumps(m, separators=(",", ":"), ensure_ascii=False).encode() for m in MESSAGES]


def stream(framing: str) -> bytes:
    return b"".join(taskwire.encode_frame(body, framing) for body in bodies())


def test_ndjson_frame_is_one_line() -> None:
    assert taskwire.encode_frame(b'{"a":1}', "ndjson") == b'{"a":1}\n'


def test_lsp_content_length_counts_bytes_not_characters() -> None:
    body = '{"t":"日本"}'.encode()
    frame = taskwire.encode_frame(body, "lsp")
    assert frame == b"Content-Length: %d\r\n\r\n" % len(body) + body
    assert len(body) == 14 and len('{"t":"日本"}') == 10


def test_unknown_framing_is_refused() -> None:
    with pytest.raises(ValueError):
        taskwire.encode_frame(b"{}", "xml")
    with pytest.raises(ValueError):
        taskwire.FrameDecoder("xml")


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_whole_stream_in_one_chunk(framing: str) -> None:
    assert taskwire.FrameDecoder(framing).feed(stream(framing)) == bodies()


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_every_split_point(framing: str) -> None:
    data = stream(framing)
    for cut in range(len(data) + 1):
        decoder = taskwire.FrameDecoder(framing)
        got = decoder.feed(data[:cut]) + decoder.feed(data[cut:])
        assert got == bodies(), "split at byte %d" % cut


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_one_byte_at_a_time_keeps_multibyte_characters_whole(framing: str) -> None:
    decoder = taskwire.FrameDecoder(framing)
    got: List[bytes] = []
    for i in range(len(stream(framing))):
        got += decoder.feed(stream(framing)[i : i + 1])
    assert [json.loads(b.decode("utf-8")) for b in got] == MESSAGES


def test_ndjson_accepts_crlf_and_blank_lines() -> None:
    decoder = taskwire.FrameDecoder("ndjson")
    assert decoder.feed(b'\r\n{"a":1}\r\n\n  \n{"b":2}\n{"c"') == [b'{"a":1}', b'{"b":2}']
    assert decoder.feed(b":3}\n") == [b'{"c":3}']


def test_lsp_headers_any_case_any_order_with_content_type() -> None:
    body = b'{"x":"\xc3\xa9"}'
    data = (
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-LENGTH: %d\r\n\r\n" % len(body)
        + body
        + b"CONTENT-LENGTH:%d\r\n\r\n" % len(body)
        + body
    )
    assert taskwire.FrameDecoder("lsp").feed(data) == [body, body]


@pytest.mark.parametrize(
    "header",
    [b"Content-Type: application/json\r\n\r\n{}", b"Content-Length: ten\r\n\r\n{}", b"garbage\r\n\r\n{}"],
)
def test_lsp_bad_header_block_is_a_framing_error(header: bytes) -> None:
    with pytest.raises(taskwire.FramingError):
        taskwire.FrameDecoder("lsp").feed(header)


def test_oversized_frames_are_framing_errors() -> None:
    with pytest.raises(taskwire.FramingError):
        taskwire.FrameDecoder("lsp", max_frame_bytes=10).feed(b"Content-Length: 11\r\n\r\n")
    with pytest.raises(taskwire.FramingError):
        taskwire.FrameDecoder("ndjson", max_frame_bytes=10).feed(b'{"a":"0123456789"')
