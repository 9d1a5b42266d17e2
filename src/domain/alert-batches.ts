/**
 * When a must-investigate alert may be posted. An alert posted the moment a tip arrives, with its unit
 * and priority, lets a member of the section group who saw who was typing guess the reporter (the
 * reasoning of SecureDrop's issue #544 about notification timing). Alerts therefore wait for the next
 * batch boundary, a multiple of the batch length counted from midnight UTC, and every alert of the
 * same window goes out together.
 */

/**
 * The instant the alert of an item created at `now` is posted: the next multiple of `minutes`
 * strictly after `now`, or null (at once) when batching is off (`minutes` is 0).
 */
export function alertBatchTime(now: Date, minutes: number): Date | null {
  if (minutes <= 0) return null;
  const length = minutes * 60_000;
  return new Date((Math.floor(now.getTime() / length) + 1) * length);
}
