import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import type { ServedModel } from '../../../core/serving/model-store.ts';
import { classifySlidingWindows } from '../../../core/serving/sliding-windows.ts';
import { createStreamSession, type SampleFormat } from '../../../core/serving/stream-session.ts';
import { concat } from '../../fixtures/audio/synthetic.ts';
import { createFixtureStore, FIXTURE_MODELS_DIR } from '../../fixtures/models/fixture-store.ts';
import { readModelSource } from '../../fixtures/models/read-models.ts';

// The fixture network with the utterance front end switched on, so that its windows share feature frames as the
// served models' do.
const source = readModelSource(FIXTURE_MODELS_DIR);
const files = source.models['tiny-blstm'];
const store = createFixtureStore({
  ...source,
  models: {
    ...source.models,
    'tiny-blstm': {
      ...files,
      metadata: {
        ...(files.metadata as object),
        utterance: { highPassHz: 80, trimMarginSeconds: 0.1, centre: 'overall', spread: 'utterance' },
      },
    },
  },
});
const speech = decodeAudio(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url))).samples;
let served: ServedModel;

beforeAll(async () => {
  served = await store.load('tiny-blstm');
});

/** The samples' bytes as a client sends them in `format`, little-endian. */
function encoded(samples: Float32Array, format: SampleFormat): Uint8Array {
  if (format === 'float32') return new Uint8Array(samples.slice().buffer);
  const ints = Int16Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32768))));
  return new Uint8Array(ints.buffer);
}

/** Bytes as a stream takes them: in frames of `frameBytes` bytes (a sample may straddle two), then the end. */
function streamedBytes(bytes: Uint8Array, frameBytes: number, hopSeconds: number, format: SampleFormat) {
  const session = createStreamSession(served, {
    sampleRate: 16_000,
    format,
    hopSeconds,
    attention: false,
    minSeconds: 0.5,
    maxSeconds: 600,
  });
  const windows = [];
  for (let at = 0; at < bytes.length; at += frameBytes)
    windows.push(...session.push(bytes.subarray(at, at + frameBytes)));
  return [...windows, ...session.end()];
}

/** The clip as a stream takes it, encoded in `format`. */
const streamed = (
  samples: Float32Array,
  frameBytes: number,
  hopSeconds: number,
  format: SampleFormat = 'float32',
) => streamedBytes(encoded(samples, format), frameBytes, hopSeconds, format);

describe('a stream and POST ?hop= on the same audio', () => {
  it('give the same windows and probabilities to the bit, for clips shorter than a window and longer', () => {
    const window = served.metadata.inputFrames - 1;
    const long = concat(speech, speech, speech);
    for (const length of [Math.round(0.7 * 16_000), window * 256, window * 256 + 1, long.length]) {
      const samples = long.slice(0, length);
      for (const hopSeconds of [0.5, 1]) {
        const posted = classifySlidingWindows(served, samples, {
          hopSeconds,
          attention: false,
          minSeconds: 0.5,
        });
        const live = streamed(samples, 1_237 * 4, hopSeconds);
        const postedWindows = posted.segments.flatMap((segment) => segment.windows);
        expect(live.map((w) => [w.startSeconds, w.endSeconds])).toEqual(
          postedWindows.map((w) => [w.startSeconds, w.endSeconds]),
        );
        live.forEach((w, index) => {
          expect(w.prediction?.probabilities).toEqual(postedWindows[index].prediction?.probabilities);
        });
      }
    }
  });
});

describe('a stream decodes its frames', () => {
  it.each(['float32', 'pcm16'] as const)('%s split mid-sample as the same bytes in one frame', (format) => {
    const samples = concat(speech, speech).slice(0, 5 * 16_000);
    const whole = streamed(samples, 5 * 16_000 * 4, 1, format);
    expect(whole.length).toBeGreaterThan(1);
    for (const frameBytes of [1, 3, 1_001]) {
      const split = streamed(samples, frameBytes, 1, format);
      expect(split.map((w) => w.prediction?.probabilities)).toEqual(
        whole.map((w) => w.prediction?.probabilities),
      );
    }
  });

  it('pcm16 as the WAV decoder scales it', () => {
    const samples = speech.slice(0, 3 * 16_000);
    // A 16-bit WAV file read by the decoder POST /v1/classify uses, and its samples' bytes streamed.
    const file = encodeWav(samples, 16_000);
    const wav = classifySlidingWindows(served, decodeAudio(file).samples, {
      hopSeconds: 1,
      attention: false,
      minSeconds: 0.5,
    });
    const live = streamedBytes(file.subarray(file.length - 2 * samples.length), 4_001, 1, 'pcm16');
    expect(live.map((w) => w.prediction?.probabilities)).toEqual(
      wav.segments.flatMap((segment) => segment.windows).map((w) => w.prediction?.probabilities),
    );
  });
});
