import { describe, expect, it } from 'vitest';
import {
  categoricalColours,
  luminance,
  textColourOn,
  viridis,
} from '../../../../../site/src/lib/charts/colour.ts';

describe('viridis', () => {
  it('runs from dark purple to yellow and clamps outside [0, 1]', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(-3)).toBe('#440154');
    expect(viridis(7)).toBe('#fde725');
    expect(viridis(0.5)).toBe('#21908c');
  });

  it('gets lighter monotonically, so the order survives greyscale and colour-vision deficiencies', () => {
    const lightness = Array.from({ length: 21 }, (_, i) => luminance(viridis(i / 20)));
    for (let i = 1; i < lightness.length; i++) expect(lightness[i]).toBeGreaterThan(lightness[i - 1]);
  });
});

describe('textColourOn', () => {
  it('puts white text on dark cells and black text on light cells', () => {
    expect(textColourOn(viridis(0))).toBe('#ffffff');
    expect(textColourOn(viridis(1))).toBe('#000000');
  });
});

describe('categoricalColours', () => {
  it("gives distinct colours to the served models' nine labels, and to up to twelve", () => {
    const labels = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised', 'boredom'];
    expect(new Set(Object.values(categoricalColours(labels))).size).toBe(9);
    const twelve = Array.from({ length: 12 }, (_, i) => `label-${i}`);
    expect(new Set(Object.values(categoricalColours(twelve))).size).toBe(12);
  });
});
