/**
 * `npm run evaluate -- models/<id> --corpus <id> --data <folder> [--json out.json] [--fold-test-speakers] [--snr DB]`:
 * scores a saved model on a corpus folder through the serving path (core/serving: the model store's
 * front end, prepareModelInput and the network, one clip at a time as POST /v1/classify does) and says which
 * protocol the numbers belong to, from the model's run.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_TARGET_RATE } from '../../core/audio/decode.ts';
import { detectVoiceActivity } from '../../core/audio/voice-activity.ts';
import type { RunRecord } from '../../core/contracts/run-record.ts';
import { useFrontEndKernels } from '../../core/kernels/load-node.ts';
import { classifyClip } from '../../core/serving/classify-clip.ts';
import { createModelStore, type ModelStore } from '../../core/serving/model-store.ts';
import { CORPUS_IDS, type CorpusId } from '../corpora/labels.ts';
import { loadCorpus } from '../corpora/load.ts';
import { NOISE_COLOURS, type NoiseColour, withNoise } from '../evaluation/added-noise.ts';
import { evaluate, type Metrics } from '../evaluation/metrics.ts';
import { speakerId } from '../evaluation/splits.ts';
import { seedOf } from '../experiment.ts';
import { createRandom } from '../random.ts';
import { readRunRecord } from '../run-record-files.ts';
import { readModelFolder } from './model-folder.ts';
import { prepareTfjsFallback } from './node-training.ts';
import { fail, parseCommandLine } from './parse-args.ts';

const usage =
  'usage: npm run evaluate -- models/<id> --corpus <' +
  CORPUS_IDS.join('|') +
  '> --data <corpus folder> [--json out.json] [--fold-test-speakers] [--first-seconds S] ' +
  '[--snr DB [--noise white|brown] [--seed N]]';

const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      corpus: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'string' },
      'fold-test-speakers': { type: 'boolean', default: false },
      'first-seconds': { type: 'string' },
      snr: { type: 'string' },
      noise: { type: 'string' },
      seed: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      "Scores a model folder on a corpus folder (any official layout, any rate), clip by clip through the Worker's " +
      'windowing, and says which protocol the numbers belong to (held-out corpus, speaker-dependent, fold test speakers).',
    options: {
      corpus: 'the corpus the folder holds, for its layout and labels (required)',
      data: 'the corpus folder to score (required)',
      json: 'also write the scores and per-clip answers to this file',
      'fold-test-speakers':
        "score only fold 1's test speakers, whom the shipped fold-1 weights never trained on",
      'first-seconds':
        'classify only the first S seconds of each clip from its first speech (short utterances; 0.5–60)',
      snr: "add noise DB below each clip's speech level first (−10 to 60 dB): a noisy room or microphone",
      noise: 'the added noise: white (hiss) or brown (rumble; default white)',
      seed: 'seed of the added noise (default 1); each clip draws its own from it and its path',
    },
  },
);
if (positionals.length !== 1) fail(`expected one model folder, got ${positionals.length}\n${usage}`);
const corpus = values.corpus as CorpusId | undefined;
if (corpus === undefined || !CORPUS_IDS.includes(corpus)) {
  fail(
    `expected --corpus to be one of ${CORPUS_IDS.join(', ')}, got ${values.corpus ?? 'nothing'}\n${usage}`,
  );
}
if (values.data === undefined) fail(`expected --data <corpus folder>, got nothing\n${usage}`);
const dataPath = values.data;

/** Which evaluation protocol the scores belong to, as far as the model's run.json tells. */
interface Protocol {
  kind: 'held-out-corpus' | 'speaker-dependent' | 'fold-test-speakers' | 'unknown';
  /** True when no evaluated speaker was in training or validation; null when it cannot be checked. */
  speakerIndependent: boolean | null;
  statement: string;
  /** With `fold-test-speakers`: the only speakers (`corpus:speaker`) evaluated. */
  speakers: string[] | null;
}

/** run.ts writes this note when the shipped weights are those of the first cross-validation fold. */
const FOLD_ONE_NOTE = "The shipped weights are fold 1's model";

