/**
 * `npm run ensemble -- <config.json> <config.json> [...] [--runs .cache/runs] [--record]`: the cross-validated
 * scores of trained experiments (`npm run train` first: their fold models are read from <runs>/<id>/fold-K/model)
 * and of their equal-weight ensemble (training/ensemble.ts), fold by fold, under the experiments' shared
 * protocol. --record keeps the report in models/ensembles.json, which `npm run results` puts in the README.
 */
import { resolve } from 'node:path';
import '../../core/network/utterance-statistics.ts';
import { meanStd } from '../../core/contracts/ensemble-report.ts';
import {
  type EnsembleReport,
  ensembleExperiments,
  type FoldScores,
  mergeHeldOutReports,
  recordEnsembleReport,
} from '../ensemble.ts';
import { type ExperimentConfig, ExperimentConfigSchema, leavingCorpusOut } from '../experiment.ts';
import { setUpTraining } from './node-training.ts';
import { fail, parseCommandLine } from './parse-args.ts';
import { readExperimentConfig } from './read-config.ts';

const usage =
  'usage: npm run ensemble -- <config.json> <config.json> [...] [--runs .cache/runs] [--held-out-corpus corpus …] ' +
  '[--models-dir models] [--record]';
const RECORD_FILE = 'models/ensembles.json';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '.cache/runs' },
      'held-out-corpus': { type: 'string', multiple: true, default: [] },
      'models-dir': { type: 'string', default: 'models' },
      record: { type: 'boolean', default: false },
    },
  },
  usage,
  {
    summary:
      'Scores trained experiments and their equal-weight ensemble fold by fold, under their shared protocol ' +
      '(train them first: their fold models are read from the runs folder).',
    options: {
      runs: 'the folder holding <id>/fold-K/model of each experiment',
      'held-out-corpus':
        'leave this corpus out (repeat for several; each is a fold): the members are their <id>-loco-<corpus> runs',
      'models-dir':
        'leaving a corpus out, where <id>-loco-<corpus> records are read when the runs folder lacks them',
      record: `keep the report in ${RECORD_FILE}, which npm run results puts in the README`,
    },
  },
);
if (positionals.length < 2) {
  console.error(`expected at least two config files, got ${positionals.length}\n${usage}`);
  process.exit(2);
}
const configs: ExperimentConfig[] = [];
for (const path of positionals) configs.push(await readExperimentConfig(path));
const heldOut = values['held-out-corpus'];
const leaving = heldOut.map((corpus) =>
  configs.map((config) => {
    const parsed = ExperimentConfigSchema.safeParse(leavingCorpusOut(config, corpus));
    if (!parsed.success) fail(`--held-out-corpus ${corpus}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }),
);

await setUpTraining({ prefer: 'wasm' });
const started = Date.now();
try {
  const options = {
    runsDir: resolve(values.runs),
    modelsDir: resolve(values['models-dir']),
    log: (line: string) =>
      console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
  };
  let report: EnsembleReport;
  if (heldOut.length === 0) {
    report = await ensembleExperiments(configs, options);
  } else {
    const reports: EnsembleReport[] = [];
    for (const members of leaving) reports.push(await ensembleExperiments(members, options));
    report = mergeHeldOutReports(reports, heldOut);
  }
  const percent = (value: number) => (100 * value).toFixed(1);
  const row = ({ id, ua }: FoldScores) => {
    const { mean, std } = meanStd(ua);
    return `${percent(mean).padStart(5)} ± ${percent(std).padEnd(5)} ${ua.map(percent).join(' ')}  ${id}`;
  };
  console.log(
    `\nUA % (${report.protocol}, ${report.testClips.length} folds of ${report.testClips.join('/')} test clips; ` +
      `labels ${report.labels.join(', ')}): mean ± sd, then fold by fold` +
      (heldOut.length > 0 ? ` (held out: ${heldOut.join(', ')})` : ''),
  );
  for (const member of report.members) console.log(row(member));
  console.log(row(report.ensemble));
  if (values.record) {
    await recordEnsembleReport(RECORD_FILE, report);
    console.log(`recorded in ${RECORD_FILE} (npm run results puts it in the README)`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
