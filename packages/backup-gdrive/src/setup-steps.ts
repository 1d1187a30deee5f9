/**
 * What a person does once, in the Google Cloud console, before `sat setup gdrive`: the steps to
 * create an OAuth client of type "Desktop app". Printed by the setup and shown in the README.
 */
export const GDRIVE_SETUP_STEPS = `Google Drive backup needs an OAuth client of your own (once):

  1. Open https://console.cloud.google.com/ and create (or pick) a project.
  2. APIs & Services → Library → "Google Drive API" → Enable.
  3. APIs & Services → OAuth consent screen: user type "External" (or "Internal" in a Workspace),
     fill in the app name and your e-mail, add the scope .../auth/drive.file, and add your
     Google account as a test user.
  4. APIs & Services → Credentials → Create credentials → OAuth client ID → Application type
     "Desktop app" → Create. Copy the client ID and the client secret.
  5. Run 'sat setup gdrive' and give it the client ID and secret. A browser tab opens: sign in,
     allow access (the app only sees files it creates), and close the tab when it says so.

Note: while the consent screen's publishing status is "Testing", Google expires the refresh token
after 7 days and backups then fail with invalid_grant. Set the status to "In production" (no
verification is needed for your own use of the drive.file scope) or run 'sat setup gdrive' again.`;
