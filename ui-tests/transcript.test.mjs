// A hearing's transcript in a real browser (Debian's Chromium, headless). The test courtroom
// is the demo's: 4 test cameras and 6 microphones playing a scripted hearing in Russian and
// Kazakh (espeak-ng, scripts/make-demo-hearing). The secretary records a closed hearing;
// the server transcribes it with Whisper while and after it records and seals revision 1.
// On the review page the transcript follows playback and a click on a word seeks there;
// the secretary corrects an utterance with the keyboard and saves revision 2 (revision 1
// stays selectable), certifies it (editing ends), exports it, searches for a word of it
// across hearings and opens the hit, which starts playback at that moment. Closed hearings
// stay out of the search of a user without rights. Screenshots go to ui-tests/artifacts/.
//
// Needs VERBATIM_BIN (the verbatim binary; scripts/test sets it), espeak-ng and sox, and
// the Whisper model (scripts/fetch-whisper-model; VERBATIM_MODEL_DIR or
// ~/.cache/verbatim/models/whisper-base).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { freePort, waitFor, apiSession } from "./support.mjs";

const BIN = process.env.VERBATIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const MAKE_HEARING = new URL("../scripts/make-demo-hearing", import.meta.url).pathname;
const I18N = JSON.parse(readFileSync(new URL("../crates/server/assets/i18n.json", import.meta.url)));
const MODEL = process.env.VERBATIM_MODEL_DIR || join(homedir(), ".cache/verbatim/models/whisper-base");
const PW = "admin password for tests";
const RECORD_SECONDS = 30;
const CASE = "2-15/2026";

function missing() {
  if (!existsSync(join(MODEL, "model.bin"))) return `no Whisper model in ${MODEL} (scripts/fetch-whisper-model)`;
  for (const tool of ["espeak-ng", "sox"]) {
    try { execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }); } catch { return `${tool} is not installed`; }
  }
  return false;
}

