// Entry ids made on the phone: crypto.randomUUID where the browser has it (secure contexts),
// else an RFC 4122 version 4 UUID from crypto.getRandomValues, which plain http also has.

/**
 * A random (version 4) UUID.
 * @param {{randomUUID?: () => string, getRandomValues: (a: Uint8Array) => Uint8Array}} [source]
 * @returns {string}
 */
export function uuid(source = globalThis.crypto) {
  if (typeof source.randomUUID === 'function') return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
