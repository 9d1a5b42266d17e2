/** An item number at the start of a command's argument, and the words after it. */
export interface ItemNumberArgument {
  id: number;
  /** What follows the number, trimmed ('' when nothing does). */
  rest: string;
}

/**
 * Reads `12 …`, `#12 …` or `# 12 …` at the start of a command's argument (/show, /ask, /history,
 * /reveal, /add, the merge step): the item number (1 to 999,999,999) and the rest, or null.
 */
export function itemNumberArgument(payload: string): ItemNumberArgument | null {
  const match = /^\s*#?\s*(\d{1,9})(?:\s+([\s\S]*))?$/u.exec(payload);
  if (!match) return null;
  const id = Number(match[1]);
  return id > 0 ? { id, rest: (match[2] ?? '').trim() } : null;
}

/** The item number when it is the whole argument (/show 12, /history #12), or null. */
export function itemNumberOnly(payload: string): number | null {
  const argument = itemNumberArgument(payload);
  return argument && argument.rest === '' ? argument.id : null;
}

/** Parses a positive integer argument (a deep link's item number), or null. */
export function intArg(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return null;
  const number = Number(value);
  return number > 0 ? number : null;
}
