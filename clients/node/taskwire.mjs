/**
 * Node client for taskwire, the JSON-RPC 2.0 task and workflow engine for chat-bot runtimes.
 *
 * One ES module, no dependencies, Node 18+. Spawn the server and talk to it over stdio:
 *
 *   import { Client, NotFound } from "./taskwire.mjs";
 *   const client = Client.spawn("taskwire", { args: ["--data-dir", "/var/lib/mybot/tasks"] });
 *   const task = await client.tasks.create({ title: "Review complaint", priority: "high" });
 *   await client.tasks.comments.add({ task_id: task.task_id, text: "On it" });
 *   try { await client.tasks.get({ task_id: "tsk_missing" }); }
 *   catch (err) { if (err instanceof NotFound) console.log(err.code, err.error, err.message); }
 *   await client.close();
 *
 * or connect to `taskwire --socket PATH` with `await Client.connectUnix(path)` and log in with
 * `await client.auth.login({ token })`. Errors are classes chosen by the JSON-RPC code, the same as the
 * Python client's. Declarations for TypeScript are in taskwire.d.ts; docs/clients.md has the rest.
 */

import { spawn as spawnProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import net from "node:net";

export const VERSION = "0.1.0";
export const NDJSON = "ndjson";
export const LSP = "lsp";
const FRAMINGS = [NDJSON, LSP];

/** The server's default `--max-frame-bytes`; requests over a client's limit are refused before sending. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
// Replies may be larger than what we send; this only stops runaway buffering.
const MAX_INCOMING_FRAME_BYTES = 1 << 30;
const MAX_HEADER_BYTES = 8 * 1024;

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

/**
 * An error reply from the server, or a failure of the connection to it. `code` is the JSON-RPC code
 * (null for local failures), `message` the server's sentence, `data` the error's data member and `error`
 * the stable machine-readable string from `data.error` (for example "task_not_found").
 */
export class TaskwireError extends Error {
    static CODE = null;

    constructor(code, message, data = null) {
        super(message);
        this.name = new.target.name;
        this.code = code;
        this.data = data === undefined ? null : data;
        this.error = data && typeof data === "object" && typeof data.error === "string" ? data.error : null;
    }

    toString() {
        if (this.code === null) return `${this.name}: ${this.message}`;
        return `${this.name}: [${this.code}${this.error ? " " + this.error : ""}] ${this.message}`;
    }
}

/** -32700: the server could not parse the frame as JSON. */
export class ParseError extends TaskwireError { static CODE = -32700; }
/** -32600: JSON, but not a valid JSON-RPC request. */
export class InvalidRequest extends TaskwireError { static CODE = -32600; }
/** -32601: no method of that name. */
export class MethodNotFound extends TaskwireError { static CODE = -32601; }
/** -32602: the params are wrong; `field` names the param at fault when the server says which. */
export class InvalidParams extends TaskwireError {
    static CODE = -32602;
    constructor(code, message, data) {
        super(code, message, data);
        this.field = data && typeof data.field === "string" ? data.field : null;
    }
}
/** -32603: the server failed unexpectedly. */
export class InternalError extends TaskwireError { static CODE = -32603; }
/** -32800: the request was cancelled with `$/cancelRequest`. */
export class RequestCancelled extends TaskwireError { static CODE = -32800; }
/** 401: no or bad credentials on this connection (a socket must `auth.login` first). */
export class Unauthorized extends TaskwireError { static CODE = 401; }
/** 403: authenticated, but not allowed. */
export class PermissionDenied extends TaskwireError { static CODE = 403; }
/** 404: the object does not exist. */
export class NotFound extends TaskwireError { static CODE = 404; }
/** 409: the object's state forbids it (version_conflict, invalid_transition, already_exists). */
export class Conflict extends TaskwireError { static CODE = 409; }
/**
 * 409 cursor_expired: the cursor is older than the event feed keeps (--event-retention). `oldestCursor` is the
 * oldest cursor still served: reread what matters (tasks.list with updated_after), then continue from it.
 */
export class CursorExpired extends Conflict {
    constructor(code, message, data) {
        super(code, message, data);
        this.oldestCursor = data && typeof data.oldest_cursor === "string" ? data.oldest_cursor : null;
    }
}
/** 413: a frame, attachment or batch over its limit; also raised locally for a request over maxFrameBytes. */
export class TooLarge extends TaskwireError { static CODE = 413; }
/** 429: a per-user rate limit; `retryAfter` is data.retry_after_seconds (or null). */
export class RateLimited extends TaskwireError {
    static CODE = 429;
    constructor(code, message, data) {
        super(code, message, data);
        const retry = data ? data.retry_after_seconds : undefined;
        this.retryAfter = typeof retry === "number" ? retry : null;
    }
}
/** 503: the server is shutting down or its store failed. */
export class Unavailable extends TaskwireError { static CODE = 503; }

/** The connection is gone: the server exited or closed it, or the client was closed. */
export class ConnectionClosed extends TaskwireError {
    constructor(message = "connection to the taskwire server is closed") {
        super(null, message, null);
    }
}

/** No reply within the call's timeout; the client sent `$/cancelRequest` and stays usable. */
export class TaskwireTimeout extends TaskwireError {
    constructor(message, requestId = null) {
        super(null, message, null);
        this.requestId = requestId;
    }
}

/** The byte stream breaks the connection's framing. */
export class FramingError extends Error {
    constructor(message) {
        super(message);
        this.name = "FramingError";
    }
}

const ERROR_CLASSES = new Map(
    [ParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError, RequestCancelled, Unauthorized,
        PermissionDenied, NotFound, Conflict, TooLarge, RateLimited, Unavailable].map((cls) => [cls.CODE, cls]),
);

/** Builds the error for a JSON-RPC error object: the class chosen by its code, else TaskwireError. */
export function errorFromResponse(error) {
    if (!error || typeof error !== "object" || Array.isArray(error)) {
        return new TaskwireError(null, `malformed error reply: ${JSON.stringify(error)}`);
    }
    const code = Number.isInteger(error.code) ? error.code : null;
    const message = typeof error.message === "string" ? error.message : `error ${error.code}`;
    const data = error.data === undefined ? null : error.data;
    if (code === Conflict.CODE && data && data.error === "cursor_expired") return new CursorExpired(code, message, data);
    const cls = (code !== null && ERROR_CLASSES.get(code)) || TaskwireError;
    return new cls(code, message, data);
}

function isUnidentifiedError(message) {
    return message && typeof message === "object" && !Array.isArray(message) && !("method" in message) &&
        "error" in message && (message.id === null || message.id === undefined);
}

// ------------------------------------------------------------------------------------------------
// Times
// ------------------------------------------------------------------------------------------------

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/** Parses an RFC 3339 time (any offset, any fraction) into a Date; throws RangeError for anything else. */
export function parseTime(text) {
    const match = typeof text === "string" ? RFC3339.exec(text) : null;
    if (!match) throw new RangeError(`not an RFC 3339 time: ${JSON.stringify(text)}`);
    const [, year, month, day, hour, minute, second, fraction, zulu, sign, offH, offM] = match;
    const millis = fraction ? Number((fraction + "00").slice(0, 3)) : 0;
    let time = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, millis);
    if (!zulu) {
        const offset = (+offH * 60 + +offM) * 60000;
        time += sign === "+" ? -offset : offset;
    }
    return new Date(time);
}

