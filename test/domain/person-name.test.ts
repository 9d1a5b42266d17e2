import { describe, expect, it } from 'vitest';
import { personName } from '../../src/domain/person-name.js';

describe('personName (issue 18: people were shown by given name only)', () => {
  it('writes a Chinese name surname first, without a space', () => {
    expect(personName('秀英', '王')).toBe('王秀英');
    expect(personName('敏', '李')).toBe('李敏');
  });

  it('writes other names first then last, and keeps a single part as it is', () => {
    expect(personName('Wei', 'Zhang')).toBe('Wei Zhang');
    expect(personName('秀英', null)).toBe('秀英');
    expect(personName(undefined, '王')).toBe('王');
    expect(personName(' Min ', ' ')).toBe('Min');
  });
});