test("a hearing's transcript: follow playback, correct, certify, export, search", { timeout: 900000, skip: missing() }, async () => {
  assert.ok(BIN, "set VERBATIM_BIN to the verbatim binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "verbatim-ui-transcript-"));
  const data = join(dir, "court");
  execFileSync(BIN, ["init", "--data", data, "--admin-password", PW], { stdio: "ignore" });
  // The demo courtroom, as scripts/demo configures it: one speaker per microphone.
  const audio = join(dir, "audio");
  execFileSync(MAKE_HEARING, [audio], { stdio: "ignore" });
  let room = '\n[[courtrooms]]\nid = "courtroom-1"\nname = "Courtroom 1"\n';
  for (let i = 1; i <= 4; i++) room += `[[courtrooms.sources]]\nid = "cam${i}"\nlabel = "Camera ${i}"\nkind = "test_pattern"\n`;
  ["judge", "secretary", "prosecutor", "defence", "witness", "defendant"].forEach((role, i) => {
    room += `[[courtrooms.sources]]\nid = "mic${i + 1}"\nlabel = "Microphone ${i + 1}"\nrole = "${role}"\nkind = "test_speech"\npath = "${audio}/mic${i + 1}.wav"\n`;
  });
  appendFileSync(join(data, "verbatim.toml"), room);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, "server.log"), "a");
  const server = spawn(BIN, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", log, log], env: { ...process.env, VERBATIM_MODEL_DIR: MODEL },
  });
  let browser, ok = false;
  try {
    await waitFor(async () => (await fetch(base + "/api/openapi.json")).ok);

    // Seed: a judge, a secretary, a viewer without rights, a case with its parties, and
    // today's hearing (closed to the public) in the demo courtroom.
    const admin = await apiSession(base, "admin", PW);
    for (const [username, display_name, role] of [["judge1", "Ахметова А. С.", "judge"], ["sec1", "Сейтқали Н. Б.", "secretary"], ["viewer1", "Viewer", "viewer"]]) {
      const r = await admin("POST", "/api/users", { username, display_name, role, password: PW, language: "ru" });
      assert.equal(r.status, 201);
    }
    const c = await admin("POST", "/api/cases", { number: CASE, category: "civil", participants: [{ name: "Иванов И. И.", role: "plaintiff" }, { name: "Серіков Б.", role: "defendant" }] });
    assert.equal(c.status, 201);
    const today = new Date().toISOString().slice(0, 10);
    const h = await admin("POST", "/api/hearings", {
      case_id: c.body.case.id, courtroom_id: "courtroom-1", date: today, time: "10:00",
      judge: "judge1", secretary: "sec1", language: "kk+ru", open_to_public: false,
    });
    assert.equal(h.status, 201, JSON.stringify(h.body));
    const hearing = h.body.id;

    // The hearing is recorded (the browser's part of recording is hearing.test.mjs).
    const sec = await apiSession(base, "sec1", PW);
    const start = await sec("POST", "/api/recording/start", { hearing_id: hearing });
    assert.equal(start.status, 200, JSON.stringify(start.body));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (e) => console.error("page error:", e));
    await page.goto(base + "/");
    await page.evaluate(() => localStorage.setItem("lang", "ru"));
    await page.fill("input[name=username]", "sec1");
    await page.fill("input[name=password]", PW);
    await page.click("#login button");
    await page.waitForSelector("#hearings li a.review");

    // While it records, the review page shows the transcriber's live draft.
    await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000 / 2));
    await page.goto(`${base}/review?hearing=${hearing}`);
    await page.waitForFunction(() => ["live", "none"].includes(document.getElementById("tstatus").dataset.status));
    await page.screenshot({ path: ARTIFACTS + "t1-transcript-live.png" });
    await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000 / 2));
    assert.equal((await sec("POST", "/api/recording/stop", {})).status, 200);

    // The hearing closed: the transcriber finishes and seals revision 1; the page, which
    // polls while the draft is live, shows it.
    await page.reload();
    const lang = "ru";
    // About two minutes on two idle cores; more on a busy machine (VERBATIM_UI_TRANSCRIBE_S).
    const transcribeS = Number(process.env.VERBATIM_UI_TRANSCRIBE_S) || 480;
    await page.waitForFunction(() => document.getElementById("tstatus").dataset.status === "sealed", null, { timeout: transcribeS * 1000 });
    console.log(`revision 1 sealed ${Math.round((Date.now() - started) / 1000)} s into the test`);
    const rows = page.locator("#utterances .utt");
    assert.ok(await rows.count() >= 2, "utterances are shown");
    assert.equal(await page.inputValue("#revision"), "1");
    // Speakers labelled by role (translated) and name.
    const labels = await page.locator("#utterances .utt .who").allTextContents();
    assert.ok(labels.some((l) => l.includes(I18N["role.judge"][lang]) && l.includes("Ахметова А. С.")), labels.join(" | "));
    assert.ok(labels.every((l) => l.length > 0));
    const langs = await page.locator("#utterances .utt .lang").allTextContents();
    assert.ok(langs.every((l) => l === "kk" || l === "ru"), langs.join(","));

    // Click a word: every player seeks there; the word is highlighted.
    const allWords = page.locator("#utterances .w");
    const n = await allWords.count();
    assert.ok(n > 5, `${n} words`);
    const word = allWords.nth(Math.floor(n / 2));
    const wordMs = Number(await word.getAttribute("data-ms"));
    await word.click();
    await page.waitForTimeout(1500);
    const at = await page.evaluate(() => window.reviewTime());
    assert.ok(Math.abs(at - wordMs * 1e6) < 1e9, `clock at ${at} ns, word at ${wordMs} ms`);
    const record = await sec("GET", `/api/hearings/${hearing}/record`);
    const shown = await page.evaluate(() => [...document.querySelectorAll("#grid video")].map((v) => ({ seg: v.src.split("/").pop(), t: v.currentTime })));
    assert.equal(shown.length, 4);
    for (const v of shown) {
      const seg = record.body.streams.flatMap((s) => s.segments).find((x) => x.url.endsWith("/" + v.seg));
      assert.ok(seg, v.seg);
      assert.ok(Math.abs(seg.start_ns + v.t * 1e9 - wordMs * 1e6) < 1e9, `camera at ${seg.start_ns + v.t * 1e9}, word at ${wordMs} ms`);
    }
    assert.ok(await word.evaluate((el) => el.classList.contains("cur")), "the word being played is highlighted");
    await page.screenshot({ path: ARTIFACTS + "t2-transcript-sealed.png" });
    // Playback follows: play a little, and the highlight moves on.
    await page.click("#play");
    await page.waitForFunction((ms) => window.reviewTime() > ms * 1e6 + 1.5e9, wordMs);
    await page.click("#play");
    await page.waitForTimeout(500);
    const follows = await page.evaluate(() => {
      const ms = window.reviewTime() / 1e6;
      const ws = [...document.querySelectorAll("#utterances .w")];
      const want = ws.filter((w) => Number(w.dataset.ms) <= ms && ms < Number(w.dataset.end));
      const have = ws.filter((w) => w.classList.contains("cur"));
      return { ms, want: want.map((w) => w.dataset.ms), have: have.map((w) => w.dataset.ms) };
    });
    assert.ok(follows.ms > wordMs + 1500);
    assert.deepEqual(follows.have, follows.want, `highlighted at ${follows.ms} ms`);

    // Correct one utterance with the keyboard only.
    await page.focus("#edit");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#utterances input.text");
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return { cls: el.className, id: el.closest(".utt")?.dataset.id, value: el.value };
    });
    const a = await focused();
    assert.equal(a.cls, "text", "editing starts in the text of the utterance being played");
    await page.keyboard.press("End");
    await page.keyboard.type(" проверено секретарём");
    assert.match(await page.textContent("#pending"), /: 1$/);
    // Enter (or Shift+Enter: one line only) accepts it and goes to the next utterance.
    await page.keyboard.press("Shift+Enter");
    const b = await focused();
    assert.notEqual(b.id, a.id);
    assert.equal(b.cls, "text");
    // Esc undoes a change to this utterance.
    await page.keyboard.type("ошибка");
    assert.match(await page.textContent("#pending"), /: 2$/);
    await page.keyboard.press("Escape");
    assert.notEqual((await focused()).value, "ошибка");
    assert.match(await page.textContent("#pending"), /: 1$/);
    // Alt+↑ goes back; the change is still there, on one line.
    await page.keyboard.press("Alt+ArrowUp");
    const back = await focused();
    assert.equal(back.id, a.id);
    assert.match(back.value, /проверено секретарём$/);
    assert.ok(!back.value.includes("\n"));
    await page.screenshot({ path: ARTIFACTS + "t3-editing.png" });
    // Ctrl+S: saved as revision 2, sealed.
    await page.keyboard.press("Control+s");
    await page.waitForFunction(() => document.getElementById("revision").value === "2", null, { timeout: 20000 });
    assert.match(await page.textContent("#tinfo"), /2/);
    assert.match(await page.textContent("#pending"), /: 0$/);
    await page.click("#edit"); // stop editing: the words again
    const edited = page.locator(`#utterances .utt[data-id="${a.id}"]`);
    assert.match(await edited.locator(".text").textContent(), /проверено секретарём/);
    assert.equal(await edited.locator(".mark").count(), 1);
    // Revision 1, the machine output, is still there.
    assert.deepEqual(await page.locator("#revision option").evaluateAll((os) => os.map((o) => o.value)), ["2", "1"]);
    await page.selectOption("#revision", "1");
    await page.waitForFunction(() => !document.getElementById("tnotice").hidden);
    assert.doesNotMatch(await page.locator(`#utterances .utt[data-id="${a.id}"] .text`).textContent(), /проверено/);
    assert.ok(await page.isDisabled("#edit"), "an older revision is not edited");
    await page.screenshot({ path: ARTIFACTS + "t4-revision-1.png" });
    await page.selectOption("#revision", "2");
    await page.waitForFunction(() => document.getElementById("tnotice").hidden);

    // Certify (with a confirmation): editing ends, with a notice.
    page.once("dialog", (d) => d.accept());
    await page.click("#certify");
    await page.waitForSelector("#certified:not([hidden])");
    assert.match(await page.textContent("#certified"), /2/);
    assert.ok(await page.isDisabled("#edit"));
    assert.ok(await page.isDisabled("#certify"));
    assert.equal(await page.textContent("#tnotice"), I18N["transcript.locked"][lang]);
    assert.ok(await page.isVisible("#tnotice"));
    const late = await sec("POST", `/api/hearings/${hearing}/transcript`, { based_on: 2, changes: [{ id: a.id, text: "поздно" }] });
    assert.equal(late.status, 409);
    await page.screenshot({ path: ARTIFACTS + "t5-certified.png" });

    // Exports of the revision shown.
    const exports = await page.evaluate(async () => {
      const out = {};
      for (const a of document.querySelectorAll("#exports a")) {
        const r = await fetch(a.href);
        const bytes = new Uint8Array(await r.arrayBuffer());
        out[a.dataset.format] = { status: r.status, type: r.headers.get("content-type"), head: String.fromCharCode(...bytes.slice(0, 5)), text: a.dataset.format === "txt" ? new TextDecoder().decode(bytes) : "" };
      }
      return out;
    });
    assert.deepEqual(Object.keys(exports).sort(), ["docx", "pdf", "srt", "txt", "vtt"]);
    assert.equal(exports.pdf.status, 200);
    assert.equal(exports.pdf.type, "application/pdf");
    assert.equal(exports.pdf.head, "%PDF-");
    for (const f of ["docx", "vtt", "srt", "txt"]) assert.equal(exports[f].status, 200, f);
    assert.match(exports.txt.text, /проверено секретарём/);

    // Search across hearings for a word of another utterance (the latest revision is indexed).
    const latest = (await sec("GET", `/api/hearings/${hearing}/transcript`)).body.transcript.utterances;
    // One well into the hearing, so that opening the hit visibly moves playback.
    // A real word: 5 to 20 letters, not a recogniser loop ("СОТОТОТО..."), which the index
    // rightly ignores.
    const longWord = (u) => u.text.split(/[^\p{L}]+/u)
      .filter((w) => w.length >= 5 && w.length <= 20 && !/(\p{L}{1,4})\1{4,}/u.test(w))
      .sort((x, y) => y.length - x.length)[0];
    const target = latest.find((u) => u.id !== a.id && u.start_ms >= 5000 && longWord(u)) || latest.find(longWord);
    assert.ok(target, "an utterance with a word to search for");
    const q = longWord(target);
    await page.click("#search-link");
    await page.waitForURL(/\/search/);
    // A query the server refuses (dates the wrong way round): a message, no hits.
    await page.fill("#q", q);
    await page.fill("#date_from", "2026-12-31");
    await page.fill("#date_to", "2026-01-01");
    await page.press("#q", "Enter");
    await page.waitForFunction(() => document.getElementById("err").textContent.length > 0);
    await page.fill("#date_from", "");
    await page.fill("#date_to", "");
    await page.fill("#case", CASE);
    await page.selectOption("#role", target.role);
    try {
      await waitFor(async () => {
        await page.press("#q", "Enter");
        await page.waitForTimeout(1000);
        return (await page.locator("#hits li").count()) > 0;
      }, 60000);
    } catch (e) {
      // Say what the index holds, so that a failure here can be told apart from a slow indexer.
      const api = await sec("GET", `/api/search?q=${encodeURIComponent(q)}`);
      const status = (await sec("GET", `/api/hearings/${hearing}/transcript`)).body.transcriber;
      throw new Error(`no hit for ${JSON.stringify(q)} (role ${target.role}, case ${CASE}) after 60 s: ` +
        `unfiltered search ${JSON.stringify(api.body).slice(0, 800)}; transcriber ${JSON.stringify(status)}`);
    }
    assert.equal(await page.textContent("#err"), "");
    const hit = page.locator("#hits li").filter({ has: page.locator(`a.open[data-start-ms="${target.start_ms}"]`) });
    assert.equal(await hit.count(), 1, `a hit at ${target.start_ms} ms for ${q}`);
    assert.match(await hit.locator(".snippet").innerHTML(), /<b>/);
    assert.match(await hit.textContent(), new RegExp(CASE.replace("/", "\\/")));
    await page.screenshot({ path: ARTIFACTS + "t6-search.png" });
    // The hearing is closed: a viewer without rights finds nothing, the administrator finds it.
    const query = `/api/search?q=${encodeURIComponent(q)}&case=${encodeURIComponent(CASE)}`;
    const viewer = await apiSession(base, "viewer1", PW);
    const hidden = await viewer("GET", query);
    assert.equal(hidden.status, 200);
    assert.equal(hidden.body.total, 0);
    assert.ok((await admin("GET", query)).body.total >= 1);
    // The hit opens the review page at that moment.
    const hitMs = Number(await hit.locator("a.open").getAttribute("data-start-ms"));
    await hit.locator("a.open").click();
    await page.waitForURL(/\/review\?hearing=.*&t=\d+/);
    await page.waitForFunction((ms) => Math.abs(window.reviewTime() - ms * 1e6) < 1e9, hitMs, { timeout: 20000 });
    await page.waitForFunction(() => document.querySelectorAll("#utterances .utt").length > 0);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: ARTIFACTS + "t7-review-at-hit.png" });
    ok = true;
  } finally {
    if (browser) await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
    if (!ok) console.error("server log:\n" + readFileSync(join(dir, "server.log"), "utf8").slice(-4000));
  }

  // The record: both revisions and the certification are sealed, and everything verifies.
  const entries = execFileSync(BIN, ["entries", "--data", data]).toString();
  assert.match(entries, /"kind":"transcript_revision".*"revision":1/);
  assert.match(entries, /"kind":"transcript_revision".*"revision":2/);
  assert.match(entries, /"kind":"transcript_certified"/);
  execFileSync(BIN, ["verify", data]); // throws unless it exits 0
  console.log(`transcript test took ${Math.round((Date.now() - started) / 1000)} s`);
  rmSync(dir, { recursive: true, force: true });
});
