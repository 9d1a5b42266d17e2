/** The roles a person can have; one at a time. */
export const ROLES = ['monitor', 'liaison', 'officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a command or button is for; 'unknown' is a person who is not enrolled. */
export type Audience = Role | 'unknown';
export const AUDIENCES: readonly Audience[] = [...ROLES, 'unknown'];

/** Roles that report (post tips): the six community monitors and the agencies' liaisons. */
export const REPORTER_ROLES: readonly Role[] = ['monitor', 'liaison'];
/** Roles that work the triage queue: the cadre section. */
export const SECTION_ROLES: readonly Role[] = ['officer', 'admin'];

/** True if `role` is one of the roles. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
