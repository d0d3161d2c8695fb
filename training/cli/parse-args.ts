import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What `--help` says about a command: one line on what it does, and one per option (null: internal, not shown). */
export interface CommandHelp<Options extends string> {
  summary: string;
  options: Record<Options, string | null>;
}

type OptionsOf<T extends ParseArgsConfig> = Extract<keyof NonNullable<T['options']>, string>;

/**
 * node:util's parseArgs, but a malformed command line (an unknown flag, a flag without its value) prints the
 * problem and the usage and exits with status 2 instead of throwing a stack trace at the user, and `--help`
 * (or `-h`) prints the usage, the summary and every option with its default, then exits with status 0.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
  help: CommandHelp<OptionsOf<T>>,
): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(describeCommand(config, usage, help));
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}\n(--help lists every option)`);
    process.exit(2);
  }
}

/** The `--help` text: usage, summary, then each option, its value, what it does and its default. */
export function describeCommand<T extends ParseArgsConfig>(
  config: T,
  usage: string,
  help: CommandHelp<OptionsOf<T>>,
): string {
  const options = Object.entries(config.options ?? {}) as [OptionsOf<T>, NonNullable<T['options']>[string]][];
  const rows = options
    .filter(([name]) => help.options[name] !== null)
    .map(([name, option]) => {
      const flag = `--${name}${option.type === 'string' ? ' <value>' : ''}${option.multiple ? ' …' : ''}`;
      const fallback = option.default;
      const shown =
        fallback === undefined || fallback === false || (Array.isArray(fallback) && fallback.length === 0)
          ? ''
          : ` (default: ${Array.isArray(fallback) ? fallback.join(', ') : String(fallback)})`;
      return [flag, `${help.options[name]}${shown}`] as const;
    });
  rows.push(['--help', 'print this help and exit']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    usage,
    '',
    help.summary,
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
  ].join('\n');
}

/** Prints the problem and exits with status 2: a usage or input problem, not a crash. */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/**
 * A training log for the console: on a terminal, epoch progress lines redraw one line in place and every other
 * line is printed below the last of them; elsewhere (CI, a pipe, a file) every line is a plain line.
 */
export function consoleTrainingLog(
  prefix: () => string = () => '',
  out: NodeJS.WriteStream = process.stdout,
): (line: string, kind?: 'progress') => void {
  let redrawing = false;
  return (line, kind) => {
    const text = `${prefix()}${line}`;
    if (kind === 'progress' && out.isTTY) {
      // Cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place).
      const width = out.columns ?? 120;
      out.write(`\r\x1b[K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
      redrawing = true;
      return;
    }
    out.write(`${redrawing ? '\n' : ''}${text}\n`);
    redrawing = false;
  };
}
