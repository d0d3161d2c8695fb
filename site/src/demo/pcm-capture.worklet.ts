/// <reference path="./audio-worklet.d.ts" />
/**
 * Runs on the audio rendering thread: mixes the microphone's channels down to mono and posts raw Float32 PCM
 * to the page in blocks of BLOCK frames (posting every 128-frame quantum would flood the message port).
 */
const BLOCK = 4096;

class PcmCapture extends AudioWorkletProcessor {
  private block = new Float32Array(BLOCK);
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0] ?? [];
    const frames = channels[0]?.length ?? 0;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      this.block[this.filled++] = sum / channels.length;
      if (this.filled === BLOCK) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(BLOCK);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
