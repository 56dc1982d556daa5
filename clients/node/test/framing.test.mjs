import assert from "node:assert/strict";
import { test } from "node:test";

import { FrameDecoder, FramingError, encodeFrame } from "../taskwire.mjs";

const MESSAGES = [{ a: 1 }, { text: "tâche ✓ 日本 🚀" }, [{ id: 1 }, { id: 2 }]];

for (const framing of ["ndjson", "lsp"]) {
    test(`${framing}: every way of splitting the stream gives the same bodies`, () => {
        const stream = Buffer.concat(MESSAGES.map((m) => encodeFrame(JSON.stringify(m), framing)));
        for (let cut = 0; cut <= stream.length; cut++) {
            const decoder = new FrameDecoder(framing);
            const bodies = [...decoder.feed(stream.subarray(0, cut)), ...decoder.feed(stream.subarray(cut))];
            assert.deepEqual(bodies.map((b) => JSON.parse(b.toString())), MESSAGES, `cut at ${cut}`);
        }
        const decoder = new FrameDecoder(framing);
        const bodies = [];
        for (const byte of stream) bodies.push(...decoder.feed(Buffer.from([byte])));
        assert.deepEqual(bodies.map((b) => JSON.parse(b.toString())), MESSAGES);
    });
}

test("Content-Length counts bytes, not characters", () => {
    const frame = encodeFrame(JSON.stringify({ t: "日本" }), "lsp").toString("utf8");
    assert.match(frame, /^Content-Length: 14\r\n\r\n/);
    assert.equal(encodeFrame("{}", "ndjson").toString(), "{}\n");
});

test("NDJSON tolerates CRLF and blank lines", () => {
    const bodies = new FrameDecoder("ndjson").feed(Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n'));
    assert.deepEqual(bodies.map((b) => b.toString()), ['{"a":1}', '{"b":2}']);
});

test("LSP headers in any case and order, stray blank lines between frames", () => {
    const stream = 'content-type: x\r\nCONTENT-LENGTH: 2\r\n\r\n{}\r\nContent-Length: 7\r\n\r\n{"a":1}';
    const bodies = new FrameDecoder("lsp").feed(Buffer.from(stream));
    assert.deepEqual(bodies.map((b) => b.toString()), ["{}", '{"a":1}']);
});

test("broken framing throws FramingError", () => {
    assert.throws(() => new FrameDecoder("lsp").feed(Buffer.from("Content-Type: x\r\n\r\n")), FramingError);
    assert.throws(() => new FrameDecoder("lsp").feed(Buffer.from("Content-Length: -1\r\n\r\n")), FramingError);
    assert.throws(() => new FrameDecoder("lsp").feed(Buffer.from("garbage\r\n\r\n")), FramingError);
    assert.throws(() => new FrameDecoder("lsp", 10).feed(Buffer.from("Content-Length: 11\r\n\r\n")), FramingError);
    assert.throws(() => new FrameDecoder("ndjson", 4).feed(Buffer.from("123456")), FramingError);
    assert.throws(() => new FrameDecoder("xml"), TypeError);
    assert.throws(() => encodeFrame("{}", "xml"), TypeError);
});
