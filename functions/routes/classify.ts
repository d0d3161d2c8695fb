import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { UnsupportedContainerError } from '../../core/audio/container.ts';
import { decodeAudio, readAudioInfo } from '../../core/audio/decode.ts';
import { FlacError } from '../../core/audio/flac.ts';
import { MIN_SPEECH_SECONDS } from '../../core/audio/voice-activity.ts';
import { WavError } from '../../core/audio/wav.ts';
import {
  ClassifyQuerySchema,
  type ClassifyResponse,
  ClassifyResponseSchema,
} from '../../core/contracts/classify-api.ts';
import { classifyClip } from '../../core/serving/classify-clip.ts';
import {
  describeClassification,
  round,
  screenClip,
  slidingAggregation,
} from '../../core/serving/clip-answer.ts';
import { restrictClassification } from '../../core/serving/label-subset.ts';
import type { ModelStore } from '../../core/serving/model-store.ts';
import { classifySlidingWindows } from '../../core/serving/sliding-windows.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError, errorDoc, INTERNAL_ERROR_DOC } from '../errors.ts';
import { findLabels } from './find-labels.ts';
import { findModel } from './find-model.ts';
import { AUDIO_MEDIA_TYPES, FILE_FIELD, OCTET_STREAM, readUpload } from './read-upload.ts';

const audioBody = { schema: { type: 'string' as const, format: 'binary' } };