function protocolOf(run: RunRecord | null, foldTestSpeakers: boolean): Protocol {
  if (run === null) {
    if (foldTestSpeakers) fail('expected run.json in the model folder for --fold-test-speakers, got none');
    return {
      kind: 'unknown',
      speakerIndependent: null,
      statement:
        'UNKNOWN: the model folder has no run.json, so whether these speakers were in training cannot be checked',
      speakers: null,
    };
  }
  // A leave-one-corpus-out record lists its held-out corpus among its corpora, but never trained on it.
  const trained = run.task.corpus.split('+').filter((name) => name !== run.task.heldOutCorpus);
  if (!trained.includes(corpus as string)) {
    if (foldTestSpeakers) {
      fail(`--fold-test-speakers applies to a training corpus (${run.task.corpus}), got ${corpus}`);
    }
    return {
      kind: 'held-out-corpus',
      speakerIndependent: true,
      statement: `held-out corpus: ${corpus} is not in the model's training data (${trained.join('+')})`,
      speakers: null,
    };
  }
  const foldOne = run.notes.some((note) => note.startsWith(FOLD_ONE_NOTE));
  if (!foldTestSpeakers) {
    return {
      kind: 'speaker-dependent',
      speakerIndependent: false,
      statement:
        `WARNING: these speakers were in training — speaker-dependent, optimistic (run.json: trained on ` +
        `${run.task.corpus}${foldOne ? "; the shipped weights are fold 1's, so --fold-test-speakers gives a speaker-independent score" : ''})`,
      speakers: null,
    };
  }
  if (!foldOne) {
    fail(
      `expected run.json notes to say "${FOLD_ONE_NOTE}" for --fold-test-speakers, got: ` +
        (run.notes.length > 0 ? run.notes.join(' | ') : 'no notes'),
    );
  }
  const speakers = run.splits.folds[0].speakers.test.filter((id) => id.startsWith(`${corpus}:`));
  if (speakers.length === 0) fail(`expected fold 1 to test some ${corpus} speakers, got none in run.json`);
  return {
    kind: 'fold-test-speakers',
    speakerIndependent: true,
    statement:
      `speaker-independent: fold 1's test speakers only (${speakers.join(', ')}), held out from the ` +
      `shipped weights' training and validation`,
    speakers,
  };
}

const modelFolder = resolve(positionals[0]);
const modelId = basename(modelFolder);
const files = await readModelFolder(modelFolder).catch((error: Error) => fail(error.message));
// Decoding (downmix, resampling) and features run through the same SIMD kernels the Worker uses.
useFrontEndKernels();
let store: ModelStore;
try {
  // The serving model store validates metadata.json and builds the front end the Worker would.
  store = createModelStore(
    { registry: { default: modelId, models: [modelId] }, models: { [modelId]: files } },
    {
      prepareBackend: () => prepareTfjsFallback(),
    },
  );
} catch (error) {
  fail((error as Error).message);
}
const entry = store.find(modelId);
if (entry === undefined) fail(`expected the model store to serve '${modelId}', got nothing`);
const { labels } = entry.metadata;
if (entry.extractor.config.sampleRate !== DEFAULT_TARGET_RATE) {
  fail(
    `expected a model whose features run at ${DEFAULT_TARGET_RATE} Hz (the rate corpora are decoded to), ` +
      `got ${entry.extractor.config.sampleRate} Hz`,
  );
}

const runPath = join(modelFolder, 'run.json');
const run = await readRunRecord(runPath).catch((error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') return null;
  return fail(
    error instanceof SyntaxError ? `expected ${runPath} to be JSON, got: ${error.message}` : error.message,
  );
});
const protocol = protocolOf(run, values['fold-test-speakers']);
const firstSeconds = values['first-seconds'] === undefined ? null : Number(values['first-seconds']);
if (firstSeconds !== null && !(firstSeconds >= 0.5 && firstSeconds <= 60)) {
  fail(`expected --first-seconds from 0.5 to 60, got ${values['first-seconds']}\n${usage}`);
}

const snrDb = values.snr === undefined ? null : Number(values.snr);
if (snrDb !== null && !(snrDb >= -10 && snrDb <= 60)) {
  fail(`expected --snr from -10 to 60 dB, got ${values.snr}\n${usage}`);
}
const colour = (values.noise ?? 'white') as NoiseColour;
if (!NOISE_COLOURS.includes(colour)) {
  fail(`expected --noise ${NOISE_COLOURS.join(' or ')}, got ${values.noise}\n${usage}`);
}
const noiseSeed = values.seed === undefined ? 1 : Number(values.seed);
if (!(Number.isInteger(noiseSeed) && noiseSeed >= 0)) {
  fail(`expected --seed to be an integer ≥ 0, got ${values.seed}\n${usage}`);
}
if (snrDb === null && (values.noise !== undefined || values.seed !== undefined)) {
  fail(`expected --noise and --seed only with --snr, got them without\n${usage}`);
}
const noiseStatement =
  snrDb === null
    ? null
    : `${colour} noise added at ${snrDb} dB below each clip's speech level (seed ${noiseSeed})`;

/** The clip from its first speech frame, at most `firstSeconds` long (the whole clip without the option). */
function cutToFirstSpeech(samples: Float32Array, sampleRate: number): Float32Array {
  if (firstSeconds === null) return samples;
  const { active, hopSeconds } = detectVoiceActivity(samples, sampleRate);
  const from = Math.round(Math.max(0, active.indexOf(1)) * hopSeconds * sampleRate);
  return samples.subarray(from, Math.min(samples.length, from + Math.round(firstSeconds * sampleRate)));
}
const served = await store.load(modelId).catch((error: Error) => fail(error.message));

interface ItemResult {
  file: string;
  speaker: string;
  truth: string;
  predicted: string;
  probabilities: number[];
}

