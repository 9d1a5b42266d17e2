import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ExportRow, toCsv, toJsonl } from '../../src/exports/items.js';

const row: ExportRow = {
  number: 7,
  code: 'F-HPZ',
  kind: 'tip',
  domain: 'F',
  unit: 'HPZ',
  unit_name: '鹤浦镇, "东"',
  head: '张伟',
  source_kind: 'monitor',
  source_agency: null,
  signed: true,
  status: 'new',
  priority: 'high',
  must_investigate: true,
  reasons: ['specific_content', 'signed_or_contactable'],
  admins_only: false,
  created_at: '2026-01-05T01:00:00.000Z',
  updated_at: '2026-01-05T01:00:00.000Z',
};

describe('item export serialisers', () => {
  it('round-trips CSV with commas and quotes in a value', () => {
    const [parsed] = parse(toCsv([row]), { columns: true }) as Record<string, string>[];
    expect(parsed).toMatchObject({
      number: '7',
      unit_name: '鹤浦镇, "东"',
      head: '张伟',
      signed: 'true',
      source_agency: '',
    });
    expect(parsed?.reasons).toBe('specific_content;signed_or_contactable');
  });

  it('writes one parseable JSON object per line, and nothing for no rows', () => {
    const text = toJsonl([row, { ...row, number: 8 }]);
    expect(text.split('\n')).toHaveLength(3);
    expect(JSON.parse(text.split('\n')[1] as string)).toMatchObject({ number: 8 });
    expect(toJsonl([])).toBe('');
  });
});
