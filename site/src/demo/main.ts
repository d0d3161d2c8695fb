import { classifyClip, demoClient } from './classify-client.ts';
import { type ClipPipeline, createClipPipeline } from './clip-pipeline.ts';
import { decodeUpload } from './decode-upload.ts';
import { blockLevel, FLOOR_DB, nextShownLevel } from './level.ts';
import { type Microphone, MicrophoneError, openMicrophone } from './microphone.ts';
import { type Cycle, doneMessage, sessionCsv, sessionJson, summarise } from './session.ts';
import { createStreamPipeline } from './stream-pipeline.ts';
import {
  appendTimeline,
  clearLatest,
  describeProblem,
  renderLatest,
  renderLegend,
  renderSummary,
  setProblem,
  setStatus,
} from './view.ts';

/** About how often a clip goes to the function while recording, when it cannot stream. */
const CLIP_SECONDS = 3;
/** How often a streamed window comes back. */
const HOP_SECONDS = 1;
/** Synthetic speech (test/fixtures/audio/speech.wav), served with the site. */
const EXAMPLE_CLIP = '/examples/espeak-speech.wav';
/** A final tail shorter than this is dropped rather than sent. */
const MIN_TAIL_SECONDS = 1;

const byId = <T extends HTMLElement>(id: string) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo: expected an element with id "${id}"`);
  return node as T;
};

const ui = {
  start: byId<HTMLButtonElement>('start'),
  stop: byId<HTMLButtonElement>('stop'),
  upload: byId<HTMLInputElement>('upload'),
  example: byId<HTMLButtonElement>('example'),
  endpoint: byId<HTMLInputElement>('endpoint'),
  model: byId<HTMLSelectElement>('model'),
  status: byId<HTMLElement>('status'),
  problem: byId<HTMLElement>('problem'),
  latest: byId<HTMLElement>('latest'),
  timeline: byId<HTMLOListElement>('timeline'),
  legend: byId<HTMLUListElement>('legend'),
  summary: byId<HTMLElement>('summary'),
  exportCsv: byId<HTMLButtonElement>('export-csv'),
  levelRow: byId<HTMLElement>('level-row'),
  level: byId<HTMLMeterElement>('level'),
  levelText: byId<HTMLElement>('level-text'),
  exportJson: byId<HTMLButtonElement>('export-json'),
};

// `?api=` overrides the build-time default; both are empty for the usual same-origin deployment.
ui.endpoint.value = new URLSearchParams(location.search).get('api') ?? ui.endpoint.value;

/** The chosen model's id, or undefined for the function's default (the first option). */
const chosenModel = () => ui.model.value || undefined;

/**
 * Lists the function's models (GET /v1/models) after the first option, the function's default, keeping the
 * choice when it is still served. A function that cannot be reached leaves only the default: recording then
 * says why.
 */
let listing = 0;
async function listModels(): Promise<void> {
  // Only the latest listing fills the list: an earlier endpoint's may answer last.
  const request = ++listing;
  const chosen = ui.model.value;
  const listed = await demoClient(ui.endpoint.value, location.origin)
    .models()
    .catch(() => null);
  if (request !== listing) return;
  const options = (listed?.models ?? []).map((model) => {
    const option = document.createElement('option');
    option.value = model.id;
    option.textContent = model.id === listed?.default ? `${model.id} (default)` : model.id;
    option.title = `${model.architecture}, ${model.labels.length} labels: ${model.labels.join(', ')}`;
    return option;
  });
  ui.model.replaceChildren(ui.model.options[0], ...options);
  ui.model.value = options.some((option) => option.value === chosen) ? chosen : '';
}

void listModels();
ui.endpoint.addEventListener('change', () => void listModels());

/** While a session runs, nothing else can start and the model stays as chosen. */
function setBusy(busy: boolean): void {
  for (const control of [ui.start, ui.upload, ui.example, ui.model]) control.disabled = busy;
}

let microphone: Microphone | null = null;
let pipeline: ClipPipeline | null = null;
/** The last finished session, for the downloads. */
let finished: Cycle[] = [];

/**
 * Audio goes to GET /v1/stream, a window coming back every HOP_SECONDS; when the socket cannot open, clips of
 * CLIP_SECONDS go to POST /v1/classify instead.
 */
function newPipeline(sampleRate: number, onMode: (text: string) => void = () => {}): ClipPipeline {
  const api = demoClient(ui.endpoint.value, location.origin);
  const model = chosenModel();
  clearLatest(ui.latest);
  ui.timeline.replaceChildren();
  ui.legend.replaceChildren();
  ui.summary.hidden = true;
  setProblem(ui.problem, null);
  return createStreamPipeline({
    baseUrl: api.baseUrl,
    model,
    sampleRate,
    hopSeconds: HOP_SECONDS,
    onCycle: showCycle,
    onMode: (mode) =>
      onMode(
        mode.kind === 'stream'
          ? `streaming to the function: a ${mode.ready.windowSeconds.toFixed(1)} s window comes back every ${HOP_SECONDS} s.`
          : `no stream (${mode.reason}), so a clip goes to the function every ${CLIP_SECONDS} s.`,
      ),
    fallback: (startSeconds, firstIndex) =>
      createClipPipeline({
        sampleRate,
        clipSeconds: CLIP_SECONDS,
        minTailSeconds: MIN_TAIL_SECONDS,
        send: (wav) => classifyClip(api, wav, model),
        onCycle: showCycle,
        startSeconds,
        firstIndex,
      }),
  });
}

function showCycle(cycle: Cycle): void {
  appendTimeline(ui.timeline, cycle);
  const { outcome } = cycle;
  if (outcome.kind === 'result') {
    if (ui.legend.childElementCount === 0) renderLegend(ui.legend, outcome.response.labels);
    renderLatest(ui.latest, cycle, outcome.response);
    setProblem(ui.problem, null);
    return;
  }
  setProblem(ui.problem, outcome.kind, `Answer ${cycle.index + 1}: ${describeProblem(outcome)}`);
}

async function finishSession(): Promise<void> {
  if (!pipeline) return;
  const finishing = pipeline;
  pipeline = null;
  setStatus(ui.status, 'finishing', 'Waiting for the last answers…');
  const cycles = await finishing.finish();
  finished = cycles;
  renderSummary(ui.summary, summarise(cycles));
  setStatus(ui.status, 'done', doneMessage(cycles, finishing.pushedSeconds(), MIN_TAIL_SECONDS));
  setBusy(false);
}

const MICROPHONE_TEXT: Record<MicrophoneError['problem'], string> = {
  'permission-denied':
    'Microphone permission was denied. Allow it in the address bar, or upload a file instead.',
  'no-microphone': 'No microphone was found. Connect one, or upload a file instead.',
  'microphone-busy': 'The microphone is in use by another application or could not be started.',
  unsupported: 'Recording is not possible in this browser or on this page.',
};

ui.start.addEventListener('click', async () => {
  setBusy(true);
  setStatus(ui.status, 'starting', 'Asking for the microphone…');
  try {
    // Blocks arriving before the pipeline exists (the rate is only known once the mic is open) are dropped.
    let shown = FLOOR_DB;
    microphone = await openMicrophone((samples) => {
      pipeline?.push(samples);
      const block = blockLevel(samples);
      shown = nextShownLevel(shown, block);
      ui.level.value = shown;
      ui.levelText.textContent = block.clipped
        ? 'too loud: clipping'
        : shown <= FLOOR_DB
          ? 'silence'
          : `${Math.round(shown)} dBFS`;
    });
    ui.levelRow.hidden = false;
    pipeline = newPipeline(microphone.sampleRate, (text) => {
      if (microphone) setStatus(ui.status, 'recording', `Recording: ${text}`);
    });
    ui.stop.disabled = false;
    setStatus(ui.status, 'recording', 'Recording: connecting to the function…');
  } catch (error) {
    const problem = error instanceof MicrophoneError ? error.problem : 'unsupported';
    setStatus(ui.status, problem, `${MICROPHONE_TEXT[problem]} (${(error as Error).message})`);
    setBusy(false);
  }
});

ui.stop.addEventListener('click', async () => {
  ui.stop.disabled = true;
  await microphone?.stop();
  microphone = null;
  ui.levelRow.hidden = true;
  await finishSession();
});

/** Decodes a file (or the example clip) and sends it through the same pipeline as the microphone. */
async function classifyFile(file: Blob, name: string): Promise<void> {
  setBusy(true);
  setStatus(ui.status, 'decoding', `Decoding ${name}…`);
  try {
    const audio = await decodeUpload(file);
    pipeline = newPipeline(audio.sampleRate);
    pipeline.push(audio.samples);
  } catch (error) {
    setStatus(ui.status, 'upload-failed', `Could not decode ${name} as audio: ${(error as Error).message}`);
    setBusy(false);
    return;
  }
  await finishSession();
}

ui.upload.addEventListener('change', async () => {
  const file = ui.upload.files?.[0];
  if (!file) return;
  ui.upload.value = '';
  await classifyFile(file, file.name);
});

// The committed espeak-ng clip, served with the site: a try without a microphone or a file of one's own.
ui.example.addEventListener('click', async () => {
  const response = await fetch(EXAMPLE_CLIP).catch(() => null);
  if (!response?.ok) {
    setStatus(
      ui.status,
      'upload-failed',
      `Could not load the example clip (${response?.status ?? 'offline'}).`,
    );
    return;
  }
  await classifyFile(await response.blob(), 'the example clip');
});

/** Saves `text` as a file through a temporary link (no server round trip). */
function download(text: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
ui.exportCsv.addEventListener('click', () =>
  download(sessionCsv(finished), 'text/csv', `open-ser-session-${stamp()}.csv`),
);
ui.exportJson.addEventListener('click', () =>
  download(sessionJson(finished), 'application/json', `open-ser-session-${stamp()}.json`),
);
