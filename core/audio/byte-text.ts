/** Bytes as text for decoder error messages (wav.ts, flac.ts). */

/** A byte as two upper-case hex digits. */
export const hexByte = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/** Up to four bytes as a quoted string, non-printable bytes escaped as \xNN. */
export function quote(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = offset; i < offset + 4 && i < bytes.length; i++) {
    const byte = bytes[i];
    text +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x22 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${hexByte(byte)}`;
  }
  return `"${text}"`;
}
