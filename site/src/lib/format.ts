/** Number formatting shared by the pages, so a figure reads the same everywhere. */

/** A proportion in [0, 1] as a percentage with one decimal: `0.6234` → `62.3 %`. */
export const formatPercent = (value: number) => `${(value * 100).toFixed(1)} %`;

/** Mean ± standard deviation of proportions, in percentage points: `62.3 ± 4.1 %`. */
export const formatMeanSd = (mean: number, sd: number) =>
  `${(mean * 100).toFixed(1)} ± ${(sd * 100).toFixed(1)} %`;

/** Thousands separated by thin spaces, locale-independent: `12 345`. */
export const formatCount = (value: number) =>
  String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

/** Parameter counts the way papers quote them: `412 k`, `1.3 M`. */
export function formatParameters(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e7 ? 0 : 1)} M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)} k`;
  return String(count);
}

/** Seconds as `2 h 05 min`, `4 min 10 s` or `3.2 s`. */
export function formatDuration(seconds: number): string {
  if (seconds >= 3570) {
    const minutes = Math.round(seconds / 60);
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
  }
  if (seconds >= 59.5) {
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  }
  return `${seconds.toFixed(1)} s`;
}

/** Multiply-accumulates: `7 690 512` → `7.69 M`, `26 135` → `26 k`. */
export const formatMacs = (macs: number) =>
  macs >= 1e6 ? `${(macs / 1e6).toFixed(2)} M` : `${Math.round(macs / 1e3)} k`;

/** Milliseconds, one decimal below 100: `4.43` → `4.4 ms`. */
export const formatMs = (ms: number) => `${ms >= 100 ? Math.round(ms) : ms.toFixed(1)} ms`;

/** Hertz as `120 Hz` or `1.2 kHz`. */
export const formatHz = (hz: number) =>
  hz < 1000 ? `${Math.round(hz)} Hz` : `${(hz / 1000).toFixed(1)} kHz`;
