// GET with ETag revalidation: every read sends If-None-Match when we hold a copy, and a 304 returns
// that copy. This is how a realtime message becomes "invalidate and refetch" at almost no cost.
import { apiUrl } from "./config.js";

const copies = new Map(); // url -> { etag, body }

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export async function getJson(path, query) {
  const url = apiUrl(path, query);
  const copy = copies.get(url);
  const headers = { Accept: "application/json" };
  if (copy) headers["If-None-Match"] = copy.etag;
  // no-store: we do the revalidation ourselves; the browser cache must not answer in our place.
  const response = await fetch(url, { headers, cache: "no-store" });
  if (response.status === 304 && copy) return copy.body;
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
  const body = await response.json();
  const etag = response.headers.get("ETag");
  if (etag) copies.set(url, { etag, body });
  else copies.delete(url);
  return body;
}

/** Follows nextCursor up to maxItems; {items, truncated}. */
export async function getAllPages(path, { limit = 200, maxItems = 1000 } = {}) {
  const items = [];
  let cursor;
  do {
    const page = await getJson(path, { limit, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < maxItems);
  return { items, truncated: Boolean(cursor) };
}

export async function send(method, path, body) {
  const response = await fetch(apiUrl(path), {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
}
