/**
 * The contract of `POST /v1/classify`: its query and its answer, one zod schema each for validation, types and
 * the OpenAPI document (functions/routes/classify.ts serves it; the typed client and the demo read it).
 */
import { z } from 'zod';
import { labelsParameter } from './labels-parameter.ts';
import { modelParameter } from './model-parameter.ts';
import { queryFlag } from './query-flag.ts';

/** Where arousal and valence come from (core/serving/dimensions.ts computes them). */
export const DIMENSIONS_SOURCE =
  'NRC VAD Lexicon v1 (Mohammad, ACL 2018): each label scored as its emotion noun, rescaled to −1…1; ' +
  "the clip's value is the expectation under its probabilities";

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
  labels: labelsParameter(),
  segment: secondsParameter('segment', MIN_SEGMENT_SECONDS, MAX_SEGMENT_SECONDS).meta({
    type: 'number',
    description:
      'Segment length in seconds: cut the clip into segments, each classified from all of its speech like a ' +
      'whole clip, with its own result (the timeline).',
    example: 3,
  }),
  hop: secondsParameter('hop', MIN_HOP_SECONDS, MAX_HOP_SECONDS).meta({
    type: 'number',
    description:
      "Classify windows of the model's input length every hop seconds from the start (each start moved back " +
      'by under 80 ms onto the frames it shares with its neighbours), each classified on its own, as ' +
      'GET /v1/stream does live: the timeline has one entry per window and the answer is their aggregate. ' +
      'Not with segment.',
    example: 1,
  }),
  attention: queryFlag('attention').meta({
    description:
      '1 or true: return attention weights over time (models with an attention layer; null otherwise).',
  }),
  strict: queryFlag('strict').meta({
    description:
      '1 or true: answer 422 for a clip that is too short or has no speech, instead of a 200 saying so.',
  }),
});

const ProbabilitiesSchema = z
  .record(z.string(), z.number())
  .meta({ description: 'Probability per label, in label order.', example: { angry: 0.1, happy: 0.7 } });

const TopSchema = z.object({ label: z.string(), confidence: z.number() });

export const DimensionsSchema = z
  .object({
    arousal: z.number().meta({ description: '−1 (calm, sleepy) … 1 (excited, tense).' }),
    valence: z.number().meta({ description: '−1 (unpleasant) … 1 (pleasant).' }),
  })
  .meta({
    id: 'Dimensions',
    description:
      `Arousal and valence read from the probabilities, not from a model of their own: ${DIMENSIONS_SOURCE}. ` +
      'Null for a model with a label the table lacks. How well they agree with held-out clips (Pearson r and mean ' +
      "error of the true label's values against the predicted label's, per record of the served model, unseen " +
      'speakers and unseen corpora): the API page of the site, /api/#dimension-agreement.',
  });

export const AttentionSchema = z
  .object({
    startSeconds: z
      .number()
      .meta({ description: 'Centre of the first weighted time step, from the clip start.' }),
    frameSeconds: z.number().meta({
      description:
        'Seconds between weights: one input frame, or several where the model pools time before attention.',
    }),
    weights: z.array(z.number()),
  })
  .meta({ id: 'Attention', description: 'Attention over the model time steps that hold audio.' });

export const WindowSchema = z
  .object({
    startSeconds: z.number(),
    endSeconds: z.number(),
    speechDetected: z.boolean(),
    speechSeconds: z.number().meta({
      description:
        'Seconds of speech in the segment or window. An analysis window’s is found on the window alone and is ' +
        'its weight in the clip’s answer.',
    }),
    probabilities: ProbabilitiesSchema.nullable(),
    top: TopSchema.nullable(),
    dimensions: DimensionsSchema.nullable(),
    attention: AttentionSchema.nullable(),
  })
  .meta({
    id: 'TimelineWindow',
    description:
      'A segment (with segment), a grid window (with hop) or an analysis window (a clip longer than the model ' +
      'input). Attention is given for a window, or a segment classified as one window.',
  });

export const AnalysisSchema = z
  .object({
    windowSeconds: z.number().meta({ description: "Length of each window: the model's input." }),
    windows: z.number().int().meta({ description: 'Windows laid over the speech of the clip.' }),
    classifiedWindows: z
      .number()
      .int()
      .meta({ description: 'Windows with speech of their own: the ones classified and counted.' }),
    classifiedSeconds: z
      .number()
      .meta({ description: 'Seconds of the clip inside the classified windows (overlaps counted once).' }),
    aggregation: z.string().meta({ description: 'How the windows’ answers make the clip’s.' }),
  })
  .meta({
    id: 'Analysis',
    description:
      'What the answer was computed from. Clips longer than the model input are classified window by window ' +
      'over all of their speech; the windows come back as the timeline.',
  });

export const ClassifyResponseSchema = z
  .object({
    model: z
      .object({ id: z.string(), version: z.string() })
      .meta({ description: 'The model that answered.' }),
    labels: z.array(z.string()).meta({
      description:
        "The labels answered over, in the model's output order: all of them, or those asked for with labels.",
    }),
    outcome: z.enum(['classified', 'no_speech', 'too_short']).meta({
      description: 'classified, or why no emotion is given (probabilities and top are then null).',
    }),
    speechDetected: z
      .boolean()
      .meta({ description: 'Energy-based voice activity check on the 16 kHz signal.' }),
    speechSeconds: z
      .number()
      .meta({ description: 'Seconds of frames the voice activity check found active.' }),
    durationSeconds: z.number().meta({ description: 'Length of the decoded clip.' }),
    probabilities: ProbabilitiesSchema.nullable().meta({
      description: 'From every classified window of the clip, as `analysis.aggregation` says.',
    }),
    top: TopSchema.nullable().meta({ description: 'The most probable label and its probability.' }),
    dimensions: DimensionsSchema.nullable(),
    // A component's own description stands in the document: a wrapper's would replace its $ref by a copy.
    /** Only with attention=1, without segment or hop, for a clip classified as one window (else see the timeline). */
    attention: AttentionSchema.nullable(),
    /** Null when no window ran (too short, or no speech in the clip). */
    analysis: AnalysisSchema.nullable(),
    timeline: z
      .array(WindowSchema)
      .nullable()
      .meta({
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
      .meta({
        description:
          'Milliseconds spent inside the Worker (also sent as Server-Timing). Local workerd only: deployed ' +
          'Workers stop the clock during execution, so these read 0 there.',
      }),
  })
  .meta({ id: 'Classification' });

export type ClassifyResponse = z.infer<typeof ClassifyResponseSchema>;
