// A hearing through the web application in a real browser (Debian's Chromium, headless):
// the secretary signs in, runs the pre-hearing test, starts recording today's hearing,
// watches segments being sealed and the meters move, mutes a microphone, switches the
// interface to Kazakh, adds a quick-tag note and a typed one, and stops; the record then
// verifies offline. A screenshot of each step is kept
// in ui-tests/artifacts/.
//
// Needs VERBATIM_BIN (the verbatim binary); scripts/test sets it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { freePort, waitFor, apiSession } from "./support.mjs";

const BIN = process.env.VERBATIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const PW = "admin password for tests";

test("a secretary records a hearing from the browser", { timeout: 180000 }, async () => {
  assert.ok(BIN, "set VERBATIM_BIN to the verbatim binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "verbatim-ui-"));
  const data = join(dir, "court");
  execFileSync(BIN, ["init", "--data", data, "--admin-password", PW], { stdio: "ignore" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`], { stdio: "ignore" });
  let browser;
  try {
    await waitFor(async () => (await fetch(base + "/api/openapi.json")).ok);

    // Seed: a judge, a secretary, a case and today's hearing in the test courtroom.
    const admin = await apiSession(base, "admin", PW);
    for (const [username, role] of [["judge1", "judge"], ["sec1", "secretary"]]) {
      const r = await admin("POST", "/api/users", { username, display_name: username, role, password: PW, language: "kk" });
      assert.equal(r.status, 201);
    }
    const c = await admin("POST", "/api/cases", { number: "2-15/2026", category: "civil", participants: [{ name: "Истец", role: "plaintiff" }] });
    assert.equal(c.status, 201);
    const today = new Date().toISOString().slice(0, 10);
    const h = await admin("POST", "/api/hearings", {
      case_id: c.body.case.id, courtroom_id: "courtroom-1", date: today, time: "10:00",
      judge: "judge1", secretary: "sec1", language: "kk+ru", open_to_public: true,
    });
    assert.equal(h.status, 201, JSON.stringify(h.body));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    await page.goto(base + "/");
    await page.screenshot({ path: ARTIFACTS + "1-sign-in.png" });

    // Wrong password first: a clear message, no session.
    await page.fill("input[name=username]", "sec1");
    await page.fill("input[name=password]", "not the password");
    await page.click("#login button");
    await page.waitForFunction(() => document.getElementById("err").textContent.length > 0);

    await page.fill("input[name=password]", PW);
    await page.click("#login button");
    await page.waitForSelector("#hearings li button.start");
    assert.match(await page.textContent("#who"), /sec1 \(хатшы\)/, "the role in the user's language");
    assert.match(await page.textContent("#hearings"), /2-15\/2026/);
    await page.screenshot({ path: ARTIFACTS + "2-hearings.png" });

    // The pre-hearing test: every source of the courtroom delivers a signal.
    await page.click("#hearings li button.test");
    await page.waitForFunction(() => document.querySelectorAll("#preflight tr").length === 10, null, { timeout: 30000 });
    assert.equal(await page.locator("#preflight td.lost").count(), 0);
    // The findings in the secretary's language (Kazakh here), not the recorder's English.
    const findings = await page.textContent("#preflight");
    assert.match(findings, /кадрлар келіп жатыр/);
    assert.match(findings, /дыбыс бар, шың -?\d+ dBFS/);
    assert.doesNotMatch(findings, /frames arriving|sound, peak/);
    await page.screenshot({ path: ARTIFACTS + "3-pre-hearing-test.png" });

    await page.click("#hearings li button.start");
    await page.waitForSelector("#recording:not([hidden])");
    // Segments are sealed as they close, and the browser hears of each over SSE.
    await page.waitForFunction(() => Number(document.getElementById("sealed").textContent) >= 10, null, { timeout: 30000 });
    // Each camera's thumbnail shows its newest sealed segment.
    await page.waitForFunction(() => [...document.querySelectorAll("video.thumb")].filter((v) => v.readyState >= 2).length === 4, null, { timeout: 20000 });
    // Live levels move the microphones' meters.
    await page.waitForFunction(() => parseFloat(document.querySelector("#src-mic1 .meter div").style.width) > 10);
    await page.click("#src-mic1 button.mute");
    await page.waitForSelector("#src-mic1.muted");

    // Switch the interface to Kazakh; every string follows.
    await page.selectOption("#lang", "kk");
    assert.equal(await page.textContent("button[data-act=stop]"), "Жазуды тоқтату");
    await page.click("#tags button[data-tag=witness_sworn]");
    await page.fill("#note", "Свидетель предупреждён об ответственности");
    await page.click("button[data-act=note]");
    await page.screenshot({ path: ARTIFACTS + "4-recording-kk.png" });
    await page.click("button[data-act=stop]");
    await page.waitForSelector("#recording[hidden]", { state: "attached" });
    await page.screenshot({ path: ARTIFACTS + "5-stopped.png" });

    // Review: every camera in sync, the notes as a timeline, the verification badge.
    await page.click("#hearings li a.review");
    await page.waitForSelector("#badge.ok");
    assert.equal(await page.locator("#grid video").count(), 4);
    await page.selectOption("#mic", "mic2");
    await page.click("#play");
    await page.waitForFunction(() => [...document.querySelectorAll("#grid video")].every((v) => v.currentTime > 0.5), null, { timeout: 20000 });
    await page.screenshot({ path: ARTIFACTS + "6-review.png" });
    // Seek to a note: every camera shows the moment of the note, within one frame or so.
    const note = page.locator("#notes button.note").first();
    const noteNs = Number(await note.getAttribute("data-ns"));
    await note.click();
    await page.waitForTimeout(1500);
    const spread = await page.evaluate(() => {
      const now = window.reviewTime();
      return [...document.querySelectorAll("#grid video")].map((v) => {
        const seg = v.src.split("/").pop();
        return { seg, t: v.currentTime, now };
      });
    });
    const record = await (await apiSession(base, "admin", PW))("GET", `/api/hearings/${h.body.id}/record`);
    for (const v of spread) {
      const stream = record.body.streams.find((s) => s.segments.some((x) => x.url.endsWith("/" + v.seg) && v.seg));
      const seg = stream.segments.find((x) => x.url.endsWith("/" + v.seg));
      const shown = seg.start_ns + v.t * 1e9;
      assert.ok(Math.abs(shown - v.now) < 0.35e9, `camera at ${shown}, clock at ${v.now}`);
      assert.ok(v.now >= noteNs, "playback continues from the note");
    }
    await page.screenshot({ path: ARTIFACTS + "7-review-at-note.png" });
  } finally {
    if (browser) await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
  }

  // The record: the note and the recording are sealed, and everything verifies.
  const entries = execFileSync(BIN, ["entries", "--data", data]).toString();
  assert.match(entries, /"kind":"log_note".*Куә ант берді/);
  assert.match(entries, /"kind":"log_note".*Свидетель предупреждён/);
  assert.match(entries, /"kind":"mic_muted".*"stream":"mic1"/);
  assert.match(entries, /"action":"start_recording"/);
  assert.match(entries, /"kind":"segment_sealed"/);
  execFileSync(BIN, ["verify", data]); // throws unless it exits 0
  rmSync(dir, { recursive: true, force: true });
});