/** Formats a Date (or epoch milliseconds) as RFC 3339 UTC, as the server writes times. */
export function formatTime(value) {
    return new Date(value).toISOString();
}

/** A copy of a result with every time member (a name in TIME_FIELDS) as a Date; null and bad values stay. */
export function parseTimes(value) {
    if (Array.isArray(value)) return value.map(parseTimes);
    if (value && typeof value === "object" && !(value instanceof Date)) {
        const out = {};
        for (const [key, member] of Object.entries(value)) {
            if (TIME_FIELDS.has(key) && typeof member === "string") {
                try {
                    out[key] = parseTime(member);
                    continue;
                } catch {
                    // not a time after all: keep the text
                }
            }
            out[key] = parseTimes(member);
        }
        return out;
    }
    return value;
}

// ------------------------------------------------------------------------------------------------
// Framing
// ------------------------------------------------------------------------------------------------

/** Wraps one message body (compact UTF-8 JSON) in the framing: a newline, or a Content-Length header. */
export function encodeFrame(body, framing) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
    if (framing === NDJSON) return Buffer.concat([bytes, Buffer.from("\n")]);
    if (framing === LSP) return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
    throw new TypeError(`unknown framing ${JSON.stringify(framing)} (expected "ndjson" or "lsp")`);
}

/**
 * Turns chunks of a byte stream into whole message bodies. `feed(chunk)` returns the bodies (Buffers) that
 * chunk completes. NDJSON tolerates CRLF and blank lines; Content-Length headers are read
 * case-insensitively. A stream that breaks the framing throws FramingError.
 */
export class FrameDecoder {
    constructor(framing, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
        if (!FRAMINGS.includes(framing)) throw new TypeError(`unknown framing ${JSON.stringify(framing)}`);
        this.framing = framing;
        this.maxFrameBytes = maxFrameBytes;
        this.buffer = Buffer.alloc(0);
        this.scanned = 0; // bytes of the buffer already searched for a delimiter
        this.bodyLength = null;
    }

    feed(chunk) {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
        return this.framing === NDJSON ? this.drainLines() : this.drainContentLength();
    }

    drainLines() {
        const bodies = [];
        let start = 0;
        for (;;) {
            const end = this.buffer.indexOf(10, Math.max(start, this.scanned));
            if (end < 0) break;
            const line = trimAscii(this.buffer.subarray(start, end));
            if (line.length) bodies.push(Buffer.from(line));
            start = end + 1;
            this.scanned = start;
        }
        this.buffer = this.buffer.subarray(start);
        this.scanned = this.buffer.length;
        if (this.buffer.length > this.maxFrameBytes) {
            throw new FramingError(`a line of more than ${this.maxFrameBytes} bytes without a newline`);
        }
        return bodies;
    }

    drainContentLength() {
        const bodies = [];
        for (;;) {
            if (this.bodyLength === null) {
                const end = this.buffer.indexOf("\r\n\r\n", Math.max(0, this.scanned - 3));
                if (end < 0) {
                    this.scanned = this.buffer.length;
                    if (this.buffer.length > MAX_HEADER_BYTES) {
                        throw new FramingError(`header block longer than ${MAX_HEADER_BYTES} bytes`);
                    }
                    break;
                }
                this.bodyLength = this.contentLength(this.buffer.subarray(0, end).toString("latin1"));
                this.buffer = this.buffer.subarray(end + 4);
                this.scanned = 0;
            }
            if (this.buffer.length < this.bodyLength) break;
            bodies.push(Buffer.from(this.buffer.subarray(0, this.bodyLength)));
            this.buffer = this.buffer.subarray(this.bodyLength);
            this.bodyLength = null;
            this.scanned = 0;
        }
        return bodies;
    }

    contentLength(block) {
        let length = null;
        for (const raw of block.replace(/^[\r\n]+/, "").split("\r\n")) {
            const colon = raw.indexOf(":");
            if (colon < 0) throw new FramingError(`malformed header line ${JSON.stringify(raw.slice(0, 80))}`);
            if (raw.slice(0, colon).trim().toLowerCase() === "content-length") {
                const text = raw.slice(colon + 1).trim();
                if (!/^\d+$/.test(text)) {
                    throw new FramingError(`invalid Content-Length ${JSON.stringify(text.slice(0, 40))}`);
                }
                length = Number(text);
            }
        }
        if (length === null) throw new FramingError("header block without Content-Length");
        if (length > this.maxFrameBytes) {
            throw new FramingError(`frame of ${length} bytes is over the limit of ${this.maxFrameBytes}`);
        }
        return length;
    }
}

function trimAscii(bytes) {
    let start = 0;
    let end = bytes.length;
    while (start < end && (bytes[start] === 32 || bytes[start] === 9 || bytes[start] === 13)) start++;
    while (end > start && (bytes[end - 1] === 32 || bytes[end - 1] === 9 || bytes[end - 1] === 13)) end--;
    return bytes.subarray(start, end);
}

// ------------------------------------------------------------------------------------------------
// Typed method table, generated from schema/openrpc.json
// ------------------------------------------------------------------------------------------------

