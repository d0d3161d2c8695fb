/**
 * The 2-D layers of the CNN and hybrid networks (training/models/cnn.ts): Conv2D as im2col rows through the
 * dense kernel (one WebAssembly SIMD call, as Conv1D), MaxPooling2D and the global 2-D poolings as loops.
 * Values are [height, width, channels] (channels last), as tfjs's defaults.
 */
import type { NetworkKernels } from '../kernels/network-kernels.ts';
import { denseOp, expectRank } from './layer-ops.ts';
import { type LayerSpec, type Step, Unsupported } from './network-types.ts';
import { activationOf, requiredWeight, weightOf } from './saved-model.ts';

/** A config entry Keras stores as one number or a pair (height, width). */
function pair(layer: LayerSpec, config: Record<string, unknown>, key: string): [number, number] {
  const value = config[key];
  const both = Array.isArray(value) ? value : [value, value];
  if (both.length !== 2 || !both.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) {
    throw new Unsupported(
      `layer '${layer.name}': expected ${key} as one or two positive integers, got ${JSON.stringify(value)}`,
    );
  }
  return both as [number, number];
}

function expectChannelsLast(layer: LayerSpec, config: Record<string, unknown>): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw new Unsupported(`layer '${layer.name}': expected channels last, got ${String(config.dataFormat)}`);
  }
}

export function conv2d(
  layer: LayerSpec,
  config: Record<string, unknown>,
  network: NetworkKernels,
): Step['run'] {
  const [kh, kw] = pair(layer, config, 'kernelSize');
  const strides = pair(layer, config, 'strides');
  const dilation = pair(layer, config, 'dilationRate');
  const { padding } = config;
  expectChannelsLast(layer, config);
  if (
    strides.some((s) => s !== 1) ||
    dilation.some((d) => d !== 1) ||
    (padding !== 'same' && padding !== 'valid')
  ) {
    throw new Unsupported(
      `layer '${layer.name}': expected strides 1, dilation 1 and 'same' or 'valid' padding, got ${strides}, ${dilation}, ${String(padding)}`,
    );
  }
  const kernel = requiredWeight(layer, 'kernel');
  const bias = weightOf(layer, 'bias');
  const filters = Number(config.filters);
  const channels = kernel.length / (kh * kw * filters);
  // The kernel is [kh, kw, channels, filters]: row (i, j, c) of a dense kernel over im2col rows in that order.
  const apply = denseOp(network, kernel, bias, kh * kw * channels, filters, activationOf(layer, config));
  // TensorFlow's 'same' puts the odd padding sample after the signal, on both axes.
  const top = padding === 'same' ? Math.floor((kh - 1) / 2) : 0;
  const left = padding === 'same' ? Math.floor((kw - 1) / 2) : 0;
  return ([x]) => {
    expectRank(layer.name, x, 3);
    const [height, width, depth] = x.shape;
    if (depth !== channels)
      throw new Error(`compiled network: '${layer.name}' expected ${channels} channels, got ${depth}`);
    const rows = padding === 'same' ? height : height - kh + 1;
    const columns = padding === 'same' ? width : width - kw + 1;
    if (rows < 1 || columns < 1)
      throw new Error(`compiled network: '${layer.name}' got [${height}, ${width}], smaller than its kernel`);
    const patch = kh * kw * channels;
    const patches = new Float32Array(rows * columns * patch);
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < columns; col++) {
        const base = (r * columns + col) * patch;
        for (let i = 0; i < kh; i++) {
          const y = r + i - top;
          if (y < 0 || y >= height) continue;
          for (let j = 0; j < kw; j++) {
            const xPos = col + j - left;
            if (xPos < 0 || xPos >= width) continue;
            const from = (y * width + xPos) * channels;
            patches.set(x.data.subarray(from, from + channels), base + (i * kw + j) * channels);
          }
        }
      }
    }
    return [{ data: apply(patches, rows * columns, patch), shape: [rows, columns, filters] }];
  };
}

export function maxPooling2d(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const [ph, pw] = pair(layer, config, 'poolSize');
  const [sh, sw] = config.strides == null ? [ph, pw] : pair(layer, config, 'strides');
  expectChannelsLast(layer, config);
  if (config.padding !== 'valid') {
    throw new Unsupported(`layer '${layer.name}': expected 'valid' padding, got ${String(config.padding)}`);
  }
  return ([x]) => {
    expectRank(layer.name, x, 3);
    const [height, width, channels] = x.shape;
    const rows = Math.floor((height - ph) / sh) + 1;
    const columns = Math.floor((width - pw) / sw) + 1;
    const out = new Float32Array(rows * columns * channels).fill(Number.NEGATIVE_INFINITY);
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < columns; col++) {
        const at = (r * columns + col) * channels;
        for (let i = 0; i < ph; i++) {
          for (let j = 0; j < pw; j++) {
            const from = ((r * sh + i) * width + col * sw + j) * channels;
            for (let c = 0; c < channels; c++) out[at + c] = Math.max(out[at + c], x.data[from + c]);
          }
        }
      }
    }
    return [{ data: out, shape: [rows, columns, channels] }];
  };
}

/** Mean or maximum of every channel over height and width. */
export function globalPooling2d(
  layer: LayerSpec,
  config: Record<string, unknown>,
  max: boolean,
): Step['run'] {
  expectChannelsLast(layer, config);
  return ([x]) => {
    expectRank(layer.name, x, 3);
    const [height, width, channels] = x.shape;
    const cells = height * width;
    const out = new Float32Array(channels).fill(max ? Number.NEGATIVE_INFINITY : 0);
    for (let cell = 0; cell < cells; cell++) {
      for (let c = 0; c < channels; c++) {
        const value = x.data[cell * channels + c];
        out[c] = max ? Math.max(out[c], value) : out[c] + value;
      }
    }
    if (!max) for (let c = 0; c < channels; c++) out[c] /= cells;
    return [{ data: out, shape: [channels] }];
  };
}
