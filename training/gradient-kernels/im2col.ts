import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Visits, for every output position (b, oy, ox) of a 2-D convolution (NHWC, dilation 1), each run of
 * consecutive input values its filter window covers: `length` values of x starting at `input` correspond to
 * the patch row `row` from `offset` (patch layout (fh, fw, inChannel), as the filter's). Padding is skipped.
 */
function forEachPatchRun(
  info: backend_util.Conv2DInfo,
  visit: (input: number, patch: number, length: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const patchSize = filterHeight * filterWidth * inChannels;
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, row++) {
        const x0 = ox * strideWidth - left;
        // The filter columns that land inside x.
        const firstColumn = Math.max(0, -x0);
        const endColumn = Math.min(filterWidth, inWidth - x0);
        if (endColumn <= firstColumn) continue;
        const length = (endColumn - firstColumn) * inChannels;
        for (let fy = 0; fy < filterHeight; fy++) {
          const y = oy * strideHeight - top + fy;
          if (y < 0 || y >= inHeight) continue;
          visit(
            ((b * inHeight + y) * inWidth + x0 + firstColumn) * inChannels,
            row * patchSize + (fy * filterWidth + firstColumn) * inChannels,
            length,
          );
        }
      }
    }
  }
}

/** im2col: patches [positions, fh·fw·inChannels] of x, zeros where the window hangs over the padding. */
export function gatherPatches(
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: BackendWasm,
): TensorInfo {
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const patches = backend.makeOutput(
    [positions, info.filterHeight * info.filterWidth * info.inChannels],
    'float32',
  );
  // Views only after the allocation: growing the wasm memory detaches earlier views.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(patches);
  to.fill(0);
  forEachPatchRun(info, (input, patch, length) => {
    for (let i = 0; i < length; i++) to[patch + i] = from[input + i];
  });
  return patches;
}

/** col2im, the adjoint of gatherPatches: sums every patch value back onto the input position it came from. */
export function scatterPatches(
  patches: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: BackendWasm,
): TensorInfo {
  const dx = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  const from = backend.typedArrayFromHeap(patches);
  const to = backend.typedArrayFromHeap(dx);
  to.fill(0);
  forEachPatchRun(info, (input, patch, length) => {
    for (let i = 0; i < length; i++) to[input + i] += from[patch + i];
  });
  return dx;
}
