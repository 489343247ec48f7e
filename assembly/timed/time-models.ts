import { TimedTimeModel } from "../abi/timed";
import { Profile, PROFILE_VALUES } from "./profile";
import { Roofline } from "./roofline";
import { TimeModel } from "./time-model";
import { RooflineField } from "../abi/timed";

/** The time model `id` on its numbers (abi/timed.ts says their layout), or null for an unknown id or short numbers. */
export function timeModelOf(id: i32, values: StaticArray<f64>): TimeModel | null {
  if (id == TimedTimeModel.roofline) return values.length == RooflineField.COUNT ? new Roofline(values) : null;
  if (id == TimedTimeModel.profile) return values.length == PROFILE_VALUES ? new Profile(values) : null;
  return null;
}