const results: ItemResult[] = [];
const leftOut = new Map<string, number>();
const leaveOut = (reason: string) => leftOut.set(reason, (leftOut.get(reason) ?? 0) + 1);
const started = performance.now();
let featuresMs = 0;
let inferenceMs = 0;
const loaded = await loadCorpus(dataPath, {
  corpus,
  onAudio: (item, audio) => {
    if (!labels.includes(item.canonical)) {
      leaveOut(`label ${item.canonical} is not among the model's labels`);
      return;
    }
    if (protocol.speakers !== null && !protocol.speakers.includes(speakerId(item))) {
      leaveOut("speaker is not among fold 1's test speakers");
      return;
    }
    // All of the clip's speech, window by window: what POST /v1/classify does without `segment`.
    const clean = cutToFirstSpeech(audio.samples, audio.sampleRate);
    const samples =
      snrDb === null
        ? clean
        : withNoise(
            clean,
            audio.sampleRate,
            snrDb,
            colour,
            createRandom(seedOf(`${noiseSeed}:${item.relativePath}`)),
          );
    const outcome = classifyClip(served, samples, { attention: false });
    featuresMs += outcome.featuresMs;
    inferenceMs += outcome.inferenceMs;
    const { probabilities } = outcome;
    if (probabilities === null) {
      leaveOut('no speech found (the API answers no_speech)');
      return;
    }
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    results.push({
      file: item.relativePath,
      speaker: item.speaker,
      truth: item.canonical,
      predicted: labels[best],
      probabilities: Array.from(probabilities),
    });
  },
}).catch((error: Error) => fail(error.message));

const total = loaded.items.length;
if (results.length === 0) {
  fail(
    `expected at least one ${loaded.name} clip with a label among the model's (${labels.join(', ')}), ` +
      `got 0 of ${total}`,
  );
}
const metrics: Metrics = evaluate(
  labels,
  results.map((result) => labels.indexOf(result.truth)),
  results.map((result) => labels.indexOf(result.predicted)),
);

const percent = (value: number | null) => (value === null ? '—' : (100 * value).toFixed(1));
const table = (rows: string[][]) => {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))),
    )
    .map((row) => row.join('  '))
    .join('\n');
};
const present = metrics.perClass.filter((row) => row.support > 0).length;

console.log(
  `model ${modelId} ${entry.metadata.version} (${entry.metadata.architecture}; labels ${labels.join(', ')})`,
);
console.log(`corpus ${corpus}, ${loaded.name}, at ${dataPath}: ${total} clips, layout ${loaded.layout}`);
console.log(`protocol: ${protocol.statement}`);
if (firstSeconds !== null) console.log(`each clip cut to its first ${firstSeconds} s from its first speech`);
if (noiseStatement !== null) console.log(noiseStatement);
console.log(`evaluated ${results.length} of ${total} clips`);
for (const [reason, count] of leftOut) console.log(`left out ${count}: ${reason}`);
if (loaded.skipped.length > 0) {
  console.log(
    `skipped ${loaded.skipped.length} files the loader could not use (first: ${loaded.skipped[0].file}, ${loaded.skipped[0].reason})`,
  );
}
for (const warning of loaded.warnings) console.log(`warning: ${warning}`);
console.log('');
console.log(
  `UA ${percent(metrics.ua)} %  WA ${percent(metrics.wa)} %  macro-F1 ${percent(metrics.macroF1)} %  ` +
    `(chance UA ${percent(1 / present)} %: ${present} classes present` +
    `${present < labels.length ? `, the model chooses among ${labels.length}` : ''})`,
);
console.log('');
console.log(
  table([
    ['class', 'precision', 'recall', 'F1', 'support', 'predicted'],
    ...metrics.perClass.map((row) => [
      row.label,
      percent(row.precision),
      percent(row.recall),
      percent(row.f1),
      String(row.support),
      String(row.predicted),
    ]),
  ]),
);
console.log('');
console.log('confusion matrix (rows true, columns predicted)');
console.log(
  table([
    ['true \\ predicted', ...labels],
    ...metrics.confusion.counts.map((row, index) => [labels[index], ...row.map(String)]),
  ]),
);
console.log('');
console.log(
  `${results.length} clips in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
    `(features ${(featuresMs / 1000).toFixed(1)} s, network ${(inferenceMs / 1000).toFixed(1)} s)`,
);

if (values.json !== undefined) {
  const report = {
    model: { id: modelId, version: entry.metadata.version, labels },
    corpus: { id: corpus, name: loaded.name, path: dataPath, clips: total },
    protocol: {
      kind: protocol.kind,
      speakerIndependent: protocol.speakerIndependent,
      statement: protocol.statement,
    },
    firstSeconds,
    noise: snrDb === null ? null : { colour, snrDb, seed: noiseSeed },
    evaluated: results.length,
    leftOut: [...leftOut].map(([reason, count]) => ({ reason, count })),
    skipped: loaded.skipped,
    metrics,
    items: results,
  };
  await mkdir(dirname(resolve(values.json)), { recursive: true });
  await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.json}`);
}
