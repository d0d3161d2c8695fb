/** Mono PCM decoded from a file the user chose. */
export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: number;
}

/**
 * Decodes any format the browser can play and mixes it down to mono. The audio arrives at the decoding
 * context's rate; the clip pipeline resamples it to 16 kHz like microphone audio.
 */
export async function decodeUpload(file: Blob): Promise<DecodedAudio> {
  const context = new AudioContext();
  try {
    const buffer = await context.decodeAudioData(await file.arrayBuffer());
    const samples = new Float32Array(buffer.length);
    for (let c = 0; c < buffer.numberOfChannels; c++) {
      const channel = buffer.getChannelData(c);
      for (let i = 0; i < samples.length; i++) samples[i] += channel[i] / buffer.numberOfChannels;
    }
    return { samples, sampleRate: buffer.sampleRate };
  } finally {
    await context.close();
  }
}
