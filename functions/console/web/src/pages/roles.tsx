// Roles and permissions (admins): the built-in roles, read-only, and the platform's own
// roles, made, changed and deleted here: the five team permissions Roster enforces as
// check boxes, and free permission keys (miniprogram:publish) for the console's own
// business, which Roster stores and returns without checking.
import { useEffect, useState } from "preact/hooks";
import { authed, client } from "../api/client";
import { useForm } from "../form";
import { t, useLanguage } from "../i18n";
import { rolesChanged, roleLabel, useRoles, type Role } from "../roles";
import { teamPermissions } from "../powers";
import { Field, Loading, Page, Status } from "../components/ui";
import { CheckField, TextAreaField } from "../components/fields";
import { Confirm, FormDialog } from "../components/dialog";
import { RowButton, Table } from "../components/table";
import { codeWords, renameFields as renameFieldsOf } from "../api/errors";
import * as v from "../validate";

// Form field names for the five team permissions ("perm-team:read" is not a valid id).
const permField = (key: string) => `p_${key.replace(/[:]/g, "_")}` as const;

function permissionWords(key: string): string {
  return (teamPermissions as string[]).includes(key) ? t(`rolesPage.perm.${key.replace(":", "_")}`) : key;
}

export function Roles() {
  useLanguage();
  const { roles, error } = useRoles();
  const [open, setOpen] = useState<{ kind: "new" } | { kind: "edit" | "delete"; role: Role } | null>(null);
  const [notice, setNotice] = useState("");

  return (
    <Page title={t("rolesPage.title")} wide>
      <div class="toolbar">
        <p class="lead">{t("rolesPage.intro")}</p>
        <button type="button" class="primary" onClick={() => setOpen({ kind: "new" })}>
          {t("rolesPage.new")}
        </button>
      </div>
      <Status message={notice} />
      {error && (
        <div role="alert" class="alert error">
          <p>{codeWords(error)}</p>
        </div>
      )}
      {!roles && !error && <Loading />}
      {roles && (
        <Table
          labelledBy="roles-caption"
          caption={t("rolesPage.title")}
          head={[t("rolesPage.name"), t("rolesPage.description"), t("rolesPage.permissions"), t("members.actions")]}
        >
          {roles.map((r) => (
            <tr key={r.id}>
              <td>
                {roleLabel(r.name)}
                {r.builtIn && <span class="badge">{t("rolesPage.builtIn")}</span>}
              </td>
              <td class="wrap">{r.builtIn ? t(`roles.about.${r.id}`) : r.description || "—"}</td>
              <td>
                {r.permissions.includes("*") ? (
                  t("rolesPage.every")
                ) : r.permissions.length === 0 ? (
                  t("common.none")
                ) : (
                  <ul class="perm-list">
                    {r.permissions.map((p) => (
                      <li key={p}>{(teamPermissions as string[]).includes(p) ? permissionWords(p) : <code>{p}</code>}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                {r.builtIn ? (
                  <span class="muted small">{t("rolesPage.readOnly")}</span>
                ) : (
                  <div class="row-actions">
                    <RowButton label={t("rolesPage.edit")} name={r.name} onClick={() => setOpen({ kind: "edit", role: r })} />
                    <RowButton label={t("rolesPage.delete")} name={r.name} danger onClick={() => setOpen({ kind: "delete", role: r })} />
                  </div>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}

      {(open?.kind === "new" || open?.kind === "edit") && (
        <RoleForm
          role={open.kind === "edit" ? open.role : null}
          onClose={() => setOpen(null)}
          done={(r, created) => {
            rolesChanged();
            setNotice(created ? t("rolesPage.created", { name: r.name }) : t("rolesPage.saved", { name: r.name }));
            setOpen(null);
          }}
        />
      )}
      {open?.kind === "delete" && (
        <Confirm
          title={t("rolesPage.deleteTitle", { name: open.role.name })}
          confirm={t("rolesPage.deleteConfirm", { name: open.role.name })}
          danger
          run={() => authed(() => client.DELETE("/v1/roles/{id}", { params: { path: { id: open.role.id } } }))}
          words={(e) => (e.code === "role_in_use" ? t("rolesPage.inUse", { name: open.role.name }) : undefined)}
          onClose={() => setOpen(null)}
          onDone={() => {
            rolesChanged();
            setNotice(t("rolesPage.deleted", { name: open.role.name }));
            setOpen(null);
          }}
        >
          <p>{t("rolesPage.deleteText", { name: open.role.name })}</p>
        </Confirm>
      )}
    </Page>
  );
}

type RoleFields = "name" | "description" | "freeKeys" | `p_${string}`;

function RoleForm({ role, onClose, done }: { role: Role | null; onClose: () => void; done: (r: Role, created: boolean) => void }) {
  useLanguage();
  const [catalog, setCatalog] = useState<{ key: string; description: string }[] | null>(null);
  useEffect(() => {
    void authed(() => client.GET("/v1/permissions")).then((r) => setCatalog(r.ok ? r.data.items : []));
  }, []);
  // The five team permissions come from the catalog when it answers, else from the
  // console's own list (they are SPEC's).
  const keys = catalog && catalog.length ? catalog.map((c) => c.key) : (teamPermissions as string[]);
  const held = role?.permissions ?? ["team:read"];
  const initial: Record<string, string> = {
    name: role?.name ?? "",
    description: role?.description ?? "",
    freeKeys: held.filter((p) => !(teamPermissions as string[]).includes(p)).join("\n"),
  };
  for (const k of teamPermissions) initial[permField(k)] = held.includes(k) ? "true" : "";
  const form = useForm<RoleFields>("role", initial as Record<RoleFields, string>, { name: v.name, description: v.description, freeKeys: v.freeKeys });

  const chosen = () => [
    ...keys.filter((k) => form.values[permField(k)] === "true"),
    ...v.permissionKeys(form.values.freeKeys).filter((k) => !keys.includes(k)),
  ];

  return (
    <FormDialog
      title={role ? t("rolesPage.editTitle", { name: role.name }) : t("rolesPage.newTitle")}
      form={form}
      submit={role ? t("rolesPage.save") : t("rolesPage.create")}
      onClose={onClose}
      wide
      send={async () => {
        const permissions = [...new Set(chosen())];
        const name = form.values.name.trim();
        const description = form.values.description.trim();
        // A key's error is named by its place in the list sent: the free keys field.
        const rename = (f: string) => (f.startsWith("permissions") ? "freeKeys" : f);
        if (!role) {
          const r = await authed(() => client.POST("/v1/roles", { body: { name, permissions, ...(description ? { description } : {}) } }));
          if (!r.ok) return form.fail(renameFieldsOf(r.error, rename));
          return done(r.data, true);
        }
        const body: { name?: string; description?: string; permissions?: string[] } = {};
        if (name !== role.name) body.name = name;
        if (description !== role.description) body.description = description;
        if (permissions.join("\n") !== role.permissions.join("\n")) body.permissions = permissions;
        if (Object.keys(body).length === 0) return onClose();
        const r = await authed(() => client.PATCH("/v1/roles/{id}", { params: { path: { id: role.id } }, body }));
        if (!r.ok) return form.fail(renameFieldsOf(r.error, rename), { version_conflict: { words: t("rolesPage.conflict") } });
        done(r.data, false);
      }}
    >
      <Field form={form} name="name" label={t("rolesPage.name")} hint={t("rolesPage.nameHint")} autoComplete="off" maxLength={64} />
      <TextAreaField form={form} name="description" label={t("rolesPage.description")} optional maxLength={500} rows={2} />
      <fieldset class="field choice">
        <legend>{t("rolesPage.teamPermissions")}</legend>
        <p class="hint">{t("rolesPage.teamPermissionsHint")}</p>
        {keys.map((k) => (
          <CheckField key={k} form={form} name={permField(k)} label={permissionWords(k)} hint={k} />
        ))}
      </fieldset>
      <TextAreaField form={form} name="freeKeys" label={t("rolesPage.freeKeys")} hint={t("rolesPage.freeKeysHint")} optional rows={3} />
      {role && <p class="hint">{t("rolesPage.editNote")}</p>}
    </FormDialog>
  );
}
