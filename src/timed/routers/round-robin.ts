import type { RouterEntry } from "./router.js";

/** Each request to the next instance in turn, whatever their load or caches. */
export const roundRobin: RouterEntry = {
  name: "round-robin",
  summary: "each request to the next instance in turn",
  readsPrefixes: false,
  make(instances) {
    let next = 0;
    return {
      route: () => {
        const i = next;
        next = (next + 1) % instances;
        return i;
      },
    };
  },
};
