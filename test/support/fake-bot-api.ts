// A fake Telegram Bot API server for end-to-end tests that run the real bot process against it
// (TELEGRAM_API_ROOT=fake.url). It answers like Telegram does — including its errors, long polling,
// offsets and flood limits — records every call, and injects faults on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkParameters } from './bot-api-methods.js';
import { parseFormatted } from './telegram-html.js';
import { DEFAULT_BOT, mimeTypeOf, nextFileIds, nextMessageId, type TgUser } from './updates.js';

/** A file received in a multipart upload. */
export interface UploadedFile {
  filename: string;
  mimeType: string;
  size: number;
  bytes: Buffer;
}

/** One HTTP request to the fake, recorded when it was answered (or dropped). */
export interface RecordedCall {
  seq: number;
  /** Date.now() when the request arrived. */
  at: number;
  token: string;
  method: string;
  /** JSON body, or multipart/urlencoded fields with JSON-looking ones parsed; uploads become UploadedFile. */
  params: Record<string, unknown>;
  /** HTTP status answered; 0 if the connection was dropped. */
  status: number;
  /** The `result` answered when ok (e.g. the Message a send produced, to reply to it in a later update). */
  result?: unknown;
  /** The `description` answered when not ok. */
  description?: string;
}

/** Random faults for matching methods, drawn from a seeded PRNG so runs are reproducible. */
export interface FaultPlan {
  rate429?: number;
  retryAfter?: number;
  rate500?: number;
  rateDrop?: number;
  /** Which methods faults apply to; default: every send*, edit* and copy* method. */
  methods?: string[];
  /** PRNG seed; default 1. */
  seed?: number;
}

/** A deterministic fault for failNext. */
export type FaultKind = '429' | '500' | 'drop' | '403' | '400';

/** A breach of Telegram's flood limits by the bot's successful sends. */
export interface LimitViolation {
  kind: 'private' | 'group' | 'global';
  at: number;
  chatId?: number | string;
  detail: string;
}

/** Options for FakeBotApi.start. */
export interface FakeBotApiOptions {
  token?: string;
  botId?: number;
  botUsername?: string;
  /** Answer 429 (retry_after 1) like Telegram when the bot exceeds its flood limits; default off. */
  enforceLimits?: boolean;
  /**
   * Skip the checks of parameters and HTML that Telegram makes (strict is the default, as on
   * Telegram); only for a test that must inject one specific fault and nothing else.
   */
  lenient?: boolean;
}

/** A parameter Telegram does not know for a method: Telegram ignores it silently, the fake reports it. */
export interface UnknownParameter {
  method: string;
  name: string;
}

type Params = Record<string, unknown>;
type Answer =
  | { status: 200; result: unknown }
  | { status: number; description: string; parameters?: Record<string, unknown> };

interface Exchange {
  at: number;
  token: string;
  method: string;
  params: Params;
  res: http.ServerResponse;
  done: boolean;
}

interface HeldPoll {
  exchange: Exchange;
  limit: number;
  timer: NodeJS.Timeout;
}

interface Watcher {
  check: (call: RecordedCall) => void;
}

interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  path: string;
  bytes: Buffer;
}

const DEFAULT_TOKEN = `${DEFAULT_BOT.id}:AAFakeTokenForLiaisonTests_0123456789`;
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MEDIA_FIELDS = new Set([
  'photo',
  'document',
  'voice',
  'video',
  'audio',
  'animation',
  'sticker',
  'video_note',
]);
const FAULTABLE = /^(send|edit|copy)/;
// Methods that put a message in a chat; sendChatAction only shows "typing…", so it is not one.
const MESSAGE_SENDS = /^(send(?!ChatAction$)|copyMessages?$|forwardMessages?$)/;
// Multipart and urlencoded bodies carry every value as a string; these hold user text and stay strings
// even when they look like JSON.
const TEXT_FIELDS = new Set([
  'text',
  'caption',
  'title',
  'description',
  'short_description',
  'question',
  'address',
  'first_name',
  'last_name',
  'vcard',
  'emoji',
  'payload',
  'url',
  'secret_token',
  'explanation',
  'name',
]);
const NUMERIC_FIELDS = new Set([
  'chat_id',
  'from_chat_id',
  'message_id',
  'reply_to_message_id',
  'message_thread_id',
  'user_id',
  'offset',
  'limit',
  'timeout',
  'duration',
  'width',
  'height',
  'until_date',
  'cache_time',
  'max_connections',
]);
const BOOLEAN_FIELDS = new Set([
  'disable_notification',
  'protect_content',
  'has_spoiler',
  'disable_content_type_detection',
  'allow_sending_without_reply',
  'supports_streaming',
  'drop_pending_updates',
  'show_alert',
  'disable_web_page_preview',
]);

/** Telegram's answers to the faults failNext and setFaults inject. */
function faultAnswer(kind: Exclude<FaultKind, 'drop'>, retryAfter: number): Answer {
  switch (kind) {
    case '429':
      return {
        status: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      };
    case '500':
      return { status: 500, description: 'Internal Server Error' };
    case '403':
      return { status: 403, description: 'Forbidden: bot was blocked by the user' };
    case '400':
      return { status: 400, description: 'Bad Request: chat not found' };
  }
}

function badRequest(detail: string): Answer {
  return { status: 400, description: `Bad Request: ${detail}` };
}

function ok(result: unknown): Answer {
  return { status: 200, result };
}

// mulberry32: tiny, seedable, good enough to make fault sequences reproducible.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUpload(value: unknown): value is UploadedFile {
  return isObject(value) && Buffer.isBuffer(value.bytes);
}

