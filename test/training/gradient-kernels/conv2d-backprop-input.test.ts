import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { CONV_CASES, convGradient, maxAbsDifference, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('conv2DBackpropInputCol2Im on wasm', () => {
  for (const convCase of CONV_CASES) {
    it(`matches cpu for the input gradient of ${convCase.name}`, async () => {
      const compute = convGradient(convCase, 'x');
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-5);
    });
  }
});
