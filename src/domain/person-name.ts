/**
 * A person's name from the two parts Telegram gives. Chinese users usually put the given name in
 * `first_name` (秀英) and the surname in `last_name` (王); shown alone, the given name loses the
 * surname everyone knows them by. Han names are written surname first without a space (王秀英),
 * other names "first last".
 */
export function personName(
  firstName: string | null | undefined,
  lastName: string | null | undefined,
): string {
  const first = firstName?.trim() ?? '';
  const last = lastName?.trim() ?? '';
  if (!first || !last) return first || last;
  const han = /\p{Script=Han}/u;
  return han.test(first) || han.test(last) ? `${last}${first}` : `${first} ${last}`;
}
