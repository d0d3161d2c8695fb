// `npm start`: says where to look once wrangler dev below reports "Ready" (it prints only its own address).
const base = `http://127.0.0.1:${process.env.PORT || 8787}`;
console.log(
  [
    '',
    `[start] once wrangler says Ready: results ${base}/  demo ${base}/demo/  API docs ${base}/docs  ` +
      `OpenAPI ${base}/openapi.json`,
    '',
  ].join('\n'),
);
