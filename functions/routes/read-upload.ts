import { ApiError } from '../errors.ts';

/** Media types of WAV files. */
export const WAV_MEDIA_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave'] as const;
/** Media types of native FLAC files. */
export const FLAC_MEDIA_TYPES = ['audio/flac', 'audio/x-flac'] as const;
/** Media types accepted for a raw audio body (and for the `file` part of a multipart upload). */
export const AUDIO_MEDIA_TYPES = [...WAV_MEDIA_TYPES, ...FLAC_MEDIA_TYPES] as const;
const MULTIPART = 'multipart/form-data';
/** Bytes of unnamed type: the decoder tells WAV and FLAC apart by their first bytes, and names anything else. */
export const OCTET_STREAM = 'application/octet-stream';
/** What browsers and curl label an uploaded .wav or .flac file with, besides the audio types themselves. */
const GENERIC_FILE_TYPES = ['', OCTET_STREAM];
export const FILE_FIELD = 'file';

function mediaTypeOf(header: string | null): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function isAudioType(mediaType: string): boolean {
  return (AUDIO_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/** Reads the body without ever holding more than `maxBytes` (+ one chunk), whatever Content-Length claims. */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = (got: string) =>
    new ApiError('body_too_large', `expected a request body of at most ${maxBytes} bytes, got ${got}`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(`Content-Length ${declared}`);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      throw new ApiError(
        'incomplete_body',
        `expected the whole request body, but reading it failed after ${total} bytes: ${String(error)}`,
      );
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(`more than that (${total} bytes read)`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function requireNonEmpty(bytes: Uint8Array<ArrayBuffer>, what: string): Uint8Array<ArrayBuffer> {
  if (bytes.byteLength === 0)
    throw new ApiError('empty_body', `expected a WAV or FLAC file in ${what}, got 0 bytes`);
  return bytes;
}

async function readFilePart(
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string,
): Promise<Uint8Array<ArrayBuffer>> {
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw new ApiError(
      'malformed_multipart',
      `expected a well-formed multipart/form-data body: ${String(error)}`,
    );
  }
  const part = form.get(FILE_FIELD);
  if (part === null) {
    const fields = [...new Set(form.keys())];
    throw new ApiError(
      'missing_file',
      `expected a file field named '${FILE_FIELD}', got ${fields.length === 0 ? 'no fields' : `fields ${fields.map((name) => `'${name}'`).join(', ')}`}`,
    );
  }
  if (typeof part === 'string') {
    throw new ApiError('missing_file', `expected '${FILE_FIELD}' to be a file upload, got a text field`);
  }
  const partType = mediaTypeOf(part.type);
  if (!isAudioType(partType) && !GENERIC_FILE_TYPES.includes(partType)) {
    throw new ApiError(
      'unsupported_media_type',
      `expected the '${FILE_FIELD}' part to be ${AUDIO_MEDIA_TYPES.join(', ')} or application/octet-stream, got ${partType}`,
    );
  }
  return requireNonEmpty(new Uint8Array(await part.arrayBuffer()), `the '${FILE_FIELD}' part`);
}

/**
 * The audio bytes of a classify request: the raw body (`audio/wav`, `audio/x-wav`, `audio/wave`, `audio/flac`,
 * `audio/x-flac`, `application/octet-stream`) or the `file` part of a `multipart/form-data` body. The whole body counts against `maxBytes`.
 * The bytes themselves decide how they are decoded (core/audio/decode.ts), not the label.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const contentType = request.headers.get('content-type');
  const mediaType = mediaTypeOf(contentType);
  if (!isAudioType(mediaType) && mediaType !== MULTIPART && mediaType !== OCTET_STREAM) {
    throw new ApiError(
      'unsupported_media_type',
      `expected Content-Type ${AUDIO_MEDIA_TYPES.join(', ')}, ${OCTET_STREAM} or ${MULTIPART}, got ${mediaType === '' ? 'none' : mediaType}`,
    );
  }
  const bytes = requireNonEmpty(await readCapped(request, maxBytes), 'the request body');
  return mediaType === MULTIPART ? readFilePart(bytes, contentType ?? MULTIPART) : bytes;
}
