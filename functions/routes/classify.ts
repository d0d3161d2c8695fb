import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { UnsupportedContainerError } from '../audio/container.ts';
import { decodeAudio, readAudioInfo } from '../audio/decode.ts';
import { FlacError } from '../audio/flac.ts';
import { MIN_SPEECH_SECONDS } from '../audio/voice-activity.ts';
import { WavError } from '../audio/wav.ts';
import { ApiError, errorDoc, INTERNAL_ERROR_DOC } from '../errors.ts';
import { classifyClip } from '../runtime/classify-clip.ts';
import { describeClassification, round, screenClip, slidingAggregation } from '../runtime/clip-answer.ts';
import { DIMENSIONS_SOURCE } from '../runtime/dimensions.ts';
import type { ModelStore } from '../runtime/model-store.ts';
import { classifySlidingWindows } from '../runtime/sliding-windows.ts';
import { findModel } from './find-model.ts';
import { modelParameter } from './model-parameter.ts';
import { queryFlag } from './query-flag.ts';
import { AUDIO_MEDIA_TYPES, FILE_FIELD, OCTET_STREAM, readUpload } from './read-upload.ts';

/** Shortest `segment` accepted: bounds the work per request to `MAX_DURATION_SECONDS` windows. */
export const MIN_SEGMENT_SECONDS = 1;
const MAX_SEGMENT_SECONDS = 3600;
/** Shortest and longest `hop` (here and in a stream's start message): at most 4 windows per second of audio. */
export const MIN_HOP_SECONDS = 0.25;
export const MAX_HOP_SECONDS = 60;

/** A positive number of seconds given as a query string, within [min, max]. */
const secondsParameter = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, {
      error: (issue) => `expected ${name} to be a number of seconds, got '${issue.input}'`,
    })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: (issue) => `expected ${name} ≥ ${min} s, got ${issue.input}` })
        .max(max, { error: (issue) => `expected ${name} ≤ ${max} s, got ${issue.input}` }),
    )
    .optional();

export const ClassifyQuerySchema = z.object({
  model: modelParameter(),
  segment: secondsParameter('segment', MIN_SEGMENT_SECONDS, MAX_SEGMENT_SECONDS).openapi({
    type: 'number',
    description:
      'Segment length in seconds: cut the clip into segments, each classified from all of its speech like a ' +
      'whole clip, with its own result (the timeline).',
    example: 3,
  }),
  hop: secondsParameter('hop', MIN_HOP_SECONDS, MAX_HOP_SECONDS).openapi({
    type: 'number',
    description:
      "Classify windows of the model's input length every hop seconds from the start, each on its own, as " +
      'GET /v1/stream does live: the timeline has one entry per window and the answer is their aggregate. ' +
      'Not with segment.',
    example: 1,
  }),
  attention: queryFlag('attention').openapi({
    description:
      '1 or true: return attention weights over time (models with an attention layer; null otherwise).',
  }),
  strict: queryFlag('strict').openapi({
    description:
      '1 or true: answer 422 for a clip that is too short or has no speech, instead of a 200 saying so.',
  }),
});

const ProbabilitiesSchema = z
  .record(z.string(), z.number())
  .openapi({ description: 'Probability per label, in label order.', example: { angry: 0.1, happy: 0.7 } });

const TopSchema = z.object({ label: z.string(), confidence: z.number() });

export const DimensionsSchema = z
  .object({
    arousal: z.number().openapi({ description: '−1 (calm, sleepy) … 1 (excited, tense).' }),
    valence: z.number().openapi({ description: '−1 (unpleasant) … 1 (pleasant).' }),
  })
  .openapi('Dimensions', {
    description:
      `Arousal and valence read from the probabilities, not from a model of their own: ${DIMENSIONS_SOURCE}. ` +
      'Null for a model with a label the table lacks.',
  });

export const AttentionSchema = z
  .object({
    startSeconds: z
      .number()
      .openapi({ description: 'Centre of the first weighted time step, from the clip start.' }),
    frameSeconds: z.number().openapi({
      description:
        'Seconds between weights: one input frame, or several where the model pools time before attention.',
    }),
    weights: z.array(z.number()),
  })
  .openapi('Attention', { description: 'Attention over the model time steps that hold audio.' });

