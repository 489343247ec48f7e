import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../bench/chromium.js";
import { buildServer } from "../../src/server/app.js";

/** The playground served by `kvsim serve` on a free port, open in Chromium on one tab. */
export interface PlaygroundPage {
  page: Page;
  /** Errors the page threw, for a test to check there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openPlayground(tab: string): Promise<PlaygroundPage> {
  const server: FastifyInstance = await buildServer();
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  const browser: Browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(`${url}/`);
  await page.waitForSelector("body[data-ready=true]");
  await page.click(`button[data-tab=${tab}]`);
  return {
    page, pageErrors, close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
