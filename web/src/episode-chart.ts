import type { View } from "vega";
import type { TopLevelSpec } from "vega-lite";

/** One line of an episode chart: its legend name, colour and value after each step. */
export interface EpisodeSeries {
  name: string;
  color: string;
  values: number[];
}

/** What one chart shows: its y axis title (with the unit) and its lines. */
export interface EpisodePlot {
  yTitle: string;
  series: EpisodeSeries[];
  /** A fixed y range, for shares that run from 0 to 100%. */
  yDomain?: [number, number];
}

/** Points kept per line: a long episode is drawn from every k-th step, so a redraw stays cheap. */
const MAX_POINTS = 600;

function rows(plot: EpisodePlot): { step: number; series: string; value: number }[] {
  return plot.series.flatMap(({ name, values }) => {
    const stride = Math.max(1, Math.ceil(values.length / MAX_POINTS));
    return values.flatMap((value, i) => (i % stride === 0 || i === values.length - 1 ? [{ step: i + 1, series: name, value }] : []));
  });
}

function spec(plot: EpisodePlot): TopLevelSpec {
  const names = plot.series.map((s) => s.name);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    width: 520,
    height: 130,
    // Refitted on every redraw: the axes' labels widen as the episode's numbers grow.
    autosize: { type: "pad", resize: true },
    data: { name: "steps" },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: plot.yTitle, ...(plot.yDomain ? { scale: { domain: plot.yDomain } } : {}) },
      // A single line needs no legend: the figure's caption names it.
      color: { field: "series", type: "nominal", scale: { domain: names, range: plot.series.map((s) => s.color) },
        legend: names.length > 1 ? { title: null, orient: "top" } : null },
    },
  };
}

/**
 * A chart of an episode's per-step values, drawn by Vega into `container` and redrawn in place as
 * the episode grows. A redraw asked for while one runs replaces any still waiting, so a fast play
 * loop never queues up frames.
 */
export class EpisodeChart {
  private view: View | undefined;
  /** The spec the view was built from: another env's layout needs another view. */
  private built = "";
  private next: EpisodePlot | undefined;
  private drawing = false;

  constructor(private readonly container: HTMLElement, private readonly onError: (err: unknown) => void) {}

  draw(plot: EpisodePlot): void {
    this.next = plot;
    if (!this.drawing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.drawing = true;
    try {
      for (let plot = this.next; plot; plot = this.next) {
        this.next = undefined;
        await this.render(plot);
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.drawing = false;
    }
  }

  private async render(plot: EpisodePlot): Promise<void> {
    const wanted = spec(plot);
    const key = JSON.stringify(wanted);
    if (!this.view || key !== this.built) {
      // Loaded on first use, as the sweep's charts are: a page that never plays an episode skips Vega.
      const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
      this.view?.finalize();
      this.view = new vega.View(vega.parse(vegaLite.compile(wanted).spec), { renderer: "svg", container: this.container, hover: false });
      this.built = key;
    }
    this.view.data("steps", rows(plot));
    await this.view.runAsync();
    // How many steps the drawing shows, for whoever waits for the last frame (tests, screenshots).
    this.container.dataset.steps = String(Math.max(0, ...plot.series.map((s) => s.values.length)));
  }
}
