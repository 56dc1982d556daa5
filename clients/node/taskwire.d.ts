// Declarations for taskwire.mjs, the Node client of taskwire. The namespaces and params interfaces between
// the GENERATED markers are written from schema/openrpc.json by scripts/clients-gen.py.

import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export const VERSION: string;
export const NDJSON: "ndjson";
export const LSP: "lsp";
export type Framing = "ndjson" | "lsp";
export const DEFAULT_MAX_FRAME_BYTES: number;

/** Every method of the schema: its params in schema order, the required ones, its summary. */
export const METHODS: Readonly<Record<string, Readonly<{ params: string[]; required: string[]; summary: string }>>>;
/** Result members that hold an RFC 3339 time. */
export const TIME_FIELDS: ReadonlySet<string>;

export interface CallOptions {
    /** Milliseconds to wait for the reply; then TaskwireTimeout, and `$/cancelRequest` goes to the server. */
    timeout?: number | null;
}

export interface ClientOptions {
    framing?: Framing;
    /** Default per-call timeout in milliseconds; null waits until the reply or the end of the connection. */
    timeout?: number | null;
    /** Requests larger than this are refused locally with TooLarge; match the server's --max-frame-bytes. */
    maxFrameBytes?: number;
    /** How long close() waits at each step of shutting a spawned server down (ms, default 5000). */
    closeTimeout?: number;
    /** Turn the time members of results and notifications (TIME_FIELDS) into Dates. */
    parseTimes?: boolean;
    onNotification?: ((method: string, params: any) => void) | null;
}

export interface SpawnOptions extends ClientOptions {
    args?: string[];
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Where the server's log goes: "inherit" (default), "ignore", "pipe", or a stream or descriptor. */
    stderr?: "inherit" | "ignore" | "pipe" | number | Writable;
}

export interface ConnectOptions extends ClientOptions {
    /** Keep retrying this many milliseconds while the socket is missing or refuses connections. */
    wait?: number;
}

export interface Notification {
    method: string;
    params: any;
}

export class TaskwireError extends Error {
    static readonly CODE: number | null;
    /** The JSON-RPC error code; null for failures that never reached the server. */
    readonly code: number | null;
    readonly data: any;
    /** data.error: the stable machine-readable code, e.g. "task_not_found". */
    readonly error: string | null;
    constructor(code: number | null, message: string, data?: any);
}
export class ParseError extends TaskwireError {}
export class InvalidRequest extends TaskwireError {}
export class MethodNotFound extends TaskwireError {}
export class InvalidParams extends TaskwireError {
    /** The param at fault (data.field), when the server says which. */
    readonly field: string | null;
}
export class InternalError extends TaskwireError {}
export class RequestCancelled extends TaskwireError {}
export class Unauthorized extends TaskwireError {}
export class PermissionDenied extends TaskwireError {}
export class NotFound extends TaskwireError {}
export class Conflict extends TaskwireError {}
/** 409 cursor_expired: the cursor is older than the feed keeps; continue from `oldestCursor`. */
export class CursorExpired extends Conflict {
    oldestCursor: string | null;
}
export class TooLarge extends TaskwireError {}
export class RateLimited extends TaskwireError {
    /** data.retry_after_seconds, or null. */
    readonly retryAfter: number | null;
}
export class Unavailable extends TaskwireError {}
export class ConnectionClosed extends TaskwireError {
    constructor(message?: string);
}
export class TaskwireTimeout extends TaskwireError {
    readonly requestId: number | null;
    constructor(message: string, requestId?: number | null);
}
export class FramingError extends Error {}

export function errorFromResponse(error: unknown): TaskwireError;
export function parseTime(text: string): Date;
export function formatTime(value: Date | number): string;
export function parseTimes<T = any>(value: T): any;
export function encodeFrame(body: Buffer | string, framing: Framing): Buffer;

export class FrameDecoder {
    constructor(framing: Framing, maxFrameBytes?: number);
    /** The message bodies this chunk completes. */
    feed(chunk: Buffer | Uint8Array): Buffer[];
}

export class NotificationStream implements AsyncIterableIterator<Notification> {
    /** Notifications dropped because the buffer was full. */
    readonly dropped: number;
    /** The next notification; rejects with TaskwireTimeout after timeoutMs, ConnectionClosed at the end. */
    get(timeoutMs?: number | null): Promise<Notification>;
    next(): Promise<IteratorResult<Notification>>;
    return(): Promise<IteratorResult<Notification>>;
    close(): void;
    [Symbol.asyncIterator](): AsyncIterableIterator<Notification>;
}

/** The params of each pushed `events.event`; `cursor` is the last event's cursor (resume: coming). */
export class EventStream implements AsyncIterableIterator<any> {
    readonly dropped: number;
    readonly cursor: unknown;
    get(timeoutMs?: number | null): Promise<any>;
    next(): Promise<IteratorResult<any>>;
    return(): Promise<IteratorResult<any>>;
    close(): void;
    [Symbol.asyncIterator](): AsyncIterableIterator<any>;
}

export class Batch {
    call(method: string, params?: object | unknown[]): Promise<any>;
    notify(method: string, params?: object | unknown[]): void;
    send(): Promise<void>;
}

export type DueDate = number | Date | string | null;
export type Priority = "low" | "medium" | "high" | "critical";
export type Status = "pending" | "in_progress" | "completed" | "cancelled";
type CreateFields = Partial<TasksCreateParams>;

