/**
 * A reporter adding to their own item: more text (/add, or a reply to the receipt) or a file (a
 * reply to the receipt). Only the item's own reporter may; anyone else learns nothing, not even
 * whether the item exists. The reporter's id is never stored beside the item or in the audit log.
 * The item's assignee hears that something was added (the number only), in the same transaction.
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import { checkText, MAX_ATTACHMENTS } from '../domain/limits.js';
import { SECTION_ROLES } from '../domain/roles.js';
import { isActiveIn, personById } from '../people/store.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { notifyNewInformation } from './notifications.js';
import { REPORTER_ACTOR } from './reporter-link.js';
import {
  type AttachmentInput,
  attachmentCount,
  insertAddition,
  insertAttachments,
  isOwnItem,
  loadItem,
  touchItem,
} from './store.js';

/** What adding text did. */
export type AddTextOutcome =
  | { kind: 'added' }
  /** Not an item of this reporter's (whether or not it exists). */
  | { kind: 'not_found' }
  | { kind: 'missing_text' }
  | { kind: 'text_too_long'; length: number; max: number };

/** Appends the reporter's added information to their own item; audited `item.addition` as by the reporter. */
export async function addToOwnItem(
  db: Queryable,
  out: OutboxBuffer,
  input: { itemId: number; text: string },
  reporterId: number,
  now: Date,
): Promise<AddTextOutcome> {
  if (!(await isOwnItem(db, input.itemId, reporterId))) return { kind: 'not_found' };
  const checked = checkText(input.text);
  if (!checked.ok)
    return checked.reason === 'missing_text'
      ? { kind: 'missing_text' }
      : { ...checked, kind: checked.reason };
  await addAsReporter(
    db,
    { itemId: input.itemId, kind: 'addition', text: checked.text, createdAt: now },
    (additionId) => ({ action: 'item.addition', details: { additionId } }),
  );
  await touchItem(db, input.itemId, now);
  await tellAssignee(db, out, input.itemId);
  return { kind: 'added' };
}

/**
 * Tells the item's assignee privately that its reporter added information: the number only, never
 * the content or who. Only while they are active staff entitled to the item (an admins-only item's
 * assignee must be an admin); `except` already heard of it (the officer told of an answer). One notice
 * per update even when it adds a file and its caption.
 */
export async function tellAssignee(
  db: Queryable,
  out: OutboxBuffer,
  itemId: number,
  except: number | null = null,
): Promise<void> {
  const item = await loadItem(db, itemId);
  if (!item?.assigneeId || item.assigneeId === except) return;
  const officer = await personById(db, item.assigneeId);
  if (!isActiveIn(officer, item.adminsOnly ? ['admin'] : SECTION_ROLES)) return;
  notifyNewInformation(out, officer, item.id);
}

/**
 * Stores text a reporter sent about their item (an addition or an answer) and audits it as theirs:
 * neither the addition nor the audit row carries their id, which would unmask them beside the item.
 */
export async function addAsReporter(
  db: Queryable,
  addition: { itemId: number; kind: 'addition' | 'answer'; text: string; createdAt?: Date },
  audit: (additionId: number) => { action: string; details: Record<string, unknown> },
): Promise<number> {
  const additionId = await insertAddition(db, { ...addition, authorId: null });
  const entry = audit(additionId);
  await appendAudit(db, {
    actorId: null,
    action: entry.action,
    itemId: addition.itemId,
    details: { ...REPORTER_ACTOR, ...entry.details },
  });
  return additionId;
}

/** What attaching a file did. */
export type AttachOutcome = { kind: 'attached' } | { kind: 'not_found' } | { kind: 'too_many'; max: number };

/** Attaches a file to the reporter's own item (at most MAX_ATTACHMENTS in all); audited `item.attachment_added`. */
export async function attachToOwnItem(
  db: Queryable,
  out: OutboxBuffer,
  input: { itemId: number; attachment: AttachmentInput },
  reporterId: number,
  now: Date,
): Promise<AttachOutcome> {
  if (!(await isOwnItem(db, input.itemId, reporterId))) return { kind: 'not_found' };
  if ((await attachmentCount(db, input.itemId)) >= MAX_ATTACHMENTS) {
    return { kind: 'too_many', max: MAX_ATTACHMENTS };
  }
  await insertAttachments(db, input.itemId, [input.attachment]);
  await touchItem(db, input.itemId, now);
  await appendAudit(db, {
    actorId: null,
    action: 'item.attachment_added',
    itemId: input.itemId,
    details: { ...REPORTER_ACTOR, fileKind: input.attachment.fileKind },
  });
  await tellAssignee(db, out, input.itemId);
  return { kind: 'attached' };
}
