/**
 * Every error a stream (stream-protocol.ts) can end with, and the WebSocket close code it carries; without zod,
 * so that the site can list them.
 */
export const STREAM_CLOSE_CODES = {
  /** 1003 unsupported data: audio before `start`. */
  audio_before_start: 1003,
  /** 1007 invalid payload: text that is not a valid message, or samples that are not audio. */
  malformed_message: 1007,
  invalid_audio: 1007,
  /** 1008 policy: a second `start`, the session's limits, or silence from the client for too long. */
  already_started: 1008,
  stream_too_long: 1008,
  stream_too_large: 1008,
  idle_timeout: 1008,
  /** 1009 message too big. */
  message_too_large: 1009,
  /** 1011 internal error: the cause is in the Worker log. */
  internal_error: 1011,
} as const;

export type StreamErrorCode = keyof typeof STREAM_CLOSE_CODES;
