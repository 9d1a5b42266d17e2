import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_NAMES_ZH,
  DOMAINS,
  extractReference,
  MAX_TEXT_LENGTH,
  parseCode,
  parseDomain,
  parseTip,
  sanitizeText,
  type UnitRef,
} from '../../src/domain/tip-code.js';

// Rows from /work/shared/data/units.xiangshan.csv.
const UNITS: UnitRef[] = [
  { code: 'DDJD', nameZh: '丹东街道', nameEn: 'Dandong Subdistrict' },
  { code: 'JXJD', nameZh: '爵溪街道', nameEn: 'Juexi Subdistrict' },
  { code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' },
  { code: 'DXZ', nameZh: '大徐镇', nameEn: 'Daxu Town' },
  { code: 'DXJD', nameZh: '丹西街道', nameEn: 'Danxi Subdistrict' },
  { code: 'HBAX', nameZh: '黄避岙乡', nameEn: "Huangbi'ao Township" },
  { code: 'JSJ', nameZh: '县建设局', nameEn: 'County Construction Bureau' },
  { code: 'CZJ', nameZh: '县财政局', nameEn: 'County Finance Bureau' },
  { code: 'ZZB', nameZh: '县委组织部', nameEn: 'County Organization Department' },
];

describe('parseDomain', () => {
  it.each(DOMAINS.map((d) => [d]))('accepts %s in both cases', (d) => {
    expect(parseDomain(d)).toBe(d);
    expect(parseDomain(d.toLowerCase())).toBe(d);
  });

  it.each(DOMAINS.flatMap((d) => DOMAIN_NAMES_ZH[d].map((n) => [n, d])))('accepts %s as %s', (name, d) => {
    expect(parseDomain(name)).toBe(d);
  });

  it('accepts full-width letters and refuses others', () => {
    expect(parseDomain('Ｆ')).toBe('F');
    expect(parseDomain('X')).toBeNull();
    expect(parseDomain('')).toBeNull();
    expect(parseDomain('FF')).toBeNull();
  });
});

describe('parseCode', () => {
  it.each([
    ['F-HPZ', 'F', 'HPZ'],
    ['f-hpz', 'F', 'HPZ'],
    ['D-鹤浦镇', 'D', 'HPZ'],
    ['P-县建设局', 'P', 'JSJ'],
    ['P-建设局', 'P', 'JSJ'],
    ['S-hepu town', 'S', 'HPZ'],
    ['财权-大徐镇', 'F', 'DXZ'],
    ['用人-JXJD', 'P', 'JXJD'],
    ['I－HPZ', 'I', 'HPZ'],
    ['O–HPZ', 'O', 'HPZ'],
    ['O—HPZ', 'O', 'HPZ'],
    ['F:HPZ', 'F', 'HPZ'],
    ['F：HPZ', 'F', 'HPZ'],
    ['Ｆ－ＨＰＺ', 'F', 'HPZ'],
  ])('%s → %s-%s', (code, domain, unitCode) => {
    expect(parseCode(code, UNITS)).toEqual({ ok: true, domain, unitCode });
  });

  it('reports each kind of error', () => {
    expect(parseCode('  ', UNITS)).toEqual({ ok: false, error: { kind: 'missing_code' } });
    expect(parseCode('FHPZ', UNITS)).toEqual({ ok: false, error: { kind: 'malformed_code', input: 'FHPZ' } });
    expect(parseCode('F-', UNITS)).toEqual({ ok: false, error: { kind: 'malformed_code', input: 'F-' } });
    expect(parseCode('-HPZ', UNITS)).toEqual({ ok: false, error: { kind: 'malformed_code', input: '-HPZ' } });
    expect(parseCode('X-HPZ', UNITS)).toEqual({ ok: false, error: { kind: 'unknown_domain', input: 'X' } });
  });

  it('suggests close units, closest first, by code and by name', () => {
    const err = (code: string) => {
      const r = parseCode(code, UNITS);
      if (r.ok || r.error.kind !== 'unknown_unit') throw new Error('expected unknown_unit');
      return r.error;
    };
    expect(err('F-HPX').suggestions[0]).toBe('HPZ');
    expect(err('F-鹤铺镇').suggestions[0]).toBe('HPZ');
    expect(err('F-DXJ').suggestions.slice(0, 2).sort()).toEqual(['DXJD', 'DXZ']);
    expect(err('F-建没局').suggestions[0]).toBe('JSJ');
    expect(err('F-Hepu Twon').suggestions[0]).toBe('HPZ');
    // Issue 18: a short name only one unit starts with is that unit, not a suggestion.
    expect(parseCode('F-鹤浦', UNITS)).toEqual({ ok: true, domain: 'F', unitCode: 'HPZ' });
    expect(parseCode('F-建设', UNITS)).toEqual({ ok: true, domain: 'F', unitCode: 'JSJ' });
    expect(parseCode('F-Hepu', UNITS)).toEqual({ ok: true, domain: 'F', unitCode: 'HPZ' });
    expect(err('F-QQQQQQQQ').suggestions).toEqual([]);
    expect(err('F-HPX').suggestions.length).toBeLessThanOrEqual(3);
  });
});

describe('parseTip', () => {
  const ok = (input: string) => parseTip(input, UNITS);

  it('parses the documented example', () => {
    expect(ok('F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元')).toEqual({
      ok: true,
      domain: 'F',
      unitCode: 'HPZ',
      text: '镇长在防波堤工程中指定施工方，金额约300万元',
    });
  });

  it.each([
    ['f-hpz 文本', 'F', '文本'],
    ['F－HPZ\u3000文本', 'F', '文本'],
    ['F-HPZ：镇长…', 'F', '镇长…'],
    ['F-HPZ: 镇长', 'F', '镇长'],
    ['F：HPZ：镇长', 'F', '镇长'],
    ['  D-鹤浦镇   多行\n文本\t  ', 'D', '多行\n文本'],
    ['P-HPZ\n文本', 'P', '文本'],
    ['S-HPZ 文\u0000本\u0007\r\n二', 'S', '文本\n二'],
  ])('%j', (input, domain, text) => {
    expect(ok(input)).toEqual({ ok: true, domain, unitCode: 'HPZ', text });
  });

  // Issue 18: the forms a new monitor types that name a real unit.
  it.each([
    ['F HPZ 镇长指定施工方', 'F', 'HPZ', '镇长指定施工方'],
    ['财权 鹤浦 镇长指定施工方', 'F', 'HPZ', '镇长指定施工方'],
    ['F-鹤浦 镇长指定施工方', 'F', 'HPZ', '镇长指定施工方'],
    ['F-Hepu Town The head picked the builder', 'F', 'HPZ', 'The head picked the builder'],
    ['F-hepu town: the head', 'F', 'HPZ', 'the head'],
    ['F-Hepu the head', 'F', 'HPZ', 'the head'],
    ['I-County Finance Bureau gifts', 'I', 'CZJ', 'gifts'],
    ['P 财政局 提拔亲属', 'P', 'CZJ', '提拔亲属'],
  ])('%j names a unit', (input, domain, unitCode, text) => {
    expect(ok(input)).toEqual({ ok: true, domain, unitCode, text });
  });

  it('a short name two units share, or free text after a letter, is not taken for a code', () => {
    // 丹东街道 and 丹西街道 both start with 丹.
    expect(ok('F-丹 文本')).toMatchObject({ ok: false, error: { kind: 'unknown_unit' } });
    expect(ok('O 我想反映一下')).toMatchObject({ ok: false, error: { kind: 'malformed_code' } });
  });

  it('reports missing code, malformed code, missing text', () => {
    expect(ok('')).toEqual({ ok: false, error: { kind: 'missing_code' } });
    expect(ok(' \u3000 ')).toEqual({ ok: false, error: { kind: 'missing_code' } });
    expect(ok('镇长 拿钱')).toEqual({ ok: false, error: { kind: 'malformed_code', input: '镇长' } });
    expect(ok('F-HPZ')).toEqual({ ok: false, error: { kind: 'missing_text' } });
    expect(ok('F-HPZ ： \u3000')).toEqual({ ok: false, error: { kind: 'missing_text' } });
    expect(ok('Z-HPZ 文本')).toEqual({ ok: false, error: { kind: 'unknown_domain', input: 'Z' } });
  });

  it('reports an unknown unit with suggestions', () => {
    expect(ok('F-HPX 文本')).toMatchObject({ ok: false, error: { kind: 'unknown_unit', input: 'HPX' } });
  });

  it('never echoes more than a short slice of a mistyped code', () => {
    const r = ok(`${'秘'.repeat(500)} x`);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.kind === 'malformed_code')
      expect(Array.from(r.error.input).length).toBeLessThanOrEqual(33);
  });

  it('counts code points at the length limit', () => {
    const emoji = '😀'.repeat(MAX_TEXT_LENGTH);
    expect(ok(`F-HPZ ${emoji}`)).toMatchObject({ ok: true, text: emoji });
    expect(ok(`F-HPZ ${emoji}a`)).toEqual({
      ok: false,
      error: { kind: 'text_too_long', length: MAX_TEXT_LENGTH + 1, max: MAX_TEXT_LENGTH },
    });
  });

  it('replaces lone surrogates', () => {
    expect(ok('F-HPZ a\uD800b')).toMatchObject({ ok: true, text: 'a\uFFFDb' });
  });

  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({
      unit: fc.constantFrom('F', '-', '－', '：', ':', ' ', '\u3000', 'H', 'P', 'Z', '\n', '\u0000', '鹤'),
    }),
  );

  it('never throws on any string (property)', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const r = parseTip(s, UNITS);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on prefixes of valid tips (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DOMAINS),
        fc.constantFrom(...UNITS),
        fc.string(),
        fc.nat(),
        (d, u, t, cut) => {
          const full = `${d}-${u.code} ${t}`;
          const prefix = full.slice(0, cut % (full.length + 1));
          expect(() => parseTip(prefix, UNITS)).not.toThrow();
          expect(() => parseCode(prefix, UNITS)).not.toThrow();
        },
      ),
    );
  });

  const textArb = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
    .map((s) => sanitizeText(s).trim())
    .filter((s) => s !== '' && !/^[:：]/u.test(s));

  it('round-trips a generated valid code and text (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DOMAINS),
        fc.constantFrom(...UNITS),
        fc.constantFrom('code', 'lower', 'zh'),
        fc.constantFrom('-', '－', '–', '—', ':', '：'),
        fc.constantFrom(' ', '\u3000', '\n', '：', ': ', '\t'),
        textArb,
        (d, u, form, sep, gap, text) => {
          const unit = form === 'code' ? u.code : form === 'lower' ? u.code.toLowerCase() : u.nameZh;
          expect(parseTip(`${d}${sep}${unit}${gap}${text}`, UNITS)).toEqual({
            ok: true,
            domain: d,
            unitCode: u.code,
            text,
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('extractReference', () => {
  it.each([
    ['〔2019〕12号 审计发现违规', '〔2019〕12号', '审计发现违规'],
    ['[2019]12号：审计发现', '[2019]12号', '审计发现'],
    ['（2019）12号 审计发现', '（2019）12号', '审计发现'],
    ['县审计〔2019〕12号 审计发现', '县审计〔2019〕12号', '审计发现'],
    ['象纪〔2020〕第3号，通报', '象纪〔2020〕第3号', '通报'],
  ])('%j', (input, reference, text) => {
    expect(extractReference(input)).toEqual({ reference, text });
  });

  it.each(['审计发现〔2019〕12号文件未落实', '2019年12号', '', '镇长收钱'])('keeps %j whole', (input) => {
    expect(extractReference(input)).toEqual({ reference: null, text: input });
  });

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void extractReference(s)));
  });
});
