import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Tile,
  type TileAttrs,
} from '@tensorflow/tfjs-core';
import { tileByBlocks } from './heap-blocks.ts';

/** Tile for wasm by block copies (see tileByBlocks); strings keep the stock kernel. */
export function blockCopyTile(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }) => {
    const { inputs, backend, attrs } = args;
    if (inputs.x.dtype === 'string') return stock.kernelFunc(args as never);
    return tileByBlocks(inputs.x, attrs.reps, backend);
  };
  return { ...stock, kernelName: Tile, kernelFunc: kernelFunc as unknown as KernelFunc };
}