// BEGIN GENERATED by scripts/clients-gen.py from schema/openrpc.json; do not edit
/** Every method of the schema: its params in schema order, the required ones, its summary. */
export const METHODS = Object.freeze({
    "auth.login": Object.freeze({
        params: ["token", "on_behalf_of"],
        required: ["token"],
        summary: "Log this connection in with a bearer token.",
    }),
    "auth.tokens.create": Object.freeze({
        params: ["user_id", "label", "expires_at", "on_behalf_of"],
        required: ["user_id"],
        summary: "Issue a bearer token (admins only).",
    }),
    "auth.tokens.list": Object.freeze({
        params: ["user_id", "on_behalf_of"],
        required: [],
        summary: "List tokens (never their text).",
    }),
    "auth.tokens.revoke": Object.freeze({
        params: ["token_id", "on_behalf_of"],
        required: ["token_id"],
        summary: "Revoke a token.",
    }),
    "auth.whoami": Object.freeze({
        params: ["on_behalf_of"],
        required: [],
        summary: "Who this connection is.",
    }),
    "automations.create": Object.freeze({
        params: ["name", "trigger", "action", "enabled", "on_behalf_of"],
        required: ["name", "trigger", "action"],
        summary: "Create an automation rule.",
    }),
    "automations.delete": Object.freeze({
        params: ["automation_id", "on_behalf_of"],
        required: ["automation_id"],
        summary: "Delete an automation.",
    }),
    "automations.get": Object.freeze({
        params: ["automation_id", "on_behalf_of"],
        required: ["automation_id"],
        summary: "Get an automation.",
    }),
    "automations.list": Object.freeze({
        params: ["page", "limit", "on_behalf_of"],
        required: [],
        summary: "List automations.",
    }),
    "automations.update": Object.freeze({
        params: ["automation_id", "name", "trigger", "action", "enabled", "on_behalf_of"],
        required: ["automation_id"],
        summary: "Change an automation.",
    }),
    "basic.run": Object.freeze({
        params: ["source", "variables", "on_behalf_of"],
        required: ["source"],
        summary: "Run a BASIC script over the task API.",
    }),
    "events.publish": Object.freeze({
        params: ["type", "value", "context", "event_id", "depth", "on_behalf_of"],
        required: ["type", "value"],
        summary: "Report a host event that fires automations.",
    }),
    "events.since": Object.freeze({
        params: ["cursor", "limit", "types", "on_behalf_of"],
        required: [],
        summary: "A page of the event feed after a cursor.",
    }),
    "events.subscribe": Object.freeze({
        params: ["types", "filter", "since", "on_behalf_of"],
        required: [],
        summary: "Receive feed events on this connection as they become durable.",
    }),
    "events.unsubscribe": Object.freeze({
        params: ["subscription_id", "on_behalf_of"],
        required: ["subscription_id"],
        summary: "End one of this connection's subscriptions.",
    }),
    "notifications.configure": Object.freeze({
        params: [
            "events",
            "channels",
            "recipients",
            "remind_before_minutes",
            "webhook",
            "user_id",
            "default",
            "on_behalf_of",
        ],
        required: [],
        summary: "Configure notifications.",
    }),
    "notifications.get_config": Object.freeze({
        params: ["user_id", "default", "on_behalf_of"],
        required: [],
        summary: "Read notification settings.",
    }),
    "notifications.list": Object.freeze({
        params: ["unread_only", "page", "limit", "on_behalf_of"],
        required: [],
        summary: "List the caller's inbox.",
    }),
    "notifications.mark_read": Object.freeze({
        params: ["notification_ids", "all", "on_behalf_of"],
        required: [],
        summary: "Mark notifications read.",
    }),
    "ping": Object.freeze({
        params: ["on_behalf_of"],
        required: [],
        summary: "Checks that the server answers.",
    }),
    "rpc.discover": Object.freeze({
        params: ["on_behalf_of"],
        required: [],
        summary: "Returns this OpenRPC document.",
    }),
    "server.info": Object.freeze({
        params: ["on_behalf_of"],
        required: [],
        summary: "Describes the running server and this connection.",
    }),
    "tasks.analytics": Object.freeze({
        params: ["from", "to", "assignee", "bot_id", "tags", "on_behalf_of"],
        required: [],
        summary: "Task performance figures: a summary, totals by priority and completions by assignee.",
    }),
    "tasks.attachments.delete": Object.freeze({
        params: ["attachment_id", "on_behalf_of"],
        required: ["attachment_id"],
        summary: "Delete an attachment.",
    }),
    "tasks.attachments.get": Object.freeze({
        params: ["attachment_id", "on_behalf_of"],
        required: ["attachment_id"],
        summary: "Get an attachment and its bytes.",
    }),
    "tasks.attachments.list": Object.freeze({
        params: ["task_id", "on_behalf_of"],
        required: ["task_id"],
        summary: "List a task's attachments.",
    }),
    "tasks.attachments.upload": Object.freeze({
        params: ["task_id", "filename", "content_base64", "mime_type", "on_behalf_of"],
        required: ["task_id", "filename", "content_base64"],
        summary: "Attach a file to a task.",
    }),
    "tasks.comments.add": Object.freeze({
        params: ["task_id", "text", "mentions", "attachments", "on_behalf_of"],
        required: ["task_id", "text"],
        summary: "Add a comment to a task.",
    }),
    "tasks.comments.list": Object.freeze({
        params: ["task_id", "page", "limit", "on_behalf_of"],
        required: ["task_id"],
        summary: "List a task's comments.",
    }),
    "tasks.complete": Object.freeze({
        params: ["task_id", "resolution", "time_spent_minutes", "outcomes", "if_version", "on_behalf_of"],
        required: ["task_id"],
        summary: "Complete an in-progress task.",
    }),
    "tasks.create": Object.freeze({
        params: [
            "title",
            "description",
            "assignee",
            "due_date",
            "priority",
            "tags",
            "context",
            "idempotency_key",
            "on_behalf_of",
        ],
        required: ["title"],
        summary: "Create a task.",
    }),
    "tasks.create_from_template": Object.freeze({
        params: ["template_id", "variables", "assignee", "due_date", "priority", "tags", "context", "on_behalf_of"],
        required: ["template_id"],
        summary: "Create a task from a template.",
    }),
    "tasks.delete": Object.freeze({
        params: ["task_id", "if_version", "on_behalf_of"],
        required: ["task_id"],
        summary: "Delete a task.",
    }),
    "tasks.get": Object.freeze({
        params: ["task_id", "on_behalf_of"],
        required: ["task_id"],
        summary: "Get one task.",
    }),
    "tasks.history": Object.freeze({
        params: ["task_id", "on_behalf_of"],
        required: ["task_id"],
        summary: "Every change of a task.",
    }),
    "tasks.list": Object.freeze({
        params: [
            "status",
            "assignee",
            "priority",
            "due_before",
            "due_after",
            "updated_after",
            "created_by",
            "tags",
            "q",
            "overdue",
            "page",
            "limit",
            "sort",
            "order",
            "on_behalf_of",
        ],
        required: [],
        summary: "List tasks with filters, sorting and paging.",
    }),
    "tasks.unwatch": Object.freeze({
        params: ["task_id", "user_id", "on_behalf_of"],
        required: ["task_id"],
        summary: "Stop watching a task.",
    }),
    "tasks.update": Object.freeze({
        params: [
            "task_id",
            "title",
            "description",
            "status",
            "priority",
            "assignee",
            "due_date",
            "tags",
            "context",
            "progress",
            "time_spent_minutes",
            "if_version",
            "checklist",
            "check",
            "on_behalf_of",
        ],
        required: ["task_id"],
        summary: "Change fields of a task.",
    }),
    "tasks.watch": Object.freeze({
        params: ["task_id", "user_id", "on_behalf_of"],
        required: ["task_id"],
        summary: "Watch a task.",
    }),
    "templates.create": Object.freeze({
        params: [
            "name",
            "description_template",
            "title_template",
            "default_priority",
            "default_tags",
            "default_assignee",
            "checklist",
            "template_id",
            "on_behalf_of",
        ],
        required: ["name"],
        summary: "Create a task template.",
    }),
    "templates.delete": Object.freeze({
        params: ["template_id", "on_behalf_of"],
        required: ["template_id"],
        summary: "Delete a template.",
    }),
    "templates.get": Object.freeze({
        params: ["template_id", "on_behalf_of"],
        required: ["template_id"],
        summary: "Get a template.",
    }),
    "templates.list": Object.freeze({
        params: ["page", "limit", "on_behalf_of"],
        required: [],
        summary: "List templates.",
    }),
    "templates.update": Object.freeze({
        params: [
            "template_id",
            "name",
            "description_template",
            "title_template",
            "default_priority",
            "default_tags",
            "default_assignee",
            "checklist",
            "on_behalf_of",
        ],
        required: ["template_id"],
        summary: "Change a template.",
    }),
    "users.get": Object.freeze({
        params: ["user_id", "on_behalf_of"],
        required: ["user_id"],
        summary: "Get one user.",
    }),
    "users.list": Object.freeze({
        params: ["role", "page", "limit", "on_behalf_of"],
        required: [],
        summary: "List users.",
    }),
    "users.upsert": Object.freeze({
        params: ["user_id", "name", "avatar_url", "email", "role", "on_behalf_of"],
        required: ["user_id", "name", "role"],
        summary: "Create or change a user.",
    }),
    "workflows.cancel": Object.freeze({
        params: ["workflow_id", "on_behalf_of"],
        required: ["workflow_id"],
        summary: "Cancel a workflow and its open tasks.",
    }),
    "workflows.create": Object.freeze({
        params: ["name", "steps", "context", "on_behalf_of"],
        required: ["name", "steps"],
        summary: "Create a multi-step workflow.",
    }),
    "workflows.get": Object.freeze({
        params: ["workflow_id", "on_behalf_of"],
        required: ["workflow_id"],
        summary: "Get a workflow with its steps and their tasks.",
    }),
    "workflows.list": Object.freeze({
        params: ["status", "page", "limit", "on_behalf_of"],
        required: [],
        summary: "List workflows.",
    }),
    "workflows.status": Object.freeze({
        params: ["workflow_id", "on_behalf_of"],
        required: ["workflow_id"],
        summary: "Get workflow progress.",
    }),
    "workflows.update": Object.freeze({
        params: ["workflow_id", "name", "add_steps", "depends_on", "on_behalf_of"],
        required: ["workflow_id"],
        summary: "Rename a workflow, add steps or change dependencies.",
    }),
});

