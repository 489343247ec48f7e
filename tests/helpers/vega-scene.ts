import * as vega from "vega";
import * as vl from "vega-lite";

/** A mark or an item of Vega's scenegraph: marks hold items, group items hold marks. */
export interface SceneNode {
  marktype?: string;
  name?: string;
  role?: string;
  items?: SceneNode[];
  datum?: Record<string, unknown>;
  text?: string;
  fill?: string;
  shape?: string;
}

/** The scenegraph Vega draws for a Vega-Lite spec: what the SVG shows, with each mark's data. */
export async function scene(spec: vl.TopLevelSpec): Promise<SceneNode> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  await view.runAsync();
  const root = view.scenegraph().root as unknown as SceneNode;
  view.finalize();
  return root;
}

/** Every mark under `node` (itself included) that `match` accepts, depth first. */
export function marks(node: SceneNode, match: (mark: SceneNode) => boolean): SceneNode[] {
  const found = node.marktype !== undefined && match(node) ? [node] : [];
  return [...found, ...(node.items ?? []).flatMap((child) => marks(child, match))];
}

/**
 * The texts of the axes of a channel (`x`, `y`) under `node`, by role: labels and titles. Panels
 * with scales of their own name them `child_x`, `child_y`.
 */
export function axisTexts(node: SceneNode, channel: string): { labels: string[]; titles: string[] } {
  const axes = marks(node, (m) => m.role === "axis").flatMap((m) => m.items!).filter((a) => [channel, `child_${channel}`].includes(String(a.datum?.["scale"])));
  const texts = (role: string) => axes.flatMap((a) => marks(a, (m) => m.role === role)).flatMap((m) => m.items!).map((t) => String(t.text));
  return { labels: texts("axis-label"), titles: texts("axis-title") };
}
