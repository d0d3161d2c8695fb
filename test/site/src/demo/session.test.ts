import { describe, expect, it } from 'vitest';
import { aggregateWindows } from '../../../../core/serving/timeline.ts';
import type { ClassifyOutcome } from '../../../../site/src/demo/classify-client.ts';
import {
  type Cycle,
  doneMessage,
  sessionCsv,
  sessionJson,
  summarise,
} from '../../../../site/src/demo/session.ts';

const result = (angry: number, happy: number): ClassifyOutcome => ({
  kind: 'result',
  response: {
    model: { id: 'm', version: '1' },
    labels: ['angry', 'happy'],
    probabilities: { angry, happy },
    top: angry > happy ? { label: 'angry', confidence: angry } : { label: 'happy', confidence: happy },
    durationSeconds: 3,
    outcome: 'classified',
    speechDetected: true,
    speechSeconds: 2,
    dimensions: null,
    attention: null,
    analysis: null,
    timeline: null,
    timing: { decodeMs: 0, modelLoadMs: 0, featuresMs: 0, inferenceMs: 0, totalMs: 0 },
  },
});

const cycles = (outcomes: ClassifyOutcome[]): Cycle[] =>
  outcomes.map((outcome, index) => ({ index, startSeconds: 3 * index, endSeconds: 3 * index + 3, outcome }));

describe('summarise', () => {
  it("combines the classified clips as the API combines a clip's windows, and counts the top label", () => {
    const summary = summarise(
      cycles([result(0.9, 0.1), { kind: 'no-speech', message: 'none' }, result(0.6, 0.4), result(0.3, 0.7)]),
    );
    expect(summary.clips).toBe(4);
    expect(summary.classified).toBe(3);
    const expected = aggregateWindows(
      [Float32Array.of(0.9, 0.1), Float32Array.of(0.6, 0.4), Float32Array.of(0.3, 0.7)],
      [2, 2, 2],
    );
    expect(summary.probabilities.angry).toBeCloseTo(expected[0], 6);
    expect(summary.probabilities.happy).toBeCloseTo(expected[1], 6);
    expect(summary.top).toEqual({ label: 'angry', confidence: expected[0], count: 2 });
  });

  it('weights each by its seconds of speech, as the whole-clip rule does, not by its top label', () => {
    const weighted = (angry: number, speechSeconds: number): ClassifyOutcome => {
      const outcome = result(angry, 1 - angry);
      if (outcome.kind === 'result') outcome.response.speechSeconds = speechSeconds;
      return outcome;
    };
    // Two short clips lean angry, one long clip is clearly happy: the long clip's speech decides.
    const summary = summarise(cycles([weighted(0.6, 0.5), weighted(0.6, 0.5), weighted(0.1, 3)]));
    expect(summary.top).toMatchObject({ label: 'happy', count: 1 });
  });

  it('has no top emotion when nothing was classified', () => {
    const summary = summarise(cycles([{ kind: 'unreachable', message: 'down' }]));
    expect(summary).toMatchObject({ clips: 1, classified: 0, labels: [], top: null });
  });
});

describe('doneMessage', () => {
  it('says why nothing was sent, and what was sent otherwise', () => {
    expect(doneMessage([], 0.5, 1)).toBe(
      'Nothing was sent: the audio was 0.5 s long, and a clip needs at least 1 s.',
    );
    expect(doneMessage(cycles([result(0.9, 0.1), { kind: 'no-speech', message: 'none' }]), 6.2, 1)).toBe(
      'Done: 2 answers (6.2 s of audio), 1 classified.',
    );
  });
});

describe('session export', () => {
  const session = cycles([
    result(0.9, 0.1),
    { kind: 'server-error', status: 503, code: 'x', message: 'busy, "try" later' },
  ]);
  session[0].latencyMs = 41.6;

  it('writes one CSV line per clip, a column per label, quoting what needs it', () => {
    expect(sessionCsv(session).split('\n')).toEqual([
      'clip,start_s,end_s,outcome,message,top,confidence,latency_ms,angry,happy',
      '1,0,3,result,,angry,0.9,42,0.9,0.1',
      '2,3,6,server-error,"busy, ""try"" later",,,,,',
      '',
    ]);
  });

  it('writes the same rows and the summary as JSON', () => {
    const parsed = JSON.parse(sessionJson(session));
    expect(parsed.clips).toHaveLength(2);
    expect(parsed.clips[0]).toMatchObject({
      clip: 1,
      top: 'angry',
      latencyMs: 42,
      probabilities: { angry: 0.9, happy: 0.1 },
    });
    expect(parsed.summary).toMatchObject({ clips: 2, classified: 1 });
  });
});