/** Result members that hold an RFC 3339 time; `parseTimes` turns their values into Dates. */
export const TIME_FIELDS = Object.freeze(new Set([
    "at",
    "cancelled_at",
    "completed_at",
    "created_at",
    "due_date",
    "estimated_completion",
    "expires_at",
    "last_fired_at",
    "read_at",
    "revoked_at",
    "updated_at",
    "uploaded_at",
]));
// END GENERATED

// ------------------------------------------------------------------------------------------------
// Notification streams
// ------------------------------------------------------------------------------------------------

/**
 * The notifications the server pushes to one client from the moment the stream was opened, as an async
 * iterator of `{method, params}`; it ends when the connection closes or `close()` is called. `get(ms)`
 * waits with a timeout. At most `maxsize` are buffered; past that the oldest are dropped (`dropped`).
 */
export class NotificationStream {
    constructor(client, { methods = null, maxsize = 10000 } = {}) {
        this.methods = methods ? new Set(methods) : null;
        this.maxsize = maxsize;
        this.dropped = 0;
        this.queue = [];
        this.waiters = [];
        this.ended = false;
        this.client = client;
        client._subscribe(this);
    }

    _push(note) {
        if (this.ended || (this.methods && !this.methods.has(note.method))) return;
        const waiter = this.waiters.shift();
        if (waiter) {
            waiter.resolve(note);
            return;
        }
        if (this.queue.length >= this.maxsize) {
            this.queue.shift();
            this.dropped++;
        }
        this.queue.push(note);
    }

    _end() {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) {
            waiter.reject(new ConnectionClosed("the notification stream has ended"));
        }
    }

    /** The next notification; rejects with TaskwireTimeout after `timeoutMs`, ConnectionClosed at the end. */
    get(timeoutMs = null) {
        if (this.queue.length) return Promise.resolve(this._take(this.queue.shift()));
        if (this.ended) return Promise.reject(new ConnectionClosed("the notification stream has ended"));
        return new Promise((resolve, reject) => {
            const waiter = {
                resolve: (note) => { clearTimeout(waiter.timer); resolve(this._take(note)); },
                reject: (err) => { clearTimeout(waiter.timer); reject(err); },
                timer: null,
            };
            if (timeoutMs !== null && timeoutMs !== undefined) {
                waiter.timer = setTimeout(() => {
                    this.waiters.splice(this.waiters.indexOf(waiter), 1);
                    reject(new TaskwireTimeout(`no notification within ${timeoutMs} ms`));
                }, timeoutMs);
            }
            this.waiters.push(waiter);
        });
    }

    _take(note) {
        return note;
    }

    async next() {
        try {
            return { value: await this.get(), done: false };
        } catch (err) {
            if (err instanceof ConnectionClosed) return { value: undefined, done: true };
            throw err;
        }
    }

    /** Stops receiving: iteration ends once the buffered notifications are read. */
    close() {
        this.client._unsubscribe(this);
        this._end();
    }

    async return() {
        this.close();
        return { value: undefined, done: true };
    }

    [Symbol.asyncIterator]() {
        return this;
    }
}

