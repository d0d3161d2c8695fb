/// <reference types="@cloudflare/vitest-plugin/types" />
import type { WorkerEnv } from '../../core/contracts/serve-config.ts';

// The bindings the workerd suites see: the Worker's own, plus the speech clip and its versions from test/workers/vitest.config.ts.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      SPEECH_WAV: ArrayBuffer;
      /** Versions of the speech clip made by sox (test/workers/invariance-clips.ts); absent without sox. */
      [clip: `CLIP_${string}`]: ArrayBuffer | undefined;
    }
  }
}
