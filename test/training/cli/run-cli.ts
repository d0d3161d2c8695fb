import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a training CLI (`training/cli/<name>.ts`) in plain Node from the repository root, as npm does. */
export function runCli(name: string, args: string[]): Promise<CliOutcome> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [`training/cli/${name}.ts`, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
