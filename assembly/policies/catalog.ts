import { PolicyText, PolicyFlag, ParamText, ParamValue } from "../abi/policies";
import { PolicyEntry } from "./entry";
import { policyCount, policyEntry } from "./registry";

/**
 * The policy registry as the host reads it (scripts/policy-catalog.mjs writes it into
 * src/policies/catalog.generated.ts at build time): texts are returned as pointers to engine
 * strings, numbers as f64. Every call makes the entry afresh; an unknown id aborts.
 */
function entryOf(id: i32): PolicyEntry {
  const entry = policyEntry(id);
  if (!entry) abort(`no policy ${id} (the registry has ${policyCount()})`);
  return changetype<PolicyEntry>(entry);
}

export function policyText(id: i32, field: i32): usize {
  const e = entryOf(id);
  const text = field == PolicyText.name ? e.name : field == PolicyText.summary ? e.summary : field == PolicyText.source ? e.source : e.search;
  return changetype<usize>(text);
}

function flagsOf(e: PolicyEntry): i32 {
  return (e.khl ? PolicyFlag.khl : 0) | (e.future ? PolicyFlag.future : 0) | (e.blocks ? PolicyFlag.blocks : 0)
    | (e.objectIds ? PolicyFlag.objectIds : 0);
}

export function policyFlags(id: i32): i32 {
  return flagsOf(entryOf(id));
}

export function policyParamCount(id: i32): i32 {
  return entryOf(id).params.length;
}

export function policyParamText(id: i32, param: i32, field: i32): usize {
  const p = entryOf(id).params[param];
  return changetype<usize>(field == ParamText.name ? p.name : p.doc);
}

export function policyParamValue(id: i32, param: i32, field: i32): f64 {
  const p = entryOf(id).params[param];
  if (field == ParamValue.value) return p.value;
  if (field == ParamValue.integer) return p.integer ? 1.0 : 0.0;
  if (field == ParamValue.libCacheSim) return p.libCacheSim;
  return field == ParamValue.min ? p.min : p.max;
}

/** FNV-1a over every text and number of the registry: the host checks it against its generated copy. */
export function policyCatalogHash(): u32 {
  let h: u32 = 2166136261;
  const mix = (h: u32, word: u32): u32 => (h ^ word) * 16777619;
  const text = (h: u32, s: string): u32 => {
    for (let i = 0; i < s.length; i++) h = mix(h, <u32>s.charCodeAt(i));
    return mix(h, 0xffff);
  };
  const number = (h: u32, x: f64): u32 => {
    const bits = reinterpret<u64>(x);
    return mix(mix(h, <u32>bits), <u32>(bits >> 32));
  };
  for (let id = 0; id < policyCount(); id++) {
    const e = entryOf(id);
    h = text(text(text(text(h, e.name), e.summary), e.source), e.search);
    h = mix(h, <u32>flagsOf(e));
    for (let i = 0; i < e.params.length; i++) {
      const p = e.params[i];
      h = number(number(number(number(mix(text(text(h, p.name), p.doc), p.integer ? 1 : 0), p.value), p.min), p.max), p.libCacheSim);
    }
  }
  return h;
}
