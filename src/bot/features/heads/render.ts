import type { TFunction } from 'i18next';
import type { Obligation } from '../../../domain/obligations.js';
import type { PersonCard } from '../../../domain/points-card.js';

/**
 * How a head, a card and a talk or audit read in the bot's replies: shared by /heads, /talks and the
 * item card, so the three say the same thing the same way. Values go through i18next, which escapes
 * them for Telegram HTML.
 */

/** "张伟（镇长）", "张伟", or "unknown head" for a unit's unknown head. */
export function headLabel(t: TFunction, name: string | null, title: string | null): string {
  if (name === null) return t('heads:unknown_head');
  return title ? t('heads:head_with_title', { name, title }) : name;
}

/** "2 points this year (2 over two years, 2 over three)" and the flags reached. */
export function cardText(t: TFunction, card: PersonCard): string {
  const totals = t('heads:card_totals', {
    year: card.yearTotal,
    two: card.twoYearTotal,
    three: card.threeYearTotal,
  });
  if (card.flags.length === 0) return totals;
  return `${totals} ${t('heads:card_flags', { flags: card.flags.map((f) => t(`queue:flag_${f}`)).join(t('queue:list_separator')) })}`;
}

/** What an obligation is: "八必谈 · 职务调整" or "经济责任审计 · 逢离必审". */
export function obligationWhat(t: TFunction, o: Obligation): string {
  return o.kind === 'talk'
    ? t('heads:talk_what', { occasion: t(`heads:occasion_${o.occasion}`) })
    : t('heads:audit_what', { reason: t(`heads:audit_${o.reason}`) });
}

/** One line of the item card about a talk or audit the item raised. */
export function obligationLine(t: TFunction, o: Obligation): string {
  const what = obligationWhat(t, o);
  if (o.status.state === 'done') return t('heads:item_obligation_done', { what, on: o.status.on });
  if (o.status.state === 'not_needed')
    return t('heads:item_obligation_not_needed', { what, on: o.status.on });
  return t('heads:item_obligation_open', { what, due: o.dueOn });
}
