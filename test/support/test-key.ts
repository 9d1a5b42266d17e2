import { configureKeyring, isKeyringConfigured } from '../../src/crypto/sealing.js';

/** The fixed data key of the test suite (never used outside tests): base64 of 32 bytes. */
export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64');

/** Configures the test keyring unless a test already set its own. */
export function useTestKeyring(): void {
  if (!isKeyringConfigured()) configureKeyring([Buffer.from(TEST_DATA_KEY, 'base64')]);
}

// As a vitest setup file: every test file starts with the test key configured.
useTestKeyring();
