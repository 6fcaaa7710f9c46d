// Names for the ids the API answers bare (an audit event's actor and target, a user's
// creator, an invitation's issuer): read once each, on the admin pages only, and kept
// for the session. A name that cannot be read (deleted, or hidden from the caller)
// stays unknown and the page shows the id.
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "./api/client";

export type Named = { name: string; detail?: string } | null;

const users = new Map<string, Promise<Named>>();
const teams = new Map<string, Promise<Named>>();

export function rememberUser(u: Pick<Schemas["User"], "id" | "username" | "loginAccount">): void {
  users.set(u.id, Promise.resolve({ name: u.username, detail: u.loginAccount }));
}

export function rememberTeam(team: Pick<Schemas["Team"], "id" | "name">): void {
  teams.set(team.id, Promise.resolve({ name: team.name }));
}

export function userName(id: string): Promise<Named> {
  let p = users.get(id);
  if (!p) {
    p = authed(() => client.GET("/v1/users/{id}", { params: { path: { id } } })).then((r) =>
      r.ok ? { name: r.data.user.username, detail: r.data.user.loginAccount } : null,
    );
    users.set(id, p);
  }
  return p;
}

export function teamName(id: string): Promise<Named> {
  let p = teams.get(id);
  if (!p) {
    p = authed(() => client.GET("/v1/teams/{id}", { params: { path: { id } } })).then((r) => (r.ok ? { name: r.data.name } : null));
    teams.set(id, p);
  }
  return p;
}

export function forgetUser(id: string): void {
  users.delete(id);
}

export function forgetTeam(id: string): void {
  teams.delete(id);
}

export function useName(kind: "user" | "team", id: string | null | undefined): Named | undefined {
  const [named, setNamed] = useState<Named | undefined>(undefined);
  useEffect(() => {
    if (!id) return setNamed(null);
    let live = true;
    void (kind === "user" ? userName(id) : teamName(id)).then((n) => live && setNamed(n));
    return () => {
      live = false;
    };
  }, [kind, id]);
  return named;
}
