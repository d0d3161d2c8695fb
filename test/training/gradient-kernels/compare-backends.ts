import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRandom } from '../../../training/random.ts';

/** Runs `compute` on `backend` and returns every output's values (inputs must be created inside it). */
export async function valuesOn(
  backend: 'wasm' | 'cpu',
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`expected backend ${backend} to initialise`);
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const values = outputs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outputs);
  return values;
}

/** Largest |a − b| over all outputs; throws if the outputs differ in number or length. */
export function maxAbsDifference(a: Float32Array[], b: Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`expected ${a.length} outputs, got ${b.length}`);
  let max = 0;
  a.forEach((values, i) => {
    if (values.length !== b[i].length)
      throw new Error(`expected ${values.length} values, got ${b[i].length}`);
    for (let j = 0; j < values.length; j++) max = Math.max(max, Math.abs(values[j] - b[i][j]));
  });
  return max;
}

/** Seeded uniform values in [-1, 1) for a tensor of `shape`. */
export function uniformValues(shape: number[], seed: number): Float32Array {
  const random = createRandom(seed);
  const size = shape.reduce((product, d) => product * d, 1);
  return Float32Array.from({ length: size }, () => 2 * random.next() - 1);
}

/** Convolutions whose gradients the conv backprop kernels are checked on (Conv1D runs as Conv2D in tfjs). */
export const CONV_CASES: {
  name: string;
  x: number[];
  filter: number[];
  conv: (x: tf.Tensor, filter: tf.Tensor) => tf.Tensor;
}[] = [
  ...(
    [
      ['3×3 stride 1 same', [3, 3, 3, 4], 1, 'same'],
      ['3×3 stride 2 valid', [3, 3, 3, 4], 2, 'valid'],
      ['5×3 stride 1 valid', [5, 3, 3, 2], 1, 'valid'],
      ['5×3 stride [2, 1] same', [5, 3, 3, 2], [2, 1], 'same'],
      ['3×3 stride 3 same', [3, 3, 3, 2], 3, 'same'],
      [
        '2×2 explicit padding',
        [2, 2, 3, 2],
        1,
        [
          [0, 0],
          [1, 0],
          [2, 1],
          [0, 0],
        ],
      ],
    ] as const
  ).map(([name, filter, strides, pad]) => ({
    name: `Conv2D ${name}`,
    x: [2, 9, 7, 3],
    filter: [...filter],
    conv: (x: tf.Tensor, f: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides as [number, number], pad as 'same'),
  })),
  ...(
    [
      [1, 'same'],
      [2, 'valid'],
      [2, 'same'],
    ] as const
  ).map(([stride, pad]) => ({
    name: `Conv1D kernel 5 stride ${stride} ${pad}`,
    x: [2, 20, 5],
    filter: [5, 5, 6],
    conv: (x: tf.Tensor, f: tf.Tensor) => tf.conv1d(x as tf.Tensor3D, f as tf.Tensor3D, stride, pad),
  })),
];

/** Forward output and the gradient w.r.t. `input` ('x' or 'filter') of Σ w·conv(x, filter) for a seeded w. */
export function convGradient(
  convCase: (typeof CONV_CASES)[number],
  input: 'x' | 'filter',
): () => tf.Tensor[] {
  const xValues = uniformValues(convCase.x, 1);
  const filterValues = uniformValues(convCase.filter, 2);
  return () => {
    const x = tf.tensor(xValues, convCase.x);
    const filter = tf.tensor(filterValues, convCase.filter);
    const out = convCase.conv(x, filter);
    const weights = tf.tensor(uniformValues(out.shape, 3), out.shape);
    const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(convCase.conv(a, b), weights)),
    )([x, filter]);
    return [out, input === 'x' ? dx : dFilter];
  };
}
