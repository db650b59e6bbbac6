// quill's output, checked by tools others wrote and maintain: the Nu Html Checker, xmllint with
// the sitemaps.org schema, axe-core, and Chromium driven by Playwright.
//
//   node tests/browser/checks.mjs SAMPLE_SITE XSS_SITE QUILL_BINARY SCREENSHOT_DIR
//
// SAMPLE_SITE and XSS_SITE are built sites (public/ inside, comments ingested). Prints one line
// per check and closes with "N passed, N failed"; exits non-zero when any check failed.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const [sampleSite, xssSite, quill, shotDir, pagedSite] = process.argv.slice(2);
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push([name, error]);
    console.log(`FAIL ${name}\n     ${String(error.message || error).split('\n').join('\n     ')}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain' };

/** A static server for a built site on 127.0.0.1, as any static host would serve it. */
function serveStatic(root) {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(root, url);
      if (!file.startsWith(root)) { res.writeHead(400); return res.end(); }
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!existsSync(file)) {
        res.writeHead(404, { 'content-type': TYPES['.html'] });
        return res.end(readFileSync(path.join(root, '404.html')));
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function launch(options = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'quill-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

function xmllint(args) {
  const run = spawnSync('xmllint', args, { encoding: 'utf8' });
  return { ok: run.status === 0, out: run.stdout.trim(), err: run.stderr.trim() };
}

function xpath(file, expr) {
  return xmllint(['--nonet', '--xpath', expr, file]).out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkAtom(file, publicDir, baseUrl) {
  assert(existsSync(file), `${file} is missing`);
  const wellFormed = xmllint(['--noout', '--nonet', file]);
  assert(wellFormed.ok, `not well-formed XML: ${wellFormed.err}`);
  const root = "/*[local-name()='feed' and namespace-uri()='http://www.w3.org/2005/Atom']";
  for (const el of ['id', 'title', 'updated', 'author']) {
    assert(xpath(file, `count(${root}/*[local-name()='${el}'])`) === '1', `the feed needs exactly one <${el}>`);
  }
  const entries = Number(xpath(file, `count(${root}/*[local-name()='entry'])`));
  assert(entries > 0, 'the feed has no entries');
  for (let i = 1; i <= entries; i++) {
    const entry = `${root}/*[local-name()='entry'][${i}]`;
    for (const el of ['id', 'title', 'updated']) {
      assert(xpath(file, `count(${entry}/*[local-name()='${el}'])`) === '1', `entry ${i} needs one <${el}>`);
    }
    const hasAuthor = xpath(file, `count(${entry}/*[local-name()='author'])`) !== '0' || xpath(file, `count(${root}/*[local-name()='author'])`) === '1';
    assert(hasAuthor, `entry ${i} has no author`);
    for (const el of ['updated', 'published']) {
      const value = xpath(file, `string(${entry}/*[local-name()='${el}'])`);
      assert(el === 'published' && value === '' || RFC3339.test(value), `entry ${i} <${el}> is not RFC 3339: ${value}`);
    }
    const href = xpath(file, `string(${entry}/*[local-name()='link'][@rel='alternate' or not(@rel)]/@href)`);
    assert(href.startsWith(baseUrl), `entry ${i} link is not absolute on the site: ${href}`);
    assert(resolves(publicDir, baseUrl, href), `entry ${i} link does not resolve to a file: ${href}`);
  }
  assert(RFC3339.test(xpath(file, `string(${root}/*[local-name()='updated'])`)), 'feed <updated> is not RFC 3339');
}

/** Whether an absolute URL on the site names a file of the output (fragment ignored). */
function resolves(publicDir, baseUrl, url) {
  let rel = url.slice(baseUrl.length).split('#')[0].split('?')[0];
  let file = path.join(publicDir, decodeURIComponent(rel));
  if (rel === '' || rel.endsWith('/')) file = path.join(file, 'index.html');
  return existsSync(file);
}

function baseUrlOf(site) {
  const toml = readFileSync(path.join(site, 'site.toml'), 'utf8');
  return toml.match(/^base_url\s*=\s*"([^"]+)"/m)[1].replace(/\/$/, '');
}

/** An axe violation as a check reports it: the rule, its impact and the first places. */
function described(v) {
  return `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`;
}

async function axeViolations(page) {
  await page.addScriptTag({ path: path.join(repo, 'node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const samplePublic = path.join(sampleSite, 'public');
const baseUrl = baseUrlOf(sampleSite);

/** Runs the Nu Html Checker on every page under `dir`; fails with its first errors. */
function assertValidHtml(dir) {
  const run = spawnSync('java', ['-jar', path.join(repo, 'node_modules/vnu-jar/build/dist/vnu.jar'),
    '--skip-non-html', '--errors-only', '--format', 'json', '--stdout', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const messages = JSON.parse(run.stdout || '{"messages":[]}').messages.filter((m) => m.type === 'error');
  assert(run.status === 0 && messages.length === 0,
    messages.slice(0, 10).map((m) => `${m.url.replace('file:' + dir, '')}:${m.lastLine}: ${m.message}`).join('\n') || run.stderr);
}

await check('Nu Html Checker: every page of the sample site, with comments and webmentions, has zero errors', () => {
  assertValidHtml(samplePublic);
});

await check('Nu Html Checker: every page of a thread paged twelve times, with the gaps in their links, has zero errors', () => {
  assertValidHtml(path.join(pagedSite, 'public'));
});

await check('atom.xml is well-formed Atom 1.0 with the required elements and resolving links', () => {
  checkAtom(path.join(samplePublic, 'atom.xml'), samplePublic, baseUrl);
});

await check('comments.xml is well-formed Atom 1.0 with the required elements and resolving links', () => {
  checkAtom(path.join(samplePublic, 'comments.xml'), samplePublic, baseUrl);
});

await check('sitemap.xml validates against sitemap.xsd, every <loc> absolute and resolving', () => {
  const file = path.join(samplePublic, 'sitemap.xml');
  const schema = xmllint(['--noout', '--nonet', '--schema', path.join(repo, 'node_modules/sitemap/schema/sitemap.xsd'), file]);
  assert(schema.ok, schema.err);
  const count = Number(xpath(file, "count(//*[local-name()='loc'])"));
  assert(count > 5, `only ${count} URLs in the sitemap`);
  for (let i = 1; i <= count; i++) {
    const loc = xpath(file, `string((//*[local-name()='loc'])[${i}])`);
    assert(loc.startsWith(baseUrl + '/'), `<loc> is not absolute on the site: ${loc}`);
    assert(resolves(samplePublic, baseUrl, loc), `<loc> does not resolve to a file: ${loc}`);
  }
});

const server = await serveStatic(samplePublic);
const local = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await check('axe-core: no serious or critical violation, light and dark', async () => {
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const url of ['/', '/posts/a-walk-by-the-lake/', '/posts/parsing-dates-in-rust/', '/posts/a-tour-of-shortcodes/', '/tags/travel/', '/no-such-page/']) {
        await page.goto(local + url);
        for (const v of await axeViolations(page)) {
          problems.push(`${scheme} ${url}: ${described(v)}`);
        }
      }
    }
    assert(problems.length === 0, problems.join('\n'));
  });

  await check('axe-core: a middle page of a long thread, its links to other pages with gaps, light and dark', async () => {
    const pagedServer = await serveStatic(path.join(pagedSite, 'public'));
    try {
      const problems = [];
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`http://127.0.0.1:${pagedServer.address().port}/posts/long/comments/6/`);
        const gaps = await page.evaluate(() => document.querySelectorAll('nav.comment-pages li.gap').length);
        assert(gaps === 2, `${gaps} gaps in the links of page 6 of 12`);
        for (const v of await axeViolations(page)) {
          problems.push(`${scheme}: ${described(v)}`);
        }
      }
      assert(problems.length === 0, problems.join('\n'));
    } finally {
      pagedServer.close();
    }
  });

  await check('webmentions on a post: replies among the comments by date, likes and a repost as counts, links out marked, axe clean', async () => {
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(local + '/posts/a-walk-by-the-lake/');
      const shown = await page.evaluate(() => {
        const top = [...document.querySelectorAll('section.comments .comment-list > li')];
        return {
          order: top.map((li) => (li.classList.contains('mention') ? 'mention' : 'comment')),
          from: [...document.querySelectorAll('.comment.mention header')].map((h) => h.textContent.replace(/\s+/g, ' ').trim()),
          counts: [...document.querySelectorAll('section.comments .mentions .mention-people')].map((p) => p.textContent.trim()),
          unmarked: [...document.querySelectorAll('.comment.mention a[href], .mentions a[href]')]
            .filter((a) => a.rel !== 'nofollow ugc').map((a) => a.outerHTML),
          replyControls: document.querySelectorAll('.comment.mention input[name=parent]').length,
          images: [...document.querySelectorAll('section.comments img')].map((i) => i.src),
        };
      });
      const expected = ['mention', 'comment', 'mention'];
      assert(JSON.stringify(shown.order) === JSON.stringify(expected), `thread order ${JSON.stringify(shown.order)}, expected ${JSON.stringify(expected)}`);
      assert(shown.from.some((t) => t.includes('Bea Ortiz') && t.includes('replied on bea.example')), `the reply does not say where it came from: ${JSON.stringify(shown.from)}`);
      assert(JSON.stringify(shown.counts) === JSON.stringify(['2 likes: Cy, Dee Okafor', '1 repost: Emil Sandberg']), `counts: ${JSON.stringify(shown.counts)}`);
      assert(shown.unmarked.length === 0, `links out without rel="nofollow ugc": ${shown.unmarked.join(' ')}`);
      assert(shown.replyControls === 0, 'a mention offers the reply form');
      assert(shown.images.length === 0, `pictures from other hosts without avatars: ${shown.images.join(' ')}`);
      for (const v of await axeViolations(page)) {
        problems.push(`${scheme}: ${described(v)}`);
      }
    }
    assert(problems.length === 0, problems.join('\n'));
  });

  await check('highlighted code and math: classed spans, MathML laid out, line numbers not copied', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(local + '/posts/parsing-dates-in-rust/');
    const keywords = await page.locator('pre code .hl-kw').count();
    assert(keywords > 5, `only ${keywords} keyword spans`);
    const commentKeywords = await page.locator('.comment-body pre code .hl-kw').count();
    assert(commentKeywords > 1, `a comment's code is not highlighted (${commentKeywords} keywords)`);
    const colour = await page.locator('pre code .hl-kw').first().evaluate((e) => getComputedStyle(e).color);
    const text = await page.locator('main p').first().evaluate((e) => getComputedStyle(e).color);
    assert(colour !== text, `keywords are not coloured (${colour})`);
    const formulas = await page.locator('math').count();
    assert(formulas >= 3, `only ${formulas} formulas`);
    const box = await page.locator('math[display="block"]').first().boundingBox();
    assert(box && box.width > 20 && box.height > 10, `display math is not laid out: ${JSON.stringify(box)}`);
    const copied = await page.evaluate(() => {
      const pre = document.querySelector('.hl-line[data-n]').closest('pre');
      const range = document.createRange();
      range.selectNodeContents(pre);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    });
    assert(copied.startsWith('#[test]\nfn reads'), `the selection copies more than the code: ${JSON.stringify(copied.slice(0, 40))}`);
  });

  await check('screenshots of the index and a post with a thread, 1280 and 390 wide, light and dark', async () => {
    mkdirSync(shotDir, { recursive: true });
    for (const scheme of ['light', 'dark']) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 1000 });
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, url] of [['index', '/'], ['post', '/posts/a-walk-by-the-lake/'], ['code', '/posts/parsing-dates-in-rust/']]) {
          await page.goto(local + url);
          const file = path.join(shotDir, `${name}-${width}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: name !== 'index' });
          assert(statSync(file).size > 5000, `${file} looks empty`);
        }
      }
    }
  });
  await page.close();

  await check('XSS corpora in the browser: no dialog, no request off 127.0.0.1, an inert DOM', async () => {
    const xssServer = await serveStatic(path.join(xssSite, 'public'));
    const xssPage = await browser.context.newPage();
    const dialogs = [];
    const offsite = [];
    xssPage.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await xssPage.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('http://127.0.0.1:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    await xssPage.goto(`http://127.0.0.1:${xssServer.address().port}/posts/xss/`, { waitUntil: 'load' });
    const found = await xssPage.evaluate(() => {
      const section = document.querySelector('section.comments');
      const bad = [];
      if (!section) return ['no comments section'];
      if (section.querySelectorAll('.comment:not(.mention)').length < 6000) bad.push('payloads missing from the thread');
      if (section.querySelectorAll('.comment.mention').length < 700) bad.push('payloads missing from the webmention replies');
      if (section.querySelectorAll('.mentions .mention-people a').length < 700) bad.push('payloads missing from the likes and reposts');
      section.querySelectorAll('script').forEach(() => bad.push('script element'));
      for (const el of section.querySelectorAll('*')) {
        for (const attr of el.attributes) {
          if (attr.name.toLowerCase().startsWith('on')) bad.push(`${attr.name} on <${el.localName}>`);
          const v = attr.value.trim().toLowerCase();
          if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcset', 'poster'].includes(attr.name) &&
              (v.startsWith('javascript:') || v.startsWith('data:') || v.startsWith('vbscript:'))) bad.push(`${attr.name}=${attr.value}`);
        }
      }
      return bad;
    });
    await xssPage.close();
    xssServer.close();
    assert(dialogs.length === 0, `dialogs opened: ${dialogs.slice(0, 5).join(' | ')}`);
    assert(offsite.length === 0, `requests left 127.0.0.1: ${offsite.slice(0, 5).join(' ')}`);
    assert(found.length === 0, found.slice(0, 10).join('\n'));
  });

  await check('the loop: submit the form of a post served by quill serve --accept-comments, see the comment, and reply to it with a script and without', async () => {
    const child = spawn(quill, ['serve', '--port', '0', '--accept-comments', '--output-dir', 'loop-preview', '--root', sampleSite],
      { cwd: sampleSite, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const m = out.match(/serving the site at (http:\/\/127\.0\.0\.1:\d+)/);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`quill serve exited with ${code}`)));
      });
      const form = await browser.context.newPage();
      // Wait for the live-reload stream too: the endpoint's rebuild tells open pages to reload
      // before it answers, and the page that posted must not reload itself out of its own post.
      await Promise.all([
        form.waitForResponse((r) => r.url().endsWith('/_quill/events')),
        form.goto(`${url}/posts/notes-on-footnotes/`),
      ]);
      await form.fill('#comment-form-username', 'Browser Visitor');
      await form.fill('#comment-form-email', 'visitor@example.org');
      await form.fill('#comment-form-body', 'Typed in a real browser, *with emphasis*.');
      const [response] = await Promise.all([
        form.waitForResponse((r) => r.url().endsWith('/_quill/comments')),
        form.click('#comment-form button[type=submit]'),
      ]);
      assert(response.status() === 303, `the form post answered ${response.status()}, not 303`);
      // The page reloads itself when the rebuild that includes the comment is done.
      await form.waitForSelector('.comment-body em:text("with emphasis")', { timeout: 60000 });
      await form.close();

      // A reply through the page's one form, with the script that moves the form under the
      // comment replied to, then with no script at all.
      const reply = async (page, body) => {
        const first = page.locator('.comment-list > .comment').first();
        const id = await first.getAttribute('id');
        await first.locator(':scope > article > label input[name=parent]').check();
        await page.fill('#comment-form-username', 'Replying Visitor');
        await page.fill('#comment-form-email', 'replier@example.org');
        await page.fill('#comment-form-body', body);
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/_quill/comments')),
          page.click('#comment-form button[type=submit]'),
        ]);
        assert(answer.status() === 303, `the reply answered ${answer.status()}`);
        try {
          await page.waitForSelector(`#${id} .comment-replies .comment-body p:text("${body}")`, { timeout: 60000 });
        } catch (e) {
          const html = await page.content();
          const at = html.indexOf(body);
          throw new Error(`${e.message}\nat ${page.url()}: ${at < 0 ? 'no reply on the page' : html.slice(Math.max(0, at - 1500), at + 100)}`);
        }
      };
      const scripted = await browser.context.newPage();
      await Promise.all([
        scripted.waitForResponse((r) => r.url().endsWith('/_quill/events')),
        scripted.goto(`${url}/posts/notes-on-footnotes/`),
      ]);
      await scripted.locator('.comment-list > .comment').first().locator(':scope > article > label input').check();
      const moved = await scripted.evaluate(() => ({
        under: !!document.querySelector('.comment-list > .comment > article > #comment-form'),
        focus: document.activeElement && document.activeElement.id,
      }));
      assert(moved.under && moved.focus === 'comment-form-body', `with a script the form moves and takes the focus: ${JSON.stringify(moved)}`);
      await reply(scripted, 'A reply with the script on.');
      await scripted.close();
      const plain = await launch({ javaScriptEnabled: false });
      try {
        const page = await plain.context.newPage();
        await page.goto(`${url}/posts/notes-on-footnotes/`);
        await reply(page, 'A reply with no script.');
      } finally {
        await plain.close();
      }
    } finally {
      child.kill();
    }
  });
} finally {
  await browser.close();
  server.close();
}

const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
