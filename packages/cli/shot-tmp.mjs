import { chromium } from 'playwright-core';
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const shots = [
  ['overview', '/?days=all', 1280, 800],
  ['sessions', '/sessions', 1280, 800],
  ['session', '/sessions/491e126e-1e71-469c-ade2-fcc8af567c74', 1280, 800],
  ['session-8463', '/sessions/8463c716', 1280, 800],
  ['narrow-overview', '/?days=all', 390, 844],
  ['narrow-sessions', '/sessions', 390, 844],
  ['narrow-session', '/sessions/491e126e-1e71-469c-ade2-fcc8af567c74', 390, 844],
];
for (const [name, path, w, h] of shots) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(name, 'console', m.type(), m.text()); });
  page.on('pageerror', (e) => console.log(name, 'pageerror', e.message));
  await page.goto(base + path);
  await page.waitForTimeout(2500);
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  console.log(name, 'scrollWidth', sw);
  await page.screenshot({ path: `/work/shots/${name}.png`, fullPage: process.argv[3] === 'full' });
  await page.close();
}
await browser.close();
