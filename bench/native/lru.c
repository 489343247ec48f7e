/*
 * The kvsim-profile LRU hierarchy in C, for `npm run bench:native`: the same algorithm as the
 * WASM engine's queue loop and bench/ts-lru.ts (16-byte page records with intrusive per-tier
 * recency lists, exclusive residency, demotion cascade, serial cost model; no prefetch or
 * events). It measures what this machine allows the algorithm, natively, with and without a
 * prefetch instruction (which WebAssembly lacks), so that the engine's figures have a ceiling.
 *
 * usage: lru <trace.kvt with byte sizes> <prefetch distance, 0: none> <rounds> <decode penalty ms>
 *            <capacity,read,write,bandwidth>...   (one per tier, 1 to 8)
 * prints one line per round: accesses/s, hits, misses, evictions, total latency (%.17g).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SIZE, TIER, NEXT, PREV, RECORD };
#define MAX_TIERS 8

static int tiers;
static double capacity[MAX_TIERS], readMs[MAX_TIERS], writeMs[MAX_TIERS], bandwidth[MAX_TIERS];
static double used[MAX_TIERS], penalty;
static int32_t head[MAX_TIERS], tail[MAX_TIERS];
static int32_t *rec; /* per page: size, tier + 1 (0: not resident), next, prev */
static long hits, misses, evictions;
static double latency;

static void unlinkFrom(int t, int p) {
  int32_t next = rec[RECORD * p + NEXT], prev = rec[RECORD * p + PREV];
  if (prev < 0) head[t] = next; else rec[RECORD * prev + NEXT] = next;
  if (next < 0) tail[t] = prev; else rec[RECORD * next + PREV] = prev;
  rec[RECORD * p + TIER] = 0;
  used[t] -= rec[RECORD * p + SIZE];
}

static void append(int t, int p) {
  int32_t last = tail[t];
  rec[RECORD * p + NEXT] = -1;
  rec[RECORD * p + PREV] = last;
  if (last < 0) head[t] = p; else rec[RECORD * last + NEXT] = p;
  tail[t] = p;
  rec[RECORD * p + TIER] = t + 1;
  used[t] += rec[RECORD * p + SIZE];
}

/* Same association order as the engine's transferCost, so the doubles match bit for bit. */
static double cost(int src, int dst, int p) {
  double bw = bandwidth[src] < bandwidth[dst] ? bandwidth[src] : bandwidth[dst];
  return ((readMs[src] + writeMs[dst]) + rec[RECORD * p + SIZE] / (bw > 1 ? bw : 1)) + penalty;
}

static void makeRoom(int t, int p) {
  while (used[t] + rec[RECORD * p + SIZE] > capacity[t]) {
    int victim = head[t];
    unlinkFrom(t, victim);
    evictions++;
    if (t < tiers - 1) {
      makeRoom(t + 1, victim);
      append(t + 1, victim);
      latency += cost(t, t + 1, victim);
    }
  }
}

static int fail(const char *message) {
  fprintf(stderr, "lru: %s\n", message);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc - 5 > MAX_TIERS) return fail("usage: lru trace.kvt distance rounds penalty capacity,read,write,bandwidth...");
  int distance = atoi(argv[2]), rounds = atoi(argv[3]);
  penalty = atof(argv[4]);
  tiers = argc - 5;
  for (int t = 0; t < tiers; t++) {
    if (sscanf(argv[5 + t], "%lf,%lf,%lf,%lf", &capacity[t], &readMs[t], &writeMs[t], &bandwidth[t]) != 4) return fail("bad tier");
  }
  FILE *f = fopen(argv[1], "rb");
  char magic[8];
  uint32_t flags, pages;
  double count;
  if (!f || fread(magic, 1, 8, f) != 8 || memcmp(magic, "KVSIMTR1", 8) || fread(&flags, 4, 1, f) != 1 ||
      fread(&pages, 4, 1, f) != 1 || fread(&count, 8, 1, f) != 1) return fail("not a .kvt trace");
  if ((flags & 3) != 3) return fail("the trace must carry page sizes in bytes");
  long n = (long)count;
  int32_t *sizes = malloc(4L * pages), *trace = malloc(4L * n);
  if (fread(sizes, 4, pages, f) != pages || fread(trace, 4, n, f) != (size_t)n) return fail("truncated trace");
  fclose(f);
  rec = malloc(4L * RECORD * pages);
  for (int round = 0; round < rounds; round++) {
    for (uint32_t p = 0; p < pages; p++) {
      rec[RECORD * p + SIZE] = sizes[p];
      rec[RECORD * p + TIER] = 0;
    }
    for (int t = 0; t < tiers; t++) head[t] = tail[t] = -1, used[t] = 0;
    hits = misses = evictions = 0;
    latency = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long s = 0; s < n; s++) {
      if (distance > 0 && s + distance < n) __builtin_prefetch(&rec[RECORD * trace[s + distance]], 1);
      int p = trace[s], tier = rec[RECORD * p + TIER] - 1;
      if (tier == 0) {
        hits++;
        latency += readMs[0] + penalty;
        if (tail[0] != p) unlinkFrom(0, p), append(0, p);
        continue;
      }
      misses++;
      if (tier > 0) unlinkFrom(tier, p);
      makeRoom(0, p);
      append(0, p);
      latency += cost(tier >= 0 ? tier : tiers - 1, 0, p);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.0f %ld %ld %ld %.17g\n", n / seconds, hits, misses, evictions, latency);
  }
  return 0;
}
