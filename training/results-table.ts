import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchRecords } from '../core/contracts/bench-record.ts';
import {
  beatsEveryMember,
  type EnsembleReport,
  type FoldScores,
  meanStd,
} from '../core/contracts/ensemble-report.ts';
import { protocolName, type RunRecord } from '../core/contracts/run-record.ts';
import {
  renderDimensionAgreementTable,
  servedDimensionAgreement,
} from '../core/results/dimension-agreement.ts';
import { heldOutRecipes } from '../core/results/held-out-corpora.ts';
import { PAPER_EXPERIMENTS, type PaperExperiment } from '../core/results/papers.ts';
import { COLOUR_BLOCK, NOISE_BLOCK, renderColourTable, renderNoiseTable } from './bench/bench-records.ts';
import { type ReadmeBlock, withGeneratedBlock } from './readme-block.ts';
import { readRunRecord } from './run-record-files.ts';

/** Every `models/<id>/run.json`, sorted by corpus, then protocol, then UA (best first). */
export async function readRunRecords(modelsDir: string): Promise<RunRecord[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  const records: RunRecord[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const path = join(modelsDir, entry.name, 'run.json');
    const exists = await readdir(join(modelsDir, entry.name)).then((files) => files.includes('run.json'));
    if (exists) records.push(await readRunRecord(path));
  }
  return records.sort(
    (a, b) =>
      a.task.corpus.localeCompare(b.task.corpus) ||
      a.task.protocol.localeCompare(b.task.protocol) ||
      b.summary.ua.mean - a.summary.ua.mean,
  );
}

const percent = ({ mean, std }: { mean: number; std: number }) =>
  `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)}`;

const isLeaveOneCorpusOut = (record: RunRecord) => record.task.heldOutCorpus !== undefined;

/** The README's results table: one row per run record (leave-one-corpus-out ones have their own table). */
export function renderResultsTable(records: readonly RunRecord[]): string {
  if (records.length === 0)
    return '_No trained models yet: run `npm run train -- training/configs/<name>.json`._';
  const rows = records
    .filter((record) => !isLeaveOneCorpusOut(record))
    .map((record) => {
      const { task, summary } = record;
      // Protocols that mix speakers say so in their name (random-stratified); others get it added.
      const named = task.speakerIndependent || task.protocol.includes('speaker-dependent');
      const protocol = `${protocolName(task)}${named ? '' : ' (speaker-dependent)'}, ${summary.folds} folds`;
      return [
        `[\`${record.id}\`](models/${record.id}/MODEL_CARD.md)`,
        task.corpus,
        `${task.labels.length}`,
        protocol,
        percent(summary.ua),
        percent(summary.wa),
        percent(summary.macroF1),
        record.parameters.toLocaleString('en'),
        record.inference ? (record.inference.macs / 1e6).toFixed(2) : '–',
        record.inference ? record.inference.msPerClip.median.toFixed(1) : '–',
      ];
    });
  const header = [
    'model',
    'corpus',
    'classes',
    'protocol',
    'UA %',
    'WA %',
    'macro-F1 %',
    'parameters',
    'M MACs / clip',
    'ms / clip',
  ];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * The README's leave-one-corpus-out table: per recipe, one row per held-out corpus (the labels scored, chance
 * UA over them, UA and WA), then their mean and the lowest UA as a multiple of its chance.
 */
