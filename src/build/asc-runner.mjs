// Runs the AssemblyScript compiler for `modex build` in a plain node process (build.ts spawns it):
// loading asc through the CLI's TypeScript loader (tsx) takes seconds, plain node well under one.
//
// Input: one JSON object on stdin: { entry, baseDir, flags, virtualPkg, guestDir }.
// Output: one JSON object on stdout: { ok, wasm (base64) | null, inputs, diagnostics }.
// File reads go through a hook that maps `virtualPkg/…` (where asc looks for package `modex`) to
// `guestDir/…` and records every file asc read or probed (sha256, or null if missing).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const asc = await import('assemblyscript/asc');
const realPath = (abs) =>
  abs.startsWith(req.virtualPkg) ? join(req.guestDir, abs.slice(req.virtualPkg.length)) : abs;
const inputs = {};
let wasm = null;
const stdout = asc.createMemoryStream();
const stderr = asc.createMemoryStream();
const result = await asc.main(
  [relative(req.baseDir, req.entry), ...req.flags, '--baseDir', req.baseDir, '--outFile', 'app.wasm'],
  {
    stdout,
    stderr,
    readFile: async (name, base) => {
      const file = realPath(resolve(base, name));
      try {
        const text = await readFile(file, 'utf8');
        inputs[file] = createHash('sha256').update(text).digest('hex');
        return text;
      } catch {
        inputs[file] = null;
        return null;
      }
    },
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') wasm = contents;
    },
    listFiles: async (name, base) => {
      try {
        return (await readdir(realPath(resolve(base, name)))).filter((f) => f.endsWith('.ts'));
      } catch {
        return null;
      }
    },
  },
);
const ok = !result.error && wasm !== null;
process.stdout.write(
  JSON.stringify({
    ok,
    wasm: ok ? Buffer.from(wasm).toString('base64') : null,
    inputs,
    diagnostics: `${stderr.toString()}${stdout.toString()}`.trim() || (result.error?.message ?? ''),
  }),
);
