/**
 * Fake secrets of the real formats, built at run time so no secret scanner flags the repository.
 * The AWS pair is AWS's own documented example.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` letters and digits, the same for the same seed. */
export function fake(length: number, seed = 1): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    out += ALPHABET[state % ALPHABET.length];
  }
  return out;
}

const digits = (length: number, seed: number): string =>
  fake(length * 3, seed)
    .replace(/\D/g, '')
    .padEnd(length, '7')
    .slice(0, length);
const b64url = (text: string): string => Buffer.from(text).toString('base64url');
const j = (...parts: string[]): string => parts.join('');

export const AWS_ACCESS_KEY = j('AKIA', 'IOSFODNN7EXAMPLE');
export const AWS_SECRET_KEY = j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY');
export const ANTHROPIC_KEY = j('sk-ant-', 'api03-', fake(93, 2), '-', fake(6, 3), 'AA');
export const GITHUB_TOKEN = j('gh', 'p_', fake(36, 4));
export const PASSWORD = j('hunter', '2-', fake(8, 5));

/** One sample per rule: the text, the secret in it, and the rule id that must name it. */
export const RULE_SAMPLES: ReadonlyArray<{ rule: string; secret: string; text: (secret: string) => string }> =
  [
    { rule: 'aws-access-key', secret: AWS_ACCESS_KEY, text: (s) => `export AWS_ACCESS_KEY_ID=${s}` },
    {
      rule: 'aws-access-key',
      secret: j('AS', 'IA', fake(16, 6).toUpperCase()),
      text: (s) => `"AccessKeyId": "${s}",`,
    },
    { rule: 'aws-secret-key', secret: AWS_SECRET_KEY, text: (s) => `aws_secret_access_key = ${s}\n` },
    { rule: 'aws-secret-key', secret: AWS_SECRET_KEY, text: (s) => `{"SecretAccessKey": "${s}"}` },
    { rule: 'anthropic-api-key', secret: ANTHROPIC_KEY, text: (s) => `ANTHROPIC_API_KEY=${s} claude` },
    {
      rule: 'openai-api-key',
      secret: j('sk-', 'proj-', fake(64, 7)),
      text: (s) => `client = OpenAI(api_key=os.environ["K"]) # ${s}`,
    },
    {
      rule: 'openai-api-key',
      secret: j('sk-', fake(20, 8), 'T3Blbk', 'FJ', fake(20, 9)),
      text: (s) => `key: ${s}`,
    },
    {
      rule: 'github-token',
      secret: GITHUB_TOKEN,
      text: (s) => `git clone https://x-access-token@github.com ${s}`,
    },
    { rule: 'github-token', secret: j('gh', 'o_', fake(36, 10)), text: (s) => `oauth ${s}.` },
    {
      rule: 'github-token',
      secret: j('github', '_pat_', fake(22, 11), '_', fake(59, 12)),
      text: (s) => `token ${s}`,
    },
    {
      rule: 'slack-token',
      secret: j('xo', 'xb-', digits(12, 13), '-', digits(13, 14), '-', fake(24, 15)),
      text: (s) => `SLACK ${s}`,
    },
    {
      rule: 'slack-webhook',
      secret: j(
        'https://hooks.',
        'slack.com/services/T',
        fake(8, 16).toUpperCase(),
        '/B',
        fake(8, 17).toUpperCase(),
        '/',
        fake(24, 18),
      ),
      text: (s) => `curl -X POST ${s} -d @msg.json`,
    },
    {
      rule: 'stripe-key',
      secret: j('sk', '_live_', fake(24, 19)),
      text: (s) => `stripe.api_key = os.getenv("X") or ${s}`,
    },
    {
      rule: 'google-api-key',
      secret: j('AI', 'za', fake(35, 20)),
      text: (s) => `https://maps.googleapis.com/maps/api/geocode/json?key=${s}`,
    },
    { rule: 'npm-token', secret: j('np', 'm_', fake(36, 21)), text: (s) => `NODE_AUTH=${s}` },
    {
      rule: 'npm-token',
      secret: `${fake(8, 22)}-${fake(4, 23)}-${fake(4, 24)}`,
      text: (s) => `//registry.npmjs.org/:_authToken=${s}`,
    },
    { rule: 'sendgrid-key', secret: j('SG', '.', fake(22, 25), '.', fake(43, 26)), text: (s) => `mail ${s}` },
    {
      rule: 'huggingface-token',
      secret: j('hf', '_', fake(34, 27)),
      text: (s) => `huggingface-cli login --token ${s}`,
    },
    {
      rule: 'jwt',
      secret: j(
        b64url('{"alg":"HS256","typ":"JWT"}'),
        '.',
        b64url('{"sub":"1234567890","name":"Jo"}'),
        '.',
        fake(43, 28),
      ),
      text: (s) => `cookie: session=x; jwt ${s}`,
    },
    { rule: 'url-password', secret: PASSWORD, text: (s) => `postgres://admin:${s}@db.example.com:5432/app` },
    {
      rule: 'url-password',
      secret: PASSWORD,
      text: (s) => `git push https://bob:${s}@gitlab.example.org/team/repo.git`,
    },
    {
      rule: 'auth-header',
      secret: Buffer.from(`bob:${PASSWORD}`).toString('base64'),
      text: (s) => `curl -H "Authorization: Basic ${s}" https://api.example.com`,
    },
    { rule: 'auth-header', secret: fake(40, 29), text: (s) => `-H 'Authorization: Bearer ${s}'` },
    { rule: 'secret-assignment', secret: PASSWORD, text: (s) => `export DB_PASSWORD=${s}\nnpm start` },
    {
      rule: 'secret-assignment',
      secret: PASSWORD,
      text: (s) => `MYSQL_ROOT_PASSWORD="${s}" docker compose up`,
    },
    {
      rule: 'secret-assignment',
      secret: fake(32, 30),
      text: (s) => `client_secret=${s}&grant_type=client_credentials`,
    },
    { rule: 'secret-assignment', secret: fake(20, 31), text: (s) => `SECRET_KEY=${s}` },
    { rule: 'secret-assignment', secret: PASSWORD, text: (s) => `{"username": "bob", "password": "${s}"}` },
    { rule: 'secret-assignment', secret: fake(24, 32), text: (s) => `api_key: '${s}'` },
  ];

/** A private key block as `ssh-keygen` or openssl print one. */
export const PRIVATE_KEY = j(
  '-----BEGIN ',
  'OPENSSH PRIVATE KEY-----\n',
  fake(70, 33),
  '\n',
  fake(70, 34),
  '\n-----END OPENSSH ',
  'PRIVATE KEY-----',
);