function coerceField(name: string, value: string): unknown {
  if (TEXT_FIELDS.has(name)) return value;
  const trimmed = value.trim();
  if (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']'))
  ) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  if (NUMERIC_FIELDS.has(name) && /^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (BOOLEAN_FIELDS.has(name) && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return value;
}

// Telegram measures length after entity parsing, so markup must not count against the limit; a
// text Telegram cannot parse is refused whole ("can't parse entities"), which the strict fake
// reports as Telegram does (the lenient one keeps the old, forgiving reading).
function formatted(text: string, parseMode: unknown, lenient: boolean): { text: string } | { error: string } {
  const parsed = parseFormatted(text, parseMode);
  if (parsed.ok) return { text: parsed.text };
  if (!lenient) return { error: parsed.error };
  return { text: text.replace(/<[^>]*>/g, '') };
}

function chatKey(chatId: unknown): string {
  return String(chatId);
}

function isGroupChat(chatId: unknown): boolean {
  const key = chatKey(chatId);
  return key.startsWith('-') || key.startsWith('@');
}

/** A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests. */
export class FakeBotApi {
  /** The API root to set TELEGRAM_API_ROOT to, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** Every call, in the order answered, including getUpdates/getMe and failed or dropped ones. */
  readonly calls: RecordedCall[] = [];
  /** The bot token requests must carry. */
  readonly token: string;
  /** The bot's own user, as getMe answers it and as `from` on its messages. */
  readonly botUser: TgUser & { is_bot: true; username: string };

  private readonly server: http.Server;
  private readonly enforceLimits: boolean;
  private readonly lenient: boolean;
  /** Parameters the bot sent that Telegram does not know (Telegram ignores them; a test should not). */
  readonly unknownParameters: UnknownParameter[] = [];
  // Tokens of the same bot (same id before the colon) that also authenticate, see tokenFor().
  private readonly extraTokens = new Set<string>();
  private seq = 0;
  private stopped = false;
  private nextUpdateId = 1000;
  private maxOffset = 0;
  private updates: Array<Record<string, unknown> & { update_id: number }> = [];
  private readonly polls = new Set<HeldPoll>();
  /** When each getUpdates arrived, answered or still held: a held long poll is recorded only when it ends. */
  private readonly pollArrivals: number[] = [];
  private readonly pollWaiters = new Set<() => void>();
  private wakeScheduled = false;
  private readonly watchers = new Set<Watcher>();
  private faultPlan: (FaultPlan & { random: () => number }) | null = null;
  private readonly failQueue = new Map<string, Array<{ kind: FaultKind; retryAfter: number }>>();
  private downUntil = 0;
  private webhookState: { url: string; secretToken?: string; allowedUpdates?: unknown } | null = null;
  private readonly commands = new Map<string, unknown[]>();
  private readonly files = new Map<string, StoredFile>();
  private readonly messages = new Map<string, Record<string, unknown>>();
  private readonly chats = new Map<string, Record<string, unknown>>();
  private readonly blocked = new Set<string>();
  // Delivered sends for flood-limit enforcement; kept apart from `calls` so reset() cannot forgive them.
  private deliveries: Array<{ at: number; chat: string }> = [];

  private constructor(server: http.Server, url: string, opts: FakeBotApiOptions) {
    this.server = server;
    this.url = url;
    this.token = opts.token ?? DEFAULT_TOKEN;
    const tokenId = Number(/^(\d+):/.exec(this.token)?.[1]);
    this.botUser = {
      id: opts.botId ?? (Number.isSafeInteger(tokenId) ? tokenId : DEFAULT_BOT.id),
      is_bot: true,
      first_name: 'Liaison Test',
      username: opts.botUsername ?? 'liaison_test_bot',
    };
    this.enforceLimits = opts.enforceLimits ?? false;
    this.lenient = opts.lenient ?? false;
  }

  /** Starts a fake on 127.0.0.1 at a free port. */
  static async start(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    const server = http.createServer();
    // Outlive the client's idle keep-alive sockets so the server never closes one the client is reusing,
    // which would surface as a spurious ECONNRESET in the bot.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeBotApi(server, `http://127.0.0.1:${port}`, opts);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        // A bug in the fake must show up in the test, not as a hung request.
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`fake-bot-api crashed: ${String(error)}`);
        }
      });
    });
    return fake;
  }

  /**
   * Another valid token of the same bot, told apart by `label`, so a test can hand each process it
   * starts a token of its own and tell from `RecordedCall.token` which process made a call.
   */
  tokenFor(label: string): string {
    const token = `${this.token}_${label.replace(/[^A-Za-z0-9]/g, '')}`;
    this.extraTokens.add(token);
    return token;
  }

  /** Queues an update (assigning the next update_id, from 1000, when absent), wakes long polls, returns its id. */
  pushUpdate(update: object): number {
    if (this.stopped) throw new Error('FakeBotApi is stopped');
    const body = { ...(update as Record<string, unknown>) };
    const given = num(body.update_id);
    const id = given ?? this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1);
    const stored = { ...body, update_id: id };
    this.updates.push(stored);
    this.updates.sort((a, b) => a.update_id - b.update_id);
    this.learnChats(stored);
    // Deferred so updates pushed in one synchronous burst reach the bot as one batch, as they would from
    // Telegram while the bot was busy; telegraf then handles them concurrently.
    if (!this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(() => {
        this.wakeScheduled = false;
        this.wakePolls();
      });
    }
    return id;
  }

  /** How many updates are queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): number {
    return this.updates.length;
  }

  /** The highest positive offset any getUpdates call has sent. */
  confirmedOffset(): number {
    return this.maxOffset;
  }

  /** Turns random faults on (or off with null) for matching methods. */
  setFaults(plan: FaultPlan | null): void {
    this.faultPlan = plan === null ? null : { ...plan, random: prng(plan.seed ?? 1) };
  }

  /** Makes the next `count` calls of `method` fail with `kind` (429 uses retryAfter, default 1). */
  failNext(method: string, count: number, kind: FaultKind, retryAfter = 1): void {
    const queue = this.failQueue.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push({ kind, retryAfter });
    this.failQueue.set(method, queue);
  }

  /** For `ms`, drops every request (and any held long poll) without an answer, as if Telegram were unreachable. */
  setDown(ms: number): void {
    this.downUntil = Date.now() + ms;
    for (const poll of [...this.polls]) this.drop(poll.exchange);
  }

  /** Makes every send/edit to `chatId` answer 403 like Telegram does once a user blocks the bot (or kicks it). */
  setBlocked(chatId: number | string, blocked = true): void {
    if (blocked) this.blocked.add(chatKey(chatId));
    else this.blocked.delete(chatKey(chatId));
  }

  /** Sets what downloading `fileId` (getFile then GET /file/bot…/path) returns, e.g. for a user's photo. */
  setFileContent(fileId: string, bytes: Buffer): void {
    this.fileFor(fileId).bytes = bytes;
  }

  /** The webhook set by setWebhook, or null after deleteWebhook. */
  webhook(): { url: string; secretToken?: string; allowedUpdates?: unknown } | null {
    return this.webhookState === null ? null : { ...this.webhookState };
  }

  /** Successful (200) calls that put a message in a chat (send* except sendChatAction, copy*, forward*). */
  sent(chatId?: number | string): RecordedCall[] {
    return this.calls.filter(
      (call) =>
        call.status === 200 &&
        MESSAGE_SENDS.test(call.method) &&
        (chatId === undefined || chatKey(call.params.chat_id) === chatKey(chatId)),
    );
  }

  /** The text or caption of each successful send to a chat (album captions included), raw as the bot sent it. */
  textsTo(chatId: number | string): string[] {
    const texts: string[] = [];
    for (const call of this.sent(chatId)) {
      const { text, caption, media } = call.params;
      if (typeof text === 'string') texts.push(text);
      else if (typeof caption === 'string') texts.push(caption);
      if (Array.isArray(media)) {
        for (const item of media)
          if (isObject(item) && typeof item.caption === 'string') texts.push(item.caption);
      }
    }
    return texts;
  }

  /**
   * Resolves with the arrival time of the first getUpdates that arrived at or after `since` (ms since
   * the epoch), as soon as it arrives: a bot that is polling holds its long poll open, and that call is
   * recorded only when it ends, up to its whole timeout later.
   */
  waitForPolling(since: number, timeoutMs = 10_000): Promise<number> {
    const arrived = () => this.pollArrivals.find((at) => at >= since);
    const found = arrived();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const at = arrived();
        if (at === undefined) return;
        clearTimeout(timer);
        this.pollWaiters.delete(wake);
        resolve(at);
      };
      const timer = setTimeout(() => {
        this.pollWaiters.delete(wake);
        reject(
          new Error(
            `no getUpdates arrived within ${timeoutMs} ms; recent calls:\n${this.describeRecent(25)}`,
          ),
        );
      }, timeoutMs);
      this.pollWaiters.add(wake);
    });
  }

  /** Resolves with the first call, recorded or future, matching `predicate`; rejects after timeoutMs listing recent calls. */
  waitFor(predicate: (c: RecordedCall) => boolean, timeoutMs = 10_000): Promise<RecordedCall> {
    return this.waitForCount(predicate, 1, timeoutMs).then((calls) => calls[0]!);
  }

  /** Resolves with the first `count` calls matching `predicate`, waiting up to timeoutMs for enough of them. */
  waitForCount(
    predicate: (c: RecordedCall) => boolean,
    count: number,
    timeoutMs = 10_000,
  ): Promise<RecordedCall[]> {
    const matches = (call: RecordedCall): boolean => {
      try {
        return predicate(call);
      } catch {
        // A predicate that trips over an unexpected call shape simply does not match it.
        return false;
      }
    };
    const found = this.calls.filter(matches).slice(0, count);
    if (found.length >= count) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const watcher: Watcher = {
        check: (call) => {
          if (!matches(call)) return;
          found.push(call);
          if (found.length < count) return;
          clearTimeout(timer);
          this.watchers.delete(watcher);
          resolve(found);
        },
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(
          new Error(
            `FakeBotApi: waited ${timeoutMs} ms for ${count} matching call(s), saw ${found.length}. ` +
              `Last calls:\n${this.describeRecent(25)}`,
          ),
        );
      }, timeoutMs);
      this.watchers.add(watcher);
    });
  }

  /** Breaches of Telegram's flood limits among recorded successful sends, reported even when not enforcing. */
  limitViolations(): LimitViolation[] {
    const sends = this.sent().sort((a, b) => a.at - b.at || a.seq - b.seq);
    const violations: LimitViolation[] = [];
    const lastPrivate = new Map<string, number>();
    const groupTimes = new Map<string, number[]>();
    sends.forEach((call, index) => {
      const chat = call.params.chat_id as number | string;
      const key = chatKey(chat);
      if (isGroupChat(chat)) {
        const times = groupTimes.get(key) ?? [];
        times.push(call.at);
        groupTimes.set(key, times);
        const inWindow = times.filter((t) => t > call.at - 60_000).length;
        if (inWindow > 20) {
          violations.push({
            kind: 'group',
            at: call.at,
            chatId: chat,
            detail: `${inWindow} messages to group ${key} within 60 s (limit 20)`,
          });
        }
      } else {
        const previous = lastPrivate.get(key);
        if (previous !== undefined && call.at - previous < 1000) {
          violations.push({
            kind: 'private',
            at: call.at,
            chatId: chat,
            detail: `two messages to private chat ${key} ${call.at - previous} ms apart (limit 1/s)`,
          });
        }
        lastPrivate.set(key, call.at);
      }
      let inSecond = 0;
      for (let j = index; j >= 0 && sends[j]!.at > call.at - 1000; j--) inSecond++;
      if (inSecond > 30) {
        violations.push({
          kind: 'global',
          at: call.at,
          detail: `${inSecond} messages within 1 s across chats (limit 30)`,
        });
      }
    });
    return violations;
  }

  /** Forgets recorded calls; queued updates, faults and state stay. */
  reset(): void {
    this.calls.length = 0;
  }

  /** Answers held long polls with [], then closes the server and every connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const poll of [...this.polls]) this.finishPoll(poll, ok([]));
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- request handling -------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const apiRoute = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)\/?$/.exec(url.pathname);
    const token = fileRoute?.[1] ?? apiRoute?.[1] ?? '';
    // File downloads are recorded as method "file" so tests can see the bot fetched an attachment.
    const method = fileRoute ? 'file' : (apiRoute?.[2] ?? url.pathname);
    let params: Params;
    try {
      params = fileRoute
        ? { file_path: decodeURIComponent(fileRoute[2]!) }
        : await parseParams(req, url, body);
    } catch (error) {
      const exchange: Exchange = { at, token, method, params: {}, res, done: false };
      this.respond(exchange, badRequest(`can't parse request: ${String(error)}`));
      return;
    }
    const exchange: Exchange = { at, token, method, params, res, done: false };

    if (Date.now() < this.downUntil) return this.drop(exchange);
    if (!fileRoute && !apiRoute) return this.respond(exchange, { status: 404, description: 'Not Found' });
    if (token !== this.token && !this.extraTokens.has(token)) {
      return this.respond(exchange, { status: 401, description: 'Unauthorized' });
    }
    if (fileRoute) return this.serveFile(exchange);

    const fault = this.takeFault(method);
    if (fault === 'drop') return this.drop(exchange);
    if (fault) return this.respond(exchange, fault);

    const limited = this.floodCheck(method, params, at);
    if (limited) return this.respond(exchange, limited);

    const checked = checkParameters(method, params);
    for (const name of checked.unknown) this.unknownParameters.push({ method, name });
    if (checked.error && !this.lenient) return this.respond(exchange, badRequest(checked.error));

    if (method.toLowerCase() === 'getupdates') return this.getUpdates(exchange);
    const answer = this.dispatch(method, params);
    if (answer.status === 200 && MESSAGE_SENDS.test(method)) {
      this.deliveries.push({ at, chat: chatKey(params.chat_id) });
    }
    this.respond(exchange, answer);
  }

  private takeFault(method: string): Answer | 'drop' | undefined {
    const queued = this.failQueue.get(method)?.shift();
    if (queued) return queued.kind === 'drop' ? 'drop' : faultAnswer(queued.kind, queued.retryAfter);
    const plan = this.faultPlan;
    if (!plan) return undefined;
    const applies = plan.methods ? plan.methods.includes(method) : FAULTABLE.test(method);
    if (!applies) return undefined;
    const roll = plan.random();
    const rate429 = plan.rate429 ?? 0;
    const rate500 = plan.rate500 ?? 0;
    const rateDrop = plan.rateDrop ?? 0;
    if (roll < rate429) return faultAnswer('429', plan.retryAfter ?? 1);
    if (roll < rate429 + rate500) return faultAnswer('500', 0);
    if (roll < rate429 + rate500 + rateDrop) return 'drop';
    return undefined;
  }

  private floodCheck(method: string, params: Params, at: number): Answer | undefined {
    if (!this.enforceLimits || !MESSAGE_SENDS.test(method)) return undefined;
    this.deliveries = this.deliveries.filter((d) => d.at > at - 60_000);
    const chat = chatKey(params.chat_id);
    const toChat = this.deliveries.filter((d) => d.chat === chat);
    const tooFast = isGroupChat(params.chat_id) ? toChat.length >= 20 : toChat.some((d) => d.at > at - 1000);
    const tooMany = this.deliveries.filter((d) => d.at > at - 1000).length >= 30;
    return tooFast || tooMany ? faultAnswer('429', 1) : undefined;
  }

  private respond(exchange: Exchange, answer: Answer): void {
    if (exchange.done) return;
    exchange.done = true;
    const payload =
      answer.status === 200 && 'result' in answer
        ? { ok: true, result: answer.result }
        : {
            ok: false,
            error_code: answer.status,
            description: 'description' in answer ? answer.description : '',
            ...('parameters' in answer && answer.parameters ? { parameters: answer.parameters } : {}),
          };
    const text = JSON.stringify(payload);
    if (!exchange.res.destroyed) {
      exchange.res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      exchange.res.end(text);
    }
    this.record(exchange, answer);
  }

  private drop(exchange: Exchange): void {
    if (exchange.done) return;
    exchange.done = true;
    exchange.res.socket?.destroy();
    exchange.res.destroy();
    this.record(exchange, { status: 0, description: 'connection dropped' });
  }

  private record(exchange: Exchange, answer: Answer): void {
    this.seq += 1;
    const call: RecordedCall = {
      seq: this.seq,
      at: exchange.at,
      token: exchange.token,
      method: exchange.method,
      params: exchange.params,
      status: answer.status,
    };
    if ('result' in answer) call.result = answer.result;
    if ('description' in answer) call.description = answer.description;
    this.calls.push(call);
    for (const watcher of [...this.watchers]) watcher.check(call);
  }

  private describeRecent(n: number): string {
    const recent = this.calls.slice(-n);
    if (recent.length === 0) return '  (no calls at all — is the bot pointed at this fake?)';
    return recent
      .map((c) => {
        const chat = c.params.chat_id === undefined ? '' : ` chat=${String(c.params.chat_id)}`;
        const text = typeof c.params.text === 'string' ? ` "${c.params.text.slice(0, 60)}"` : '';
        const why = c.description ? ` (${c.description})` : '';
        return `  #${c.seq} ${c.method} ${c.status}${chat}${text}${why}`;
      })
      .join('\n');
  }

  // ---- getUpdates and long polling ----------------------------------------------------------------

  private getUpdates(exchange: Exchange): void {
    const { params } = exchange;
    this.pollArrivals.push(exchange.at);
    for (const wake of [...this.pollWaiters]) wake();
    if (this.webhookState) {
      this.respond(exchange, {
        status: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      return;
    }
    const offset = Math.trunc(num(params.offset) ?? 0);
    const limit = Math.min(100, Math.max(1, Math.trunc(num(params.limit) ?? 100)));
    const timeout = Math.max(0, num(params.timeout) ?? 0);
    if (offset > 0) {
      this.maxOffset = Math.max(this.maxOffset, offset);
      this.updates = this.updates.filter((u) => u.update_id >= offset);
    } else if (offset < 0) {
      // Telegram: a negative offset returns the last -offset updates and forgets all earlier ones.
      this.updates = this.updates.slice(offset);
    }
    // Like Telegram, a newer getUpdates terminates the one still waiting (two bot instances polling).
    for (const poll of [...this.polls]) {
      this.finishPoll(poll, {
        status: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    if (this.updates.length > 0 || timeout === 0 || this.stopped) {
      this.respond(exchange, ok(this.updates.slice(0, limit)));
      return;
    }
    const poll: HeldPoll = {
      exchange,
      limit,
      timer: setTimeout(() => this.finishPoll(poll, ok([])), timeout * 1000),
    };
    this.polls.add(poll);
    exchange.res.on('close', () => {
      // The client gave up (telegraf aborts its poll on stop); record it as a dropped connection.
      if (this.polls.has(poll)) {
        this.polls.delete(poll);
        clearTimeout(poll.timer);
        this.drop(exchange);
      }
    });
  }

  private finishPoll(poll: HeldPoll, answer: Answer): void {
    this.polls.delete(poll);
    clearTimeout(poll.timer);
    this.respond(poll.exchange, answer);
  }

  private wakePolls(): void {
    if (this.updates.length === 0) return;
    for (const poll of [...this.polls]) this.finishPoll(poll, ok(this.updates.slice(0, poll.limit)));
  }

  // ---- methods ------------------------------------------------------------------------------------

  private dispatch(method: string, p: Params): Answer {
    switch (method.toLowerCase()) {
      case 'getme':
        return ok({
          ...this.botUser,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'setwebhook':
        return this.setWebhook(p);
      case 'deletewebhook':
        this.webhookState = null;
        if (truthy(p.drop_pending_updates)) this.updates = [];
        return ok(true);
      case 'getwebhookinfo':
        return ok({
          url: this.webhookState?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.updates.length,
          ...(this.webhookState ? { max_connections: 40, ip_address: '127.0.0.1' } : {}),
          ...(this.webhookState?.allowedUpdates ? { allowed_updates: this.webhookState.allowedUpdates } : {}),
        });
      case 'setmycommands':
        return this.setMyCommands(p);
      case 'deletemycommands':
        this.commands.delete(commandsKey(p));
        return ok(true);
      case 'getmycommands':
        return ok(this.commands.get(commandsKey(p)) ?? []);
      case 'answercallbackquery':
        if (typeof p.callback_query_id !== 'string' || p.callback_query_id === '') {
          return badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        if (typeof p.text === 'string' && p.text.length > 200) return badRequest('MESSAGE_TOO_LONG');
        return ok(true);
      case 'sendchataction':
        return this.checkChat(p) ?? ok(true);
      case 'editmessagetext':
      case 'editmessagecaption':
      case 'editmessagereplymarkup':
      case 'editmessagemedia':
        return this.editMessage(method.toLowerCase(), p);
      case 'deletemessage':
        this.messages.delete(`${chatKey(p.chat_id)}:${String(p.message_id)}`);
        return ok(true);
      case 'copymessage':
        return this.copyMessage(p);
      case 'sendmediagroup':
        return this.sendMediaGroup(p);
      case 'leavechat':
        return ok(true);
      case 'getchat':
        return p.chat_id === undefined ? badRequest('chat_id is empty') : ok(this.chatOf(p.chat_id));
      case 'getchatmember':
        return ok({
          status: 'member',
          user: { id: num(p.user_id), is_bot: false, first_name: `User${String(p.user_id)}` },
        });
      case 'getchatadministrators':
        return ok([]);
      case 'getchatmembercount':
        return ok(2);
      case 'getfile':
        return this.getFile(p);
      default:
        if (/^send/i.test(method) || /^forwardmessage$/i.test(method)) return this.sendMessageLike(method, p);
        return ok(true);
    }
  }

  private setWebhook(p: Params): Answer {
    const url = typeof p.url === 'string' ? p.url : '';
    if (url !== '' && !url.startsWith('https://')) {
      return badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    }
    if (typeof p.secret_token === 'string' && !/^[\w-]{1,256}$/.test(p.secret_token)) {
      return badRequest('secret token contains unallowed characters');
    }
    if (truthy(p.drop_pending_updates)) this.updates = [];
    // An empty url removes the webhook, as on Telegram.
    this.webhookState =
      url === ''
        ? null
        : {
            url,
            ...(typeof p.secret_token === 'string' ? { secretToken: p.secret_token } : {}),
            ...(p.allowed_updates !== undefined ? { allowedUpdates: p.allowed_updates } : {}),
          };
    return ok(true);
  }

  private setMyCommands(p: Params): Answer {
    const commands = p.commands;
    if (!Array.isArray(commands)) return badRequest('parameter "commands" is required');
    if (commands.length > 100) return badRequest('too many commands');
    for (const command of commands) {
      if (
        !isObject(command) ||
        typeof command.command !== 'string' ||
        !/^[a-z0-9_]{1,32}$/.test(command.command)
      ) {
        return badRequest('BOT_COMMAND_INVALID');
      }
      const description = command.description;
      if (typeof description !== 'string' || description.trim() === '' || description.length > 256) {
        return badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    this.commands.set(commandsKey(p), commands);
    return ok(true);
  }

  private checkChat(p: Params): Answer | undefined {
    if (p.chat_id === undefined || p.chat_id === '') return badRequest('chat_id is empty');
    if (this.blocked.has(chatKey(p.chat_id))) {
      return {
        status: 403,
        description: isGroupChat(p.chat_id)
          ? 'Forbidden: bot was kicked from the group chat'
          : 'Forbidden: bot was blocked by the user',
      };
    }
    return undefined;
  }

  private checkMarkup(markup: unknown): Answer | undefined {
    const parsed = typeof markup === 'string' ? safeJson(markup) : markup;
    if (!isObject(parsed) || !Array.isArray(parsed.inline_keyboard)) return undefined;
    for (const row of parsed.inline_keyboard) {
      if (!Array.isArray(row))
        return badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      for (const button of row) {
        if (!isObject(button) || typeof button.text !== 'string')
          return badRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
          );
        if ('callback_data' in button) {
          const data = button.callback_data;
          const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
          if (bytes < 1 || bytes > 64) return badRequest('BUTTON_DATA_INVALID');
        } else if (
          ![
            'url',
            'web_app',
            'login_url',
            'switch_inline_query',
            'switch_inline_query_current_chat',
            'switch_inline_query_chosen_chat',
            'copy_text',
            'callback_game',
            'pay',
          ].some((k) => k in button)
        ) {
          return badRequest('text buttons are unallowed in the inline keyboard');
        }
      }
    }
    return undefined;
  }

  /** The text Telegram shows for a text or caption, or the 400 it answers when it cannot parse it. */
  private shownText(value: string, parseMode: unknown): { text: string } | { refused: Answer } {
    const parsed = formatted(value, parseMode, this.lenient);
    return 'text' in parsed ? parsed : { refused: badRequest(parsed.error) };
  }

  private checkCaption(p: Params): Answer | undefined {
    if (typeof p.caption !== 'string') return undefined;
    const caption = this.shownText(p.caption, p.parse_mode);
    if ('refused' in caption) return caption.refused;
    if (caption.text.length > MAX_CAPTION) return badRequest('message caption is too long');
    return undefined;
  }

  /** A caption as Telegram stores it (checked by checkCaption first). */
  private captionOf(caption: string, parseMode: unknown): string {
    const shown = this.shownText(caption, parseMode);
    return 'text' in shown ? shown.text : caption;
  }

  private sendMessageLike(method: string, p: Params): Answer {
    const problem = this.checkChat(p) ?? this.checkMarkup(p.reply_markup) ?? this.checkCaption(p);
    if (problem) return problem;
    const lower = method.toLowerCase();
    const extra: Record<string, unknown> = {};
    if (lower === 'sendmessage') {
      if (typeof p.text !== 'string' || p.text === '') return badRequest('message text is empty');
      const shown = this.shownText(p.text, p.parse_mode);
      if ('refused' in shown) return shown.refused;
      if (shown.text.trim() === '') return badRequest('message text is empty');
      if (shown.text.length > MAX_TEXT) return badRequest('message is too long');
      extra.text = shown.text;
    } else if (lower === 'forwardmessage') {
      const source = this.messages.get(`${chatKey(p.from_chat_id)}:${String(p.message_id)}`);
      Object.assign(extra, source ? pickContent(source) : {}, {
        forward_date: Math.floor(Date.now() / 1000),
      });
    } else {
      const field = snake(method.slice(4));
      if (MEDIA_FIELDS.has(field)) extra[field] = this.mediaEcho(field, p[field]);
      else {
        // Non-media sends (location, contact, poll, dice…) echo their own fields so the Message stays plausible.
        const { chat_id: _chat, reply_markup: _markup, reply_parameters: _reply, ...fields } = p;
        extra[field] = fields;
      }
      if (typeof p.caption === 'string') extra.caption = this.captionOf(p.caption, p.parse_mode);
    }
    return ok(this.storeMessage(p, extra));
  }

  private sendMediaGroup(p: Params): Answer {
    const problem = this.checkChat(p);
    if (problem) return problem;
    if (!Array.isArray(p.media) || p.media.length === 0) return badRequest('parameter "media" is required');
    for (const item of p.media) {
      if (isObject(item) && typeof item.caption === 'string') {
        const caption = this.shownText(item.caption, item.parse_mode);
        if ('refused' in caption) return caption.refused;
        if (caption.text.length > MAX_CAPTION) return badRequest('message caption is too long');
      }
    }
    const groupId = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    const results = p.media.map((item) => {
      const media = isObject(item) ? item : {};
      const type = typeof media.type === 'string' ? media.type : 'photo';
      const extra: Record<string, unknown> = {
        media_group_id: groupId,
        [type]: this.mediaEcho(type, media.media),
      };
      if (typeof media.caption === 'string') extra.caption = this.captionOf(media.caption, media.parse_mode);
      return this.storeMessage(p, extra);
    });
    return ok(results);
  }

  private copyMessage(p: Params): Answer {
    const problem = this.checkChat(p) ?? this.checkMarkup(p.reply_markup) ?? this.checkCaption(p);
    if (problem) return problem;
    const source = this.messages.get(`${chatKey(p.from_chat_id)}:${String(p.message_id)}`);
    const stored = this.storeMessage(p, source ? pickContent(source) : {});
    // Telegram answers copyMessage with a bare MessageId, not a Message.
    return ok({ message_id: stored.message_id });
  }

  private editMessage(method: string, p: Params): Answer {
    const problem = this.checkMarkup(p.reply_markup) ?? this.checkCaption(p);
    if (problem) return problem;
    const editingText = method === 'editmessagetext';
    let text: string | undefined;
    if (editingText) {
      if (typeof p.text !== 'string' || p.text === '') return badRequest('message text is empty');
      const shown = this.shownText(p.text, p.parse_mode);
      if ('refused' in shown) return shown.refused;
      text = shown.text;
      if (text.trim() === '') return badRequest('message text is empty');
      if (text.length > MAX_TEXT) return badRequest('MESSAGE_TOO_LONG');
    }
    if (p.inline_message_id !== undefined) return ok(true);
    if (p.chat_id === undefined) return badRequest('chat_id is empty');
    if (p.message_id === undefined) return badRequest('message identifier is not specified');
    const key = `${chatKey(p.chat_id)}:${String(p.message_id)}`;
    const current = this.messages.get(key);
    const markup = inlineMarkup(p.reply_markup);
    const next: Record<string, unknown> = current
      ? { ...current }
      : {
          message_id: num(p.message_id),
          from: this.botUser,
          chat: this.chatOf(p.chat_id),
          date: Math.floor(Date.now() / 1000),
        };
    if (text !== undefined) next.text = text;
    if (method === 'editmessagecaption') {
      if (typeof p.caption === 'string') next.caption = this.captionOf(p.caption, p.parse_mode);
      else delete next.caption;
    }
    if (method === 'editmessagemedia' && isObject(p.media) && typeof p.media.type === 'string') {
      next[p.media.type] = this.mediaEcho(p.media.type, p.media.media);
    }
    // Editing without reply_markup removes the inline keyboard, as on Telegram.
    if (markup) next.reply_markup = markup;
    else delete next.reply_markup;
    if (current && method !== 'editmessagemedia' && sameContent(current, next)) {
      return badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    next.edit_date = Math.floor(Date.now() / 1000);
    this.messages.set(key, next);
    return ok(next);
  }

  private getFile(p: Params): Answer {
    if (typeof p.file_id !== 'string' || p.file_id === '') return badRequest('invalid file_id');
    const file = this.fileFor(p.file_id);
    return ok({
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.bytes.length,
      file_path: file.path,
    });
  }

  private serveFile(exchange: Exchange): void {
    const path = exchange.params.file_path;
    const file = [...this.files.values()].find((f) => f.path === path);
    if (!file) {
      this.respond(exchange, { status: 404, description: 'Not Found' });
      return;
    }
    exchange.done = true;
    exchange.res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': file.bytes.length,
    });
    exchange.res.end(file.bytes);
    this.record(exchange, { status: 200, result: { file_path: file.path, size: file.bytes.length } });
  }

  // ---- state helpers ------------------------------------------------------------------------------

  private fileFor(fileId: string, bytes?: Buffer, fileName?: string): StoredFile {
    let file = this.files.get(fileId);
    if (!file) {
      const extension = /\.([^.]+)$/.exec(fileName ?? '')?.[1] ?? 'dat';
      file = {
        fileId,
        fileUniqueId: `AQAD${this.files.size.toString(36)}u`,
        path: `documents/file_${this.files.size}.${extension}`,
        // Files the fake never received (e.g. a user's photo from updates.ts) download as placeholder bytes.
        bytes: bytes ?? Buffer.from(`fake content of ${fileId}`),
      };
      this.files.set(fileId, file);
    }
    return file;
  }

  private mediaEcho(type: string, media: unknown): unknown {
    let ids: { file_id: string; file_unique_id: string };
    let size = 0;
    let fileName: string | undefined;
    let mimeType: string | undefined;
    if (isUpload(media)) {
      ids = nextFileIds(type);
      const file = this.fileFor(ids.file_id, media.bytes, media.filename);
      ids.file_unique_id = file.fileUniqueId;
      size = media.size;
      fileName = media.filename;
      mimeType =
        media.mimeType && media.mimeType !== 'application/octet-stream'
          ? media.mimeType
          : mimeTypeOf(media.filename);
    } else if (typeof media === 'string' && !/^https?:\/\//.test(media)) {
      // Re-sending by file_id: Telegram echoes the same file.
      const file = this.fileFor(media);
      ids = { file_id: file.fileId, file_unique_id: file.fileUniqueId };
      size = file.bytes.length;
    } else {
      ids = nextFileIds(type);
      const file = this.fileFor(ids.file_id);
      ids.file_unique_id = file.fileUniqueId;
      size = file.bytes.length;
    }
    switch (type) {
      case 'photo':
        return [
          { ...ids, file_id: `${ids.file_id}-s`, width: 90, height: 68, file_size: Math.ceil(size / 20) },
          { ...ids, width: 1280, height: 960, file_size: size },
        ];
      case 'document':
        return {
          ...ids,
          file_name: fileName ?? 'document.dat',
          mime_type: mimeType ?? 'application/octet-stream',
          file_size: size,
        };
      case 'voice':
        return { ...ids, duration: 1, mime_type: 'audio/ogg', file_size: size };
      case 'video':
        return {
          ...ids,
          width: 640,
          height: 360,
          duration: 1,
          mime_type: 'video/mp4',
          file_size: size,
          ...(fileName ? { file_name: fileName } : {}),
        };
      case 'audio':
        return {
          ...ids,
          duration: 1,
          mime_type: mimeType ?? 'audio/mpeg',
          file_size: size,
          ...(fileName ? { file_name: fileName } : {}),
        };
      default:
        return { ...ids, file_size: size };
    }
  }

  private storeMessage(p: Params, extra: Record<string, unknown>): Record<string, unknown> {
    const chat = this.chatOf(p.chat_id);
    const message: Record<string, unknown> = {
      message_id: nextMessageId(),
      from: this.botUser,
      chat,
      date: Math.floor(Date.now() / 1000),
      ...extra,
    };
    const replyId = isObject(p.reply_parameters)
      ? num(p.reply_parameters.message_id)
      : num(p.reply_to_message_id);
    if (replyId !== undefined) {
      message.reply_to_message = this.messages.get(`${chatKey(p.chat_id)}:${replyId}`) ?? {
        message_id: replyId,
        chat,
        date: message.date,
      };
    }
    const markup = inlineMarkup(p.reply_markup);
    // Only inline keyboards belong to a Message; reply keyboards are not echoed by Telegram.
    if (markup) message.reply_markup = markup;
    this.messages.set(`${chatKey(p.chat_id)}:${String(message.message_id)}`, message);
    return message;
  }

  private chatOf(chatId: unknown): Record<string, unknown> {
    const known = this.chats.get(chatKey(chatId));
    if (known) return known;
    const id = num(chatId);
    if (id === undefined) {
      // A public @username of a channel or supergroup.
      return {
        id: -1_000_000_000_000 - chatKey(chatId).length,
        type: 'channel',
        title: chatKey(chatId),
        username: chatKey(chatId).slice(1),
      };
    }
    if (id > 0) return { id, type: 'private', first_name: `User${id}` };
    // -100… ids are supergroups on Telegram; shorter negative ids are basic groups.
    return { id, type: id <= -1_000_000_000_000 ? 'supergroup' : 'group', title: `Group ${id}` };
  }

  // Remembers chats seen in pushed updates so getChat and sent Messages describe them faithfully.
  private learnChats(value: unknown, depth = 0): void {
    if (depth > 4 || !isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (
        key === 'chat' &&
        isObject(inner) &&
        typeof inner.id === 'number' &&
        typeof inner.type === 'string'
      ) {
        this.chats.set(chatKey(inner.id), { ...inner });
      } else if (isObject(inner)) {
        this.learnChats(inner, depth + 1);
      }
    }
  }
}

