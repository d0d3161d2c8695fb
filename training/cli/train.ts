/**
 * `npm run train -- <config.json> [--ship all-speakers] [--models-dir dir]`: runs one experiment
 * (training/configs/*.json) and writes models/<id>/ (or <dir>/<id>/, for trials that should not be shipped). Interrupted runs resume from .cache/runs/<id>/ when started again with the same config.
 */
import { resolve } from 'node:path';
import {
  createNetworkCompiler,
  loadLstmKernels,
  useFrontEndKernels,
} from '../../functions/kernels/load-node.ts';
import { registerFastRecurrentLayers } from '../../functions/model/fast-lstm.ts';
import { initTrainingBackend } from '../backend.ts';
import { runExperiment } from '../run.ts';
import { registerTfjsGradients } from '../tfjs-node.ts';
import { parseCommandLine } from './parse-args.ts';
import { readExperimentConfig } from './read-config.ts';

const usage =
  'usage: npm run train -- <config.json> [--ship fold-1|all-speakers] [--models-dir models] [--stock-lstm]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      ship: { type: 'string', default: 'fold-1' },
      'models-dir': { type: 'string', default: 'models' },
      'stock-lstm': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  },
  usage,
);
if (values.help || positionals.length !== 1) {
  console.error(values.help ? usage : `expected one config file, got ${positionals.length}\n${usage}`);
  process.exit(values.help ? 0 : 2);
}
if (values.ship !== 'fold-1' && values.ship !== 'all-speakers') {
  console.error(`expected --ship fold-1 or all-speakers, got '${values.ship}'\n${usage}`);
  process.exit(2);
}

const configPath = resolve(positionals[0]);
const config = await readExperimentConfig(configPath);
if (values.ship === 'all-speakers' && config.validationSpeakers === 0) {
  // The final model's epoch is chosen on them, and they are the unseen speakers its attention examples come from.
  console.error(
    `expected validationSpeakers ≥ 1 with --ship all-speakers, got 0 in ${configPath}: the final model keeps ` +
      'the epoch that does best on them',
  );
  process.exit(2);
}

await registerTfjsGradients();
const backend = await initTrainingBackend();
const lstm = loadLstmKernels();
if (!values['stock-lstm']) {
  registerFastRecurrentLayers(lstm);
  backend.customKernels.push('LSTM (fused recurrence, functions/model/fast-lstm.ts)');
}
// Decoding (downmix, resampling) and features run through the same SIMD kernels the Worker uses.
useFrontEndKernels();
console.log(
  `backend ${backend.name} ${backend.versions.backend} (SIMD ${backend.simd}); kernels: ${backend.customKernels.join(', ')}`,
);
const started = Date.now();
await runExperiment(config, {
  modelsDir: resolve(values['models-dir']),
  cacheDir: resolve('.cache/runs'),
  ship: values.ship,
  backend,
  compileNetwork: createNetworkCompiler(lstm),
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`),
});
