// Bundles js/src/widget.ts into the Python package's static/ folder (gitignored; hatch-jupyter-builder
// runs `npm run build` so the wheel always carries a fresh bundle). Usage: node build.mjs [--watch]
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = resolve(here, "../src/vace_studio/static/widget.js");
const versionFile = resolve(here, "../src/vace_studio/_version.py");

// The Python package owns the version (single source); the bundle embeds it so a stale bundle can be
// spotted from Python. package.json's own version is informational only.
function pythonVersion() {
  const text = readFileSync(versionFile, "utf8");
  const match = /__version__\s*=\s*["']([^"']+)["']/.exec(text);
  if (!match) throw new Error(`no __version__ in ${versionFile}`);
  return match[1];
}

// `import css from "./styles.css?raw"` is Vite's syntax (so vitest understands it natively);
// this plugin gives esbuild the same meaning: the file's text as a default-exported string.
const rawPlugin = {
  name: "raw",
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -"?raw".length)),
      namespace: "raw",
    }));
    build.onLoad({ filter: /.*/, namespace: "raw" }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "text",
      watchFiles: [args.path],
    }));
  },
};

const version = pythonVersion();
const options = {
  entryPoints: [resolve(here, "src/widget.ts")],
  outfile,
  bundle: true, // every dependency inside: offline users must not depend on a CDN
  format: "esm",
  target: "es2020",
  platform: "browser",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  define: { __VACE_STUDIO_VERSION__: JSON.stringify(version) },
  plugins: [rawPlugin],
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  const result = await esbuild.build({ ...options, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`vace-studio ${version}: wrote ${outfile} (${(bytes / 1024).toFixed(1)} KiB)`);
}
