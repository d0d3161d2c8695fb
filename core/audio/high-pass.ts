/**
 * Second-order Butterworth high-pass (bilinear transform, cut-off pre-warped), run causally in float64.
 * It takes out DC offsets and rumble below the voice before features and speech detection, so that neither a
 * microphone's offset nor a room's hum marks where a clip was recorded.
 */
export function highPass(samples: Float32Array, sampleRate: number, cutoffHz: number): Float32Array {
  if (!(sampleRate > 0))
    throw new RangeError(`high-pass: expected a positive sample rate, got ${sampleRate}`);
  if (!(cutoffHz > 0 && cutoffHz < sampleRate / 2)) {
    throw new RangeError(`high-pass: expected a cut-off in (0, ${sampleRate / 2}) Hz, got ${cutoffHz}`);
  }
  const k = Math.tan((Math.PI * cutoffHz) / sampleRate);
  const norm = 1 / (1 + Math.SQRT2 * k + k * k);
  const b0 = norm;
  const b1 = -2 * norm;
  const a1 = 2 * (k * k - 1) * norm;
  const a2 = (1 - Math.SQRT2 * k + k * k) * norm;
  const out = new Float32Array(samples.length);
  // Direct form II transposed: two state values, no history buffers. They start as if the first sample had
  // always been there, so a recording that starts on a DC offset does not start with a step.
  const first = samples.length > 0 ? samples[0] : 0;
  let s1 = -b0 * first;
  let s2 = b0 * first;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b0 * x - a2 * y;
    out[i] = y;
  }
  return out;
}