export interface Client extends GeneratedMethods {}
export class Client extends EventEmitter {
    static spawn(binary?: string, options?: SpawnOptions): Client;
    static connectUnix(path: string, options?: ConnectOptions): Promise<Client>;
    static fromStream(readable: Readable, writable?: Writable, options?: ClientOptions): Client;
    readonly framing: Framing;
    readonly closed: boolean;
    /** The spawned server, or null for socket connections. */
    readonly process: ChildProcess | null;
    timeout: number | null;
    parseTimes: boolean;
    onNotification: ((method: string, params: any) => void) | null;
    call(method: string, params?: object | unknown[], options?: CallOptions): Promise<any>;
    notify(method: string, params?: object | unknown[]): void;
    batch(options?: CallOptions): Batch;
    callBatch(
        calls: Array<[string, (object | unknown[])?]>,
        options?: CallOptions,
    ): Promise<Array<any | TaskwireError>>;
    eventStream(options?: { maxsize?: number }): EventStream;
    createTask(title: string, assignee?: string | null, fields?: CreateFields): Promise<string>;
    setTaskPriority(taskId: string, priority: Priority): Promise<any>;
    setTaskDueDate(taskId: string, when: DueDate): Promise<any>;
    setTaskAssignee(taskId: string, assignee: string | null): Promise<any>;
    setTaskProgress(taskId: string, progress: number): Promise<any>;
    setTaskStatus(taskId: string, status: Status): Promise<any>;
    getTaskStatus(taskId: string): Promise<string>;
    addTaskComment(taskId: string, text: string): Promise<string>;
    completeTask(taskId: string, resolution?: string | null): Promise<any>;
    close(): Promise<void>;
    on(event: "notification", listener: (method: string, params: any) => void): this;
    on(event: "close", listener: (reason: string) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** BASIC's NOW(): Unix epoch seconds. */
export function now(): number;
export function createTask(
    client: Client,
    title: string,
    assignee?: string | null,
    fields?: CreateFields,
): Promise<string>;
export function setTaskPriority(client: Client, taskId: string, priority: Priority): Promise<any>;
export function setTaskDueDate(client: Client, taskId: string, when: DueDate): Promise<any>;
export function setTaskAssignee(client: Client, taskId: string, assignee: string | null): Promise<any>;
export function setTaskProgress(client: Client, taskId: string, progress: number): Promise<any>;
export function setTaskStatus(client: Client, taskId: string, status: Status): Promise<any>;
export function getTaskStatus(client: Client, taskId: string): Promise<string>;
export function addTaskComment(client: Client, taskId: string, text: string): Promise<string>;
export function completeTask(client: Client, taskId: string, resolution?: string | null): Promise<any>;

// BEGIN GENERATED by scripts/clients-gen.py from schema/openrpc.json; do not edit
/** Params of `auth.login`. */
export interface AuthLoginParams {
    /** The bearer token from auth.tokens.create or `taskwire token create`. */
    token: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `auth.tokens.create`. */
export interface AuthTokensCreateParams {
    user_id: string;
    label?: string;
    /** RFC 3339 or Unix epoch seconds; must be in the future. Absent: never expires. */
    expires_at?: string | Date | number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `auth.tokens.list`. */
export interface AuthTokensListParams {
    user_id?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `auth.tokens.revoke`. */
export interface AuthTokensRevokeParams {
    token_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `auth.whoami`. */
export interface AuthWhoamiParams {
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `automations.create`. */
export interface AutomationsCreateParams {
    name: string;
    trigger: Record<string, unknown>;
    action: Record<string, unknown>;
    /** Default true. */
    enabled?: boolean;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `automations.delete`. */
export interface AutomationsDeleteParams {
    automation_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `automations.get`. */
export interface AutomationsGetParams {
    automation_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `automations.list`. */
export interface AutomationsListParams {
    /** Default 1. */
    page?: number;
    /** Default 20. */
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `automations.update`. */
export interface AutomationsUpdateParams {
    automation_id: string;
    name?: string;
    trigger?: Record<string, unknown>;
    action?: Record<string, unknown>;
    enabled?: boolean;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `basic.run`. */
export interface BasicRunParams {
    /** The script; at most 65,536 bytes of UTF-8. */
    source: string;
    /**
     * Variables set before the script starts, by name (case-insensitive, not a keyword): strings, numbers,
     * booleans or null.
     */
    variables?: Record<string, string | number | boolean | null>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `events.publish`. */
export interface EventsPublishParams {
    type: unknown;
    /** The tag. */
    value: string;
    /** {conversation_id, bot_id, ...}: string members. */
    context?: Record<string, string>;
    /** The host's id for the event; default: issued (evt_...). */
    event_id?: string;
    /** How many automation effects led to this event (default 0); at 3 or more nothing fires. */
    depth?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `events.since`. */
export interface EventsSinceParams {
    /** Return the events after this cursor. */
    cursor?: string;
    /** The most events returned. */
    limit?: number;
    /** Only these feed event types (the cursor still moves past the others). */
    types?: Array<"task_created" | "task_assigned" | "task_updated" | "task_completed" | "task_cancelled" | "task_reopened" | "task_deleted" | "task_due_soon" | "task_overdue" | "comment_added" | "attachment_added" | "attachment_deleted" | "watcher_added" | "watcher_removed" | "template_created" | "template_updated" | "template_deleted" | "workflow_created" | "workflow_updated" | "workflow_step_ready" | "workflow_completed" | "workflow_cancelled" | "automation_created" | "automation_updated" | "automation_deleted" | "automation_fired">;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `events.subscribe`. */
export interface EventsSubscribeParams {
    /** Only these feed event types (an array, or one comma-separated string). */
    types?: Array<"task_created" | "task_assigned" | "task_updated" | "task_completed" | "task_cancelled" | "task_reopened" | "task_deleted" | "task_due_soon" | "task_overdue" | "comment_added" | "attachment_added" | "attachment_deleted" | "watcher_added" | "watcher_removed" | "template_created" | "template_updated" | "template_deleted" | "workflow_created" | "workflow_updated" | "workflow_step_ready" | "workflow_completed" | "workflow_cancelled" | "automation_created" | "automation_updated" | "automation_deleted" | "automation_fired">;
    /** Only events whose task matches every member given. */
    filter?: Record<string, unknown>;
    /** Replay the events after this cursor first. */
    since?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `events.unsubscribe`. */
export interface EventsUnsubscribeParams {
    /** The id events.subscribe returned. */
    subscription_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `notifications.configure`. */
export interface NotificationsConfigureParams {
    /**
     * Feed event types that notify: task_created, task_assigned, task_updated, task_completed, task_cancelled,
     * task_reopened, task_deleted, task_overdue, task_due_soon, comment_added, attachment_added,
     * workflow_step_ready.
     */
    events?: Array<string>;
    /** in_app (the inbox and the push), email, webhook (needs a webhook). */
    channels?: Array<string>;
    /**
     * The roles through which a change reaches the user: assignee, watchers, creator, mentioned (an @user_id in
     * the task's description or the comment).
     */
    recipients?: Array<string>;
    /** How long before a due date the task_due_soon reminder fires; null for none. */
    remind_before_minutes?: number | null;
    /** Where the webhook channel posts; null removes it. */
    webhook?: null | Record<string, unknown>;
    /**
     * Admins: the user whose settings to use instead of the caller's. Others may name only themselves (403
     * otherwise).
     */
    user_id?: string;
    /**
     * Admins (for reading: anyone): the server-wide default instead of a user's settings. Not together with
     * user_id.
     */
    default?: boolean;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `notifications.get_config`. */
export interface NotificationsGetConfigParams {
    /**
     * Admins: the user whose settings to use instead of the caller's. Others may name only themselves (403
     * otherwise).
     */
    user_id?: string;
    /**
     * Admins (for reading: anyone): the server-wide default instead of a user's settings. Not together with
     * user_id.
     */
    default?: boolean;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `notifications.list`. */
export interface NotificationsListParams {
    /** Only unread notifications. Default false. */
    unread_only?: boolean;
    /** Default 1. */
    page?: number;
    /** Default 20. */
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `notifications.mark_read`. */
export interface NotificationsMarkReadParams {
    /** The notifications to mark read. */
    notification_ids?: Array<string>;
    /** true: mark every notification of the inbox read. */
    all?: boolean;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `ping`. */
export interface PingParams {
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `rpc.discover`. */
export interface RpcDiscoverParams {
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `server.info`. */
export interface ServerInfoParams {
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.analytics`. */
export interface TasksAnalyticsParams {
    /** Only tasks created at or after this time. */
    from?: string | Date | number;
    /** Only tasks created before this time (exclusive). */
    to?: string | Date | number;
    /** Only tasks assigned to this user id; null: only tasks without an assignee. */
    assignee?: string | null;
    /** Only tasks whose context.bot_id is this value. */
    bot_id?: string;
    /** Only tasks carrying every one of these tags. */
    tags?: string | Array<string>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.attachments.delete`. */
export interface TasksAttachmentsDeleteParams {
    /** The attachment's id. */
    attachment_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.attachments.get`. */
export interface TasksAttachmentsGetParams {
    /** The attachment's id. */
    attachment_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.attachments.list`. */
export interface TasksAttachmentsListParams {
    /** The task's id. */
    task_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.attachments.upload`. */
export interface TasksAttachmentsUploadParams {
    /** The task's id. */
    task_id: string;
    /** 1-255 bytes of UTF-8 without control characters; metadata only. */
    filename: string;
    /** The bytes in canonical, padded base64 (RFC 4648) without whitespace. */
    content_base64: string;
    /** type/subtype; detected from the content when absent. */
    mime_type?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.comments.add`. */
export interface TasksCommentsAddParams {
    /** The task's id. */
    task_id: string;
    /** The comment; not blank, at most 10,000 characters. */
    text: string;
    /** User ids mentioned; duplicates are dropped. */
    mentions?: Array<string>;
    /** Ids of attachments of the same task. */
    attachments?: Array<string>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.comments.list`. */
export interface TasksCommentsListParams {
    /** The task's id. */
    task_id: string;
    /** Page number, from 1. */
    page?: number;
    /** Comments per page. */
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.complete`. */
export interface TasksCompleteParams {
    /** The task's id. */
    task_id: string;
    resolution?: string;
    /** Added to the total. */
    time_spent_minutes?: number;
    outcomes?: Array<string>;
    /** Apply only if the task is at this version; otherwise 409 version_conflict and nothing changes. */
    if_version?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.create`. */
export interface TasksCreateParams {
    /** Not blank; at most 500 characters. */
    title: string;
    description?: string;
    /** User id of the assignee. */
    assignee?: string;
    /** Must be in the future (invalid_due_date: "Due date must be in the future"). */
    due_date?: string | Date | number;
    /** Default medium; anything else is invalid_priority. */
    priority?: "low" | "medium" | "high" | "critical";
    tags?: Array<string>;
    context?: Record<string, string>;
    idempotency_key?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.create_from_template`. */
export interface TasksCreateFromTemplateParams {
    /** The template's id. */
    template_id: string;
    /** {name: value} for the placeholders; default {}. */
    variables?: Record<string, string | number>;
    /** Overrides default_assignee. */
    assignee?: string;
    /** Must be in the future (invalid_due_date). */
    due_date?: string | Date | number;
    /** Overrides default_priority (else medium). */
    priority?: "low" | "medium" | "high" | "critical";
    /** Replace default_tags. */
    tags?: Array<string>;
    context?: Record<string, string>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.delete`. */
export interface TasksDeleteParams {
    /** The task's id. */
    task_id: string;
    /** Apply only if the task is at this version; otherwise 409 version_conflict and nothing changes. */
    if_version?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.get`. */
export interface TasksGetParams {
    /** The task's id. */
    task_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.history`. */
export interface TasksHistoryParams {
    /** The task's id. */
    task_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.list`. */
export interface TasksListParams {
    status?: string | Array<string>;
    assignee?: string;
    priority?: string | Array<string>;
    due_before?: string | Date | number;
    due_after?: string | Date | number;
    /**
     * Only tasks changed strictly after this time (updated_at): RFC 3339 or Unix epoch seconds. For bots that
     * poll; no index, it narrows the other filters' candidates.
     */
    updated_after?: string | Date | number;
    /** Only tasks created by this user id. */
    created_by?: string;
    tags?: string | Array<string>;
    q?: string;
    /**
     * true: only overdue tasks, open with task_overdue fired for their current due date (the server fires it
     * when the due date passes); false is no filter.
     */
    overdue?: boolean;
    page?: number;
    limit?: number;
    sort?: "created_at" | "due_date" | "priority" | "updated_at";
    order?: "asc" | "desc";
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.unwatch`. */
export interface TasksUnwatchParams {
    /** The task's id. */
    task_id: string;
    /** The user to remove; the caller when absent. */
    user_id?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.update`. */
export interface TasksUpdateParams {
    /** The task's id. */
    task_id: string;
    title?: string;
    description?: string | null;
    status?: "pending" | "in_progress" | "completed" | "cancelled";
    priority?: "low" | "medium" | "high" | "critical";
    assignee?: string | null;
    /** Must be in the future; null clears it. */
    due_date?: string | Date | number | null;
    tags?: Array<string> | null;
    context?: Record<string, string> | null;
    progress?: number;
    /** Sets the total. */
    time_spent_minutes?: number;
    /** Apply only if the task is at this version; otherwise 409 version_conflict and nothing changes. */
    if_version?: number;
    /** Replaces the whole checklist: texts (not done) or {text, done}; null or [] empties it. */
    checklist?: Array<string | Record<string, unknown>> | null;
    /**
     * Ticks checklist items by 0-based index, after any checklist replacement in the same call: [{"index": 0,
     * "done": true}]. An index outside the checklist is -32602 with data.field check[n].index; a tick that
     * changes nothing is no change. Changes show as the field checklist in updated_fields and history.
     */
    check?: Array<Record<string, unknown>>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `tasks.watch`. */
export interface TasksWatchParams {
    /** The task's id. */
    task_id: string;
    /** The user to add; the caller when absent. */
    user_id?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `templates.create`. */
export interface TemplatesCreateParams {
    /** Not blank; at most 200 characters. */
    name: string;
    /** The task's description, with {{name}} placeholders (docs/templates.md). */
    description_template?: string;
    /** The task's title, with placeholders; without it the title is the template's name. */
    title_template?: string;
    /** The task's priority unless the call gives one (else medium). */
    default_priority?: "low" | "medium" | "high" | "critical";
    /** The task's tags unless the call gives tags. */
    default_tags?: Array<string>;
    /** The task's assignee unless the call gives one. */
    default_assignee?: string;
    /** Texts (with placeholders) the task's checklist starts with, none done. */
    checklist?: Array<string>;
    /** An id of the client's choosing; default: issued. */
    template_id?: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `templates.delete`. */
export interface TemplatesDeleteParams {
    /** The template's id. */
    template_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `templates.get`. */
export interface TemplatesGetParams {
    /** The template's id. */
    template_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `templates.list`. */
export interface TemplatesListParams {
    /** Default 1. */
    page?: number;
    /** Default 20. */
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `templates.update`. */
export interface TemplatesUpdateParams {
    /** The template's id. */
    template_id: string;
    name?: string;
    /** The task's description, with {{name}} placeholders (docs/templates.md). null clears it. */
    description_template?: string | null;
    /** The task's title, with placeholders; without it the title is the template's name. null clears it. */
    title_template?: string | null;
    /** The task's priority unless the call gives one (else medium). null clears it. */
    default_priority?: "low" | "medium" | "high" | "critical" | null;
    /** The task's tags unless the call gives tags. null clears it. */
    default_tags?: Array<string> | null;
    /** The task's assignee unless the call gives one. null clears it. */
    default_assignee?: string | null;
    /** Texts (with placeholders) the task's checklist starts with, none done. null clears it. */
    checklist?: Array<string> | null;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `users.get`. */
export interface UsersGetParams {
    user_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `users.list`. */
export interface UsersListParams {
    role?: "admin" | "agent" | "member";
    /** Default 1. */
    page?: number;
    /** Default 20. */
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `users.upsert`. */
export interface UsersUpsertParams {
    user_id: string;
    /** Not blank; at most 200 characters. */
    name: string;
    /** An http or https URL. */
    avatar_url?: string;
    /** Shaped like name@example.com. */
    email?: string;
    role: "admin" | "agent" | "member";
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.cancel`. */
export interface WorkflowsCancelParams {
    /** The workflow's id. */
    workflow_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.create`. */
export interface WorkflowsCreateParams {
    name: string;
    steps: Array<Record<string, unknown>>;
    /** Copied onto every step's task. */
    context?: Record<string, string>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.get`. */
export interface WorkflowsGetParams {
    /** The workflow's id. */
    workflow_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.list`. */
export interface WorkflowsListParams {
    status?: "pending" | "in_progress" | "blocked" | "completed" | "cancelled" | Array<"pending" | "in_progress" | "blocked" | "completed" | "cancelled">;
    page?: number;
    limit?: number;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.status`. */
export interface WorkflowsStatusParams {
    /** The workflow's id. */
    workflow_id: string;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** Params of `workflows.update`. */
export interface WorkflowsUpdateParams {
    /** The workflow's id. */
    workflow_id: string;
    name?: string;
    add_steps?: Array<Record<string, unknown>>;
    /** {step name: [dependency names]} */
    depends_on?: Record<string, Array<string>>;
    /**
     * Agents only: make the call as this member, who is then checked and rate-limited; history records the
     * agent too (docs/security.md).
     */
    on_behalf_of?: string;
}

/** The `auth.tokens.*` methods. */
export interface AuthTokensMethods {
    /**
     * `auth.tokens.create`: Issue a bearer token (admins only). Creates a token for an existing user and
     * returns it once: only its SHA-256 hash is stored. The token is `tw_` and 43 base64url characters (32
     * random bytes). Rate limit: admin.
     */
    create(params: AuthTokensCreateParams, options?: CallOptions): Promise<any>;
    /**
     * `auth.tokens.list`: List tokens (never their text). The tokens of `user_id` with their status. Without
     * user_id: every token for an admin, one's own for anyone else. Only admins may list other users' tokens.
     * Rate limit: read. Read-only, idempotent.
     */
    list(params?: AuthTokensListParams, options?: CallOptions): Promise<any>;
    /**
     * `auth.tokens.revoke`: Revoke a token. Stops the token at once, also on connections already logged in with
     * it (their next call gets 401). Admins may revoke any token, everyone else their own. Revoking a revoked
     * token changes nothing. Rate limit: admin. Destructive, idempotent.
     */
    revoke(params: AuthTokensRevokeParams, options?: CallOptions): Promise<any>;
}

/** The `tasks.attachments.*` methods. */
export interface TasksAttachmentsMethods {
    /**
     * `tasks.attachments.delete`: Delete an attachment. Removes the attachment. The reply comes once the
     * deletion is durable and, when no other attachment has the same bytes, the bytes are gone from the data
     * directory. attachments_count falls by one. Records an attachment_deleted event. Rate limit: attach.
     * Destructive, idempotent.
     */
    delete(params: TasksAttachmentsDeleteParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.attachments.get`: Get an attachment and its bytes. The attachment's metadata and its bytes in
     * content_base64. Rate limit: read. Read-only, idempotent.
     */
    get(params: TasksAttachmentsGetParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.attachments.list`: List a task's attachments. The metadata of every attachment of the task, oldest
     * first. Rate limit: read. Read-only, idempotent.
     */
    list(params: TasksAttachmentsListParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.attachments.upload`: Attach a file to a task. Stores the decoded bytes in the data directory under
     * their SHA-256 (identical bytes are stored once), durably, before the metadata is recorded. The MIME type
     * is detected from the content when not given. attachments_count grows by one; version and updated_at do
     * not change. Records an attachment_added event. Rate limit: attach.
     */
    upload(params: TasksAttachmentsUploadParams, options?: CallOptions): Promise<any>;
}

/** The `tasks.comments.*` methods. */
export interface TasksCommentsMethods {
    /**
     * `tasks.comments.add`: Add a comment to a task. Adds a comment by the caller. The task's comments_count
     * grows by one; its version and updated_at do not change. Records a comment_added event. Rate limit:
     * comment.
     */
    add(params: TasksCommentsAddParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.comments.list`: List a task's comments. A page of the task's comments, oldest first, with the
     * author expanded to {user_id, name}. Rate limit: read. Read-only, idempotent.
     */
    list(params: TasksCommentsListParams, options?: CallOptions): Promise<any>;
}

/** The `auth.*` methods. */
export interface AuthMethods {
    readonly tokens: AuthTokensMethods;
    /**
     * `auth.login`: Log this connection in with a bearer token. Binds the connection to the token's user until
     * it logs in again or the connection ends; a stdio connection may switch from its --stdio-user this way.
     * Any invalid, expired or revoked token is the same 401. After 5 failed logins on a connection, each
     * further failure locks logins for 1 s, 2 s, 4 s, ... (up to 300 s); attempts while locked get 429 with
     * data.retry_after_seconds. Open before login. Rate limit: none. Open before login.
     */
    login(params: AuthLoginParams, options?: CallOptions): Promise<any>;
    /**
     * `auth.whoami`: Who this connection is. The connection's user, its role, how it authenticated (`stdio` or
     * `token`), the token id, and with on_behalf_of the member acted for (`acting_for`). Rate limit: read.
     * Read-only, idempotent.
     */
    whoami(params?: AuthWhoamiParams, options?: CallOptions): Promise<any>;
}

/** The `automations.*` methods. */
export interface AutomationsMethods {
    /**
     * `automations.create`: Create an automation rule. The spec's POST /automations: when a conversation_tag
     * event with the trigger's value is published (events.publish), or when a change of a task yields the
     * trigger's task_event type and meets its conditions (in the same journal record as that change), create
     * one task from the action's template (which must exist), with its priority overridden and, with
     * auto_assign, an assignee chosen (docs/automations.md). Admins and agents only. Journaled as
     * automation_created with the whole automation. Rate limit: admin.
     */
    create(params: AutomationsCreateParams, options?: CallOptions): Promise<any>;
    /**
     * `automations.delete`: Delete an automation. Removes an automation for good; the tasks it created stay.
     * Rate limit: admin. Destructive, idempotent.
     */
    delete(params: AutomationsDeleteParams, options?: CallOptions): Promise<any>;
    /**
     * `automations.get`: Get an automation. One live automation. Rate limit: read. Read-only, idempotent.
     */
    get(params: AutomationsGetParams, options?: CallOptions): Promise<any>;
    /**
     * `automations.list`: List automations. Live automations in creation order, paged like users.list. Rate
     * limit: read. Read-only, idempotent.
     */
    list(params?: AutomationsListParams, options?: CallOptions): Promise<any>;
    /**
     * `automations.update`: Change an automation. Changes name or enabled, or replaces trigger or action whole.
     * No change records nothing. Returns the automation. Rate limit: admin. Idempotent.
     */
    update(params: AutomationsUpdateParams, options?: CallOptions): Promise<any>;
}

/** The `basic.*` methods. */
export interface BasicMethods {
    /**
     * `basic.run`: Run a BASIC script over the task API. Runs a script in the spec's BASIC (docs/basic.md) as
     * the caller and returns what it said with TALK and its variables. Each task keyword (CREATE TASK, SET TASK
     * PRIORITY, SET TASK DUE DATE, SET TASK ASSIGNEE, SET TASK PROGRESS, SET TASK STATUS, GET TASK STATUS, ADD
     * TASK COMMENT, COMPLETE TASK) is a call of tasks.create, tasks.update, tasks.get, tasks.comments.add or
     * tasks.complete made as the caller, so the caller's permissions, rate limits and on_behalf_of apply to
     * each. A script can reach nothing else. It has FOR and WHILE loops; it runs at most 100,000 steps
     * (statements evaluated and loop turns) and 10 seconds, says at most 1,000 lines and 65,536 bytes, and
     * builds no string over 65,536 bytes. The reply waits until the script's writes are durable; a script that
     * fails keeps the writes of the statements before the failing one. $/cancelRequest stops a run between two
     * statements. Rate limit: script. Runs long.
     */
    run(params: BasicRunParams, options?: CallOptions): Promise<any>;
}

/** The `events.*` methods. */
export interface EventsMethods {
    /**
     * `events.publish`: Report a host event that fires automations. The host reports a conversation event.
     * Every enabled automation whose trigger matches (type conversation_tag, the same value) creates one task
     * from its template, in creation order; the template's placeholders are filled from `context` plus `tag`
     * and `event_id`, and the task gets `context`. Each task's task_created event carries the firing
     * (`automation`: automation_id, event_id, depth, assign_cursor), so a task and its firing commit together.
     * An event_id that already fired an automation fires it no more (remembered durably); an automation is
     * skipped (listed with a reason) when already fired, when its template is gone, when a placeholder has no
     * value, or when `depth` is at the limit (3). Admins and agents only. Rate limit: create.
     */
    publish(params: EventsPublishParams, options?: CallOptions): Promise<any>;
    /**
     * `events.since`: A page of the event feed after a cursor. Feed events after cursor (from the oldest event
     * the feed keeps when absent), oldest first, among durable commits. Page on with next_cursor while has_more
     * is true; a bot that stores the cursor of every event it handled catches up exactly after a restart. The
     * feed keeps the newest --event-retention commits (default 1,000,000): an older cursor is 409
     * cursor_expired with data.oldest_cursor, never a silent gap. Rate limit: read. Read-only, idempotent.
     */
    since(params?: EventsSinceParams, options?: CallOptions): Promise<any>;
    /**
     * `events.subscribe`: Receive feed events on this connection as they become durable. Adds a subscription:
     * every matching feed event committed from now on is pushed to this connection as an events.event
     * notification {subscription_id, cursor, event}, in commit order, only once its commit is durable. With
     * since, the events after that cursor are sent first (after this reply), then live ones, with no gap and no
     * duplicate. types and filter narrow what is sent (every filter member given must match; tags matches any
     * tag listed). A subscription ends with events.unsubscribe, when its connection closes, or with an
     * events.subscription_ended notification {subscription_id, reason: "overflow", resume_cursor} when the
     * connection falls too far behind (docs/events.md). Rate limit: read. Read-only.
     */
    subscribe(params?: EventsSubscribeParams, options?: CallOptions): Promise<any>;
    /**
     * `events.unsubscribe`: End one of this connection's subscriptions. Ends a subscription this connection
     * made; no further events.event notifications carry its id. unsubscribed is false when the connection has
     * no subscription by that id (never made, already ended). Rate limit: read. Read-only, idempotent.
     */
    unsubscribe(params: EventsUnsubscribeParams, options?: CallOptions): Promise<any>;
}

/** The `notifications.*` methods. */
export interface NotificationsMethods {
    /** Calling it opens a stream of the notifications pushed from now on (only `methods`, if given). */
    (options?: { methods?: string[]; maxsize?: number }): NotificationStream;
    /**
     * `notifications.configure`: Configure notifications. Changes the caller's notification settings (admins:
     * any user's with user_id, or the server-wide default with default: true). Fields left out keep their
     * value; a user without settings of their own starts from the default's and has their own from then on.
     * Unknown event, channel or recipient names are -32602 with data.field naming the list and the message
     * listing the unknown names. A webhook given without a secret gets a generated one, returned once in
     * webhook_secret. Changing nothing records nothing. See docs/notifications.md. Rate limit: update.
     */
    configure(params?: NotificationsConfigureParams, options?: CallOptions): Promise<any>;
    /**
     * `notifications.get_config`: Read notification settings. The settings that apply to the caller (admins:
     * any user with user_id; anyone: the default with default: true), and whether they are the user's own
     * (source own) or inherited from the server-wide default (source default). Never shows a webhook secret,
     * only whether one is set. Rate limit: read. Read-only, idempotent.
     */
    getConfig(params?: NotificationsGetConfigParams, options?: CallOptions): Promise<any>;
    /**
     * `notifications.list`: List the caller's inbox. The caller's in-app notifications, newest first, paged
     * like the other lists, with the unread count of the whole inbox. An inbox keeps the newest 1000
     * notifications; past that the oldest read one is dropped first, then the oldest unread one. Rate limit:
     * read. Read-only, idempotent.
     */
    list(params?: NotificationsListParams, options?: CallOptions): Promise<any>;
    /**
     * `notifications.mark_read`: Mark notifications read. Marks notifications of the caller's own inbox read:
     * the ids given, or all with all: true (exactly one of the two). Ids that are not in the caller's inbox
     * (unknown, dropped from the bounded inbox, or someone else's) are not an error: they come back in
     * not_found. Already read notifications keep their read_at. Rate limit: update. Idempotent.
     */
    markRead(params?: NotificationsMarkReadParams, options?: CallOptions): Promise<any>;
}

/** The `rpc.*` methods. */
export interface RpcMethods {
    /**
     * `rpc.discover`: Returns this OpenRPC document. OpenRPC service discovery. Takes no params. Rate limit:
     * none. Open before login, read-only, idempotent.
     */
    discover(params?: RpcDiscoverParams, options?: CallOptions): Promise<any>;
}

/** The `server.*` methods. */
export interface ServerMethods {
    /**
     * `server.info`: Describes the running server and this connection. Name, version, uptime, transports, the
     * framing of the calling connection, where data lives, the durability mode and the limits in force. Before
     * auth.login a socket connection gets only name, version, transport and framing: the data directory, limits
     * and counts are for callers who logged in. Later versions add members (for example counts); clients must
     * ignore members they do not know. Rate limit: none. Open before login, read-only, idempotent.
     */
    info(params?: ServerInfoParams, options?: CallOptions): Promise<any>;
}

/** The `tasks.*` methods. */
export interface TasksMethods {
    readonly attachments: TasksAttachmentsMethods;
    readonly comments: TasksCommentsMethods;
    /**
     * `tasks.analytics`: Task performance figures: a summary, totals by priority and completions by assignee.
     * Counts the live (not deleted) tasks the filters select; filters combine with AND. `from`/`to` select
     * tasks by `created_at` in [from, to) (`to` exclusive; `to` must be later than `from`). `assignee` keeps
     * tasks assigned to that user id, `assignee: null` the unassigned ones (as in tasks.list); `bot_id` keeps
     * tasks whose `context.bot_id` is that value; `tags` keeps tasks carrying all of them. `total_tasks` counts
     * every status (cancelled included); `completed` and `in_progress` count those statuses; `overdue` counts
     * open (pending or in_progress) tasks whose due date has passed, as tasks.list {overdue: true}.
     * `completion_rate` is completed / total_tasks. A task's completion time is `completed_at - created_at`;
     * `average_completion_time_hours` is its mean over the completed tasks. Rates and hours are rounded half up
     * to 2 decimals; `completion_rate` is null when no task is selected, the averages are null when none of the
     * tasks is completed. `by_priority` always lists all four levels. `by_assignee` lists every user assigned
     * to a selected task (also with no completion), with `name` from the user directory (null when unknown),
     * ordered by tasks_completed descending, then user_id ascending. Sees what tasks.list sees. See
     * docs/analytics.md. Rate limit: list. Read-only, idempotent.
     */
    analytics(params?: TasksAnalyticsParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.complete`: Complete an in-progress task. Only an in_progress task can be completed (anything else
     * is 409 invalid_transition). Sets completed_at, completed_by (the caller) and progress 100, ADDS
     * time_spent_minutes to the task's total, and stores resolution and outcomes. Rate limit: update.
     * Idempotent.
     */
    complete(params: TasksCompleteParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.create`: Create a task. Creates a task in status pending and returns the whole task (as tasks.get)
     * plus `replayed`. With `idempotency_key`, a retry with the same key and the same params returns the
     * original task (`replayed: true`, nothing new is written); the same key with different params is 409
     * already_exists. Keys are per creating user and kept forever. Rate limit: create.
     */
    create(params: TasksCreateParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.create_from_template`: Create a task from a template. The spec's POST /tasks/from-template. Fills
     * the {{name}} placeholders of title_template (without one the title is the template's name),
     * description_template and every checklist text from `variables` (strings, or numbers written as their JSON
     * text; `{{ name }}` with blanks is the same placeholder; docs/templates.md). A placeholder without a
     * variable is -32602 missing_variable with data.variable; unused variables are fine. assignee, due_date,
     * priority and tags given here override the template's defaults. The task gets the checklist ([{text, done:
     * false}]) and template_id, and is one task_created event listing both among its changes. Returns the whole
     * task as tasks.create does. Rate limit: create.
     */
    createFromTemplate(params: TasksCreateFromTemplateParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.delete`: Delete a task. Removes the task from tasks.get and tasks.list (both answer as if it never
     * existed); tasks.history still answers. Rate limit: update. Destructive, idempotent.
     */
    delete(params: TasksDeleteParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.get`: Get one task. Returns every field of a live task. `assignee` is expanded to `{user_id, name,
     * avatar_url}` through the user directory; a user the directory does not know is `{user_id}`. Deleted tasks
     * are not found. Rate limit: read. Read-only, idempotent.
     */
    get(params: TasksGetParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.history`: Every change of a task. Every committed change of the task, oldest first, each with its
     * global seq, time, actor and {field: {old, new}} changes. Answers for deleted tasks too (with deleted:
     * true). Rate limit: read. Read-only, idempotent.
     */
    history(params: TasksHistoryParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.list`: List tasks with filters, sorting and paging. Filters combine with AND. `status` and
     * `priority` take one value, a comma-separated list or an array (any of them); `tags` means all of them;
     * `due_before`/`due_after` are strict and exclude tasks without a due date; `updated_after` is strict on
     * updated_at; `created_by` is the creating user id; `q` is a case-insensitive substring of title or
     * description; `overdue: true` keeps overdue tasks: open (pending, in_progress) and with `task_overdue`
     * fired for their current due date (docs/tasks.md, "Overdue and reminders"). Default order: desc for
     * created_at, updated_at and priority, asc for due_date. Tasks without a due date sort last in both orders;
     * ties are broken by task_id in the same direction. `total` counts every match. Rate limit: list.
     * Read-only, idempotent.
     */
    list(params?: TasksListParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.unwatch`: Stop watching a task. Removes the caller, or user_id, from the task's watchers. Only an
     * administrator may remove another user. Unwatching a task one does not watch changes nothing (changed:
     * false). Records a watcher_removed event. Rate limit: update. Idempotent.
     */
    unwatch(params: TasksUnwatchParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.update`: Change fields of a task. Sets the given fields; `null` clears description, assignee,
     * due_date, tags and context. Status moves: pending -> in_progress -> completed, pending/in_progress ->
     * cancelled, completed/cancelled -> pending/in_progress (reopen, clears completed_at and completed_by).
     * Moving to completed sets completed_at, completed_by and progress 100. `updated_fields` lists the fields
     * that actually changed, in request order; when nothing changed, `updated` is false and no version is used.
     * Rate limit: update. Idempotent.
     */
    update(params: TasksUpdateParams, options?: CallOptions): Promise<any>;
    /**
     * `tasks.watch`: Watch a task. Adds the caller, or user_id, to the task's watchers. Only an administrator
     * may add another user. Watching twice changes nothing (changed: false). Records a watcher_added event;
     * version and updated_at do not change. Rate limit: update. Idempotent.
     */
    watch(params: TasksWatchParams, options?: CallOptions): Promise<any>;
}

/** The `templates.*` methods. */
export interface TemplatesMethods {
    /**
     * `templates.create`: Create a task template. Creates a reusable template (the spec's POST /templates) and
     * returns it whole. `template_id` lets the client choose the id (tpl_ and 1-64 of A-Z a-z 0-9 _ -, e.g.
     * tpl_urgent, which automations refer to); a live template with that id is 409 already_exists. Without it
     * the id is tpl_ and 13 time-ordered base32 characters. Admins and agents only (manage_templates).
     * Journaled as template_created with the whole template in `template`. Rate limit: admin.
     */
    create(params: TemplatesCreateParams, options?: CallOptions): Promise<any>;
    /**
     * `templates.delete`: Delete a template. Removes a template for good; tasks made from it keep their
     * template_id and checklist. Journaled as template_deleted with the template as it was. Rate limit: admin.
     * Destructive, idempotent.
     */
    delete(params: TemplatesDeleteParams, options?: CallOptions): Promise<any>;
    /**
     * `templates.get`: Get a template. One live template. Rate limit: read. Read-only, idempotent.
     */
    get(params: TemplatesGetParams, options?: CallOptions): Promise<any>;
    /**
     * `templates.list`: List templates. Live templates in creation order, paged like users.list. Rate limit:
     * read. Read-only, idempotent.
     */
    list(params?: TemplatesListParams, options?: CallOptions): Promise<any>;
    /**
     * `templates.update`: Change a template. Changes the given fields; absent fields stay, null clears optional
     * ones (default_tags and checklist become []). name cannot be null. Fields equal to their value are no
     * change: then nothing is recorded and `updated` is false. Tasks made earlier keep what they got. Journaled
     * as template_updated with the whole template after the change. Rate limit: admin. Idempotent.
     */
    update(params: TemplatesUpdateParams, options?: CallOptions): Promise<any>;
}

/** The `users.*` methods. */
export interface UsersMethods {
    /**
     * `users.get`: Get one user. Returns a user of the directory. `system` always exists. Rate limit: read.
     * Read-only, idempotent.
     */
    get(params: UsersGetParams, options?: CallOptions): Promise<any>;
    /**
     * `users.list`: List users. Users sorted by user_id, `system` included, optionally only one role. Rate
     * limit: read. Read-only, idempotent.
     */
    list(params?: UsersListParams, options?: CallOptions): Promise<any>;
    /**
     * `users.upsert`: Create or change a user. Creates the user or replaces its name, avatar_url, email and
     * role (an absent avatar_url or email clears it). Fields equal to their current value are not changes; when
     * nothing changes nothing is recorded. Admins may do anything; an agent may create and change members (not
     * admins or agents, and no promotions); everyone may change their own profile without changing their role.
     * The built-in `system` user always stays an admin. Rate limit: admin. Idempotent.
     */
    upsert(params: UsersUpsertParams, options?: CallOptions): Promise<any>;
}

/** The `workflows.*` methods. */
export interface WorkflowsMethods {
    /**
     * `workflows.cancel`: Cancel a workflow and its open tasks. Cancels every pending or in_progress task of
     * its steps and the workflow (event workflow_cancelled), in one journal record. A cancelled or completed
     * workflow is 409 invalid_transition. Cancelled tasks can be reopened like any task; the workflow stays
     * cancelled. Admins and agents only. Rate limit: update. Idempotent.
     */
    cancel(params: WorkflowsCancelParams, options?: CallOptions): Promise<any>;
    /**
     * `workflows.create`: Create a multi-step workflow. Creates the workflow and one task per step (title and
     * step = the step's name, workflow_id, assignee, description, the workflow's context; blocked_by = the
     * step's dependencies) in one journal record, so a crash never leaves half of it. Step names are unique,
     * every dependency is a step, and no dependency cycle is allowed. At most 1,000 steps. Admins and agents
     * only. Rate limit: create.
     */
    create(params: WorkflowsCreateParams, options?: CallOptions): Promise<any>;
    /**
     * `workflows.get`: Get a workflow with its steps and their tasks. The status members, the workflow's own
     * fields, and every step with its task id, task status (or deleted), assignee, dependencies and blocked_by.
     * Rate limit: read. Read-only, idempotent.
     */
    get(params: WorkflowsGetParams, options?: CallOptions): Promise<any>;
    /**
     * `workflows.list`: List workflows. Oldest first, paged like tasks.list, optionally only workflows in the
     * given status(es). Rate limit: list. Read-only, idempotent.
     */
    list(params?: WorkflowsListParams, options?: CallOptions): Promise<any>;
    /**
     * `workflows.status`: Get workflow progress. Status (pending, in_progress, blocked, completed, cancelled),
     * progress, the current step(s) and estimated_completion = now + the longest chain of remaining
     * duration_hours through the dependencies (completed steps and steps without a duration count 0). Linear in
     * steps and dependencies. Rate limit: read. Read-only, idempotent.
     */
    status(params: WorkflowsStatusParams, options?: CallOptions): Promise<any>;
    /**
     * `workflows.update`: Rename a workflow, add steps or change dependencies. depends_on maps step names to
     * their new dependency lists. The whole graph is checked as on creation (cycles are invalid_workflow with
     * data.cycle). New steps get tasks; open steps whose dependencies changed get blocked_by recomputed
     * (workflow_step_ready for any left with none), all in one journal record. Adding a step to a completed
     * workflow reopens it. A cancelled workflow cannot change. Admins and agents only. Rate limit: update.
     */
    update(params: WorkflowsUpdateParams, options?: CallOptions): Promise<any>;
}

/** The schema's namespaces and top-level methods, as members of a Client. */
export interface GeneratedMethods {
    readonly auth: AuthMethods;
    readonly automations: AutomationsMethods;
    readonly basic: BasicMethods;
    readonly events: EventsMethods;
    readonly notifications: NotificationsMethods;
    readonly rpc: RpcMethods;
    readonly server: ServerMethods;
    readonly tasks: TasksMethods;
    readonly templates: TemplatesMethods;
    readonly users: UsersMethods;
    readonly workflows: WorkflowsMethods;
    /**
     * `ping`: Checks that the server answers. Takes no params and returns an empty object. Useful as a liveness
     * probe and to measure round trips. Rate limit: none. Open before login, read-only, idempotent.
     */
    ping(params?: PingParams, options?: CallOptions): Promise<any>;
}
// END GENERATED
