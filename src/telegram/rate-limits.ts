/** Telegram's documented limits for a bot, in one place. */
export const TELEGRAM_LIMITS = {
  messagesPerSecond: 30,
  privateChatIntervalMs: 1000,
  groupMessagesPerMinute: 20,
} as const;

/**
 * At most `limit` events in any window of `windowMs`: the strict form of Telegram's limits,
 * so a burst can never put more than `limit` messages inside one window.
 */
export class SlidingWindow {
  private readonly times: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** The earliest time at or after `now` when one more event fits. */
  nextAllowedAt(now: number): number {
    this.forget(now);
    if (this.times.length < this.limit) return now;
    return (this.times[this.times.length - this.limit] ?? now) + this.windowMs;
  }

  /** Records an event at `now`. */
  record(now: number): void {
    this.times.push(now);
    this.forget(now);
  }

  /**
   * Moves an event recorded at `startedAt` to `finishedAt`: Telegram counts a message when it
   * arrives, somewhere between the two, so the later time is the safe one to count from.
   */
  settle(startedAt: number, finishedAt: number): void {
    const index = this.times.indexOf(startedAt);
    if (index >= 0) this.times.splice(index, 1);
    this.times.push(finishedAt);
    this.times.sort((a, b) => a - b);
    this.forget(finishedAt);
  }

  /** True when no event is remembered, so the window can be dropped. */
  isIdle(now: number): boolean {
    this.forget(now);
    return this.times.length === 0;
  }

  private forget(now: number): void {
    while (
      this.times.length > this.limit ||
      (this.times[0] !== undefined && this.times[0] <= now - this.windowMs)
    ) {
      this.times.shift();
    }
  }
}

/** Per-chat and global send budgets for one sender process. */
export class SendBudget {
  private readonly global: SlidingWindow | null;
  private readonly chats = new Map<number, SlidingWindow[]>();
  private readonly blockedUntil = new Map<number, number>();

  constructor(private readonly enforce = true) {
    this.global = enforce ? new SlidingWindow(TELEGRAM_LIMITS.messagesPerSecond, 1000) : null;
  }

  /** When the next message to `chatId` may go, given its chat's and the bot's budget. */
  nextAllowedAt(chatId: number, now: number): number {
    if (!this.enforce || chatId === 0) return now;
    let at = Math.max(this.global?.nextAllowedAt(now) ?? now, this.blockedUntil.get(chatId) ?? now);
    for (const window of this.windowsFor(chatId)) at = Math.max(at, window.nextAllowedAt(now));
    return at;
  }

  /** When the bot as a whole may send again. */
  globalNextAllowedAt(now: number): number {
    return this.global?.nextAllowedAt(now) ?? now;
  }

  /** Records a message sent to `chatId` now. */
  record(chatId: number, now: number): void {
    if (!this.enforce || chatId === 0) return;
    this.global?.record(now);
    for (const window of this.windowsFor(chatId)) window.record(now);
  }

  /** Counts a message sent at `startedAt` as sent when its answer came, at `finishedAt`. */
  settle(chatId: number, startedAt: number, finishedAt: number): void {
    if (!this.enforce || chatId === 0) return;
    this.global?.settle(startedAt, finishedAt);
    for (const window of this.windowsFor(chatId)) window.settle(startedAt, finishedAt);
  }

  /** Pushes a chat's next send to `until` (after a 429 for that chat). */
  block(chatId: number, until: number): void {
    this.blockedUntil.set(chatId, Math.max(until, this.blockedUntil.get(chatId) ?? 0));
  }

  /** Chats that cannot take a message right now. */
  blockedChats(now: number): number[] {
    const blocked = new Set<number>();
    for (const [chatId, until] of this.blockedUntil) {
      if (until > now) blocked.add(chatId);
      else this.blockedUntil.delete(chatId);
    }
    for (const [chatId, windows] of this.chats) {
      if (windows.every((window) => window.isIdle(now))) this.chats.delete(chatId);
      else if (windows.some((window) => window.nextAllowedAt(now) > now)) blocked.add(chatId);
    }
    return [...blocked];
  }

  private windowsFor(chatId: number): SlidingWindow[] {
    let windows = this.chats.get(chatId);
    if (!windows) {
      windows =
        chatId < 0
          ? [new SlidingWindow(1, 1000), new SlidingWindow(TELEGRAM_LIMITS.groupMessagesPerMinute, 60_000)]
          : [new SlidingWindow(1, TELEGRAM_LIMITS.privateChatIntervalMs)];
      this.chats.set(chatId, windows);
    }
    return windows;
  }
}
