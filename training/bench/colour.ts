/**
 * Whether a model's answer survives a microphone's colour, over many clips instead of the invariance suite's one:
 * espeak-ng speaks sentences in several voices (16 kHz, 16-bit, by sox), sox makes a darker (`bass +N treble −N`)
 * and a brighter (`bass −N treble +N`) copy of each, and every model classifies all three through `npm run
 * classify` (the Worker's front end, networks and whole-clip rule). Prints, per model and colour, how many clips
 * keep their top label and how far the probabilities move.
 *
 *   npm run bench:colour [-- models/<id> …] [--db 6] [--record]
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ColourBench } from '../../core/contracts/bench-record.ts';
import { ModelRegistrySchema } from '../../core/contracts/model-metadata.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';
import { gitState } from '../run-record-files.ts';
import { BENCH_RECORDS_PATH, readBenchRecords, recordColourBench } from './bench-records.ts';

const usage = 'usage: npm run bench:colour [-- models/<id> …] [--db 6] [--record]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: { db: { type: 'string', default: '6' }, record: { type: 'boolean', default: false } },
  },
  usage,
  {
    summary:
      "Top-label agreement and probability change of each model between espeak-ng clips and sox's darker and " +
      'brighter copies of them (default models: those models/registry.json serves).',
    options: {
      db: 'shelf gain in dB of the colour (1–12): bass and treble moved that far, in opposite ways',
      record: `keep each model's result in ${BENCH_RECORDS_PATH} (the README's table, by npm run results)`,
    },
  },
);
const db = Number(values.db);
if (!(db >= 1 && db <= 12)) fail(`expected --db from 1 to 12, got ${values.db}\n${usage}`);
// A records file that cannot take the result is named before the clips are spoken, not after.
if (values.record) await readBenchRecords().catch((error: Error) => fail(error.message));

const VOICES = ['en', 'en-us', 'en-gb+f3', 'en+m3', 'en-us+f2'];
const SENTENCES = [
  'You did that again? This is wonderful news.',
  'I told you not to touch my things, get out now.',
  'Nobody came to the party and I stayed home alone.',
  'What was that noise? Is somebody in the house?',
  'The meeting starts at nine tomorrow in room four.',
];
const COLOURS = [
  ['darker', ['bass', `${db}`, 'treble', `${-db}`]],
  ['brighter', ['bass', `${-db}`, 'treble', `${db}`]],
] as const;
const CLASSIFY = fileURLToPath(new URL('../cli/classify.ts', import.meta.url));
const run = promisify(execFile);

const models =
  positionals.length > 0
    ? positionals
    : ModelRegistrySchema.parse(JSON.parse(await readFile('models/registry.json', 'utf8'))).models.map((id) =>
        join('models', id),
      );

const scratch = await mkdtemp(join(tmpdir(), 'bench-colour-'));
const folders = ['original', ...COLOURS.map(([name]) => name)];
for (const folder of folders) await mkdir(join(scratch, folder));
const tool = async (command: string, args: string[]) => {
  await run(command, args).catch((error: Error & { code?: string; stderr?: string }) =>
    fail(
      error.code === 'ENOENT'
        ? `expected ${command} on the PATH (Debian: apt-get install ${command}), got none`
        : `${command} ${args.join(' ')}: ${error.stderr ?? error.message}`,
    ),
  );
};
let clip = 0;
for (const voice of VOICES) {
  for (const sentence of SENTENCES) {
    clip++;
    const name = `clip-${String(clip).padStart(2, '0')}.wav`;
    const spoken = join(scratch, `spoken-${name}`);
    const original = join(scratch, 'original', name);
    await tool('espeak-ng', ['-v', voice, '-w', spoken, sentence]);
    await tool('sox', [spoken, '-r', '16000', '-b', '16', original]);
    // -G guards against clipping the boosted band.
    for (const [colour, effect] of COLOURS)
      await tool('sox', ['-G', original, join(scratch, colour, name), ...effect]);
  }
}

interface Answer {
  top: { label: string } | null;
  probabilities: Record<string, number> | null;
}

/** The model's answers for one folder, in file order. */
async function answers(model: string, folder: string): Promise<Answer[]> {
  const { stdout } = await run(
    process.execPath,
    [CLASSIFY, join(scratch, folder), '--json', '--model', model],
    {
      maxBuffer: 1 << 24,
    },
  ).catch((error: Error & { stderr?: string }) => fail(`${model}: ${error.stderr ?? error.message}`));
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Answer);
}

console.log(
  `${clip} espeak-ng clips (${VOICES.length} voices × ${SENTENCES.length} sentences), darker and brighter by ±${db} dB ` +
    "shelves (sox's bass at 100 Hz and treble at 3 kHz)",
);
const header = ['model', 'colour', 'top label kept', 'mean max |Δp|', 'worst max |Δp|'];
const rows: string[][] = [];
const git = gitState(process.cwd());
for (const model of models) {
  const reference = await answers(model, 'original');
  const colours: ColourBench['colours'] = [];
  for (const [colour] of COLOURS) {
    const coloured = await answers(model, colour);
    let kept = 0;
    const moves = coloured.map((answer, index) => {
      const before = reference[index];
      if (answer.top?.label === before.top?.label) kept++;
      const labels = Object.keys(before.probabilities ?? {});
      return Math.max(
        0,
        ...labels.map((label) =>
          Math.abs((answer.probabilities?.[label] ?? 0) - (before.probabilities?.[label] ?? 0)),
        ),
      );
    });
    const meanMaxChange = moves.reduce((sum, move) => sum + move, 0) / moves.length;
    const worstMaxChange = Math.max(...moves);
    colours.push({ colour, kept, meanMaxChange, worstMaxChange });
    rows.push([
      basename(model),
      colour,
      `${kept} / ${coloured.length}`,
      meanMaxChange.toFixed(3),
      worstMaxChange.toFixed(3),
    ]);
  }
  if (values.record) {
    const { id } = JSON.parse(await readFile(join(model, 'metadata.json'), 'utf8')) as { id: string };
    const createdAt = new Date().toISOString();
    await recordColourBench({ model: id, db, clips: reference.length, colours, git, createdAt });
  }
}
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => row[column].length)),
);
for (const row of [header, ...rows])
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
await rm(scratch, { recursive: true, force: true });
