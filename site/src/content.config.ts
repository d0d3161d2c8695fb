import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';
import { DatasetsSummarySchema } from '../../core/contracts/datasets-summary.ts';
import { EnsembleReportSchema } from '../../core/contracts/ensemble-report.ts';
import { ModelMetadataSchema, ModelRegistrySchema } from '../../core/contracts/model-metadata.ts';
import { RunRecordSchema } from '../../core/contracts/run-record.ts';
import { SweepRecordSchema } from '../../core/contracts/sweep-record.ts';
import { modelsBase } from './lib/content/models-base.ts';

// Everything here is read from the models folder at build time and validated: a file that does not match
// its schema fails the build, naming the file and the field.
const base = modelsBase();
const folderId = ({ entry }: { entry: string }) => entry.split('/')[0];

export const collections = {
  runs: defineCollection({
    loader: glob({ base, pattern: '*/run.json', generateId: folderId }),
    schema: RunRecordSchema,
  }),
  metadata: defineCollection({
    loader: glob({ base, pattern: '*/metadata.json', generateId: folderId }),
    schema: ModelMetadataSchema,
  }),
  modelCards: defineCollection({
    loader: glob({ base, pattern: '*/MODEL_CARD.md', generateId: folderId }),
  }),
  /** Which models the Worker serves (models/registry.json): a model folder alone does not make a model served. */
  registry: defineCollection({
    loader: glob({ base, pattern: 'registry.json' }),
    schema: ModelRegistrySchema,
  }),
  /** models/ensembles.json: every recorded ensemble, with its members' and its own UA per fold. */
  ensembles: defineCollection({
    loader: glob({ base, pattern: 'ensembles.json' }),
    schema: z.array(EnsembleReportSchema),
  }),
  /** models/<id>-sweep/sweep.json: every hyper-parameter sweep (`npm run sweep`). */
  sweeps: defineCollection({
    loader: glob({ base, pattern: '*/sweep.json', generateId: folderId }),
    schema: SweepRecordSchema,
  }),
  datasets: defineCollection({
    loader: glob({ base, pattern: 'datasets.json' }),
    schema: DatasetsSummarySchema,
  }),
};
