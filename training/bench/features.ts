/**
 * Front-end speed: decode a 3 s 48 kHz stereo WAV (downmix + resample to 16 kHz included), alone and followed
 * by the `logmel40` and `full` feature sets, once with the TypeScript loops and once with the front end's wasm
 * SIMD kernels (downmix, resampler and frame features, as the Worker registers them); then each feature set on its own
 * both ways, the utterance front end's steps one by one, and the pitch tracker of the `+pitch` sets alone
 * (TypeScript only). Target: ≤ 2 ms per clip in total.
 * Run: npm run bench:features [-- runs]   (default 200 runs after 30 warm-up runs)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { decodeAudio } from '../../core/audio/decode.ts';
import { createFeatureExtractor, FEATURE_SET_NAMES } from '../../core/audio/feature-set.ts';
import { useSpectrumKernels } from '../../core/audio/frame-features.ts';
import { highPass } from '../../core/audio/high-pass.ts';
import { createPitchTracker } from '../../core/audio/pitch.ts';
import { useResampleKernels } from '../../core/audio/resample.ts';
import {
  DEFAULT_UTTERANCE_CONFIG,
  findSpeechFrames,
  prepareUtterance,
  scaleToSpeechLevel,
  standardiseOver,
} from '../../core/audio/utterance.ts';
import { detectVoiceActivity } from '../../core/audio/voice-activity.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { loadResampleKernels, loadSpectrumKernels } from '../../core/kernels/load-node.ts';
import { parseCommandLine } from '../cli/parse-args.ts';
import { createRandom } from '../random.ts';
import { timeRuns } from '../timing.ts';

const usage = 'usage: npm run bench:features [-- runs]';
const { positionals } = parseCommandLine({ allowPositionals: true, options: {} }, usage, {
  summary:
    'Front-end speed of a 3 s 48 kHz stereo clip: decoding, each feature set and the pitch tracker, with the ' +
    'TypeScript loops and with the wasm kernels; `runs` timed runs each (default 200) after 30 warm-up runs.',
  options: {},
});
const RUNS = Number(positionals[0] ?? 200);
// The table prints 95th percentiles, which fewer runs would leave to a handful of samples.
if (!(Number.isInteger(RUNS) && RUNS >= 100 && positionals.length <= 1)) {
  console.error(`expected at most one whole number of runs ≥ 100, got ${positionals.join(' ')}\n${usage}`);
  process.exit(2);
}
const WARM_UP = 30;

/** 3 s of a gliding harmonic tone with vibrato plus a little noise, different in each channel. */
function stereoClip(rate: number, seconds: number): Float32Array[] {
  const random = createRandom(42);
  return [0, 1].map((channel) =>
    Float32Array.from({ length: rate * seconds }, (_, i) => {
      const t = i / rate;
      const f0 = 140 + 40 * t + 5 * Math.sin(2 * Math.PI * 5 * t);
      let x = 0;
      for (let h = 1; h <= 8; h++) x += (0.25 / h) * Math.sin(2 * Math.PI * h * f0 * t + channel);
      return x + 0.01 * (2 * random.next() - 1);
    }),
  );
}

