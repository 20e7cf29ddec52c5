// npm run build -w @plaza/gateway: the gateway as one ES module, gateway/dist/main.mjs, for
// production (`node gateway/dist/main.mjs`). Plaza's own TypeScript (the gateway and the
// workspace packages it imports) is compiled and bundled; npm packages stay imports, resolved
// from gateway/ at run time, except where that would find another version than the sources see.
// Running the sources through tsx costs about 45 MB more memory (its loader and source maps).
//
//   node gateway/scripts/build.mjs [outfile]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const GATEWAY = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(GATEWAY, 'dist', 'main.mjs'));
const fromOutput = createRequire(join(dirname(outfile), 'noop.js'));

/** Whether a package the sources import resolves to the same file from the built module. */
function sameAt(spec, importer) {
  try {
    return createRequire(importer).resolve(spec) === fromOutput.resolve(spec);
  } catch {
    return false;
  }
}

const started = Date.now();
await build({
  entryPoints: [join(GATEWAY, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Bundled CommonJS code may call require().
  banner: { js: "import { createRequire as __plazaCreateRequire } from 'node:module'; const require = __plazaCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'npm-packages-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:')) return { external: true };
          if (args.path.startsWith('@plaza/')) return undefined;
          return sameAt(args.path, args.importer) ? { external: true } : undefined;
        });
      },
    },
  ],
  logLevel: 'warning',
});
console.log(`gateway: built ${outfile} in ${Date.now() - started} ms`);