/**
 * The events feed: the params of each pushed `events.event` notification. `cursor` is the cursor of the
 * last event handed out: after a reconnect, pass it as `since` to `events.subscribe` (or use subscribeEvents).
 */
export class EventStream extends NotificationStream {
    constructor(client, { maxsize = 10000 } = {}) {
        super(client, { methods: ["events.event"], maxsize });
        this.cursor = null;
    }

    _take(note) {
        const event = note.params;
        if (event && typeof event === "object" && "cursor" in event) this.cursor = event.cursor;
        return event;
    }
}

/**
 * One `events.subscribe` subscription as an async iterator of its events, resumed across overflows. Made by
 * `client.subscribeEvents({types, filter, since})`; `await sub.ready` resolves once the subscription is in
 * place. Yields the `event` of each pushed `events.event` of this subscription in commit order; `cursor` is
 * the cursor of the last one yielded. When the server ends the subscription (`events.subscription_ended`,
 * e.g. overflow), it pages `events.since` from `resume_cursor` and subscribes again with `since`: no gap, no
 * duplicate. After a reconnect: `newClient.subscribeEvents({since: old.cursor})` or `old.resume(newClient)`.
 * When the position to catch up from is older than the feed keeps, `get` rejects with CursorExpired (with
 * `oldestCursor`) and the subscription closes: the gap is never silent.
 */
export class EventSubscription {
    static PAGE_LIMIT = 1000;

    constructor(client, { types = null, filter = null, since = null, maxsize = 10000 } = {}) {
        this.client = client;
        this.types = types;
        this.filter = filter;
        this.maxsize = maxsize;
        this.cursor = null;
        this.subscriptionId = null;
        this._position = since;
        this._pending = [];
        this._closed = false;
        this._stream = new NotificationStream(client, {
            methods: ["events.event", "events.subscription_ended"],
            maxsize,
        });
        this.ready = this._subscribe(since);
        this.ready.catch(() => this._stream.close());
    }

    async _subscribe(since) {
        const params = {};
        if (this.types !== null) params.types = this.types;
        if (this.filter !== null) params.filter = this.filter;
        if (since !== null && since !== undefined) params.since = since;
        this._replayedFrom = since ?? null;
        const reply = await this.client.call("events.subscribe", params);
        this.subscriptionId = reply.subscription_id;
        if (this._position === null || this._position === undefined) this._position = reply.cursor ?? null;
        return this;
    }

    async _catchUp(resumeCursor) {
        let cursor = resumeCursor ?? this._position;
        if (this.filter !== null && cursor !== null && cursor !== undefined && cursor === this._replayedFrom) {
            // A filtered subscription replays its backlog itself; one that ends again where it started has more
            // waiting than the server replays at once, and subscribing again would only repeat that.
            throw new TaskwireError(
                null,
                `the filtered subscription's backlog from ${cursor} is larger than the server replays at once; ` +
                    "page events.since from that cursor and filter the events, then subscribe with since",
            );
        }
        if (this.filter === null) {
            for (;;) {
                const params = { cursor, limit: EventSubscription.PAGE_LIMIT };
                if (this.types !== null) params.types = this.types;
                const page = await this.client.call("events.since", params);
                this._pending.push(...page.events);
                cursor = page.next_cursor ?? cursor;
                if (!page.has_more) break;
            }
        }
        // events.since has no task filter: with one, the new subscription replays from the cursor itself.
        await this._subscribe(cursor);
    }

    _seen(cursor) {
        return typeof cursor === "string" && this.cursor !== null && cursor <= this.cursor;
    }

    /** The next event; rejects with TaskwireTimeout after `timeoutMs`, ConnectionClosed at the end. */
    async get(timeoutMs = null) {
        await this.ready;
        const deadline = timeoutMs === null || timeoutMs === undefined ? null : Date.now() + timeoutMs;
        for (;;) {
            while (this._pending.length) {
                const event = this._pending.shift();
                const cursor = event && typeof event === "object" ? event.id : undefined;
                if (this._seen(cursor)) continue;
                this.cursor = this._position = cursor;
                return event;
            }
            if (this._closed) throw new ConnectionClosed("the subscription is closed");
            const remaining = deadline === null ? null : Math.max(0, deadline - Date.now());
            const note = await this._stream.get(remaining);
            const params = note.params && typeof note.params === "object" ? note.params : {};
            if (params.subscription_id !== this.subscriptionId) continue;
            if (note.method === "events.subscription_ended") {
                try {
                    await this._catchUp(params.resume_cursor);
                } catch (err) {
                    if (err instanceof CursorExpired) await this.close();
                    throw err;
                }
                continue;
            }
            const event = params.event;
            const cursor = params.cursor ?? (event && event.id);
            if (this._seen(cursor)) continue;
            this.cursor = this._position = cursor;
            return event;
        }
    }

    async next() {
        try {
            return { value: await this.get(), done: false };
        } catch (err) {
            if (err instanceof ConnectionClosed) return { value: undefined, done: true };
            throw err;
        }
    }

    /** The same subscription on another connection, from where this one stopped. */
    resume(client) {
        return new EventSubscription(client, {
            types: this.types,
            filter: this.filter,
            since: this.cursor ?? this._position,
            maxsize: this.maxsize,
        });
    }

    /** Calls `events.unsubscribe` (if the connection is still open) and ends the iteration. */
    async close() {
        if (this._closed) return;
        this._closed = true;
        this._stream.close();
        try {
            await this.ready;
            if (this.subscriptionId !== null) {
                await this.client.call("events.unsubscribe", { subscription_id: this.subscriptionId });
            }
        } catch (err) {
            if (!(err instanceof ConnectionClosed) && !(err instanceof TaskwireTimeout)) throw err;
        }
    }

    async return() {
        await this.close();
        return { value: undefined, done: true };
    }

    [Symbol.asyncIterator]() {
        return this;
    }
}

// ------------------------------------------------------------------------------------------------
// The client
// ------------------------------------------------------------------------------------------------

