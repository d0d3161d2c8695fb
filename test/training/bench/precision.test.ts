import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8' });
const scratch = mkdtempSync(join(tmpdir(), 'ser-precision-'));
beforeAll(() => {
  // Two EMO-DB clips in the official layout (speaker 03, sentence a01, happy and angry), both the speech fixture.
  mkdirSync(join(scratch, 'emodb/wav'), { recursive: true });
  for (const name of ['03a01Fa.wav', '03a01Wa.wav']) {
    copyFileSync(join(ROOT, 'test/fixtures/audio/speech.wav'), join(scratch, 'emodb/wav', name));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run bench:precision', () => {
  it('compares float32 and int16 clip by clip over the corpora it finds', () => {
    const outcome = run('training/bench/precision.ts', ['test/fixtures/models/tiny-cnn', '--data', scratch]);
    expect(outcome.status, outcome.stderr).toBe(0);
    const lines = outcome.stdout.trim().split('\n');
    expect(lines[1]).toMatch(
      /^model +corpus +clips +same top label +largest change +mean change +ms\/window f32 +int16$/,
    );
    expect(lines.slice(2)).toHaveLength(1);
    expect(lines[2]).toMatch(
      /^tiny-cnn +emodb +2 +2 \(100\.00 %\) +0\.\d{4} +0\.\d{5} +\d+\.\d\d +\d+\.\d\d$/,
    );
  }, 120_000);

  it.each([
    [
      ['--data', '/nowhere/at/all'],
      'expected corpus folders (ravdess, emodb, urdu, savee, tess, crema-d, ased, turev) under /nowhere/at/all, got none',
    ],
    [['/nowhere/model'], 'expected a model folder at /nowhere/model, got nothing'],
  ])('refuses %j with exit code 2, naming what is missing', (args, message) => {
    // The corpora are the two clips above unless the arguments name other ones.
    const data = args.includes('--data') ? [] : ['--data', scratch];
    const outcome = run('training/bench/precision.ts', [...args, ...data]);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain(message);
  });
});

describe('npm run bench:window-cpu', () => {
  it('refuses a precision it does not have, with exit code 2 and its usage', () => {
    const outcome = run('training/bench/window-cpu.ts', ['--precision', 'int8']);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('expected --precision int16, float32 or both, got int8');
    expect(outcome.stderr).toContain('usage: npm run bench:window-cpu');
  });
});
