import { describe, expect, it } from 'vitest';
import { FLOOD_LIMIT, MAX_ATTACHMENTS } from '../../../../src/domain/limits.js';
import {
  itemIdOfReceiptRef,
  replyToNewItem,
  receiptRef,
} from '../../../../src/bot/features/tips/receipts.js';
import type { RoutingDecision } from '../../../../src/domain/routing.js';
import type { ItemSummary } from '../../../../src/items/summary.js';
import { OutboxBuffer } from '../../../../src/telegram/outbox.js';

const item: ItemSummary = {
  id: 42,
  kind: 'tip',
  sourceKind: 'monitor',
  sourceAgency: null,
  domain: 'F',
  unitCode: 'HPZ',
  unitNameZh: '鹤浦镇',
  unitNameEn: 'Hepu Town',
  code: 'F-HPZ',
  status: 'new',
  priority: 'high',
  mustInvestigate: true,
  reasons: ['specific_content'],
  repeatSubject: false,
  adminsOnly: false,
  createdAt: new Date(),
  updatedAt: new Date(),
};
const decision: RoutingDecision = {
  mustInvestigate: true,
  reasons: [],
  priority: 'high',
  triageDueAt: new Date(),
  concludeDueAt: new Date(),
  relatedItemIds: [],
  repeatSubject: false,
  adminsOnly: false,
};

describe('creation replies', () => {
  it('a receipt names the number, the code in words and the next steps, and carries the receipt ref', () => {
    const out = new OutboxBuffer();
    replyToNewItem(
      out,
      { chatId: 7, language: 'en' },
      { kind: 'created', item, decision, attachments: 2 },
      { byReporter: true, signed: true, reference: '〔2019〕12号' },
    );
    expect(out.messages).toHaveLength(1);
    const [receipt] = out.messages;
    expect(receipt?.chatId).toBe(7);
    expect(receipt?.ref).toBe('receipt:42');
    expect(receipt?.payload.text).toContain('#42');
    expect(receipt?.payload.text).toContain('Hepu Town');
    expect(receipt?.payload.text).toContain('〔2019〕12号');
    expect(receipt?.payload.text).toContain('Attachments: 2');
  });

  it('a logged report gets its source and signedness instead of the reporter hints', () => {
    const out = new OutboxBuffer();
    replyToNewItem(
      out,
      { chatId: 7, language: 'zh-CN' },
      {
        kind: 'created',
        item: { ...item, sourceKind: 'hotline' },
        decision,
        attachments: 0,
      },
      { byReporter: false, signed: false },
    );
    expect(out.messages[0]?.payload.text).toContain('监督电话');
    expect(out.messages[0]?.payload.text).toContain('匿名');
    expect(out.messages[0]?.ref).toBe('receipt:42');
  });

  it('a resend is "already received" with the receipt ref; refusals say exactly why and carry no ref', () => {
    const out = new OutboxBuffer();
    const to = { chatId: 7, language: 'zh-CN' } as const;
    const sent = { byReporter: true, signed: true };
    replyToNewItem(out, to, { kind: 'duplicate', item }, sent);
    replyToNewItem(out, to, { kind: 'refused', reason: 'too_many_attachments', max: MAX_ATTACHMENTS }, sent);
    replyToNewItem(out, to, { kind: 'refused', reason: 'missing_text' }, sent);
    replyToNewItem(out, to, { kind: 'refused', reason: 'text_too_long', length: 4001, max: 4000 }, sent);
    replyToNewItem(out, to, { kind: 'refused', reason: 'flood' }, sent);
    expect(out.messages.map((message) => message.payload.text)).toEqual([
      expect.stringContaining('#42'),
      expect.stringContaining('最多 10 个附件'),
      expect.stringContaining('缺少内容'),
      expect.stringContaining('4001'),
      expect.stringContaining(String(FLOOD_LIMIT)),
    ]);
    expect(out.messages.map((message) => message.ref)).toEqual([
      'receipt:42',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads an item number back from a receipt ref only', () => {
    expect(itemIdOfReceiptRef(receiptRef(42))).toBe(42);
    expect(itemIdOfReceiptRef('question:42')).toBeNull();
    expect(itemIdOfReceiptRef('receipt:0')).toBeNull();
    expect(itemIdOfReceiptRef('receipt:12x')).toBeNull();
    expect(itemIdOfReceiptRef(null)).toBeNull();
  });
});
