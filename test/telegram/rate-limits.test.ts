import { describe, expect, it } from 'vitest';
import { SendBudget, SlidingWindow } from '../../src/telegram/rate-limits.js';

describe('SlidingWindow', () => {
  it('allows `limit` events in any window and then waits for the oldest to leave it', () => {
    const window = new SlidingWindow(3, 1000);
    for (const at of [0, 10, 20]) {
      expect(window.nextAllowedAt(at)).toBe(at);
      window.record(at);
    }
    expect(window.nextAllowedAt(30)).toBe(1000);
    expect(window.nextAllowedAt(1000)).toBe(1000);
  });
});

describe('SendBudget', () => {
  it('spaces messages to one private chat by a second', () => {
    const budget = new SendBudget();
    budget.record(5, 0);
    expect(budget.nextAllowedAt(5, 1)).toBe(1000);
    expect(budget.nextAllowedAt(6, 1)).toBe(1);
  });

  it('allows a group 20 messages a minute, a second apart', () => {
    const budget = new SendBudget();
    for (let index = 0; index < 20; index += 1) {
      const at = budget.nextAllowedAt(-100, index * 1000);
      expect(at).toBe(index * 1000);
      budget.record(-100, at);
    }
    expect(budget.nextAllowedAt(-100, 20_000)).toBe(60_000);
  });

  it('caps the bot at 30 messages in any second', () => {
    const budget = new SendBudget();
    for (let chat = 1; chat <= 30; chat += 1) budget.record(chat, 0);
    expect(budget.nextAllowedAt(31, 10)).toBe(1000);
    expect(budget.globalNextAllowedAt(10)).toBe(1000);
  });

  it('keeps a chat closed after a 429 until retry_after has passed', () => {
    const budget = new SendBudget();
    budget.block(9, 5000);
    expect(budget.blockedChats(100)).toContain(9);
    expect(budget.nextAllowedAt(9, 100)).toBe(5000);
    expect(budget.blockedChats(5000)).not.toContain(9);
  });

  it('does not limit callback answers (chat 0) or a benchmark run with limits off', () => {
    const budget = new SendBudget();
    budget.record(0, 0);
    expect(budget.nextAllowedAt(0, 0)).toBe(0);
    const unlimited = new SendBudget(false);
    unlimited.record(1, 0);
    expect(unlimited.nextAllowedAt(1, 0)).toBe(0);
  });
});
