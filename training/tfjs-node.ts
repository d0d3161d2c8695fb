import { registerHooks } from 'node:module';

/**
 * Plain Node resolves tfjs-core to its CommonJS bundle, which registers neither gradients nor chained ops;
 * they exist only in the ESM files, whose imports lack extensions. Resolve those the way bundlers do, then
 * load the two registrations (they write to tfjs's global registries, shared with the CommonJS copy).
 * Vitest and bundlers resolve the ESM build directly and need none of this.
 */
export async function registerTfjsGradients(): Promise<void> {
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const unresolved = code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT';
        if (!specifier.startsWith('.') || !unresolved) throw error;
        try {
          return next(`${specifier}.js`, context);
        } catch {
          return next(`${specifier}/index.js`, context);
        }
      }
    },
  });
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js');
}
