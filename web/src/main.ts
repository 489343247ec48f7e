import { byId } from "./dom.js";
import { initEpisodeView } from "./episode-view.js";
import { init } from "./kvsim.js";
import { initSweepView } from "./sweep-view.js";
import { initTimedView } from "./timed-view.js";
import { initMrcView } from "./mrc-view.js";

for (const tab of document.querySelectorAll<HTMLButtonElement>(".tab")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t === tab);
    for (const panel of document.querySelectorAll<HTMLElement>(".tab-panel")) panel.hidden = panel.id !== `tab-${tab.dataset.tab}`;
  });
}

const status = byId("engine-status");
try {
  await init();
  initSweepView();
  initEpisodeView();
  initTimedView();
  initMrcView();
  status.textContent = "engine ready";
  document.body.dataset.ready = "true";
} catch (err) {
  status.textContent = `engine failed to load: ${(err as Error).message}`;
  document.body.dataset.ready = "error";
}
