import { describe, expect, it } from 'vitest';
import { loadLstmKernels } from '../../../core/kernels/load-node.ts';
import type { LstmRecurrenceShape } from '../../../core/kernels/lstm-kernels.ts';
import { createRandom } from '../../../training/random.ts';

const kernels = loadLstmKernels();

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const hardSigmoid = (x: number) => Math.min(1, Math.max(0, 0.2 * x + 0.5));

/** Textbook LSTM in float64, written for clarity: the oracle the wasm kernel is checked against. */
function referenceForward(
  xw: ArrayLike<number>,
  r: ArrayLike<number>,
  shape: LstmRecurrenceShape,
): Float64Array {
  const { batch, steps, units, goBackwards } = shape;
  const gate = shape.gateActivation === 'sigmoid' ? sigmoid : hardSigmoid;
  const outputs = new Float64Array(batch * steps * units);
  for (let b = 0; b < batch; b++) {
    let h = new Float64Array(units);
    const c = new Float64Array(units);
    for (let s = 0; s < steps; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      const next = new Float64Array(units);
      for (let u = 0; u < units; u++) {
        const z = [0, 1, 2, 3].map((g) => {
          let sum = xw[(b * steps + t) * 4 * units + g * units + u];
          for (let k = 0; k < units; k++) sum += h[k] * r[k * 4 * units + g * units + u];
          return sum;
        });
        c[u] = gate(z[1]) * c[u] + gate(z[0]) * Math.tanh(z[2]);
        next[u] = gate(z[3]) * Math.tanh(c[u]);
        outputs[(b * steps + s) * units + u] = next[u];
      }
      h = next;
    }
  }
  return outputs;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

function randomArray(length: number, scale: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.normal() * scale);
}

const shapes: LstmRecurrenceShape[] = [
  { batch: 3, steps: 7, units: 8, goBackwards: false, gateActivation: 'sigmoid' },
  { batch: 2, steps: 5, units: 4, goBackwards: true, gateActivation: 'sigmoid' },
  { batch: 1, steps: 6, units: 12, goBackwards: false, gateActivation: 'hardSigmoid' },
  { batch: 4, steps: 4, units: 8, goBackwards: true, gateActivation: 'hardSigmoid' },
];

describe('wasm LSTM kernels', () => {
  for (const shape of shapes) {
    const direction = shape.goBackwards ? ', backwards' : '';
    const label = `${shape.batch}×${shape.steps}×${shape.units}, ${shape.gateActivation}${direction}`;
    const sequence = shape.batch * shape.steps * shape.units;
    const xw = randomArray(4 * sequence, 1.5, 1);
    const r = randomArray(4 * shape.units * shape.units, 0.5, 2);

    it(`forward matches a float64 reference (${label})`, () => {
      const expected = referenceForward(xw, r, shape);
      const { outputs, saved } = kernels.forward(xw, r, shape, false);
      expect(saved).toBeNull();
      expect(outputs).toHaveLength(sequence);
      const worst = Math.max(...outputs.map((v, i) => Math.abs(v - expected[i])));
      expect(worst).toBeLessThanOrEqual(1e-5);
    });

    it(`backward gives the directional derivatives of the reference (${label})`, () => {
      // Loss L = Σ outputs ⊙ weights; compare ∇L·v with central differences of the float64 reference.
      const weights = randomArray(sequence, 1, 3);
      const { saved } = kernels.forward(xw, r, shape, true);
      if (saved == null) throw new Error('expected saved state, got null');
      const { dxw, dRecurrentKernel } = kernels.backward(saved, weights);
      const loss = (x: ArrayLike<number>, k: ArrayLike<number>) =>
        dot(referenceForward(x, k, shape), weights);
      const epsilon = 1e-6;
      const along = (values: Float32Array, step: Float32Array, sign: number) =>
        Float64Array.from(values, (v, i) => v + sign * epsilon * step[i]);
      for (let trial = 0; trial < 3; trial++) {
        const vx = randomArray(xw.length, 1, 10 + trial);
        const vr = randomArray(r.length, 1, 20 + trial);
        const numericX = (loss(along(xw, vx, 1), r) - loss(along(xw, vx, -1), r)) / (2 * epsilon);
        const numericR = (loss(xw, along(r, vr, 1)) - loss(xw, along(r, vr, -1))) / (2 * epsilon);
        expect(Math.abs(dot(dxw, vx) - numericX)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(numericX)));
        expect(Math.abs(dot(dRecurrentKernel, vr) - numericR)).toBeLessThanOrEqual(
          1e-4 * Math.max(1, Math.abs(numericR)),
        );
      }
    });
  }

  it('saving for backward does not change the outputs', () => {
    const shape = shapes[0];
    const xw = randomArray(4 * shape.batch * shape.steps * shape.units, 1, 4);
    const r = randomArray(4 * shape.units * shape.units, 0.5, 5);
    expect(kernels.forward(xw, r, shape, true).outputs).toEqual(kernels.forward(xw, r, shape, false).outputs);
  });

  it('reuses its memory: no growth across calls of the same size', () => {
    const shape: LstmRecurrenceShape = {
      batch: 2,
      steps: 50,
      units: 16,
      goBackwards: false,
      gateActivation: 'sigmoid',
    };
    const xw = randomArray(4 * 2 * 50 * 16, 1, 6);
    const r = randomArray(4 * 16 * 16, 0.5, 7);
    const run = () => {
      const { saved } = kernels.forward(xw, r, shape, true);
      if (saved) kernels.backward(saved, new Float32Array(2 * 50 * 16).fill(1));
    };
    run();
    const bytes = kernels.memoryBytes();
    for (let i = 0; i < 10; i++) run();
    expect(kernels.memoryBytes()).toBe(bytes);
  });

  it('rejects shapes it cannot run, saying what it expected', () => {
    const shape: LstmRecurrenceShape = {
      batch: 1,
      steps: 2,
      units: 6,
      goBackwards: false,
      gateActivation: 'sigmoid',
    };
    expect(() => kernels.forward(new Float32Array(48), new Float32Array(144), shape, false)).toThrow(
      'expected units to be a multiple of 4, got 6',
    );
    const four = { ...shape, units: 4 };
    expect(() => kernels.forward(new Float32Array(10), new Float32Array(64), four, false)).toThrow(
      'expected xw of 32 floats, got 10',
    );
    expect(() =>
      kernels.forward(new Float32Array(32), new Float32Array(64), { ...four, steps: 0 }, false),
    ).toThrow('expected steps ≥ 1, got 0');
  });
});