/** Puts `client.tasks.create(params, options)` and its siblings on a client, one per entry of METHODS. */
function buildNamespaces(client) {
    const made = new Set();
    // A namespace named like a client method (`notifications`) is that method, callable, with the
    // namespace's calls as its members: `client.notifications()` streams, `client.notifications.list()` calls.
    const callable = new Set(["notifications"]);
    const claim = (owner, part, value, what) => {
        if (part in owner && !(owner === client && callable.has(part) && typeof value === "function")) {
            throw new Error(`taskwire: ${what} would shadow Client.${part}`);
        }
        Object.defineProperty(owner, part, { value, enumerable: true });
        return value;
    };
    for (const [name, spec] of Object.entries(METHODS)) {
        const parts = name.split(".").map(camel);
        let owner = client;
        for (const part of parts.slice(0, -1)) {
            const next = Object.prototype.hasOwnProperty.call(owner, part) ? owner[part] : undefined;
            const fresh =
                owner === client && callable.has(part) ? Client.prototype[part].bind(client) : {};
            owner = made.has(next) ? next : claim(owner, part, fresh, `namespace ${part} of ${name}`);
            made.add(owner);
        }
        const call = (params = undefined, options = {}) => client.call(name, params, options);
        Object.defineProperty(call, "name", { value: name });
        call.summary = spec.summary;
        claim(owner, parts[parts.length - 1], call, `method ${name}`);
    }
}

function camel(part) {
    return part.replace(/_([a-z0-9])/g, (_, letter) => letter.toUpperCase());
}

function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A connection to one taskwire server, over a spawned child's stdio or a socket. Make one with
 * `Client.spawn`, `Client.connectUnix` or `Client.fromStream`; `await client.close()` when done.
 * Emits "notification" (method, params) and "close" (reason).
 */
export class Client extends EventEmitter {
    constructor(readable, writable, options = {}) {
        super();
        const framing = options.framing ?? NDJSON;
        if (!FRAMINGS.includes(framing)) throw new TypeError(`unknown framing ${JSON.stringify(framing)}`);
        this.framing = framing;
        this.timeout = options.timeout ?? null;
        this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
        this.closeTimeout = options.closeTimeout ?? 5000;
        this.parseTimes = options.parseTimes ?? false;
        this.onNotification = options.onNotification ?? null;
        this.process = options.process ?? null;
        this.readable = readable;
        this.writable = writable;
        this.nextId = 1;
        this.pending = new Map(); // id -> {resolve, reject, timer, frame}
        this.frames = new Map(); // serial -> {waiting: Set<id>, answered}, oldest written first
        this.frameSerial = 1;
        this.streams = new Set();
        this.closed = false;
        this.closeReason = "connection to the taskwire server is closed";
        this.closing = null;
        this.decoder = new FrameDecoder(framing, MAX_INCOMING_FRAME_BYTES);
        buildNamespaces(this);

        readable.on("data", (chunk) => this._onData(chunk));
        readable.on("end", () => this._markClosed("the taskwire server closed the connection"));
        readable.on("close", () => this._markClosed("the taskwire server closed the connection"));
        const lost = (err) => this._markClosed(`lost the connection to the taskwire server: ${err.message}`);
        readable.on("error", lost);
        if (writable !== readable) writable.on("error", lost);
    }

    /**
     * Starts `binary ...args` and talks to it over its stdin and stdout. `stderr` is where the server's log
     * goes: "inherit" (default), "ignore", "pipe" (then read `client.process.stderr`) or a stream/fd.
     */
    static spawn(binary = "taskwire", options = {}) {
        const { args = [], env, cwd, stderr = "inherit", ...rest } = options;
        const child = spawnProcess(binary, args, { stdio: ["pipe", "pipe", stderr], env, cwd });
        const client = new Client(child.stdout, child.stdin, { ...rest, process: child });
        child.on("error", (err) => client._markClosed(`could not run ${binary}: ${err.message}`));
        child.on("exit", () => { client.exitCode = child.exitCode; });
        return client;
    }

    /**
     * Connects to `taskwire --socket PATH`. `wait` (ms) keeps retrying while the socket is missing or refuses
     * connections (a server still starting). A socket starts unauthenticated: `await client.auth.login({token})`.
     */
    static async connectUnix(path, options = {}) {
        const { wait = 0, ...rest } = options;
        const deadline = Date.now() + wait;
        let pause = 5;
        for (;;) {
            try {
                const socket = await new Promise((resolve, reject) => {
                    const sock = net.createConnection({ path });
                    sock.once("connect", () => { sock.off("error", reject); resolve(sock); });
                    sock.once("error", reject);
                });
                return new Client(socket, socket, rest);
            } catch (err) {
                if (!["ENOENT", "ECONNREFUSED"].includes(err.code) || Date.now() >= deadline) throw err;
                await delay(Math.min(pause, Math.max(0, deadline - Date.now())));
                pause = Math.min(pause * 2, 100);
            }
        }
    }

    /** Speaks JSON-RPC over any connected readable and writable stream pair (a socket is both). */
    static fromStream(readable, writable = readable, options = {}) {
        return new Client(readable, writable, options);
    }

    // -- calls --------------------------------------------------------------------------------------

    /**
     * Calls `method` with named params; resolves with its result or rejects with the error's class.
     * `options.timeout` (ms, default the client's) rejects with TaskwireTimeout and cancels the call.
     */
    call(method, params = undefined, options = {}) {
        return new Promise((resolve, reject) => {
            const id = this.nextId++;
            let message;
            try {
                message = request(id, method, params);
                this._register(id, resolve, reject);
                this._send(message, [id]);
            } catch (err) {
                this._forget(id);
                reject(err);
                return;
            }
            this._armTimeout(id, options.timeout ?? this.timeout);
        });
    }

    /** Sends a notification: no id, no reply, never an error report. */
    notify(method, params = undefined) {
        this._send(request(null, method, params));
    }

    /** Starts a batch: `b.call(...)` returns a promise, `await b.send()` writes one frame. */
    batch(options = {}) {
        return new Batch(this, options.timeout ?? this.timeout);
    }

    /** Sends `[[method, params], ...]` as one batch; resolves with each result or error, in order. */
    async callBatch(calls, options = {}) {
        const batch = this.batch(options);
        const outcomes = calls.map(([method, params]) => batch.call(method, params).then((v) => v, (e) => e));
        await batch.send();
        return Promise.all(outcomes);
    }

    // -- notifications --------------------------------------------------------------------------

    /** An async iterator of the notifications pushed from now on (only `methods`, if given). */
    notifications(options = {}) {
        return new NotificationStream(this, options);
    }

    /** The events feed: params of each pushed `events.event`; remembers the last `cursor`. */
    eventStream(options = {}) {
        return new EventStream(this, options);
    }

    /**
     * Subscribes to the events feed (`events.subscribe` with `types`, `filter`, `since`) and returns an async
     * iterator of that subscription's events, caught up across overflows; see EventSubscription. After a
     * reconnect: `newClient.subscribeEvents({since: old.cursor})`.
     */
    subscribeEvents(options = {}) {
        return new EventSubscription(this, options);
    }

    _subscribe(stream) {
        if (this.closed) stream._end();
        else this.streams.add(stream);
    }

