import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { drive, type drive_v3 } from '@googleapis/drive';
import { SatError } from '@sat/core';
import { CodeChallengeMethod, type Credentials, OAuth2Client } from 'google-auth-library';
import { DRIVE_FILE_SCOPE, GDRIVE_TOKEN_FILE, GOOGLE_ENDPOINTS, PKG } from './gdrive-constants.js';
import { toSatError } from './gdrive-errors.js';
import { GDRIVE_SETUP_STEPS } from './setup-steps.js';
import { writeTokenFile } from './token-file.js';

/** Options of {@link setupGoogleDrive}. */
export interface GoogleDriveSetupOptions {
  /** Folder of the token file (`.claude/credentials`); created with mode 0700. */
  credentialsDir: string;
  /** Client ID of the OAuth "Desktop app" client (see {@link GDRIVE_SETUP_STEPS}). */
  clientId: string;
  /** Its client secret (Google treats a desktop client's secret as not confidential; it is still stored 0600 and never printed). */
  clientSecret: string;
  /** Opens the consent page in a browser. Default: prints the URL for the user to open. */
  openUrl?: (url: string) => void | Promise<void>;
  /** Prints a line of instructions for the user. Default `console.error`. */
  print?: (line: string) => void;
  /** Google's authorization URL (tests: a local server). */
  authorizationUrl?: string;
  /** Google's token URL (tests: a local server). */
  tokenUrl?: string;
  /** Root URL of the Drive API, asked for the account's e-mail. */
  rootUrl?: string;
  /** How long to wait for the browser to come back, in ms. Default 300,000 (5 minutes). */
  timeoutMs?: number;
}

/** What {@link setupGoogleDrive} stored. */
export interface GoogleDriveSetupResult {
  /** The token file written (mode 0600). */
  tokenFile: string;
  /** The Google account, when Drive told it. */
  email?: string;
  /** The scope granted. */
  scope: string;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

function setupError(message: string, cause?: unknown): SatError {
  return new SatError('TARGET_ERROR', `${PKG} Google Drive setup failed: ${message}`, {
    ...(cause ? { cause } : {}),
    details: { retryable: false },
  });
}

/**
 * Authorises this machine to write backups to the user's Google Drive: the OAuth loopback flow for
 * desktop apps with PKCE. It starts a server on 127.0.0.1 (a port the OS picks), opens Google's
 * consent page (scope `drive.file`, offline access, a random `state`), receives `?code=&state=`
 * on the loopback address, shows "you can close this tab", exchanges the code (with the PKCE
 * verifier) for tokens and stores the refresh token with the client id and secret in
 * `<credentialsDir>/gdrive.json` (mode 0600, written atomically). Nothing secret is printed.
 *
 * @example
 * const { tokenFile } = await setupGoogleDrive({
 *   credentialsDir: '.claude/credentials', clientId, clientSecret,
 *   openUrl: (url) => open(url),
 * });
 */
export async function setupGoogleDrive(options: GoogleDriveSetupOptions): Promise<GoogleDriveSetupResult> {
  const print = options.print ?? ((line: string) => console.error(line));
  const tokenFile = join(options.credentialsDir, GDRIVE_TOKEN_FILE);
  if (!options.clientId || !options.clientSecret)
    throw setupError(`a client ID and a client secret are needed\n\n${GDRIVE_SETUP_STEPS}`);

  const state = randomBytes(32).toString('base64url');
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
    const codeArrives = new Promise<string>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The browser may answer (or the timeout fire) while openUrl still runs: awaited below.
    codeArrives.catch(() => undefined);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const reply = (status: number, title: string, text: string): void => {
        res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
        res.end(PAGE(title, text));
      };
      if (url.pathname !== '/')
        return reply(404, 'Not found', 'This address only receives the Google sign-in.');
      if (url.searchParams.get('state') !== state) {
        return reply(
          400,
          'Sign-in refused',
          'This answer does not belong to the running setup (state mismatch).',
        );
      }
      const denied = url.searchParams.get('error');
      if (denied) {
        reply(200, 'Access not granted', 'You can close this tab and run the setup again.');
        return settle.reject(
          setupError(`Google answered ${denied} (access was not granted; run 'sat setup gdrive' again)`),
        );
      }
      const code = url.searchParams.get('code');
      if (!code) return reply(400, 'Sign-in refused', 'No authorisation code in this answer.');
      reply(200, 'SubAgent Tracking is connected to Google Drive', 'You can close this tab.');
      settle.resolve(code);
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve());
    });
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new OAuth2Client({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: options.authorizationUrl ?? GOOGLE_ENDPOINTS.authorizationUrl,
        oauth2TokenUrl: options.tokenUrl ?? GOOGLE_ENDPOINTS.tokenUrl,
      },
    });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [DRIVE_FILE_SCOPE],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      redirect_uri: redirectUri,
    });
    const timeoutMs = options.timeoutMs ?? 300_000;
    timer = setTimeout(
      () =>
        settle.reject(
          setupError(
            `no answer from the browser within ${Math.round(timeoutMs / 1000)} s (run 'sat setup gdrive' again)`,
          ),
        ),
      timeoutMs,
    );
    print('Sign in to Google in your browser and allow SubAgent Tracking to keep its backups in your Drive.');
    print(`If no browser opens, open this address: ${authUrl}`);
    await (options.openUrl ?? (() => undefined))(authUrl);
    const code = await codeArrives;

    let tokens: Credentials;
    try {
      tokens = (await client.getToken({ code, codeVerifier, redirect_uri: redirectUri })).tokens;
    } catch (error) {
      throw toSatError(error, 'exchange the sign-in code for a token', { location: 'Google OAuth' });
    }
    if (!tokens.refresh_token)
      throw setupError(
        `Google gave no refresh token (remove the app's access at https://myaccount.google.com/permissions, then run 'sat setup gdrive' again)`,
      );
    client.setCredentials(tokens);
    const email = await accountEmail(client, options.rootUrl);
    writeTokenFile(tokenFile, {
      format: 'sat-gdrive/1',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      refresh_token: tokens.refresh_token,
      ...(tokens.access_token ? { access_token: tokens.access_token } : {}),
      ...(tokens.expiry_date ? { expiry_date: tokens.expiry_date } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      ...(tokens.token_type ? { token_type: tokens.token_type } : {}),
      ...(email ? { email } : {}),
      created: new Date().toISOString(),
    });
    print(`Google Drive is set up${email ? ` for ${email}` : ''}; the token is in ${tokenFile} (mode 0600).`);
    return { tokenFile, ...(email ? { email } : {}), scope: tokens.scope ?? DRIVE_FILE_SCOPE };
  } finally {
    if (timer) clearTimeout(timer);
    if (server) {
      server.closeAllConnections();
      server.close();
    }
  }
}

/** The signed-in account's e-mail from Drive's `about` (undefined when Drive does not say). */
async function accountEmail(client: OAuth2Client, rootUrl: string | undefined): Promise<string | undefined> {
  try {
    const api = drive({
      version: 'v3',
      auth: client as unknown as drive_v3.Options['auth'],
      rootUrl: rootUrl ?? GOOGLE_ENDPOINTS.rootUrl,
    });
    const res = await api.about.get({ fields: 'user(emailAddress)' });
    return res.data.user?.emailAddress ?? undefined;
  } catch {
    return undefined;
  }
}
