// Shared by the Node client's tests: the real server binary, temporary directories, tokens, a socket server and
// a scripted in-process peer. Not a test file itself.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";

import { Client, FrameDecoder, encodeFrame } from "../taskwire.mjs";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** Upper bound for every wait; a healthy run never comes close. */
export const WAIT = 30000;

/** The server under test: $TASKWIRE_BIN, else <repo>/.build/debug/taskwire. Missing is a failure, never a skip. */
export function binary() {
    const bin = process.env.TASKWIRE_BIN || path.join(REPO, ".build", "debug", "taskwire");
    try {
        accessSync(bin, constants.X_OK);
    } catch {
        assert.fail(`taskwire binary not found at ${bin}: build it with \`swift build --product taskwire\` or set TASKWIRE_BIN`);
    }
    return bin;
}

/** A fresh directory, removed by `t.after`. Short, because a socket path holds at most 107 bytes. */
export function tempDir(t) {
    const dir = mkdtempSync(path.join(tmpdir(), "twn-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

/** Spawns the real server over stdio; closed (and reaped) after the test. */
export function spawnServer(t, options = {}) {
    const { args = ["--in-memory"], ...rest } = options;
    const client = Client.spawn(binary(), { args, stderr: "ignore", timeout: WAIT, ...rest });
    t.after(() => client.close());
    return client;
}

/** `taskwire token create`: prints the token alone on stdout. */
export function tokenCreate(dataDir, user, role) {
    const out = execFileSync(binary(), ["token", "create", "--user", user, "--role", role, "--data-dir", dataDir], {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: WAIT,
    }).toString();
    const lines = out.split("\n");
    assert.equal(lines.length, 2);
    return lines[0];
}

/**
 * Users ann (member), bot (agent) and root (admin) with tokens, then a server on stdio (as `system`) that also
 * listens on a socket. Resolves with {admin, socket, tokens, dataDir}.
 */
export async function socketServer(t, extraArgs = []) {
    const dir = tempDir(t);
    const dataDir = path.join(dir, "data");
    const tokens = {
        ann: tokenCreate(dataDir, "ann", "member"),
        bob: tokenCreate(dataDir, "bob", "member"),
        root: tokenCreate(dataDir, "root", "admin"),
    };
    const socket = path.join(dir, "s.sock");
    const admin = spawnServer(t, { args: ["--data-dir", dataDir, "--stdio", "--socket", socket, ...extraArgs] });
    // The socket is bound before stdio is served: one stdio answer means it is listening.
    await admin.ping();
    return { admin, socket, tokens, dataDir };
}

/**
 * A scripted JSON-RPC peer in this process: `handler(message)` returns the reply to send, or undefined.
 * Everything the client sends is recorded in `received`.
 */
export function fakeServer(t, handler, options = {}) {
    const framing = options.framing ?? "ndjson";
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const decoder = new FrameDecoder(framing);
    const received = [];
    const waiters = [];
    const server = {
        received,
        send(message) {
            toClient.write(encodeFrame(JSON.stringify(message), framing));
        },
        /** Resolves with the next message the client sends (or one already received and not yet taken). */
        next() {
            if (received.taken === undefined) received.taken = 0;
            if (received.taken < received.length) return Promise.resolve(received[received.taken++]);
            return new Promise((resolve) => waiters.push(resolve));
        },
        disconnect() {
            toClient.end();
        },
    };
    // Like the real server: end of input from the client ends the connection.
    toServer.on("end", () => toClient.end());
    toServer.on("data", (chunk) => {
        for (const body of decoder.feed(chunk)) {
            const message = JSON.parse(body.toString());
            received.push(message);
            if (waiters.length) {
                received.taken = (received.taken ?? 0) + 1;
                waiters.shift()(message);
            }
            const reply = handler(message);
            if (reply !== undefined) server.send(reply);
        }
    });
    const client = Client.fromStream(toClient, toServer, { framing, ...options });
    t.after(() => client.close());
    return { server, client };
}

/** Answers each request with {method, params}; notifications get nothing. */
export function echo(message) {
    if (Array.isArray(message)) {
        const replies = message.map(echo).filter((reply) => reply !== undefined);
        return replies.length ? replies : undefined;
    }
    if (!("id" in message) || !("method" in message)) return undefined;
    return { jsonrpc: "2.0", id: message.id, result: { method: message.method, params: message.params ?? null } };
}

/** Freezes a child with SIGSTOP and resolves once it is stopped (state T in /proc), so nothing races it. */
export async function freeze(child) {
    process.kill(child.pid, "SIGSTOP");
    const deadline = Date.now() + WAIT;
    while (Date.now() < deadline) {
        const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
        await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.fail(`process ${child.pid} did not stop`);
}
