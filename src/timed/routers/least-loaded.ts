import { argmin, type RouterEntry } from "./router.js";

/** The instance with the fewest requests routed to it and not completed. */
export const leastLoaded: RouterEntry = {
  name: "least-loaded",
  summary: "the instance with the fewest outstanding requests",
  readsPrefixes: false,
  make: () => ({ route: (_arrival, instances) => argmin(instances.map((s) => s.outstanding)) }),
};