    _unsubscribe(stream) {
        this.streams.delete(stream);
    }

    // -- the spec's BASIC keywords ----------------------------------------------------------------

    /** `task_id = CREATE TASK title, assignee`: resolves with the new task's id. */
    createTask(title, assignee = null, fields = {}) {
        return createTask(this, title, assignee, fields);
    }

    setTaskPriority(taskId, priority) { return setTaskPriority(this, taskId, priority); }
    setTaskDueDate(taskId, when) { return setTaskDueDate(this, taskId, when); }
    setTaskAssignee(taskId, assignee) { return setTaskAssignee(this, taskId, assignee); }
    setTaskProgress(taskId, progress) { return setTaskProgress(this, taskId, progress); }
    setTaskStatus(taskId, status) { return setTaskStatus(this, taskId, status); }
    getTaskStatus(taskId) { return getTaskStatus(this, taskId); }
    addTaskComment(taskId, text) { return addTaskComment(this, taskId, text); }
    completeTask(taskId, resolution = null) { return completeTask(this, taskId, resolution); }

    // -- the wire ----------------------------------------------------------------------------------

    _register(id, resolve, reject) {
        if (this.closed) throw new ConnectionClosed(this.closeReason);
        this.pending.set(id, { resolve, reject, timer: null, frame: null });
    }

    _forget(id) {
        const entry = this.pending.get(id);
        if (!entry) return null;
        this.pending.delete(id);
        clearTimeout(entry.timer);
        if (entry.frame) {
            entry.frame.waiting.delete(id);
            if (!entry.frame.waiting.size) this.frames.delete(entry.frame.serial);
        }
        return entry;
    }

    _armTimeout(id, timeout) {
        const entry = this.pending.get(id);
        if (!entry || timeout === null || timeout === undefined) return;
        entry.timer = setTimeout(() => {
            if (!this._forget(id)) return;
            try {
                this.notify("$/cancelRequest", { id });
            } catch {
                // the connection is gone; nothing to cancel
            }
            entry.reject(new TaskwireTimeout(`no reply to request ${id} within ${timeout} ms`, id));
        }, timeout);
    }

    _send(message, ids = []) {
        if (this.closed) throw new ConnectionClosed(this.closeReason);
        const body = Buffer.from(JSON.stringify(message), "utf8");
        if (body.length > this.maxFrameBytes) {
            const text = `Message of ${body.length} bytes is over the frame limit of ${this.maxFrameBytes} bytes`;
            throw new TooLarge(413, text, { error: "too_large", limit_bytes: this.maxFrameBytes });
        }
        const waiting = ids.filter((id) => this.pending.has(id));
        if (waiting.length) {
            const frame = { serial: this.frameSerial++, waiting: new Set(waiting), answered: false };
            this.frames.set(frame.serial, frame);
            for (const id of waiting) this.pending.get(id).frame = frame;
        }
        this.writable.write(encodeFrame(body, this.framing));
    }

    _onData(chunk) {
        let bodies;
        try {
            bodies = this.decoder.feed(chunk);
        } catch (err) {
            this._markClosed(`the taskwire server sent a malformed frame: ${err.message}`);
            this.readable.destroy();
            return;
        }
        for (const body of bodies) this._dispatchBody(body);
    }

    _dispatchBody(body) {
        let message;
        try {
            message = JSON.parse(body.toString("utf8"));
        } catch {
            return; // not JSON: nothing to match it to
        }
        if (!Array.isArray(message)) {
            if (isUnidentifiedError(message)) this._failUnidentified(message.error, null);
            else this._dispatchMessage(message);
            return;
        }
        // A batch reply: members with ids first, so an id-null error inside it is charged to this batch.
        const unidentified = [];
        let batchFrame = null;
        for (const member of message) {
            if (isUnidentifiedError(member)) unidentified.push(member.error);
            else batchFrame = this._dispatchMessage(member) || batchFrame;
        }
        for (const error of unidentified) this._failUnidentified(error, batchFrame);
    }

    _dispatchMessage(message) {
        if (!message || typeof message !== "object") return null;
        if ("method" in message) {
            this._dispatchIncoming(message);
            return null;
        }
        const entry = Number.isInteger(message.id) ? this.pending.get(message.id) : undefined;
        if (!entry) return null;
        const frame = entry.frame;
        if (frame) frame.answered = true;
        this._forget(message.id);
        if ("error" in message) {
            entry.reject(errorFromResponse(message.error));
        } else if ("result" in message) {
            entry.resolve(this.parseTimes ? parseTimes(message.result) : message.result);
        } else {
            const text = JSON.stringify(message);
            entry.reject(new TaskwireError(null, `malformed reply without result or error: ${text}`));
        }
        return frame;
    }

    /**
     * Ends the calls of the frame an error reply with `"id": null` belongs to: the batch whose reply array
     * carries it, else the only outstanding frame, else the oldest outstanding frame with no reply yet.
     */
    _failUnidentified(error, batchFrame) {
        let frame = batchFrame;
        if (!frame) {
            const frames = [...this.frames.values()];
            frame = frames.length === 1 ? frames[0] : frames.find((f) => !f.answered) ?? null;
        }
        if (!frame) {
            const text = JSON.stringify(error);
            process.emitWarning(`taskwire: error reply without an id that matches no waiting call: ${text}`);
            return;
        }
        frame.answered = true;
        for (const id of [...frame.waiting].sort((a, b) => a - b)) {
            const entry = this._forget(id);
            if (entry) entry.reject(errorFromResponse(error));
        }
    }

    _dispatchIncoming(message) {
        const { method } = message;
        if ("id" in message) {
            // The server sends no requests today; answer at once so it never waits on us.
            const error = { code: -32601, message: `Method ${method} not found`, data: { error: "method_not_found" } };
            try { this._send({ jsonrpc: "2.0", id: message.id, error }); } catch { /* closed */ }
            return;
        }
        if (typeof method !== "string") return;
        const params = this.parseTimes ? parseTimes(message.params) : message.params;
        for (const stream of this.streams) stream._push({ method, params });
        if (this.onNotification) {
            try {
                this.onNotification(method, params);
            } catch (err) {
                process.emitWarning(`taskwire: onNotification threw for ${method}: ${err && err.stack}`);
            }
        }
        this.emit("notification", method, params);
    }

