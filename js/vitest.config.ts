import { defineConfig } from "vitest/config";

export default defineConfig({
  define: {
    // build.mjs replaces this with the Python package version; tests see a fixed marker.
    __VACE_STUDIO_VERSION__: JSON.stringify("0.0.0-test"),
  },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts"],
    // Vitest blanks CSS imports by default; the widget test checks the injected theme styles.
    css: { include: [/\.css/] },
  },
});
