// Shared helpers for the benchmark scripts: machine description and table printing.
import os from "node:os";

/** One line describing the machine, printed with every benchmark's figures. */
export function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, node ${process.version}`;
}

/** Prints a titled table of rows (arrays of cells). */
export function table(title, header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(all[0]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of all.slice(1)) console.log(line(r));
}

/** Median of the timings of `runs` calls to `fn` (milliseconds). */
export async function medianMs(fn, runs = 5) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const fmt = (n, digits = 2) => Number(n).toFixed(digits);
