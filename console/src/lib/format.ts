/** Small display formatters shared by the pages. Pure: no DOM. */

/** Unix seconds → `2026-12-05 08:44:26` (UTC), or an em dash for null. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration between two unix-second stamps: `0 s`, `42 s`, `3 min 5 s`; `—` when unknown. */
export function formatDuration(from: number | null | undefined, to: number | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined || to < from) return '—';
  const s = Math.round(to - from);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

/** 1234567 → `1,234,567` (fixed locale, so tests and screenshots do not depend on the machine). */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** Dollars with enough digits for the small amounts of a few calls: `$0.0012`, `$12.34`. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0.00';
  const digits = Math.abs(value) >= 1 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(digits)}`;
}

/** 1536 → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A relevance score as three decimals: `0.873`. */
export const formatScore = (score: number): string => score.toFixed(3);
