// Verifying an evidence bundle in a real browser (Debian's Chromium, headless), with the
// verifier compiled to WebAssembly: the page inside the bundle, opened from the file system
// with nothing installed, and the page the court's server serves at /verify. A bundle as
// exported verifies (as a tar archive and as a folder); one with a changed media byte does
// not, and the page names the file. Camera segments are 4.5 MB, so the page hashes them in
// more than one slice (it never holds a whole hearing in memory). Screenshots go to
// ui-tests/artifacts/.
//
// Needs VERBATIM_BIN (scripts/test sets it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { freePort } from "./support.mjs";

const BIN = process.env.VERBATIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

async function verdict(page) {
  await page.waitForFunction(() => /ok|bad/.test(document.getElementById("verdict").className), null, { timeout: 30000 });
  return {
    ok: await page.evaluate(() => document.getElementById("verdict").className === "ok"),
    text: await page.textContent("#verdict"),
    problems: await page.textContent("#problems"),
    summary: await page.textContent("#summary"),
  };
}

test("a bundle is verified in the browser, from the bundle itself and from the server", async () => {
  assert.ok(BIN, "VERBATIM_BIN must name the verbatim binary");
  const dir = mkdtempSync(join(tmpdir(), "verbatim-ui-verify-"));
  const data = join(dir, "court");
  const vkey = execFileSync(BIN, ["init", "--data", data, "--court", "almaty", "--admin-password", "admin password for tests"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  execFileSync(BIN, ["simulate", "--data", data, "--seconds", "10", "--segment-bytes", "4500000", "--mic-bytes", "16384"], { stdio: "ignore" });
  const hearing = JSON.parse(execFileSync(BIN, ["hearings", "--data", data, "--json"]).toString().split("\n")[0]).hearing;
  const folder = join(dir, "bundle");
  const tar = join(dir, "bundle.tar");
  execFileSync(BIN, ["export", "--data", data, "--hearing", hearing, "--out", folder], { stdio: "ignore" });
  execFileSync(BIN, ["export", "--data", data, "--hearing", hearing, "--from", "2", "--to", "6", "--out", tar], { stdio: "ignore" });
  // A tampered copy of the archive: one byte of the first camera segment changed.
  const bytes = readFileSync(tar);
  const name = Buffer.from(`hearings/${hearing}/cam1/`);
  let at = -1; // the member's header (headers sit at multiples of 512)
  for (let off = 0; off + 512 <= bytes.length && at < 0; off += 512) {
    if (bytes.subarray(off, off + name.length).equals(name)) at = off;
  }
  assert.ok(at >= 0, "a camera segment in the archive");
  const bad = Buffer.from(bytes);
  bad[at + 512 + 100] ^= 1; // inside the member's data, past its 512-byte header
  const badTar = join(dir, "tampered.tar");
  writeFileSync(badTar, bad);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, "server.log"), "a");
  const server = spawn(BIN, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", log, log] });
  let browser, ok = false;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("pageerror", (e) => console.error("page error:", e));

    // 1. The page inside the bundle, from the file system: no server, nothing installed.
    await page.goto("file://" + join(folder, "verify.html"));
    await page.selectOption("#lang", "kk");
    assert.equal(await page.textContent("#go"), "Тексеру");
    await page.setInputFiles("#dir", folder);
    await page.fill("#key", vkey);
    await page.click("#go");
    let v = await verdict(page);
    assert.ok(v.ok, `${v.text} ${v.problems}`);
    assert.match(v.text, /РАСТАЛДЫ/);
    assert.match(v.summary, new RegExp(hearing));
    assert.match(v.summary, /сіз берген кілт/); // the key given was used
    assert.equal(await page.locator("#streams tr").count(), 11); // header + 10 streams
    await page.screenshot({ path: ARTIFACTS + "v1-bundle-page-verified.png", fullPage: true });

    // 2. The server's page, the clip as one archive, in Russian.
    await page.goto(base + "/verify");
    await page.selectOption("#lang", "ru");
    await page.setInputFiles("#tar", tar);
    await page.click("#go");
    v = await verdict(page);
    assert.ok(v.ok, `${v.text} ${v.problems}`);
    assert.match(v.text, /ПОДТВЕРЖДЕНО/);
    assert.match(v.summary, /00:00:02 – 00:00:06/);
    assert.match(v.summary, /ключ из выгрузки/); // no key given: the bundle's own, said so

    // 3. The tampered archive: not verified, the altered file named.
    await page.setInputFiles("#tar", badTar);
    await page.click("#go");
    v = await verdict(page);
    assert.ok(!v.ok);
    assert.match(v.text, /НЕ ПОДТВЕРЖДЕНО/);
    assert.match(v.problems, new RegExp(`hearings/${hearing}/cam1/.*the file was altered`));
    await page.screenshot({ path: ARTIFACTS + "v2-tampered-not-verified.png", fullPage: true });
    ok = true;
  } finally {
    if (browser) await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
    if (!ok) console.error("server log:\n" + readFileSync(join(dir, "server.log"), "utf8").slice(-3000));
  }
  // The command-line verifier agrees on the same files.
  execFileSync(BIN, ["verify", tar, "--key", vkey], { stdio: "ignore" });
  assert.throws(() => execFileSync(BIN, ["verify", badTar, "--key", vkey], { stdio: "ignore" }));
  assert.ok(readdirSync(folder).includes("verify.html"));
  rmSync(dir, { recursive: true, force: true });
});
