// Small text formatters for the task cards (no field or provider knowledge here).

/** 7 → "0:07", 83 → "1:23", 3723 → "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** US dollars, with enough digits for sub-cent prices. */
export function money(usd: number): string {
  if (usd === 0) return "$0";
  // Two significant digits below 10 cents ($0.07, $0.035), without trailing zeros.
  return usd >= 0.1 ? `$${usd.toFixed(2)}` : `$${Number(usd.toPrecision(2))}`;
}

/** The first line of a prompt, cut at `max` characters. */
export function excerpt(text: unknown, max = 90): string {
  if (typeof text !== "string") return "";
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** 1 → "1st", 2 → "2nd", 3 → "3rd", 11 → "11th", 22 → "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** A rough wait, for estimates that are rough: 40 → "under a minute", 130 → "about 2 min",
 * 5400 → "about 1.5 h". */
export function roughly(seconds: number): string {
  if (seconds < 60) return "under a minute";
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min`;
  return `about ${Number((seconds / 3600).toFixed(1))} h`;
}