function snake(name: string): string {
  return name.replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function inlineMarkup(markup: unknown): Record<string, unknown> | undefined {
  const parsed = typeof markup === 'string' ? safeJson(markup) : markup;
  if (!isObject(parsed) || !Array.isArray(parsed.inline_keyboard)) return undefined;
  // telegraf's Markup adds `hide: false` to every button; Telegram drops it from the Message it returns.
  const rows = parsed.inline_keyboard.map((row: unknown) =>
    Array.isArray(row)
      ? row.map((button: unknown) => {
          if (!isObject(button)) return button;
          const { hide: _hide, ...rest } = button;
          return rest;
        })
      : row,
  );
  return { inline_keyboard: rows };
}

function pickContent(message: Record<string, unknown>): Record<string, unknown> {
  const {
    message_id: _id,
    chat: _chat,
    date: _date,
    from: _from,
    reply_to_message: _reply,
    edit_date: _edit,
    ...content
  } = message;
  return content;
}

function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const strip = ({ edit_date: _edit, ...rest }: Record<string, unknown>) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function commandsKey(p: Params): string {
  const scope = isObject(p.scope) ? p.scope : { type: 'default' };
  const language = typeof p.language_code === 'string' ? p.language_code : '';
  return `${String(scope.type)}:${String(scope.chat_id ?? '')}:${String(scope.user_id ?? '')}|${language}`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A client that hangs up mid-body leaves whatever arrived; the answer will go nowhere anyway.
    req.on('error', () => resolve(Buffer.concat(chunks)));
    req.on('aborted', () => resolve(Buffer.concat(chunks)));
  });
}

