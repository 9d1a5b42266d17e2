import { describe, expect, it } from 'vitest';
import { AUDIENCES, isRole, REPORTER_ROLES, ROLES, SECTION_ROLES } from '../../src/domain/roles.js';

describe('roles', () => {
  it('knows the four roles, and reporters and the section split them', () => {
    expect(ROLES.filter(isRole)).toEqual([...ROLES]);
    expect(isRole('stranger')).toBe(false);
    expect([...REPORTER_ROLES, ...SECTION_ROLES].sort()).toEqual([...ROLES].sort());
    expect(AUDIENCES).toContain('unknown');
  });
});
