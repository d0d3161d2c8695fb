/**
 * Colour scales that stay readable for colour-blind readers: viridis for magnitudes (perceptually uniform,
 * monotonic in lightness, so it also survives greyscale printing) and Okabe–Ito for categories.
 */

/** Viridis sampled at 11 evenly spaced points (matplotlib's values); interpolated linearly in between. */
const VIRIDIS = [
  '#440154',
  '#482576',
  '#414487',
  '#35608d',
  '#2a788e',
  '#21908c',
  '#22a884',
  '#43bf71',
  '#7ad151',
  '#bbdf27',
  '#fde725',
];

/**
 * Okabe & Ito's palette for categorical data, distinguishable under the common colour-vision deficiencies, then
 * four of Paul Tol's muted colours unlike any of them, so the nine labels of the served models (and up to
 * twelve) each have their own.
 */
export const CATEGORICAL = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#f0e442',
  '#000000',
  '#882255',
  '#999999',
  '#332288',
  '#999933',
];

type Rgb = [number, number, number];

const parseHex = (hex: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** The viridis colour for t in [0, 1] (clamped): dark purple at 0, yellow at 1. */
export function viridis(t: number): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS.length - 1);
  const lower = Math.min(VIRIDIS.length - 2, Math.floor(position));
  const weight = position - lower;
  const a = parseHex(VIRIDIS[lower]);
  const b = parseHex(VIRIDIS[lower + 1]);
  return toHex([0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * weight) as Rgb);
}

/** WCAG relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever contrasts more with the background. */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

/** A stable categorical colour for each label, in label order (cycling past twelve labels). */
export function categoricalColours(labels: readonly string[]): Record<string, string> {
  return Object.fromEntries(labels.map((label, i) => [label, CATEGORICAL[i % CATEGORICAL.length]]));
}