async function parseParams(req: http.IncomingMessage, url: URL, body: Buffer): Promise<Params> {
  const params: Params = {};
  // Telegram also accepts parameters in the query string.
  for (const [name, value] of url.searchParams) params[name] = coerceField(name, value);
  const contentType = req.headers['content-type'] ?? '';
  if (body.length === 0) return params;
  if (contentType.includes('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!isObject(parsed)) throw new Error('JSON body is not an object');
    return { ...params, ...parsed };
  }
  if (contentType.includes('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8')))
      params[name] = coerceField(name, value);
    return params;
  }
  if (contentType.includes('multipart/form-data')) {
    const form = await new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      duplex: 'half',
    }).formData();
    const uploads = new Map<string, UploadedFile>();
    for (const [name, value] of form) {
      if (typeof value === 'string') {
        params[name] = coerceField(name, value);
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        // telegraf sends file parts without a Content-Type, which undici reports as RFC 7578's text/plain
        // default; Telegram goes by the file name instead, and so does the fake.
        const generic = ['', 'text/plain', 'application/octet-stream'].includes(value.type);
        const mimeType = generic ? mimeTypeOf(value.name) : value.type;
        const file: UploadedFile = { filename: value.name, mimeType, size: bytes.length, bytes };
        uploads.set(name, file);
        params[name] = file;
      }
    }
    // telegraf uploads album items and thumbnails as parts named by random ids referenced as attach://id;
    // put the files where they are referenced so tests see params.media[0].media as the file.
    const resolve = (value: unknown): unknown => {
      if (typeof value === 'string' && value.startsWith('attach://')) {
        const name = value.slice('attach://'.length);
        const file = uploads.get(name);
        if (file) {
          delete params[name];
          return file;
        }
        return value;
      }
      if (Array.isArray(value)) return value.map(resolve);
      if (isObject(value) && !isUpload(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
      }
      return value;
    };
    for (const [name, value] of Object.entries(params)) {
      if (!isUpload(value)) params[name] = resolve(value);
    }
    return params;
  }
  return params;
}
