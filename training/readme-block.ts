/** The README's generated blocks: text between two markers that `npm run results` rewrites. */

/** A generated block of the README: its start and end markers. */
export interface ReadmeBlock {
  start: string;
  end: string;
}

/** `readme` with the text between the block's markers replaced by `table`. */
export function withGeneratedBlock(readme: string, block: ReadmeBlock, table: string): string {
  const start = readme.indexOf(block.start);
  const end = readme.indexOf(block.end);
  if (start < 0 || end < start) {
    throw new Error(`expected the README to contain the markers ${block.start} … ${block.end}, found none`);
  }
  return `${readme.slice(0, start + block.start.length)}\n${table}\n${readme.slice(end)}`;
}
