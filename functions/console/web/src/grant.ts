// Granting roles in a team, as the member and invitation forms do: which roles are
// offered (only those within the caller's powers), and a refusal shown beside them.
import { useEffect, useRef } from "preact/hooks";
import type { Schemas } from "./api/client";
import { renameFields, type ApiError, type Overrides } from "./api/errors";
import { useForm, type Form } from "./form";
import { t } from "./i18n";
import * as v from "./validate";
import { canGrant } from "./powers";
import { roleLabel, type Role } from "./roles";
import type { RoleChoice } from "./components/fields";

// roleChoices offers the roles the caller may grant in the team, built-in ones first.
export function roleChoices(me: Schemas["Me"], teamId: string, roles: Role[] | null): RoleChoice[] {
  return (roles ?? [])
    .filter((r) => canGrant(me, teamId, r))
    .map((r) => ({ id: r.id, label: roleLabel(r.name), detail: r.builtIn ? t(`roles.about.${r.id}`) : r.description || undefined }));
}

// defaultRoles starts a choice of roles at "member" where the caller may grant it.
const defaultRoles = (choices: RoleChoice[]) => (choices.some((c) => c.id === "member") ? "member" : "");

// useGrantForm is useForm for a form that grants roles among choices: initial's fields,
// then "roles" (1 to 3), which starts at defaultRoles, also once the roles have been read
// (they may arrive after the form was made) unless a role was chosen already.
export function useGrantForm<K extends string>(id: string, choices: RoleChoice[], initial: Record<K, string>, checks: Partial<Record<K, v.Check>> = {}): Form<K | "roles"> {
  const all = { ...checks, roles: v.roles } as Partial<Record<K | "roles", v.Check>>;
  const form = useForm<K | "roles">(id, { ...initial, roles: defaultRoles(choices) }, all);
  const done = useRef(false);
  useEffect(() => {
    if (done.current || choices.length === 0) return;
    done.current = true;
    const start = defaultRoles(choices);
    if (start && !form.values.roles) form.set("roles", start);
  }, [choices.length]);
  return form;
}

// failRoles shows an API error of a form that grants roles: "roleIds[1]" (a role refused
// or gone) beside the roles field; a refusal naming roles says why in words.
export function failRoles<K extends string>(form: Form<K>, err: ApiError, rename: (f: string) => string = (f) => f, overrides: Overrides = {}) {
  const renamed = renameFields(err, (f) => (f.startsWith("roleIds") ? "roles" : rename(f)));
  const namesRoles = Object.keys(err.fields).some((f) => f.startsWith("roleIds"));
  form.fail(renamed, { ...overrides, ...(err.code === "forbidden" && namesRoles ? { forbidden: { field: "roles", words: t("errors.field.roleNotYours") } } : {}) });
}

