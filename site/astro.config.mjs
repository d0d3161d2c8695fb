import { satteri } from '@astrojs/markdown-satteri';
import { defineConfig } from 'astro/config';

// Static pages built from the run records (see src/content.config.ts); the Worker serves site/dist.
export default defineConfig({
  outDir: './dist',
  // Astro 7's HTML compression drops the space at a line break before an inline element ("voice.<abbr>UA"),
  // gluing words together; uncompressed output keeps the text as written.
  compressHTML: false,
  // Model cards quote configurations as JSON: typographic quotes would make them invalid when copied.
  markdown: { processor: satteri({ features: { smartPunctuation: false } }) },
});
