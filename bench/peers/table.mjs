// Medians, ratios and Markdown tables for the peers benchmark.
//
//   median([3, 1, 2])                         // 2
//   cell(1617, 1617) === "1,617"; cell(2025, 1617) === "2,025 (1.25x)"
//   markdown(["", "a"], [["row", "1"]])       // "| | a |\n| --- | --- |\n| row | 1 |"

/** The median of the numbers of `xs` (`null`s, for runs that never finished, count as +Infinity); `null` for none. */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = xs.map((x) => (x === null ? Infinity : x)).sort((a, b) => a - b);
  const m = s.length >> 1;
  const v = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return Number.isFinite(v) ? v : null;
}

/** `value` rounded to `digits` with thousands separators; `missing` for null. */
export function num(value, digits = 0, missing = "n/a") {
  if (value === null || value === undefined) return missing;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `value` and, unless it is the baseline itself or the baseline is 0 or missing, its ratio to `base`. */
export function cell(value, base, { digits = 0, missing = "n/a", isBase = false } = {}) {
  const v = num(value, digits, missing);
  if (isBase || value === null || value === undefined || !base) return v;
  return `${v} (${(value / base).toFixed(2)}x)`;
}

/** A Markdown table of `header` and `rows` (arrays of strings). */
export function markdown(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** `names` rotated left by `r`: round r starts with the r-th library, so none always runs first. */
export const rotate = (names, r) => names.map((_, i) => names[(i + r) % names.length]);

/**
 * A table with the libraries as columns and one row per metric: `metrics` is
 * `[label, (results of one library) => number | null, options for cell()]`,
 * `results` maps each library's name to what its runs gave; the first name is
 * this package, the base of every ratio.
 */
export function byLibrary(names, results, metrics) {
  const rows = metrics.map(([label, pick, opts = {}]) => {
    const base = pick(results[names[0]]);
    return [label, ...names.map((n, i) => cell(pick(results[n]), base, { ...opts, isBase: i === 0 }))];
  });
  return markdown(["", ...names], rows);
}
