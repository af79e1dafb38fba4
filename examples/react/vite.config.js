import { defineConfig } from "vite";

export default defineConfig({
  // JSX with React's automatic runtime, without a plugin.
  esbuild: { jsx: "automatic" },
  build: {
    // The Portico module is served next to the app (/portico/), not bundled.
    rollupOptions: { external: [/^\/portico\//] },
  },
});