/** Timings in ms of `runs` calls after warming up. */
function time(runs: number, fn: () => unknown): number[] {
  return timeRuns(fn, runs, WARM_UP);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const row = (label: string, sorted: number[]) =>
  `${label.padEnd(48)} ${quantile(sorted, 0.5).toFixed(3).padStart(8)} ${quantile(sorted, 0.95).toFixed(3).padStart(8)} ${sorted[0].toFixed(3).padStart(8)}`;

const wav = encodeWav(stereoClip(48000, 3), 48000);
const full = createFeatureExtractor('full');
const logmel = createFeatureExtractor('logmel40');
const decoded = decodeAudio(wav).samples;

console.log(`3 s 48 kHz stereo 16-bit WAV (${wav.length} bytes) → ${decoded.length} samples at 16 kHz`);
console.log(
  `${RUNS} runs each; load average ${loadavg()[0].toFixed(2)} (shared machine: medians move with it)`,
);
console.log(`${'ms per clip'.padEnd(48)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'min'.padStart(8)}`);
const kernels = { resample: loadResampleKernels(), spectrum: loadSpectrumKernels() };
const paths = [
  ['JS', false],
  ['wasm', true],
] as const;
/** Registers the front end's wasm kernels, or none (the TypeScript loops). */
const useKernels = (wasm: boolean) => {
  useResampleKernels(wasm ? kernels.resample : null);
  useSpectrumKernels(wasm ? kernels.spectrum : null);
};
for (const [name, wasm] of paths) {
  useKernels(wasm);
  console.log(
    row(
      `decodeAudio alone (${name})`,
      time(RUNS, () => decodeAudio(wav)),
    ),
  );
  console.log(
    row(
      `decodeAudio + logmel40 (${name})`,
      time(RUNS, () => logmel.extract(decodeAudio(wav).samples)),
    ),
  );
  console.log(
    row(
      `decodeAudio + full (${name})`,
      time(RUNS, () => full.extract(decodeAudio(wav).samples)),
    ),
  );
}
// serving-v2's front end: its log-mel config, plain and through the utterance front end (high-pass, speech
// frames, level, per-clip standardisation, silence cut), on the kernels the Worker uses.
useKernels(true);
const servingLogmel = createFeatureExtractor('logmel40', { fmin: 60, fmax: 7000, noiseFloorDb: -65 });
console.log(
  row(
    'serving-v2 logmel40, plain (wasm)',
    time(RUNS, () => servingLogmel.extract(decoded)),
  ),
);
console.log(
  row(
    'serving-v2 logmel40 + utterance front end (wasm)',
    time(RUNS, () => prepareUtterance(decoded, servingLogmel, DEFAULT_UTTERANCE_CONFIG)),
  ),
);
// Its steps one by one (what a served window pays, #12), and the window's own speech check that decides its vote,
// on 3 s of the committed speech clip: the synthetic tone above has no syllables, so voice activity would time its
// fallback for clipped speech instead of the path speech takes.
const speech = decodeAudio(
  readFileSync(new URL('../../test/fixtures/audio/speech.wav', import.meta.url)),
).samples;
const speechWindow = speech.subarray(0, Math.min(speech.length, 3 * 16000));
const filtered = highPass(speechWindow, 16000, DEFAULT_UTTERANCE_CONFIG.highPassHz);
const { mask, meanSquare } = findSpeechFrames(filtered, servingLogmel);
const frames = servingLogmel.extract(filtered);
console.log(
  row(
    'the same on 3 s of speech (its steps below)',
    time(RUNS, () => prepareUtterance(speechWindow, servingLogmel, DEFAULT_UTTERANCE_CONFIG)),
  ),
);
const steps: [string, () => unknown][] = [
  ['high-pass', () => highPass(speechWindow, 16000, DEFAULT_UTTERANCE_CONFIG.highPassHz)],
  ['speech frames and their level', () => findSpeechFrames(filtered, servingLogmel)],
  ['copying and scaling to speech level', () => scaleToSpeechLevel(filtered.slice(), meanSquare)],
  ['standardisation', () => standardiseOver(frames, mask, 'overall')],
  ["window's own voice activity", () => detectVoiceActivity(speechWindow, 16000)],
];
for (const [step, fn] of steps) console.log(row(`  step: ${step} (wasm)`, time(RUNS, fn)));
for (const set of FEATURE_SET_NAMES) {
  const extractor = createFeatureExtractor(set);
  for (const [name, wasm] of paths) {
    useKernels(wasm);
    console.log(
      row(
        `features only: ${set} (${extractor.dims}, ${name})`,
        time(RUNS, () => extractor.extract(decoded)),
      ),
    );
  }
}
useKernels(false);
const { config } = full;
const pitch = createPitchTracker({
  sampleRate: config.sampleRate,
  hop: config.hop,
  fmin: config.pitchFmin,
  fmax: config.pitchFmax,
  voicingThreshold: config.voicingThreshold,
  noiseFloorDb: config.noiseFloorDb,
});
console.log(
  row(
    'pitch tracker alone (f0 + voicing)',
    time(RUNS, () => pitch.track(decoded)),
  ),
);
