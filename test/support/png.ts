/** Reads a PNG's signature and IHDR dimensions, so tests can check an image without decoding it. */
export function pngInfo(bytes: Buffer): { valid: boolean; width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const valid = bytes.subarray(0, 8).equals(signature) && bytes.subarray(12, 16).toString('ascii') === 'IHDR';
  return { valid, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
