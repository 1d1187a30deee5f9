/**
 * The permissions of the local Drive v3 server: `permissions.create` as Google documents it
 * (https://developers.google.com/drive/api/reference/rest/v3/permissions/create): a `role` and a
 * `type` are required, `emailAddress` for a user or group, `domain` for a domain; a permission
 * that exists already is returned again, not doubled; `anyone` gets the id `anyoneWithLink`.
 */

/** One permission of a file, in Drive v3's shape. */
export interface FakePermission {
  kind: 'drive#permission';
  id: string;
  type: 'user' | 'group' | 'domain' | 'anyone';
  role: 'owner' | 'organizer' | 'fileOrganizer' | 'writer' | 'commenter' | 'reader';
  emailAddress?: string;
  domain?: string;
  allowFileDiscovery?: boolean;
}

/** A refusal, as the server answers it (status, Google's reason, message). */
export interface PermissionRefusal {
  status: number;
  reason: string;
  message: string;
}

const TYPES: readonly string[] = ['user', 'group', 'domain', 'anyone'];
const ROLES: readonly string[] = ['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function refuse(reason: string, message: string): PermissionRefusal {
  return { status: 400, reason, message };
}

function idOf(body: Record<string, unknown>): string {
  if (body.type === 'anyone') return 'anyoneWithLink';
  const text = String(body.emailAddress ?? body.domain ?? '').toLowerCase();
  let hash = 0n;
  for (const c of text) hash = (hash * 131n + BigInt(c.codePointAt(0)!)) % 10n ** 20n;
  return hash.toString().padStart(20, '0');
}

/**
 * Adds the permission `body` asks for to `permissions` (or finds the same one there) and returns
 * it, or the refusal Drive gives for the request. Only `owner` needs `transferOwnership`, which
 * this server refuses outright.
 *
 * @example
 * const answer = createPermission(file.permissions, { role: 'reader', type: 'anyone' });
 */
export function createPermission(
  permissions: FakePermission[],
  body: Record<string, unknown>,
): FakePermission | PermissionRefusal {
  if (body.role === undefined) return refuse('required', 'The permission role field is required.');
  if (body.type === undefined) return refuse('required', 'The permission type field is required.');
  if (!ROLES.includes(String(body.role)))
    return refuse('invalid', `The provided value for the permission role is invalid: ${String(body.role)}.`);
  if (!TYPES.includes(String(body.type)))
    return refuse('invalid', `The provided value for the permission type is invalid: ${String(body.type)}.`);
  if (body.role === 'owner')
    return {
      status: 403,
      reason: 'forbidden',
      message: 'The transferOwnership parameter must be enabled when the permission role is owner.',
    };
  const type = body.type as FakePermission['type'];
  if ((type === 'user' || type === 'group') && typeof body.emailAddress !== 'string')
    return refuse(
      'required',
      'The permission emailAddress field is required for user and group permissions.',
    );
  if ((type === 'user' || type === 'group') && !EMAIL.test(String(body.emailAddress)))
    return refuse('invalid', `Invalid email address: ${String(body.emailAddress)}.`);
  if (type === 'domain' && typeof body.domain !== 'string')
    return refuse('required', 'The permission domain field is required for domain permissions.');
  const permission: FakePermission = {
    kind: 'drive#permission',
    id: idOf(body),
    type,
    role: body.role as FakePermission['role'],
  };
  if (type === 'user' || type === 'group') permission.emailAddress = String(body.emailAddress).toLowerCase();
  if (type === 'domain') permission.domain = String(body.domain);
  if (type === 'anyone' || type === 'domain')
    permission.allowFileDiscovery = body.allowFileDiscovery === true;
  const same = permissions.findIndex((p) => p.id === permission.id);
  if (same === -1) permissions.push(permission);
  else permissions[same] = permission;
  return permission;
}

/** True when `answer` is a refusal rather than a permission. */
export function isRefusal(answer: FakePermission | PermissionRefusal): answer is PermissionRefusal {
  return 'status' in answer;
}