const WindowSchema = z
  .object({
    startSeconds: z.number(),
    endSeconds: z.number(),
    speechDetected: z.boolean(),
    speechSeconds: z.number().openapi({
      description:
        'Seconds of speech in the segment or window. An analysis window’s is found on the window alone and is ' +
        'its weight in the clip’s answer.',
    }),
    probabilities: ProbabilitiesSchema.nullable(),
    top: TopSchema.nullable(),
    dimensions: DimensionsSchema.nullable(),
    attention: AttentionSchema.nullable(),
  })
  .openapi('TimelineWindow', {
    description:
      'A segment (with segment), a grid window (with hop) or an analysis window (a clip longer than the model ' +
      'input). Attention is given for a window, or a segment classified as one window.',
  });

const AnalysisSchema = z
  .object({
    windowSeconds: z.number().openapi({ description: "Length of each window: the model's input." }),
    windows: z.number().int().openapi({ description: 'Windows laid over the speech of the clip.' }),
    classifiedWindows: z
      .number()
      .int()
      .openapi({ description: 'Windows with speech of their own: the ones classified and counted.' }),
    classifiedSeconds: z
      .number()
      .openapi({ description: 'Seconds of the clip inside the classified windows (overlaps counted once).' }),
    aggregation: z.string().openapi({ description: 'How the windows’ answers make the clip’s.' }),
  })
  .openapi('Analysis', {
    description:
      'What the answer was computed from. Clips longer than the model input are classified window by window ' +
      'over all of their speech; the windows come back as the timeline.',
  });

export const ClassifyResponseSchema = z
  .object({
    model: z
      .object({ id: z.string(), version: z.string() })
      .openapi({ description: 'The model that answered.' }),
    labels: z.array(z.string()).openapi({ description: "The model's labels, in output order." }),
    outcome: z.enum(['classified', 'no_speech', 'too_short']).openapi({
      description: 'classified, or why no emotion is given (probabilities and top are then null).',
    }),
    speechDetected: z
      .boolean()
      .openapi({ description: 'Energy-based voice activity check on the 16 kHz signal.' }),
    speechSeconds: z
      .number()
      .openapi({ description: 'Seconds of frames the voice activity check found active.' }),
    durationSeconds: z.number().openapi({ description: 'Length of the decoded clip.' }),
    probabilities: ProbabilitiesSchema.nullable().openapi({
      description: 'From every classified window of the clip, as `analysis.aggregation` says.',
    }),
    top: TopSchema.nullable().openapi({ description: 'The most probable label and its probability.' }),
    dimensions: DimensionsSchema.nullable(),
    attention: AttentionSchema.nullable().openapi({
      description:
        'Only with attention=1, without segment or hop, for a clip classified as one window (else see the ' +
        'timeline).',
    }),
    analysis: AnalysisSchema.nullable().openapi({
      description: 'Null when no window ran (too short, or no speech in the clip).',
    }),
    timeline: z
      .array(WindowSchema)
      .nullable()
      .openapi({
        description:
          'With segment: one entry per segment. With hop: one per grid window. Otherwise: one per analysis ' +
          'window when the clip needed more than one, else null.',
      }),
    timing: z
      .object({
        decodeMs: z.number(),
        modelLoadMs: z.number(),
        featuresMs: z.number(),
        inferenceMs: z.number(),
        totalMs: z.number(),
      })
      .openapi({
        description:
          'Milliseconds spent inside the Worker (also sent as Server-Timing). Local workerd only: deployed ' +
          'Workers stop the clock during execution, so these read 0 there.',
      }),
  })
  .openapi('Classification');

export type ClassifyResponse = z.infer<typeof ClassifyResponseSchema>;

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
        'or a bad query value',
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
        labels: metadata.labels,
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
      });
      times.featuresMs = result.featuresMs;
      times.inferenceMs = result.inferenceMs;
      const answer = describeClassification(
        metadata.labels,
        result,
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
        metadata.labels,
        result,
        activity,
        query.segment !== undefined ? 'segments' : 'auto',
      ),
    );
  });
}
