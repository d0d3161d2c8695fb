// Module types for the files wrangler bundles through its default module rules.

/** `*.wasm` is bundled as a compiled module: workerd refuses to compile WebAssembly from bytes at runtime. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** `*.bin` (model weight shards) is bundled as raw bytes. */
declare module '*.bin' {
  const bytes: ArrayBuffer;
  export default bytes;
}