    _markClosed(reason) {
        if (!this.closed) {
            this.closed = true;
            this.closeReason = this.closingReason ?? reason;
        }
        const pending = [...this.pending.values()];
        this.pending.clear();
        this.frames.clear();
        for (const entry of pending) {
            clearTimeout(entry.timer);
            entry.reject(new ConnectionClosed(this.closeReason));
        }
        for (const stream of this.streams) stream._end();
        this.streams.clear();
        if (!this.closeEmitted) {
            this.closeEmitted = true;
            this.emit("close", this.closeReason);
        }
    }

    // -- closing ----------------------------------------------------------------------------------

    /**
     * Ends the connection. A spawned server gets end of input (it finishes in-flight replies and exits),
     * then SIGTERM after `closeTimeout` ms, then SIGKILL. Pending calls reject with ConnectionClosed.
     */
    close() {
        if (!this.closing) this.closing = this._close();
        return this.closing;
    }

    async _close() {
        this.closingReason = "the taskwire client was closed";
        const child = this.process;
        if (child) {
            const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve()
                : new Promise((resolve) => child.once("exit", resolve));
            try { child.stdin.end(); } catch { /* already gone */ }
            if (!(await settlesWithin(exited, this.closeTimeout))) {
                child.kill("SIGTERM");
                if (!(await settlesWithin(exited, this.closeTimeout))) {
                    child.kill("SIGKILL");
                    await exited;
                }
            }
            this.readable.destroy();
        } else {
            // Whatever was written is flushed first; the server then sees the end of input like a half-close.
            const flushed = new Promise((resolve) => {
                try { this.writable.end(resolve); } catch { resolve(); }
            });
            await settlesWithin(flushed, this.closeTimeout);
            this.readable.destroy();
            if (this.writable !== this.readable) this.writable.destroy();
        }
        this._markClosed(this.closingReason);
    }
}

function settlesWithin(promise, ms) {
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        promise.then(() => { clearTimeout(timer); resolve(true); });
    });
}

function request(id, method, params) {
    if (typeof method !== "string") throw new TypeError("method must be a string");
    const message = { jsonrpc: "2.0" };
    if (id !== null) message.id = id;
    message.method = method;
    if (params !== undefined && params !== null) {
        if (typeof params !== "object") throw new TypeError("params must be an object or an array");
        message.params = params;
    }
    return message;
}

/** Collects calls and notifications for one batch frame; see Client.batch. */
export class Batch {
    constructor(client, timeout) {
        this.client = client;
        this.timeout = timeout;
        this.messages = [];
        this.entries = [];
        this.sent = false;
    }

    /** Adds a call; its promise settles once the batch reply arrives after `send()`. */
    call(method, params = undefined) {
        this._checkOpen();
        const id = this.client.nextId++;
        this.messages.push(request(id, method, params));
        return new Promise((resolve, reject) => this.entries.push({ id, resolve, reject }));
    }

    /** Adds a notification (no reply). */
    notify(method, params = undefined) {
        this._checkOpen();
        this.messages.push(request(null, method, params));
    }

    /** Writes the batch as one frame and resolves once every call in it has settled (or timed out). */
    async send() {
        this._checkOpen();
        this.sent = true;
        if (!this.messages.length) return;
        const client = this.client;
        const settled = this.entries.map((entry) => new Promise((done) => {
            entry.done = done;
        }));
        try {
            for (const entry of this.entries) {
                client._register(entry.id,
                    (value) => { entry.resolve(value); entry.done(); },
                    (err) => { entry.reject(err); entry.done(); });
            }
            client._send(this.messages, this.entries.map((entry) => entry.id));
        } catch (err) {
            for (const entry of this.entries) {
                client._forget(entry.id);
                entry.reject(err);
                entry.done();
            }
            return;
        }
        for (const entry of this.entries) client._armTimeout(entry.id, this.timeout);
        await Promise.all(settled);
    }

    _checkOpen() {
        if (this.sent) throw new Error("this batch was already sent");
    }
}

// ------------------------------------------------------------------------------------------------
// The spec's BASIC keywords (tasks-api.md, "Integration with BASIC")
// ------------------------------------------------------------------------------------------------

/** BASIC's NOW(): the current time in Unix epoch seconds, so `now() + 24 * 3600` is a day from now. */
export function now() {
    return Date.now() / 1000;
}

/** `task_id = CREATE TASK title, assignee`: creates a task and resolves with its id. */
export async function createTask(client, title, assignee = null, fields = {}) {
    const params = { ...fields, title };
    if (assignee !== null && assignee !== undefined) params.assignee = assignee;
    return (await client.call("tasks.create", params)).task_id;
}

/** `SET TASK PRIORITY task_id, priority`; resolves with the update result. */
export function setTaskPriority(client, taskId, priority) {
    return client.call("tasks.update", { task_id: taskId, priority });
}

/** `SET TASK DUE DATE task_id, when`: epoch seconds (`now() + 24 * 3600`), a Date, an RFC 3339 string, or null. */
export function setTaskDueDate(client, taskId, when) {
    return client.call("tasks.update", { task_id: taskId, due_date: when });
}

/** `SET TASK ASSIGNEE task_id, user`: a user id, or null to unassign. */
export function setTaskAssignee(client, taskId, assignee) {
    return client.call("tasks.update", { task_id: taskId, assignee });
}

/** `SET TASK PROGRESS task_id, percent` (0-100). */
export function setTaskProgress(client, taskId, progress) {
    return client.call("tasks.update", { task_id: taskId, progress });
}

/** `SET TASK STATUS task_id, status`. */
export function setTaskStatus(client, taskId, status) {
    return client.call("tasks.update", { task_id: taskId, status });
}

/** `status = GET TASK STATUS task_id`: pending, in_progress, completed or cancelled. */
export async function getTaskStatus(client, taskId) {
    return (await client.call("tasks.get", { task_id: taskId })).status;
}

/** `ADD TASK COMMENT task_id, text`: resolves with the comment's id. */
export async function addTaskComment(client, taskId, text) {
    return (await client.call("tasks.comments.add", { task_id: taskId, text })).comment_id;
}

/**
 * `COMPLETE TASK task_id, resolution`. The server completes only a task in progress, so a task still
 * pending is first moved to in_progress (a write of its own), then completed.
 */
export async function completeTask(client, taskId, resolution = null) {
    const params = { task_id: taskId };
    if (resolution !== null && resolution !== undefined) params.resolution = resolution;
    try {
        return await client.call("tasks.complete", params);
    } catch (err) {
        if (!(err instanceof Conflict) || err.error !== "invalid_transition" ||
                (await getTaskStatus(client, taskId)) !== "pending") throw err;
    }
    await client.call("tasks.update", { task_id: taskId, status: "in_progress" });
    return client.call("tasks.complete", params);
}
