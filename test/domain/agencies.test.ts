import { describe, expect, it } from 'vitest';
import { AGENCY_CODES, parseAgency } from '../../src/domain/agencies.js';

describe('parseAgency', () => {
  it.each(AGENCY_CODES.map((c) => [c]))('accepts %s in any case', (code) => {
    expect(parseAgency(code)).toBe(code);
    expect(parseAgency(code.toLowerCase())).toBe(code);
    expect(parseAgency(` ${code} `)).toBe(code);
  });

  it.each([
    ['县委组织部', 'ORG'],
    ['组织部', 'ORG'],
    ['县纪委', 'CDI'],
    ['纪委', 'CDI'],
    ['法院', 'COURT'],
    ['县法院', 'COURT'],
    ['检察院', 'PROC'],
    ['公安局', 'PSB'],
    ['监察局', 'SUP'],
    ['财政局', 'FIN'],
    ['审计局', 'AUD'],
    ['信访局', 'PET'],
    ['ＣＤＩ', 'CDI'],
  ])('accepts %s', (input, code) => {
    expect(parseAgency(input)).toBe(code);
  });

  it.each(['', 'XYZ', '教育局', 'OR G'])('refuses %j', (input) => {
    expect(parseAgency(input)).toBeNull();
  });
});
