import { describe, expect, it } from 'vitest';
import { actionKeyboard, queueRowLine, sourceText } from '../../../../src/bot/features/queue/render.js';
import { translatorFor } from '../../../../src/i18n.js';

const en = translatorFor('en');

describe('queue rendering', () => {
  it("names the kind of source only: never a community, nor the agency of a liaison's own tip", () => {
    expect(sourceText(en, { kind: 'monitor' })).toBe('a community monitor');
    expect(sourceText(en, { kind: 'liaison', noticeAgency: null })).toBe('a joint-meeting liaison');
    // A notice is the agency's own information.
    expect(sourceText(en, { kind: 'liaison', noticeAgency: 'AUD' })).toBe('notice of Audit Bureau');
    expect(sourceText(en, { kind: 'hotline', signed: false })).toBe('supervision hotline (anonymous)');
  });

  it('names the head beside the code when known, cut to fit one line, escaped once', () => {
    const now = new Date('2025-06-10T00:00:00Z');
    const row = {
      id: 3,
      domain: 'F' as const,
      unitCode: 'HPZ',
      status: 'accepted' as const,
      priority: 'high' as const,
      triageDueAt: null,
      concludeDueAt: new Date('2025-06-20T00:00:00Z'),
      headPersonKey: 'p1',
    };
    expect(queueRowLine(en, row, now, 'UTC')).toBe('#3 F-HPZ · high · accepted (to investigate) · due 06-20');
    expect(queueRowLine(en, row, now, 'UTC', '张伟')).toBe(
      '#3 F-HPZ 张伟 · high · accepted (to investigate) · due 06-20',
    );
    expect(queueRowLine(en, row, now, 'UTC', '阿卜杜热合曼·买买提')).toContain('F-HPZ 阿卜杜热合… ·');
    expect(queueRowLine(en, row, now, 'UTC', 'A&B')).toContain('F-HPZ A&amp;B ·');
  });

  it('marks a late row, and puts the version seen on every action button', () => {
    const now = new Date('2025-06-10T00:00:00Z');
    const row = {
      id: 3,
      domain: 'F' as const,
      unitCode: 'HPZ',
      status: 'new' as const,
      priority: 'high' as const,
      triageDueAt: new Date('2025-06-09T00:00:00Z'),
      concludeDueAt: null,
      headPersonKey: null,
    };
    expect(queueRowLine(en, row, now, 'Asia/Shanghai')).toContain('overdue');
    expect(
      queueRowLine(en, { ...row, triageDueAt: new Date('2025-06-11T00:00:00Z') }, now, 'UTC'),
    ).not.toContain('overdue');
    const keyboard = actionKeyboard(en, { id: 3, version: 7, assigneeId: null }, ['accept', 'file'], true);
    expect(keyboard.flat().map((b) => b.callback_data)).toEqual([
      'q.a|3|7|accept',
      'q.a|3|7|file',
      'q.as|3|7',
    ]);
  });
});
