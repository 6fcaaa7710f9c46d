// What the signed-in person may do, as SPEC.md sections 1 and 3 say and internal/authz
// decides: the console offers only these actions. The API decides again; a refusal the
// console did not foresee is still shown in words.
import type { Me, Schemas, User } from "./api/client";

type Role = Schemas["Role"];

export const isAdmin = (u: Pick<User, "accountType"> | undefined) => u?.accountType === "super_admin" || u?.accountType === "platform_admin";

export type UserAction =
  | "edit" // username and mobile
  | "accountType"
  | "resetPassword"
  | "delete"
  | "freeze"
  | "recover"
  | "unbindMfa"
  | "unbindEmail"
  | "loginEvents";

// userMay mirrors authz.Check for an admin acting on a user account.
export function userMay(me: User, action: UserAction, target: Pick<User, "id" | "accountType">): boolean {
  const self = me.id === target.id;
  if (me.accountType === "super_admin") {
    if (action === "edit" || action === "loginEvents") return true;
    return !self;
  }
  if (me.accountType === "platform_admin") {
    const member = target.accountType === "member";
    if (action === "edit" || action === "loginEvents") return self || member;
    if (action === "accountType") return false;
    return member;
  }
  return false;
}

export type TeamPermission = "team:read" | "team:update" | "members:manage" | "members:create" | "invitations:manage";

export const teamPermissions: TeamPermission[] = ["team:read", "team:update", "members:manage", "members:create", "invitations:manage"];

// standing is the caller's effective permissions in a team: all of them for an admin,
// none where it is not a member.
export function standing(me: Me, teamId: string): { admin: boolean; member: boolean; permissions: string[] } {
  if (isAdmin(me.user)) return { admin: true, member: false, permissions: ["*"] };
  const m = me.teams.find((x) => x.id === teamId);
  return { admin: false, member: !!m, permissions: m?.permissions ?? [] };
}

function has(permissions: string[], key: string): boolean {
  return permissions.includes("*") || permissions.includes(key);
}

export function teamMay(me: Me, teamId: string, key: TeamPermission): boolean {
  const s = standing(me, teamId);
  return s.admin || (s.member && has(s.permissions, key));
}

// canGrant is the no-escalation rule: a manager grants a role only when it holds every
// permission of it in the team ("*" only covers "*"); admins grant any role.
export function canGrant(me: Me, teamId: string, role: Pick<Role, "permissions">): boolean {
  const s = standing(me, teamId);
  if (s.admin) return true;
  return s.member && role.permissions.every((p) => has(s.permissions, p));
}

// canChangeMember: a manager changes or removes only members whose roles it could grant.
export function canChangeMember(me: Me, teamId: string, memberRoles: Pick<Role, "permissions">[]): boolean {
  if (!teamMay(me, teamId, "members:manage")) return false;
  return memberRoles.every((r) => canGrant(me, teamId, r));
}

// manages: some power in the team beyond seeing it.
export function manages(me: Me, teamId: string): boolean {
  return (["team:update", "members:manage", "members:create", "invitations:manage"] as TeamPermission[]).some((k) => teamMay(me, teamId, k));
}
