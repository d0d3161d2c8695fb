/**
 * Rough rendered width of a label in the site's sans-serif font, for margins computed at build time (no DOM
 * to measure with). 0.64 em per glyph covers digits in wide fonts such as DejaVu Sans (0.636 em).
 */
export const textWidth = (text: string, fontSize: number) => Math.ceil(text.length * fontSize * 0.64);
