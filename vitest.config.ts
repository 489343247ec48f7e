import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    // Temporary files of the whole run live under one directory, removed at the end.
    globalSetup: ["tests/setup/temp-root.ts"],
  },
});
