import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import type { ServedModel } from '../../../core/serving/model-store.ts';
import { classifySlidingWindows } from '../../../core/serving/sliding-windows.ts';
import { createStreamSession } from '../../../core/serving/stream-session.ts';
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

/** The clip as a stream takes it: float32 in frames of `frame` samples, then the end. */
function streamed(samples: Float32Array, frame: number, hopSeconds: number) {
  const session = createStreamSession(served, {
    sampleRate: 16_000,
    format: 'float32',
    hopSeconds,
    attention: false,
    minSeconds: 0.5,
    maxSeconds: 600,
  });
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const windows = [];
  for (let at = 0; at < bytes.length; at += frame * 4)
    windows.push(...session.push(bytes.subarray(at, at + frame * 4)));
  return [...windows, ...session.end()];
}

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
        const live = streamed(samples, 1_237, hopSeconds);
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
