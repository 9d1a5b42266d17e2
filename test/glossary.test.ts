import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ITEM_STATUSES } from '../src/domain/item-state.js';
import { PRIORITIES, SOURCE_KINDS } from '../src/domain/routing.js';
import { DOMAINS } from '../src/domain/tip-code.js';
import { LANGUAGES, loadLocaleResources, translatorFor } from '../src/i18n.js';
import { domainName, priorityName, sourceKindName, statusName } from '../src/labels.js';
import { resourcePath } from '../src/paths.js';
import { keysOf, lookup } from './support/locale-keys.js';

/**
 * Issue 18, acceptance 4: one term per concept, in both languages, in the `glossary` namespace;
 * every status, priority, domain and source label the product shows is built from it.
 */
const resources = loadLocaleResources();
const glossaryOf = (language: string) => resources[language]?.glossary as Record<string, string>;
const labelsOf = (language: string) => resources[language]?.labels as Record<string, unknown>;

/** The label keys that name a status, priority, domain or source, and the glossary key each must use. */
function conceptOf(labelKey: string): string | undefined {
  const match =
    /^(status|priority|domain|source)_(?:short_|alert_|long_|reveal_|group_|channel_)?([a-zA-Z]+)/.exec(
      labelKey,
    );
  if (!match) return undefined;
  const [, kind, value] = match;
  if (labelKey === 'source_notice_of') return undefined; // "notice of ‹agency›": an agency's name, not a source kind
  return `${kind}_${value}`;
}

describe('glossary: one term per concept', () => {
  it('has a term for every status, priority, domain and source, in both languages, each term once', () => {
    for (const language of LANGUAGES) {
      const glossary = glossaryOf(language);
      const wanted = [
        ...ITEM_STATUSES.map((s) => `status_${s}`),
        ...PRIORITIES.map((p) => `priority_${p}`),
        ...DOMAINS.map((d) => `domain_${d}`),
        ...SOURCE_KINDS.map((s) => `source_${s}`),
      ];
      for (const key of wanted) expect(glossary[key], `${language} glossary:${key}`).toBeTruthy();
      for (const kind of ['status_', 'priority_', 'domain_', 'source_']) {
        const terms = Object.entries(glossary)
          .filter(([key]) => key.startsWith(kind))
          .map(([, term]) => term);
        expect(new Set(terms).size, `${language}: two ${kind} concepts share a term`).toBe(terms.length);
      }
    }
  });

  it('builds every status, priority, domain and source label in `labels` from its glossary term', () => {
    for (const language of LANGUAGES) {
      const labels = labelsOf(language);
      for (const key of keysOf(labels)) {
        const concept = conceptOf(key);
        if (!concept) continue;
        const text = lookup(labels, key);
        expect(text, `${language} labels:${key}`).toContain(`$t(glossary:${concept})`);
        expect(
          text.replace(`$t(glossary:${concept})`, ''),
          `${language} labels:${key} names it twice`,
        ).not.toMatch(/\$t\(/);
      }
    }
  });

  it('shows exactly the glossary term for every status, priority, domain and source, in every style', () => {
    for (const language of LANGUAGES) {
      const t = translatorFor(language);
      const g = (key: string) => t(`glossary:${key}`);
      for (const status of ITEM_STATUSES) {
        expect(statusName(t, status, 'short')).toBe(g(`status_${status}`));
        expect(statusName(t, status).startsWith(g(`status_${status}`)), `${language} ${status}`).toBe(true);
      }
      for (const priority of PRIORITIES) {
        expect(priorityName(t, priority)).toBe(g(`priority_${priority}`));
        expect(priorityName(t, priority, 'alert')).toBe(g(`priority_${priority}`));
      }
      for (const domain of DOMAINS) {
        expect(domainName(t, domain)).toBe(g(`domain_${domain}`));
        expect(domainName(t, domain, 'long').startsWith(g(`domain_${domain}`)), `${language} ${domain}`).toBe(
          true,
        );
      }
      for (const source of SOURCE_KINDS)
        for (const style of ['reveal', 'group', 'channel'] as const) {
          if (style === 'channel' && (source === 'monitor' || source === 'liaison')) continue;
          expect(sourceKindName(t, source, style), `${language} ${source} ${style}`).toContain(
            g(`source_${source}`),
          );
        }
    }
  });

  it('leaves none of the names the county does not use in the Chinese texts', () => {
    // 特急 (the queue's priority beside the alert's 紧急), 普通 (beside 一般), the status 已转交 (beside 已转办)
    // is checked through the labels above ("回答已转交干部科" is a verb, not a status),
    // a bare 存档 (beside 存档备查), 类别 (beside 领域), 社区信息员 (beside 社区干部监督信息员).
    const folder = join(resourcePath('locales'), 'zh-CN');
    const zh = resources['zh-CN'] ?? {};
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.json'))) {
      const namespace = file.slice(0, -'.json'.length);
      const texts = zh[namespace] as Record<string, unknown>;
      for (const key of keysOf(texts)) {
        const text = lookup(texts, key);
        expect(text, `zh-CN ${namespace}:${key}`).not.toMatch(
          /特急|普通|存档(?!备查)|类别|社区信息员/,
        );
      }
    }
  });
});
