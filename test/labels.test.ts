import { describe, expect, it } from 'vitest';
import { translatorFor } from '../src/i18n.js';
import {
  agencyName,
  agencyWithCode,
  domainName,
  priorityName,
  sourceKindName,
  statusName,
  unitKindName,
  unitName,
} from '../src/labels.js';

const zh = translatorFor('zh-CN');
const en = translatorFor('en');

describe('labels: one namespace, each place keeps its wording', () => {
  it('names agencies on the card, formally in the roster, and short in the digests', () => {
    expect(agencyName(en, 'ORG')).toBe('County Organization Department');
    expect(agencyName(en, 'ORG', 'formal')).toBe('County Party Committee Organization Department');
    expect(agencyName(en, 'ORG', 'short')).toBe('Organization Department');
    expect(agencyName(zh, 'AUD')).toBe('审计局');
    expect(agencyWithCode(zh, 'AUD')).toBe('AUD 审计局');
    expect(agencyName(en, null)).toBe('?');
    expect(agencyName(en, 'XYZ')).toBe('XYZ');
    expect(agencyName(en, '<b>', 'short')).toBe('&lt;b&gt;');
  });

  it('names domains short (queue, digests) and long (receipts, alerts); unknown letters are escaped', () => {
    expect(domainName(en, 'F')).toBe('financial power');
    expect(domainName(en, 'F', 'long')).toBe('financial power (财权)');
    expect(domainName(zh, 'D', 'long')).toBe('事权（重大事项决策权）');
    expect(domainName(zh, 'D')).toBe('事权');
    expect(domainName(en, '<x>')).toBe('&lt;x&gt;');
  });

  it('names statuses in full and short, priorities as the card and as the alert say them', () => {
    expect(statusName(zh, 'accepted')).toBe('已受理（须查办）');
    expect(statusName(zh, 'accepted', 'short')).toBe('已受理');
    expect(statusName(zh, 'forwarded')).toBe('已转办');
    expect(statusName(zh, 'forwarded', 'short')).toBe('已转办');
    expect(statusName(zh, 'filed', 'short')).toBe('存档备查');
    expect(statusName(en, 'odd<', 'short')).toBe('odd&lt;');
    expect(priorityName(zh, 'urgent')).toBe('紧急');
    expect(priorityName(zh, 'urgent', 'alert')).toBe('紧急');
    expect(priorityName(zh, 'normal')).toBe('一般');
    expect(priorityName(en, 'normal', 'alert')).toBe('normal');
  });

  it('names sources as /reveal, the digests and a logged receipt say them, and unit kinds', () => {
    expect(sourceKindName(en, 'monitor', 'reveal')).toBe('a community monitor');
    expect(sourceKindName(en, 'monitor', 'group')).toBe('community monitors');
    expect(sourceKindName(en, 'hotline', 'channel')).toBe('supervision hotline');
    expect(sourceKindName(zh, 'mailbox', 'channel')).toBe('举报信箱');
    expect(unitKindName(zh, 'subdistrict')).toBe('街道');
    expect(en('labels:source_hotline_signed')).toBe('supervision hotline (signed)');
    expect(zh('labels:source_notice_of', { agency: '审计局' })).toBe('审计局通报');
  });

  it('picks a unit name by language', () => {
    const unit = { nameZh: '鹤浦镇', nameEn: 'Hepu Town' };
    expect(unitName(unit, 'en')).toBe('Hepu Town');
    expect(unitName(unit, 'zh-CN')).toBe('鹤浦镇');
    expect(unitName({ nameZh: null, nameEn: null }, 'en')).toBeNull();
  });
});
