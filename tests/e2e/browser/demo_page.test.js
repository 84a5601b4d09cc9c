'use strict';
// The demo page at "/" in a real browser (Debian's chromium through
// playwright-core): it opens a STOMP session over WebSocket, and messages
// published from the page's buttons (HTTP API) come back over that session,
// on a topic and on the user's own destination.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const h = require('../lib/harness');

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('demo page in a browser', { skip: !fs.existsSync(CHROMIUM) && 'chromium is not installed' }, () => {
  let server;
  let browser;
  before(async () => {
    server = await h.startHerald({ endpoints: [{ path: '/websocket/mq' }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('connects to the configured endpoint and shows topic and user messages live', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    assert.match(await page.textContent('#ep'), /\/websocket\/mq$/);
    await page.waitForFunction(() => window.heraldReady === true, null, { timeout: 10000 });
    assert.match(await page.textContent('#state'), /connected as demo-\w+ \(STOMP 1\.2\)/);
    // heraldReady comes right after the page sent its two SUBSCRIBEs, without
    // receipts; the page's publish (another connection, perhaps another
    // worker) could overtake them. herald counts a subscription once it is in
    // place: wait for both before publishing.
    await h.waitUntil(async () => (await h.http(server, 'GET', '/api/info')).json.subscriptions === 2, {
      what: 'the demo page\'s two subscriptions',
    });

    await page.fill('#text', 'to everybody');
    await page.click('button:has-text("publish to /topic/demo")');
    await page.waitForSelector('#log .msg:has-text("/topic/demo: to everybody")', { timeout: 10000 });

    await page.fill('#text', 'just for me');
    await page.click('#self');
    await page.waitForSelector('#log .msg:has-text("/user/queue/notice: just for me")', { timeout: 10000 });

    // And a publish from outside the page reaches it too.
    const user = await page.textContent('#me');
    await h.mustPublishUser(server, user, '/queue/notice', 'from the API');
    await page.waitForSelector('#log .msg:has-text("/user/queue/notice: from the API")', { timeout: 10000 });
  });
});