export const classifyRoute = createRoute({
  method: 'post',
  path: '/v1/classify',
  operationId: 'classify',
  summary: 'Classify the emotion in a WAV or FLAC clip',
  description:
    'Body: a WAV file (PCM 8/16/24/32-bit or float) or a native FLAC file (4–32-bit), any channel count and ' +
    `rate 8–192 kHz (mixed to mono and resampled to 16 kHz), raw (an audio type or application/octet-stream: ` +
    'the first bytes decide; Ogg, MP3, WebM, MP4 and AIFF get a 415 naming them) or as the ' +
    `'${FILE_FIELD}' field of ` +
    "multipart/form-data. Limits come from the deployment's [vars]: see GET /v1/models.",
  request: {
    query: ClassifyQuerySchema,
    body: {
      required: true,
      content: {
        ...Object.fromEntries([...AUDIO_MEDIA_TYPES, OCTET_STREAM].map((type) => [type, audioBody])),
        'multipart/form-data': {
          schema: { type: 'object', required: [FILE_FIELD], properties: { [FILE_FIELD]: audioBody.schema } },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The classification',
      content: { 'application/json': { schema: ClassifyResponseSchema } },
    },
    400: errorDoc(
      'Malformed audio (including float samples beyond ±1000), empty or cut-off body, multipart without a file, ' +
        'or a bad query value (labels the model lacks among them)',
    ),
    404: errorDoc('Unknown model'),
    413: errorDoc('Body larger than MAX_BODY_BYTES or audio longer than MAX_DURATION_SECONDS'),
    415: errorDoc('Unsupported media type or audio encoding'),
    422: errorDoc('With strict=1: audio shorter than MIN_DURATION_SECONDS, or no speech detected'),
    500: INTERNAL_ERROR_DOC,
    503: errorDoc('No model is published yet'),
  },
});

/**
 * Decoder failures are the client's: WAV and FLAC encodings the decoders do not read are 415, a FLAC stream
 * that turns out longer than the limit 413, the rest 400.
 */
function audioError(error: unknown): ApiError {
  if (error instanceof WavError) {
    return error.code === 'unsupported_format'
      ? new ApiError('unsupported_encoding', error.message)
      : new ApiError('malformed_audio', error.message);
  }
  if (error instanceof UnsupportedContainerError)
    return new ApiError('unsupported_media_type', error.message);
  if (error instanceof FlacError) {
    if (error.code === 'unsupported') return new ApiError('unsupported_encoding', error.message);
    if (error.code === 'too_long') return new ApiError('audio_too_long', error.message);
    return new ApiError('malformed_audio', error.message);
  }
  console.error('classify: the decoder failed on client audio', error);
  return new ApiError('malformed_audio', `expected decodable WAV or FLAC audio: ${String(error)}`);
}

/** Seconds for a message: three significant digits, so a 1-sample clip reads 0.0000625, not 0. */
const seconds = (value: number) => Number(value.toPrecision(3));

/**
 * Header check against MAX_DURATION_SECONDS first (before anything is allocated for samples), then decode. A FLAC
 * stream that does not declare its length is held to the limit while it decodes.
 */
function decodeWithinLimit(bytes: Uint8Array, maxDurationSeconds: number, targetRate: number) {
  try {
    const info = readAudioInfo(bytes);
    if (info.durationSeconds > maxDurationSeconds) {
      throw new ApiError(
        'audio_too_long',
        `expected at most ${maxDurationSeconds} s of audio, got ${seconds(info.durationSeconds)} s`,
      );
    }
    return decodeAudio(bytes, { targetRate, maxSeconds: maxDurationSeconds });
  } catch (error) {
    throw error instanceof ApiError ? error : audioError(error);
  }
}

interface StageTimes {
  decodeMs: number;
  modelLoadMs: number;
  featuresMs: number;
  inferenceMs: number;
}

export function registerClassifyRoute(app: OpenAPIHono<AppEnv>, store: ModelStore): void {
  app.openapi(classifyRoute, async (c) => {
    const started = performance.now();
    const query = c.req.valid('query');
    const config = c.var.config;
    const entry = findModel(store, query.model);
    const subset = findLabels(entry.metadata, query.labels);
    const modelId = entry.metadata.id;
    if (query.segment !== undefined && query.hop !== undefined) {
      throw new ApiError('invalid_query', 'expected segment or hop, got both');
    }
    if (query.segment !== undefined && query.segment < config.minDurationSeconds) {
      throw new ApiError(
        'invalid_query',
        `expected segment ≥ the minimum duration ${config.minDurationSeconds} s, got ${query.segment}`,
      );
    }

    const bytes = await readUpload(c.req.raw, config.maxBodyBytes);
    const decodeStart = performance.now();
    // Straight to the rate the model's front end works at (16 kHz for every model so far).
    const { samples, sampleRate } = decodeWithinLimit(
      bytes,
      config.maxDurationSeconds,
      entry.extractor.config.sampleRate,
    );
    const times: StageTimes = {
      decodeMs: performance.now() - decodeStart,
      modelLoadMs: 0,
      featuresMs: 0,
      inferenceMs: 0,
    };
    const durationSeconds = samples.length / sampleRate;
    const { metadata } = entry;
    const respond = (result: Omit<ClassifyResponse, 'model' | 'labels' | 'durationSeconds' | 'timing'>) => {
      const timing = { ...times, totalMs: performance.now() - started };
      c.header(
        'Server-Timing',
        `decode;dur=${timing.decodeMs}, model-load;dur=${timing.modelLoadMs}, features;dur=${timing.featuresMs}, ` +
          `inference;dur=${timing.inferenceMs}, total;dur=${timing.totalMs}`,
      );
      const body: ClassifyResponse = {
        model: { id: metadata.id, version: metadata.version },
        labels: [...subset.labels],
        durationSeconds: round(durationSeconds),
        ...result,
        timing,
      };
      return c.json(body, 200);
    };
    const screened = screenClip(samples, sampleRate, config.minDurationSeconds);
    const load = async () => {
      const loadStart = performance.now();
      const served = await store.load(modelId);
      times.modelLoadMs = performance.now() - loadStart;
      return served;
    };
    // On the hop grid each window is judged on its own, as a stream judges it: only a clip too short to look
    // at is answered before the windows run.
    if (query.hop !== undefined && screened.activity !== null) {
      const result = classifySlidingWindows(await load(), samples, {
        hopSeconds: query.hop,
        attention: query.attention,
        minSeconds: config.minDurationSeconds,
        activity: screened.activity,
      });
      times.featuresMs = result.featuresMs;
      times.inferenceMs = result.inferenceMs;
      const answer = describeClassification(
        subset.labels,
        restrictClassification(result, subset),
        screened.activity,
        'windows',
        slidingAggregation(query.hop),
      );
      if (query.strict && answer.outcome === 'no_speech') {
        throw new ApiError('no_speech', 'expected a window with speech of its own, got none');
      }
      return respond(answer);
    }
    if (screened.answer !== null) {
      if (query.strict && screened.answer.outcome === 'too_short') {
        throw new ApiError(
          'audio_too_short',
          `expected at least ${config.minDurationSeconds} s of audio, got ${seconds(durationSeconds)} s`,
        );
      }
      if (query.strict) {
        throw new ApiError(
          'no_speech',
          `expected at least ${MIN_SPEECH_SECONDS} s of speech, got ${seconds(screened.answer.speechSeconds)} s`,
        );
      }
      return respond(screened.answer);
    }
    const { activity } = screened;
    const result = classifyClip(await load(), samples, {
      attention: query.attention,
      segmentSeconds: query.segment,
      minSegmentSeconds: config.minDurationSeconds,
      activity,
    });
    times.featuresMs = result.featuresMs;
    times.inferenceMs = result.inferenceMs;
    return respond(
      describeClassification(
        subset.labels,
        restrictClassification(result, subset),
        activity,
        query.segment !== undefined ? 'segments' : 'auto',
      ),
    );
  });
}
