/** A text progress bar for the CLIs' terminal output (stderr, only when it is a terminal). */
export const bar = (done: number, total: number, width = 30): string => {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};
