/**
 * Per-step training time on wasm at the serving shape (batch 32 × 188 frames × 40 dims), through the real
 * trainer: `node training/gradient-kernels/bench-train-step.ts [--stock] [architecture …]`. `--stock` skips the
 * kernels of this folder (run it in its own process: registration cannot be undone). The first epoch warms
 * up and is not counted. CPU time is reported next to wall time because the machine may be shared.
 */
import { initTrainingBackend } from '../backend.ts';
import { type Architecture, resolveModelConfig } from '../models/index.ts';
import { createRandom } from '../random.ts';
import { TrainingConfigSchema, trainFold } from '../trainer.ts';

const [frames, dims, batch, steps] = [188, 40, 32, 4];
const stock = process.argv.includes('--stock');
const architectures = process.argv.slice(2).filter((arg) => !arg.startsWith('--')) as Architecture[];

await initTrainingBackend({ prefer: 'wasm', improvedKernels: !stock });
const random = createRandom(1);
const count = batch * steps;
const train = {
  features: Float32Array.from({ length: count * frames * dims }, () => random.normal()),
  labels: Array.from({ length: count }, (_, i) => i % 7),
  frames,
  dims,
  bands: dims,
};
const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
for (const architecture of architectures.length > 0
  ? architectures
  : (['attention-blstm'] as Architecture[])) {
  const cpu: number[] = [];
  let last = process.cpuUsage();
  try {
    const result = await trainFold({
      model: resolveModelConfig({ architecture }),
      training: TrainingConfigSchema.parse({ epochs: 2, batchSize: batch, noiseStd: 0 }),
      labels,
      train,
      onEpochEnd: () => {
        const usage = process.cpuUsage(last);
        cpu.push((usage.user + usage.system) / 1000);
        last = process.cpuUsage();
      },
    });
    const wall = (result.history[1].seconds * 1000) / steps;
    console.log(
      `${architecture} ${stock ? 'stock' : 'improved'} kernels: ${wall.toFixed(0)} ms wall, ` +
        `${(cpu[1] / steps).toFixed(0)} ms CPU per step of ${batch} × ${frames} × ${dims}`,
    );
    result.model.dispose();
  } catch (error) {
    console.log(
      `${architecture} ${stock ? 'stock' : 'improved'} kernels: failed: ${(error as Error).message}`,
    );
  }
}