export function renderLeaveOneCorpusOutTable(records: readonly RunRecord[]): string {
  const recipes = heldOutRecipes(records);
  if (recipes.length === 0) {
    return '_No leave-one-corpus-out runs yet: `npm run train -- <config.json> --held-out-corpus <corpus>`._';
  }
  const rows = recipes.flatMap(({ recipe, runs, meanUa, lowestChanceMultiple, speakerNormalised }) => {
    const uas = meanStd(runs.map((run) => run.ua));
    const meanChance = runs.reduce((sum, run) => sum + run.chance, 0) / runs.length;
    const name = `\`${recipe}\`${speakerNormalised ? ' (per-speaker normalisation)' : ''}`;
    return [
      ...runs.map((run) => [
        name,
        `[${run.corpus}](models/${run.model}/MODEL_CARD.md)`,
        `${run.labels.length}: ${run.labels.join(', ')}`,
        (100 * run.chance).toFixed(1),
        (100 * run.ua).toFixed(1),
        (100 * run.wa).toFixed(1),
      ]),
      [
        name,
        `**mean of ${runs.length}**`,
        '',
        (100 * meanChance).toFixed(1),
        `**${(100 * meanUa).toFixed(1)} ± ${(100 * uas.std).toFixed(1)}**`,
        `lowest UA ${lowestChanceMultiple.toFixed(2)} × its chance`,
      ],
    ];
  });
  const header = ['recipe', 'held-out corpus', 'labels scored', 'chance UA %', 'UA %', 'WA %'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The README's ensembles table: one row per recorded ensemble, its members' scores and its own. */
export function renderEnsemblesTable(reports: readonly EnsembleReport[]): string {
  if (reports.length === 0) return '_No ensembles recorded yet: `npm run ensemble -- … --record`._';
  const score = (scores: FoldScores) => percent(meanStd(scores.ua));
  const rows = reports.map((report) => {
    const up = beatsEveryMember(report);
    return [
      report.members.map((member) => `\`${member.id}\``).join(' + '),
      `${report.protocol}, ${report.testClips.length} folds`,
      report.members.map(score).join('; '),
      `**${score(report.ensemble)}**${up ? ' (every fold above every member)' : ''}`,
    ];
  });
  const header = ['members', 'protocol', 'members’ UA %', 'ensemble UA %'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export const RESULTS_BLOCK: ReadmeBlock = {
  start: '<!-- results:start (generated by `npm run results` from models/*/run.json) -->',
  end: '<!-- results:end -->',
};

export const LEAVE_ONE_CORPUS_OUT_BLOCK: ReadmeBlock = {
  start: '<!-- loco:start (generated by `npm run results` from models/*-loco-*/run.json) -->',
  end: '<!-- loco:end -->',
};

export const ENSEMBLES_BLOCK: ReadmeBlock = {
  start: '<!-- ensembles:start (generated by `npm run results` from models/ensembles.json) -->',
  end: '<!-- ensembles:end -->',
};

/**
 * The README's papers table: per paper experiment (core/results/papers.ts), the reported figure and protocol, ours
 * under the paper's protocol and speaker-independently (accuracy, as the papers report, then UA), and why
 * they differ.
 */
export function renderPapersTable(
  records: readonly RunRecord[],
  experiments: readonly PaperExperiment[],
): string {
  const byId = new Map(records.map((record) => [record.id, record]));
  const ours = (id: string | null) => {
    const record = id === null ? undefined : byId.get(id);
    if (id === null) return 'not run yet';
    if (record === undefined) return `\`${id}\` not trained yet`;
    return (
      `[${(100 * record.summary.wa.mean).toFixed(1)} %](models/${id}/MODEL_CARD.md) ` +
      `(UA ${(100 * record.summary.ua.mean).toFixed(1)} %; ${record.task.protocol}, \`${id}\`)`
    );
  };
  const rows = experiments.map((experiment) =>
    [
      `${experiment.paper}: ${experiment.title}`,
      experiment.experiment,
      `${(100 * experiment.reported.value).toFixed(1)} % ${experiment.reported.metric === 'WA' ? 'WA' : 'accuracy'} on ${experiment.reported.corpus} (${experiment.reported.protocol})`,
      ours(experiment.ours.paperProtocol),
      ours(experiment.ours.speakerIndependent),
      experiment.why,
    ].join(' | '),
  );
  return [
    '| paper | experiment | paper reports | ours, paper’s protocol | ours, speaker-independent | why they differ |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

export const DIMENSIONS_BLOCK: ReadmeBlock = {
  start: "<!-- dimensions:start (generated by `npm run results` from the served model's run records) -->",
  end: '<!-- dimensions:end -->',
};

export const PAPERS_BLOCK: ReadmeBlock = {
  start:
    '<!-- papers:start (generated by `npm run results` from core/results/papers.ts and models/*/run.json) -->',
  end: '<!-- papers:end -->',
};

/**
 * Every generated table of the README, rewritten from the run records, the ensembles, the recorded benches and
 * the served model.
 */
export function withGeneratedTables(
  readme: string,
  inputs: {
    records: readonly RunRecord[];
    ensembles: readonly EnsembleReport[];
    benches: BenchRecords;
    servedId: string | null;
  },
): string {
  const { records, ensembles, benches, servedId } = inputs;
  const dimensions = servedId === null ? [] : servedDimensionAgreement(records, servedId);
  const blocks: [ReadmeBlock, string][] = [
    [RESULTS_BLOCK, renderResultsTable(records)],
    [LEAVE_ONE_CORPUS_OUT_BLOCK, renderLeaveOneCorpusOutTable(records)],
    [ENSEMBLES_BLOCK, renderEnsemblesTable(ensembles)],
    [PAPERS_BLOCK, renderPapersTable(records, PAPER_EXPERIMENTS)],
    [DIMENSIONS_BLOCK, renderDimensionAgreementTable(dimensions)],
    [NOISE_BLOCK, renderNoiseTable(benches.noise, servedId)],
    [COLOUR_BLOCK, renderColourTable(benches.colour, servedId)],
  ];
  return blocks.reduce((text, [block, table]) => withGeneratedBlock(text, block, table), readme);
}
