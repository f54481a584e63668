// HTML escaping for the pages the dev tools draw (the demo shop, its trace and metrics pages).
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` as text safe inside HTML elements and quoted attributes; null and undefined as the empty string. */
export const escapeHtml = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
