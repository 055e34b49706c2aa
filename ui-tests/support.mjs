// What the browser tests share: a free loopback port, polling, and a signed-in API client.

import assert from "node:assert/strict";
import net from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/** Polls `fn` every 200 ms until it is truthy; throws after `ms`. */
export async function waitFor(fn, ms = 20000) {
  const t = Date.now();
  while (Date.now() - t < ms) {
    try { if (await fn()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}

/** A tiny API client for seeding and checking (cookie + CSRF). */
export async function apiSession(base, username, password) {
  const r = await fetch(base + "/api/login", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get("set-cookie").split(";")[0];
  const { csrf_token } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method, headers: { "Content-Type": "application/json", cookie, "X-CSRF-Token": csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}
