import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * node:util's parseArgs, but a malformed command line (an unknown flag, a flag without its value) prints the
 * problem and the usage and exits with status 2 instead of throwing a stack trace at the user.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** Prints the problem and exits with status 2: a usage or input problem, not a crash. */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
