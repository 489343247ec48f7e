// `npm run screenshots`: docs/img/playground-sweep.png, playground-episode.png and playground-timed.png, taken in
// headless Chromium from the built playground served by kvsim's own server (all figures simulated).
import { buildServer } from "../dist/src/server/app.js";
import { launchChromium } from "../dist/bench/chromium.js";

const server = await buildServer();
const url = await server.listen({ host: "127.0.0.1", port: 0 });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`${url}/`);
await page.waitForSelector("body[data-ready=true]");
// Through the form, so that the form and the spec it writes agree in the picture.
await page.uncheck('#workload-list input[value="zipf"]');
for (const w of ["rag_burst", "chat_continuation", "adversarial_burst"]) await page.check(`#workload-list input[value="${w}"]`);
for (const p of ["cost_aware", "regret_aware"]) await page.check(`#policy-list input[value="${p}"]`);
await page.click("#run-sweep");
await page.waitForSelector("body[data-sweep=done]");
await page.waitForSelector("#occupancy-chart img");
await page.screenshot({ path: "docs/img/playground-sweep.png", fullPage: true });
await page.click("button[data-tab=episode]");
await page.selectOption("#env-id", "kvsim/Serving-medium-v0");
await page.selectOption("#agent", "vllm");
await page.fill("#episode-speed", "50");
await page.click("#episode-reset");
await page.click("#episode-play");
await page.waitForSelector("body[data-episode=done]", { timeout: 120_000 });
// The charts redraw after the step that ended the episode; wait until each shows every step.
await page.waitForFunction(() => ["util-chart", "queue-chart", "reward-chart"]
  .every((id) => document.getElementById(id).dataset.steps === String(window.kvsimPlayground.lastEpisode.steps.length)));
await page.screenshot({ path: "docs/img/playground-episode.png", fullPage: true });
// The built-in example on a small GPU cache with a host tier below it, so that every chart has something to show.
await page.click("button[data-tab=timed]");
await page.fill("#timed-kv-blocks", "1500");
await page.fill("#timed-host-blocks", "3000");
await page.fill("#timed-slo-ttft", "500");
await page.fill("#timed-slo-tpot", "50");
await page.click("#run-timed");
await page.waitForSelector("body[data-timed=done]");
await page.waitForFunction(() => {
  const images = [...document.querySelectorAll("#timed-charts img")];
  return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
});
await page.screenshot({ path: "docs/img/playground-timed.png", fullPage: true });
await browser.close();
await server.close();
console.log("wrote docs/img/playground-sweep.png, docs/img/playground-episode.png, docs/img/playground-timed.png");
