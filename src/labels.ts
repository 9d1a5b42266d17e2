/**
 * Names of the things every feature shows — agencies, domains, statuses, priorities, sources, unit
 * kinds and unit names — in the reader's language, from one locale namespace (`labels`). Every
 * status, priority, domain and source label is built from the one term the `glossary` namespace
 * gives for its concept (`$t(glossary:…)`), so the alert, the queue, the card, the digests and the
 * export cannot name one thing two ways; a style only adds framing (an explanation, an article, a
 * plural), never another word.
 */
import { AGENCY_CODES } from './domain/agencies.js';
import { DOMAINS } from './domain/tip-code.js';
import { escapeHtml, type Language, type Translate } from './i18n.js';

/** How an agency is named: as the item card says it, formally (the roster), or short (the digests). */
export type AgencyStyle = 'card' | 'formal' | 'short';

const isAgency = (code: string | null): code is string =>
  code !== null && (AGENCY_CODES as readonly string[]).includes(code);

/**
 * An agency's name in `style`. An unknown code is shown as itself ('?' on the card when there is
 * none); digests escape it, as their lines are HTML.
 */
export function agencyName(t: Translate, agency: string | null, style: AgencyStyle = 'card'): string {
  if (style === 'formal') return t(`labels:agency_formal_${agency}`);
  if (isAgency(agency))
    return t(style === 'short' ? `labels:agency_short_${agency}` : `labels:agency_${agency}`);
  if (style === 'short') return escapeHtml(agency ?? '');
  return agency ?? '?';
}

/** An agency as the roster and invites show it: its code, then its formal name ("AUD 审计局"). */
export function agencyWithCode(t: Translate, agency: string): string {
  return `${agency} ${agencyName(t, agency, 'formal')}`;
}

/** How a domain is named: short (queue, digests) or long (receipts, alerts, the guided /tip). */
export type DomainStyle = 'short' | 'long';

/** A domain letter's name; digests escape a letter they do not know. */
export function domainName(t: Translate, domain: string, style: DomainStyle = 'short'): string {
  if (!(DOMAINS as readonly string[]).includes(domain)) return escapeHtml(domain);
  return t(style === 'long' ? `labels:domain_long_${domain}` : `labels:domain_${domain}`);
}

/** A triage status: in full (queue, card, history) or short (digests); an unknown one shows itself. */
export function statusName(t: Translate, status: string, style: 'full' | 'short' = 'full'): string {
  const key = style === 'short' ? `labels:status_short_${status}` : `labels:status_${status}`;
  return t(key, { defaultValue: style === 'short' ? escapeHtml(status) : key.slice('labels:'.length) });
}

/** A priority: the same glossary term on the queue, the card and the section's alert. */
export function priorityName(t: Translate, priority: string, style: 'card' | 'alert' = 'card'): string {
  return t(style === 'alert' ? `labels:priority_alert_${priority}` : `labels:priority_${priority}`);
}

/** A source kind as /reveal names it ("a community monitor"), as digests count it, or as a logged receipt says it. */
export function sourceKindName(
  t: Translate,
  sourceKind: string,
  style: 'reveal' | 'group' | 'channel',
): string {
  return t(`labels:source_${style}_${sourceKind}`);
}

/** The kind of a unit of the directory (town, township, sub-district, county department). */
export function unitKindName(t: Translate, kind: string): string {
  return t(`labels:unit_kind_${kind}`);
}

/** A unit's name in the reader's language (the Chinese name unless they read English). */
export function unitName<T extends string | null>(unit: { nameZh: T; nameEn: T }, language: Language): T {
  return language === 'en' ? unit.nameEn : unit.nameZh;
}
