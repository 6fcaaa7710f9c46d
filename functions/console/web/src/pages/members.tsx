// A team's members: their roles, joined date and status. Who holds members:manage
// changes roles (1 to 3, only those within its own powers: no escalation) and removes
// members; admins also add an existing user found by search; who holds members:create
// makes an employee account straight into the team and hands over its sign-in link,
// login account and initial password, shown once.
import { useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { renameFields } from "../api/errors";
import { useForm } from "../form";
import { formatTime, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberUser } from "../names";
import { canChangeMember, isAdmin, teamMay } from "../powers";
import { failRoles, roleChoices, useGrantForm } from "../grant";
import { roleLabel, useRoles } from "../roles";
import { Field, Page, Status, onSubmit } from "../components/ui";
import { ChoiceField, RolesField, roleList, type RoleChoice } from "../components/fields";
import { Confirm, DoneDialog, FormDialog } from "../components/dialog";
import { Once } from "../components/copy";
import { PagedTable, usePaged } from "../components/paged";
import { FilterSelect, SearchField } from "../components/filters";
import { RowButton } from "../components/table";
import { NewAccountFields, newAccount, newAccountBody, newAccountChecks, newAccountField } from "../components/newaccount";
import { TeamHead, TeamLoading, useTeam, type Team } from "../components/teamframe";
import * as v from "../validate";

type Membership = Schemas["Membership"];

export function Members({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const { team, error } = useTeam(id);
  const { roles } = useRoles();
  const [q, setQ] = useState("");
  const [filters, setFilters] = useState({ q: "", roleId: "" });
  const [open, setOpen] = useState<{ kind: "roles" | "remove"; m: Membership } | { kind: "add" | "create" } | null>(null);
  const [notice, setNotice] = useState("");

  const paged = usePaged(
    (cursor) =>
      authed(() =>
        client.GET("/v1/teams/{id}/members", {
          params: {
            path: { id },
            query: { limit: 20, ...(cursor ? { cursor } : {}), ...(filters.q ? { q: filters.q } : {}), ...(filters.roleId ? { roleId: filters.roleId } : {}) },
          },
        }),
      ),
    `${id}|${filters.q}|${filters.roleId}`,
  );

  if (!team || !me) return <TeamLoading error={error} />;
  const admin = isAdmin(me.user);
  const manage = teamMay(me, id, "members:manage");
  const create = teamMay(me, id, "members:create");
  const byId = new Map((roles ?? []).map((r) => [r.id, r]));
  const mayChange = (m: Membership) =>
    m.user.id !== me.user.id && canChangeMember(me, id, m.roles.map((r) => byId.get(r.id) ?? { permissions: ["*"] }));

  return (
    <Page title={t("members.title", { team: team.name })} wide>
      <TeamHead team={team} current="members" />
      {(manage || create) && (
        <div class="toolbar">
          <p class="lead">{admin ? t("members.intro") : manage ? t("members.introManager") : t("members.introCreate")}</p>
          <div class="actions compact">
            {manage && admin && (
              <button type="button" class="secondary" onClick={() => setOpen({ kind: "add" })}>
                {t("members.add")}
              </button>
            )}
            {create && (
              <button type="button" class="primary" onClick={() => setOpen({ kind: "create" })}>
                {t("members.create")}
              </button>
            )}
          </div>
        </div>
      )}
      {manage && !admin && (
        <p class="hint">
          {t("members.addByInvitation")}{" "}
          {teamMay(me, id, "invitations:manage") && <a href={`/teams/${id}/invitations`}>{t("members.toInvitations")}</a>}
        </p>
      )}

      <Status message={notice} />
      <form class="filters" role="search" aria-label={t("members.filtersLabel")} onSubmit={onSubmit(() => setFilters((f) => ({ ...f, q: q.trim() })))}>
        <div class="filter-row">
          <SearchField id="members-q" label={t("members.search")} hint={t("users.searchHint")} value={q} onInput={setQ} maxLength={64} inRow />
          <FilterSelect
            id="members-role"
            label={t("members.role")}
            value={filters.roleId}
            onChange={(roleId) => setFilters((f) => ({ ...f, roleId }))}
            any={t("members.anyRole")}
            options={(roles ?? []).map((r) => ({ value: r.id, label: roleLabel(r.name) }))}
          />
        </div>
      </form>

      <PagedTable
        paged={paged}
        empty={filters.q || filters.roleId ? t("members.noneMatch") : t("members.none")}
        pages={t("members.pages")}
        labelledBy="members-caption"
        caption={t("members.tableCaption", { team: team.name, n: paged.page })}
        head={[t("users.username"), t("users.loginAccount"), t("users.email"), t("members.roles"), t("members.joined"), t("users.status"), manage && t("members.actions")]}
        row={(m) => (
          <tr key={m.user.id}>
            <td>{admin ? <a href={`/users/${m.user.id}`}>{m.user.username}</a> : m.user.username}</td>
            <td>{m.user.loginAccount}</td>
            <td class="wrap">{m.user.email ?? "—"}</td>
            <td>{m.roles.map((r) => roleLabel(r.name)).join(t("common.listSep"))}</td>
            <td class="nowrap">
              <time dateTime={m.joinedAt}>{formatTime(m.joinedAt)}</time>
            </td>
            <td>
              <span class={`state ${m.user.status}`}>{t(`users.statusWord.${m.user.status}`)}</span>
            </td>
            {manage && (
              <td>
                {mayChange(m) ? (
                  <div class="row-actions">
                    <RowButton label={t("members.changeRoles")} name={`(${m.user.username})`} onClick={() => setOpen({ kind: "roles", m })} />
                    <RowButton label={t("members.remove")} name={`(${m.user.username})`} danger onClick={() => setOpen({ kind: "remove", m })} />
                  </div>
                ) : (
                  <span class="muted small">{m.user.id === me.user.id ? t("members.you") : t("members.notYours")}</span>
                )}
              </td>
            )}
          </tr>
        )}
      />

      {open?.kind === "roles" && (
        <ChangeRoles team={team} m={open.m} choices={roleChoices(me, id, roles)} onClose={() => setOpen(null)} done={(next) => {
            paged.replace((items) => items.map((x) => (x.user.id === next.user.id ? next : x)));
            setNotice(t("members.rolesSaved", { name: next.user.username }));
          }} />
      )}
      {open?.kind === "remove" && (
        <Confirm
          title={t("members.removeTitle", { name: open.m.user.username, team: team.name })}
          confirm={t("members.removeConfirm")}
          danger
          run={() => authed(() => client.DELETE("/v1/teams/{id}/members/{userId}", { params: { path: { id, userId: open.m.user.id } } }))}
          onClose={() => setOpen(null)}
          onDone={() => {
            setNotice(t("members.removed", { name: open.m.user.username, team: team.name }));
            setOpen(null);
            paged.reload();
          }}
        >
          <p>{t("members.removeText", { name: `${open.m.user.username} (${open.m.user.loginAccount})`, team: team.name })}</p>
        </Confirm>
      )}
      {open?.kind === "add" && (
        <AddMember
          team={team}
          choices={roleChoices(me, id, roles)}
          onClose={() => setOpen(null)}
          done={(name) => {
            setNotice(t("members.added", { name, team: team.name }));
            paged.reload();
          }}
        />
      )}
      {open?.kind === "create" && <CreateMember team={team} choices={roleChoices(me, id, roles)} onClose={() => setOpen(null)} done={() => paged.reload()} />}
    </Page>
  );
}

function ChangeRoles({ team, m, choices, onClose, done }: { team: Team; m: Membership; choices: RoleChoice[]; onClose: () => void; done: (m: Membership) => void }) {
  useLanguage();
  const form = useForm("member-roles", { roles: m.roles.map((r) => r.id).join(",") }, { roles: v.roles });
  return (
    <FormDialog
      title={t("members.rolesTitle", { name: m.user.username })}
      form={form}
      submit={t("members.saveRoles")}
      onClose={onClose}
      send={async () => {
        const r = await authed(() =>
          client.PUT("/v1/teams/{id}/members/{userId}", { params: { path: { id: team.id, userId: m.user.id } }, body: { roleIds: roleList(form.values.roles) } }),
        );
        if (!r.ok) return failRoles(form, r.error);
        done(r.data);
        onClose();
      }}
    >
      <RolesField form={form} name="roles" legend={t("members.roles")} roles={choices} />
    </FormDialog>
  );
}

// AddMember (admins): find a member account by a prefix of its name, login account or
// email, choose its roles, add it.
function AddMember({ team, choices, onClose, done }: { team: Team; choices: RoleChoice[]; onClose: () => void; done: (name: string) => void }) {
  useLanguage();
  const [found, setFound] = useState<Schemas["ListedUser"][] | null>(null);
  const form = useGrantForm("add-member", choices, { q: "", userId: "" }, { userId: v.required });
  const search = async () => {
    const q = form.values.q.trim();
    if (!q) return;
    const r = await authed(() => client.GET("/v1/users", { params: { query: { q, accountType: "member", limit: 10 } } }));
    if (!r.ok) return form.fail(renameFields(r.error, (f) => (f === "q" ? "q" : f)));
    r.data.items.forEach(rememberUser);
    setFound(r.data.items);
    if (r.data.items.length === 1) form.set("userId", r.data.items[0].id);
  };
  return (
    <FormDialog
      title={t("members.addTitle", { team: team.name })}
      form={form}
      submit={t("members.addSubmit")}
      onClose={onClose}
      send={async () => {
        const r = await authed(() =>
          client.POST("/v1/teams/{id}/members", { params: { path: { id: team.id } }, body: { userId: form.values.userId, roleIds: roleList(form.values.roles) } }),
        );
        if (!r.ok) return failRoles(form, r.error, (f) => f, { already_member: { field: "userId", words: t("members.alreadyMember") } });
        done(r.data.user.username);
        onClose();
      }}
    >
      {/* Enter in the search field searches; it does not add. */}
      <div
        class="inline"
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.target as HTMLElement).id === "add-member-q") {
            e.preventDefault();
            void search();
          }
        }}
      >
        <Field form={form} name="q" label={t("members.findUser")} hint={t("members.findHint")} autoComplete="off" optional />
        <button type="button" class="secondary" onClick={() => void search()}>
          {t("users.searchSubmit")}
        </button>
      </div>
      {found && found.length === 0 && <p role="status">{t("members.noUserFound")}</p>}
      {found && found.length > 0 && (
        <ChoiceField
          form={form}
          name="userId"
          legend={t("members.chooseUser")}
          options={found.map((u) => ({ value: u.id, label: `${u.username} (${u.loginAccount})${u.email ? ` · ${u.email}` : ""}` }))}
        />
      )}
      {found === null && form.error("userId") && <p class="field-error">{t("members.searchFirst")}</p>}
      <RolesField form={form} name="roles" legend={t("members.roles")} roles={choices} />
    </FormDialog>
  );
}

