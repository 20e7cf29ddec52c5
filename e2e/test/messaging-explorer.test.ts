import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlaza, type Plaza } from '../src/index.js';
import { friends, send, uniqueBody } from './messaging-fixtures.js';

/**
 * `messageAdded` from the gateway's offline explorer (GraphiQL over graphql-ws, signed in with the
 * headers editor's Authorization), in a real headless Chromium (Debian's package), as a developer
 * would try the chat.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let plaza: Plaza;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH.`);
  }
  plaza = await startPlaza();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await plaza?.close();
});

/** Replaces the contents of a Monaco editor inside `container` with `text`, as typing would. */
async function fillEditor(page: Page, container: string, text: string): Promise<void> {
  await page.locator(`${container} .monaco-editor .view-lines`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** The response pane's text, without white space (Monaco wraps long lines). */
async function responseText(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response .view-lines').first().innerText()).replace(/\s+/g, '');
}

describe('messageAdded in the offline explorer', { timeout: 120_000 }, () => {
  it('should stream a friend message with identity fields into the response pane', async () => {
    const [a, b] = await friends(plaza);
    const origin = new URL(plaza.url).origin;
    const context = await browser.newContext();
    // Offline, as the explorer is meant for: nothing but the gateway's own origin answers.
    await context.route((url) => url.origin !== origin, (route) => route.abort('internetdisconnected'));
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/explorer`);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 60_000 });
      await fillEditor(page, '.graphiql-query-editor', 'subscription { messageAdded { body sender { displayName } conversation { peer { username } } } }');
      await page.getByRole('button', { name: 'Headers' }).click();
      await fillEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${b.accessToken}` }));
      await page.locator('.graphiql-execute-button').click();

      // The page gives no sign of when the subscription is live: send until one shows.
      const body = uniqueBody('explorer');
      await expect
        .poll(
          async () => {
            await send(a.client, b.id, body);
            return responseText(page);
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toContain(body.replace(/\s+/g, ''));
      const pane = await responseText(page);
      expect(pane).toContain(`"displayName":"${a.username}"`);
      expect(pane).toContain(`"username":"${a.username}"`);
    } finally {
      await context.close();
    }
  });
});
