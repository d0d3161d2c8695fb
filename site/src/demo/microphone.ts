import workletUrl from './pcm-capture.worklet.ts?worker&url';

/** Why the microphone could not be opened, in the terms the page explains to the user. */
export type MicrophoneProblem = 'permission-denied' | 'no-microphone' | 'microphone-busy' | 'unsupported';

export class MicrophoneError extends Error {
  readonly problem: MicrophoneProblem;

  constructor(problem: MicrophoneProblem, message: string) {
    super(message);
    this.name = 'MicrophoneError';
    this.problem = problem;
  }
}

/** An open microphone delivering mono PCM blocks at `sampleRate`. */
export interface Microphone {
  sampleRate: number;
  stop(): Promise<void>;
}

/** Maps getUserMedia's DOMException names onto the problems the page distinguishes; the message is the browser's. */
export function microphoneProblem(error: unknown): MicrophoneError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  // The browser's own words, for the page to show beside its explanation.
  const detail = `${name || 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new MicrophoneError('permission-denied', detail);
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new MicrophoneError('no-microphone', detail);
    case 'NotReadableError':
    case 'AbortError':
      return new MicrophoneError('microphone-busy', detail);
    default:
      return new MicrophoneError('unsupported', detail);
  }
}

/**
 * Opens the microphone and streams raw PCM through an AudioWorklet (MediaRecorder's compressed chunks are not
 * independently decodable). Processing the browser may apply to calls is switched off: the model was trained
 * on unprocessed studio speech.
 */
export async function openMicrophone(onSamples: (samples: Float32Array) => void): Promise<Microphone> {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    throw new MicrophoneError('unsupported', 'getUserMedia needs a secure page (https or localhost)');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (error) {
    throw microphoneProblem(error);
  }
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(workletUrl);
    const source = context.createMediaStreamSource(stream);
    const capture = new AudioWorkletNode(context, 'pcm-capture', { numberOfOutputs: 0 });
    capture.port.onmessage = (event: MessageEvent<Float32Array>) => onSamples(event.data);
    source.connect(capture);
    await context.resume();
  } catch (error) {
    for (const track of stream.getTracks()) track.stop();
    await context.close();
    throw new MicrophoneError('unsupported', `audio capture failed to start: ${(error as Error).message}`);
  }
  return {
    sampleRate: context.sampleRate,
    async stop() {
      for (const track of stream.getTracks()) track.stop();
      await context.close();
    },
  };
}
