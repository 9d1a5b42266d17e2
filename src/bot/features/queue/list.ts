import { BUTTONS, type CallbackData } from '../../../buttons.js';
import { ITEM_STATUSES } from '../../../domain/item-state.js';
import { DOMAINS } from '../../../domain/tip-code.js';
import { clampPage, DEFAULT_FILTER, encodeFilter, type QueueFilter } from '../../../domain/triage.js';
import { headNames } from '../../../heads/tenures.js';
import { listQueue, unitsInQueue } from '../../../items/store.js';
import { domainName, unitName } from '../../../labels.js';
import { loadUnits } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';
import { answerCallback, editPressedMessage } from '../../feature.js';
import { type Keyboard, queueRowLine, statusLabel, viewerOf } from './render.js';

/** The filter in words for the list's title. */
function describeFilter(ctx: BotContext, filter: QueueFilter): string {
  const parts = [
    filter.status === 'open' || filter.status === 'all'
      ? ctx.t(`queue:filter_status_${filter.status}`)
      : statusLabel(ctx.t, filter.status),
  ];
  if (filter.domain) parts.push(domainName(ctx.t, filter.domain));
  if (filter.unit) parts.push(filter.unit);
  if (filter.mine) parts.push(ctx.t('queue:filter_mine'));
  if (filter.overdue) parts.push(ctx.t('queue:filter_overdue'));
  return parts.join(' · ');
}

function pageButton(text: string, filter: QueueFilter, page: number) {
  return { text, callback_data: BUTTONS.queuePage.encode({ filter, page }) };
}

/** The queue page as text and buttons: item numbers to open, filters, paging. */
async function renderPage(
  ctx: BotContext,
  filter: QueueFilter,
  requestedPage: number,
): Promise<{ text: string; keyboard: Keyboard }> {
  const now = ctx.services.now();
  const viewer = viewerOf(ctx);
  const first = await listQueue(ctx.db, filter, viewer, now, requestedPage);
  const { page, pages } = clampPage(requestedPage, first.total);
  const { rows, total } = page === requestedPage ? first : await listQueue(ctx.db, filter, viewer, now, page);
  const timeZone = ctx.services.config.timeZone;
  const lines = [ctx.t('queue:list_title', { filter: describeFilter(ctx, filter), total, page, pages })];
  if (rows.length === 0) lines.push(ctx.t('queue:list_empty'));
  const names = await headNames(
    ctx.db,
    rows.flatMap((row) => (row.headPersonKey ? [row.headPersonKey] : [])),
  );
  for (const row of rows) {
    const name = row.headPersonKey ? (names.get(row.headPersonKey) ?? null) : null;
    lines.push(queueRowLine(ctx.t, row, now, timeZone, name));
  }
  if (rows.length > 0) lines.push('', ctx.t('queue:list_hint'));

  const keyboard: Keyboard = [];
  for (let index = 0; index < rows.length; index += 4) {
    keyboard.push(
      rows.slice(index, index + 4).map((row) => ({
        text: `#${row.id}`,
        callback_data: BUTTONS.showItem.encode({ id: row.id }),
      })),
    );
  }
  keyboard.push([
    {
      text: ctx.t('queue:btn_status'),
      callback_data: BUTTONS.queueFilter.encode({ filter, dimension: 's' }),
    },
    {
      text: ctx.t('queue:btn_domain'),
      callback_data: BUTTONS.queueFilter.encode({ filter, dimension: 'd' }),
    },
    { text: ctx.t('queue:btn_unit'), callback_data: BUTTONS.queueFilter.encode({ filter, dimension: 'u' }) },
  ]);
  keyboard.push([
    pageButton(`${filter.mine ? '✓ ' : ''}${ctx.t('queue:btn_mine')}`, { ...filter, mine: !filter.mine }, 1),
    pageButton(
      `${filter.overdue ? '✓ ' : ''}${ctx.t('queue:btn_overdue')}`,
      { ...filter, overdue: !filter.overdue },
      1,
    ),
    pageButton(ctx.t('queue:btn_clear'), DEFAULT_FILTER, 1),
  ]);
  const paging = [];
  if (page > 1) paging.push(pageButton(ctx.t('queue:btn_prev'), filter, page - 1));
  if (page < pages) paging.push(pageButton(ctx.t('queue:btn_next'), filter, page + 1));
  if (paging.length > 0) keyboard.push(paging);
  return { text: lines.join('\n'), keyboard };
}

/** /queue: the first page of open items, most pressing first. */
export async function queueCommand(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await renderPage(ctx, DEFAULT_FILTER, 1);
  ctx.replyText(text, { reply_markup: { inline_keyboard: keyboard } });
}

/** Button `q.p|<filter>|<page>`: shows that page of that view, editing the list in place. */
export async function queuePageAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.queuePage.decode(data);
  if (!pressed) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const { text, keyboard } = await renderPage(ctx, pressed.filter, pressed.page);
  if (editPressedMessage(ctx, text, keyboard)) {
    answerCallback(ctx);
    return;
  }
  // Nothing to change (e.g. [清除筛选] with no filter set): say so instead of an edit Telegram refuses.
  const unfiltered = encodeFilter(pressed.filter) === encodeFilter(DEFAULT_FILTER);
  answerCallback(ctx, ctx.t(unfiltered ? 'queue:clear_nothing' : 'queue:list_unchanged'));
}

/** Button `q.f|<filter>|<s|d|u>`: the choices of one filter dimension, each leading back to page 1. */
export async function queueFilterAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.queueFilter.decode(data);
  if (!pressed) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const { filter, dimension } = pressed;
  const choices: Array<{ text: string; filter: QueueFilter }> = [];
  let prompt: string;
  if (dimension === 's') {
    prompt = ctx.t('queue:choose_status');
    choices.push({ text: ctx.t('queue:filter_status_open'), filter: { ...filter, status: 'open' } });
    choices.push({ text: ctx.t('queue:filter_status_all'), filter: { ...filter, status: 'all' } });
    for (const status of ITEM_STATUSES)
      choices.push({ text: statusLabel(ctx.t, status), filter: { ...filter, status } });
  } else if (dimension === 'd') {
    prompt = ctx.t('queue:choose_domain');
    choices.push({ text: ctx.t('queue:btn_any'), filter: { ...filter, domain: null } });
    for (const domain of DOMAINS)
      choices.push({ text: `${domain} ${domainName(ctx.t, domain)}`, filter: { ...filter, domain } });
  } else {
    prompt = ctx.t('queue:choose_unit');
    choices.push({ text: ctx.t('queue:btn_any'), filter: { ...filter, unit: null } });
    const codes = await unitsInQueue(ctx.db, filter, viewerOf(ctx), ctx.services.now());
    // A keyboard of ~30 buttons still fits a phone screen; the unit list of one county is short.
    // Named as a person knows them (鹤浦镇, not HPZ); a code the directory lacks shows itself.
    const names = new Map((await loadUnits(ctx.db)).map((unit) => [unit.code, unitName(unit, ctx.lang)]));
    for (const unit of codes.slice(0, 30))
      choices.push({ text: names.get(unit) || unit, filter: { ...filter, unit } });
  }
  const keyboard: Keyboard = [];
  for (let index = 0; index < choices.length; index += 3) {
    keyboard.push(choices.slice(index, index + 3).map((choice) => pageButton(choice.text, choice.filter, 1)));
  }
  keyboard.push([pageButton(ctx.t('queue:btn_back'), filter, 1)]);
  editPressedMessage(ctx, prompt, keyboard);
  answerCallback(ctx);
}
