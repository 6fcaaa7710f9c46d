import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The dev server proxies /v1 to a running local stack: ROSTER_API_URL, or the apiUrl
// that `bin/roster-stack dev` writes to the repository's .dev/stack.json.
function apiURL(): string {
  if (process.env.ROSTER_API_URL) return process.env.ROSTER_API_URL;
  try {
    const file = fileURLToPath(new URL("../../../.dev/stack.json", import.meta.url));
    return JSON.parse(readFileSync(file, "utf8")).apiUrl;
  } catch {
    return "http://127.0.0.1:3000";
  }
}

export default defineConfig(({ command }) => {
  const target = command === "serve" ? apiURL() : "";
  return {
    plugins: [preact()],
    build: {
      outDir: "dist",
      assetsDir: "assets",
      sourcemap: false,
      // Nothing inlined as data: URLs, and no polyfill: the CSP allows only 'self'.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      target: "es2022",
      reportCompressedSize: false,
    },
    server: {
      proxy: {
        "/v1": {
          target,
          changeOrigin: true,
          // The API refuses a cookie refresh whose Origin is not its own host: in dev
          // the page's origin is Vite's, so the proxy speaks for it.
          configure: (proxy) => {
            proxy.on("proxyReq", (req) => {
              if (req.getHeader("origin")) req.setHeader("origin", new URL(target).origin);
            });
          },
        },
      },
    },
  };
});
