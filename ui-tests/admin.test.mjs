// The system administrator's page in a real browser (Debian's Chromium, headless): signed
// in from the home page, the administrator creates a secretary, gives the test courtroom an
// IP camera and a microphone on an audio interface channel, adds a second courtroom,
// schedules a hearing there, opens a closed hearing to a lawyer, and reads the court's
// verifier key; each change is then checked through the API. Screenshots go to
// ui-tests/artifacts/.
//
// Needs VERBATIM_BIN (scripts/test sets it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { freePort, waitFor, apiSession } from "./support.mjs";

const BIN = process.env.VERBATIM_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const PW = "admin password for tests";

test("the administrator manages users, courtrooms and their devices, hearings and access", { timeout: 120000 }, async () => {
  assert.ok(BIN, "set VERBATIM_BIN to the verbatim binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "verbatim-ui-admin-"));
  const data = join(dir, "court");
  execFileSync(BIN, ["init", "--data", data, "--admin-password", PW], { stdio: "ignore" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`], { stdio: "ignore" });
  let browser;
  try {
    await waitFor(async () => (await fetch(base + "/api/openapi.json")).ok);
    const api = await apiSession(base, "admin", PW);
    await api("POST", "/api/users", { username: "judge1", display_name: "Ахметова А. С.", role: "judge", password: PW, language: "ru" });
    await api("POST", "/api/users", { username: "lawyer1", display_name: "Адвокат", role: "viewer", password: PW, language: "ru" });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    await page.goto(base + "/");
    await page.evaluate(() => localStorage.setItem("lang", "ru"));
    await page.goto(base + "/");
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", PW);
    await page.click("#login button");
    await page.waitForSelector("#admin-link:not([hidden])");
    await page.click("#admin-link");
    await page.waitForSelector("#rooms .room");
    assert.match(await page.textContent("h1"), /Администрирование/);
    assert.match(await page.textContent("#court"), /\+/, "the verifier key, name+keyid+key");
    const vkey = readFileSync(join(data, "keys/court.vkey"), "utf8").trim();
    assert.ok((await page.textContent("#court")).includes(vkey));

    // A new secretary.
    await page.fill("#new-user input[name=username]", "sec9");
    await page.fill("#new-user input[name=display_name]", "Сейтқали Н. Б.");
    await page.selectOption("#new-user select[name=role]", "secretary");
    await page.fill("#new-user input[name=password]", PW);
    await page.click("#new-user button");
    await page.waitForFunction(() => document.getElementById("users").textContent.includes("sec9"));
    assert.match(await page.textContent("#users"), /секретарь/);

    // The test courtroom gets an IP camera and a microphone on channel 3 of an interface.
    const room = page.locator('#rooms .room[data-id="courtroom-1"]');
    const before = await room.locator("tr.src").count();
    await room.locator("button.add-camera").click();
    let row = room.locator("tr.src").last();
    await row.locator("input[name=id]").fill("cam9");
    await row.locator("input[name=label]").fill("Камера у трибуны");
    await row.locator("input[name=address]").fill("rtsp://10.0.0.9/stream1");
    await room.locator("button.add-mic").click();
    row = room.locator("tr.src").last();
    await row.locator("input[name=id]").fill("mic9");
    await row.locator("input[name=address]").fill("hw:2");
    await row.locator("input[name=channel]").fill("3");
    await row.locator("input[name=role]").fill("witness");
    await row.locator("input[name=position]").fill("трибуна свидетеля");
    await room.locator("button.save").click();
    await page.waitForFunction(() => document.getElementById("done").textContent.includes("courtroom-1"));
    await page.screenshot({ path: ARTIFACTS + "admin-1-courtrooms.png", fullPage: true });
    let rooms = (await api("GET", "/api/courtrooms")).body;
    let c1 = rooms.find((r) => r.id === "courtroom-1");
    assert.equal(c1.sources.length, before + 2);
    assert.deepEqual(c1.sources.find((s) => s.id === "cam9"), { id: "cam9", label: "Камера у трибуны", role: null, position: null, kind: "rtsp_camera", url: "rtsp://10.0.0.9/stream1", codec: "h264" });
    const mic = c1.sources.find((s) => s.id === "mic9");
    assert.equal(mic.kind, "alsa"); assert.equal(mic.device, "hw:2"); assert.equal(mic.channel, 3); assert.equal(mic.role, "witness");

    // A bad change is named and stored nothing: two sources with one id.
    await page.locator('#rooms .room[data-id="courtroom-1"] tr.src').last().locator("input[name=id]").fill("cam9");
    await page.locator('#rooms .room[data-id="courtroom-1"] button.save').click();
    await page.waitForFunction(() => /cam9/.test(document.getElementById("err").textContent));
    rooms = (await api("GET", "/api/courtrooms")).body;
    assert.ok(rooms.find((r) => r.id === "courtroom-1").sources.some((s) => s.id === "mic9"), "unchanged");

    // A second courtroom with one camera.
    await page.fill("#new-room-id", "room-2");
    await page.click("#add-room");
    const room2 = page.locator('#rooms .room[data-id="room-2"]');
    await room2.locator("input[name=name]").fill("Зал № 2");
    await room2.locator("button.add-camera").click();
    await room2.locator("tr.src").last().locator("input[name=address]").fill("rtsp://10.0.0.20/main");
    await room2.locator("button.save").click();
    await page.waitForFunction(() => document.getElementById("done").textContent.includes("room-2"));
    rooms = (await api("GET", "/api/courtrooms")).body;
    assert.equal(rooms.find((r) => r.id === "room-2").name, "Зал № 2");

    // A closed hearing in room 2, then a lawyer may see it.
    await page.fill("#schedule input[name=number]", "1-77/2026");
    await page.selectOption("#schedule select[name=category]", "criminal");
    await page.selectOption("#schedule-room", "room-2");
    await page.fill("#schedule input[name=date]", "2026-12-01");
    await page.fill("#schedule input[name=time]", "11:30");
    await page.selectOption("#schedule-judge", "judge1");
    await page.selectOption("#schedule-secretary", "sec9");
    await page.uncheck("#schedule input[name=open_to_public]");
    await page.click("#schedule button");
    await page.waitForFunction(() => /: h/.test(document.getElementById("done").textContent));
    const hid = (await page.textContent("#done")).split(": ")[1].trim();
    const lawyer = await apiSession(base, "lawyer1", PW);
    assert.equal((await lawyer("GET", "/api/hearings/" + hid)).status, 404, "closed: invisible");
    await page.fill("#access input[name=hearing]", hid);
    await page.fill("#access input[name=username]", "lawyer1");
    await page.click("#access button");
    await page.waitForFunction(() => /lawyer1/.test(document.getElementById("done").textContent));
    const seen = await lawyer("GET", "/api/hearings/" + hid);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.hearing.courtroom_id, "room-2");
    assert.equal(seen.body.hearing.open_to_public, false);
    await page.screenshot({ path: ARTIFACTS + "admin-2-scheduled.png", fullPage: true });

    // In Kazakh, every label translated.
    await page.selectOption("#lang", "kk");
    assert.match(await page.textContent("#rooms-section h2"), /Залдар, камералар мен микрофондар/);
    await page.screenshot({ path: ARTIFACTS + "admin-3-kk.png", fullPage: true });

    // Not for a secretary.
    const sec = await browser.newPage();
    await sec.goto(base + "/");
    await sec.fill("input[name=username]", "sec9");
    await sec.fill("input[name=password]", PW);
    await sec.click("#login button");
    await sec.waitForSelector("#today:not([hidden])");
    assert.equal(await sec.isHidden("#admin-link"), true);
    await sec.goto(base + "/admin");
    await sec.waitForFunction(() => document.getElementById("err").textContent.length > 0);
    assert.equal(await sec.isHidden("#users-section"), true);
  } finally {
    if (browser) await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
});
