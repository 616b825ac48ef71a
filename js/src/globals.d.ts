// Replaced at build time by the Python package version (build.mjs reads src/vace_studio/_version.py).
declare const __VACE_STUDIO_VERSION__: string;

// Vite's `?raw` import (esbuild gets the same meaning from a plugin in build.mjs).
declare module "*.css?raw" {
  const text: string;
  export default text;
}