// CreateMember makes an employee account straight into the team (members:create) and
// shows, once, what to hand over: the team's sign-in link, the login account and the
// initial password.
function CreateMember({ team, choices, onClose, done }: { team: Team; choices: RoleChoice[]; onClose: () => void; done: () => void }) {
  useLanguage();
  const [made, setMade] = useState<Schemas["AddedMember"] | null>(null);
  const form = useGrantForm("new-member", choices, newAccount(), newAccountChecks());

  if (made) {
    const password = made.temporaryPassword ?? "";
    const handover = t("members.handover", { team: team.name, link: team.loginUrl, login: made.user.loginAccount, password });
    return (
      <DoneDialog title={t("members.createdTitle", { name: made.user.username })} onClose={onClose} wide>
        <p>{t("members.createdText", { name: made.user.username, team: team.name, roles: made.roles.map((r) => roleLabel(r.name)).join(t("common.listSep")) })}</p>
        <Once
          items={[
            { label: t("members.loginLink"), value: team.loginUrl, copy: t("members.copyLink"), testId: "handover-link", mono: false },
            { label: t("users.loginAccount"), value: made.user.loginAccount, copy: t("users.copyLogin"), testId: "handover-login" },
            { label: t("members.initialPassword"), value: password, copy: t("users.copyPassword"), testId: "temporary-password" },
            { label: t("members.handoverLabel"), value: handover, copy: t("members.copyAll"), testId: "handover-all", mono: false },
          ]}
        >
          <p>{t("users.temporaryHint")}</p>
          {made.notified && <p class="alert info">{t("users.emailedTo", { email: made.user.email ?? "" })}</p>}
        </Once>
      </DoneDialog>
    );
  }

  return (
    <FormDialog
      title={t("members.createTitle", { team: team.name })}
      form={form}
      submit={t("members.createSubmit")}
      onClose={onClose}
      intro={<p class="hint">{t("members.createIntro")}</p>}
      send={async () => {
        const r = await authed(() =>
          client.POST("/v1/teams/{id}/members", {
            params: { path: { id: team.id } },
            // openapi-typescript types NewMember's if/then (an email when notify) as an
            // object that takes nothing: the body is the document's all the same.
            body: { roleIds: roleList(form.values.roles), newUser: newAccountBody(form.values) as never },
          }),
        );
        if (!r.ok) return failRoles(form, r.error, newAccountField);
        setMade(r.data);
        done();
      }}
    >
      <NewAccountFields form={form} passwordLabel={t("members.initialPassword")} />
      <RolesField form={form} name="roles" legend={t("members.roles")} roles={choices} />
    </FormDialog>
  );
}
