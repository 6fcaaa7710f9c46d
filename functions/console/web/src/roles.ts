// The platform's roles, read once (every page of GET /v1/roles) and shared by the pages
// that show or grant them; a change on the roles page reads them again.
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Result, type Schemas } from "./api/client";
import type { ApiError } from "./api/errors";
import { roleNames } from "./i18n";

export type Role = Schemas["Role"];

let cached: Promise<Result<Role[]>> | null = null;
const listeners = new Set<() => void>();

async function readAll(): Promise<Result<Role[]>> {
  const all: Role[] = [];
  let cursor: string | undefined;
  for (;;) {
    const r = await authed(() => client.GET("/v1/roles", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    if (!r.ok) return r;
    all.push(...r.data.items);
    if (!r.data.nextCursor) return { ok: true, data: all, response: r.response };
    cursor = r.data.nextCursor;
  }
}

export function loadRoles(): Promise<Result<Role[]>> {
  if (!cached) {
    cached = readAll().then((r) => {
      if (!r.ok) cached = null;
      return r;
    });
  }
  return cached;
}

// rolesChanged forgets the roles read, so every page showing them reads them again.
export function rolesChanged(): void {
  cached = null;
  for (const l of listeners) l();
}

export function useRoles(): { roles: Role[] | null; error: ApiError | null } {
  const [state, setState] = useState<{ roles: Role[] | null; error: ApiError | null }>({ roles: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  useEffect(() => {
    let live = true;
    void loadRoles().then((r) => live && setState(r.ok ? { roles: r.data, error: null } : { roles: null, error: r.error }));
    return () => {
      live = false;
    };
  }, [tick]);
  return state;
}

// roleLabel is one role's name in the reader's words (built-in ones translated).
export const roleLabel = (name: string) => roleNames([name]);

// namesOf writes role ids as names, for lists that carry ids only (codes, invitations).
export function namesOf(ids: string[], roles: Role[] | null): string {
  const byId = new Map((roles ?? []).map((r) => [r.id, r.name]));
  return roleNames(ids.map((id) => byId.get(id) ?? id));
}
