import { describe, expect, it } from 'vitest';
import { describeError, errorSerializer } from '../src/errors.js';
import { createTestDatabase } from './support/database.js';
import { settings } from '../src/db/schema.js';

describe('describeError', () => {
  it('keeps the cause of a failed query and drops its parameters', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.insert(settings).values({ key: 'k', value: 'LEAKMARK-secret-tip-text' });
      const failure = await database.db
        .insert(settings)
        .values({ key: 'k', value: 'LEAKMARK-secret-tip-text' })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(Error);
      const described = describeError(failure);
      expect(JSON.stringify(described)).not.toContain('LEAKMARK');
      expect(described.code).toBe('23505');
      expect(JSON.stringify(errorSerializer(failure))).not.toContain('LEAKMARK');
    } finally {
      await database.close();
    }
  });

  it('describes plain errors and non-errors', () => {
    expect(describeError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeError('a string')).toEqual({ name: 'unknown', message: 'non-error thrown' });
  });
});
