// A team's members: their roles, joined date and status. Who holds members:manage
// changes roles (1 to 3, only those within its own powers: no escalation) and removes
// members; admins also add an existing user found by search; who holds members:create
// makes an employee account straight into the team and hands over its sign-in link,
// login account and initial password, shown once.
import { useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { renameFields } from "../api/errors";
import { useForm } from "../form";
import { formatTime, language, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberUser } from "../names";
import { canChangeMember, isAdmin, teamMay } from "../powers";
import { defaultRoles, failRoles, roleChoices, useDefaultRoles } from "../grant";
import { roleLabel, useRoles } from "../roles";
import { Field, FormAlert, Page, Status, Submit, onSubmit } from "../components/ui";
import { CheckField, ChoiceField, LocaleField, RolesField, roleList, type RoleChoice } from "../components/fields";
import { Confirm, Dialog } from "../components/dialog";
import { Once } from "../components/copy";
import { ListState, Pager, usePaged } from "../components/paged";
import { TeamLoading, TeamTabs, useTeam, type Team } from "../components/teamframe";
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
      <p class="crumbs">
        <a href={admin || me.teams.length > 0 ? "/teams" : "/"}>{admin ? t("team.backAll") : t("team.back")}</a>
      </p>
      <TeamTabs team={team} current="members" />
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
          <div class="field grow">
            <label for="members-q">{t("members.search")}</label>
            <input id="members-q" type="search" value={q} maxLength={64} onInput={(e) => setQ(e.currentTarget.value)} aria-describedby="members-q-hint" />
            <p id="members-q-hint" class="hint">
              {t("users.searchHint")}
            </p>
          </div>
          <button type="submit" class="secondary filter-button">
            {t("users.searchSubmit")}
          </button>
          <div class="field">
            <label for="members-role">{t("members.role")}</label>
            <select id="members-role" value={filters.roleId} onChange={(e) => setFilters((f) => ({ ...f, roleId: e.currentTarget.value }))}>
              <option value="">{t("members.anyRole")}</option>
              {(roles ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {roleLabel(r.name)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </form>

      <ListState paged={paged} empty={filters.q || filters.roleId ? t("members.noneMatch") : t("members.none")}>
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="members-caption">
          <table class="list">
            <caption id="members-caption" class="visually-hidden">
              {t("members.tableCaption", { team: team.name, n: paged.page })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("users.username")}</th>
                <th scope="col">{t("users.loginAccount")}</th>
                <th scope="col">{t("users.email")}</th>
                <th scope="col">{t("members.roles")}</th>
                <th scope="col">{t("members.joined")}</th>
                <th scope="col">{t("users.status")}</th>
                {manage && <th scope="col">{t("members.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {paged.items?.map((m) => (
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
                          <button type="button" class="secondary small" onClick={() => setOpen({ kind: "roles", m })}>
                            {t("members.changeRoles")}
                            <span class="visually-hidden"> ({m.user.username})</span>
                          </button>
                          <button type="button" class="danger small" onClick={() => setOpen({ kind: "remove", m })}>
                            {t("members.remove")}
                            <span class="visually-hidden"> ({m.user.username})</span>
                          </button>
                        </div>
                      ) : (
                        <span class="muted small">{m.user.id === me.user.id ? t("members.you") : t("members.notYours")}</span>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ListState>
      <Pager paged={paged} label={t("members.pages")} />

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
          run={async () => {
            const r = await authed(() => client.DELETE("/v1/teams/{id}/members/{userId}", { params: { path: { id, userId: open.m.user.id } } }));
            return r.ok ? null : r.error;
          }}
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
    <Dialog title={t("members.rolesTitle", { name: m.user.username })} onClose={onClose}>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const r = await authed(() =>
              client.PUT("/v1/teams/{id}/members/{userId}", { params: { path: { id: team.id, userId: m.user.id } }, body: { roleIds: roleList(form.values.roles) } }),
            );
            if (!r.ok) return failRoles(form, r.error);
            done(r.data);
            onClose();
          }),
        )}
      >
        <FormAlert form={form} />
        <RolesField form={form} name="roles" legend={t("members.roles")} roles={choices} />
        <div class="actions">
          <Submit busy={form.busy}>{t("members.saveRoles")}</Submit>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// AddMember (admins): find a member account by a prefix of its name, login account or
// email, choose its roles, add it.
function AddMember({ team, choices, onClose, done }: { team: Team; choices: RoleChoice[]; onClose: () => void; done: (name: string) => void }) {
  useLanguage();
  const [found, setFound] = useState<Schemas["ListedUser"][] | null>(null);
  const form = useForm("add-member", { q: "", userId: "", roles: defaultRoles(choices) }, { userId: v.required, roles: v.roles });
  useDefaultRoles(form, choices);
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
    <Dialog title={t("members.addTitle", { team: team.name })} onClose={onClose}>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const r = await authed(() =>
              client.POST("/v1/teams/{id}/members", { params: { path: { id: team.id } }, body: { userId: form.values.userId, roleIds: roleList(form.values.roles) } }),
            );
            if (!r.ok) return failRoles(form, r.error, (f) => f, { already_member: { field: "userId", words: t("members.alreadyMember") } });
            done(r.data.user.username);
            onClose();
          }),
        )}
      >
        <FormAlert form={form} />
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
        <div class="actions">
          <Submit busy={form.busy}>{t("members.addSubmit")}</Submit>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// CreateMember makes an employee account straight into the team (members:create) and
// shows, once, what to hand over: the team's sign-in link, the login account and the
// initial password.
function CreateMember({ team, choices, onClose, done }: { team: Team; choices: RoleChoice[]; onClose: () => void; done: () => void }) {
  useLanguage();
  const [made, setMade] = useState<Schemas["AddedMember"] | null>(null);
  const form = useForm(
    "new-member",
    { username: "", loginAccount: "", email: "", mobile: "", locale: language(), passwordMode: "generate", password: "", notify: "", roles: defaultRoles(choices) },
    {
      username: v.username,
      loginAccount: v.loginAccount,
      email: (val, all) => (all.notify === "true" ? v.email(val, all) : v.optional(v.email)(val, all)),
      mobile: v.mobile,
      password: (val, all) => (all.passwordMode === "type" ? v.password("loginAccount")(val, all) : undefined),
      roles: v.roles,
    },
  );
  useDefaultRoles(form, choices);

  if (made) {
    const password = made.temporaryPassword ?? "";
    const handover = t("members.handover", { team: team.name, link: team.loginUrl, login: made.user.loginAccount, password });
    return (
      <Dialog key="created" title={t("members.createdTitle", { name: made.user.username })} onClose={onClose} noEscape wide>
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
        <div class="actions">
          <button type="button" class="primary" onClick={onClose}>
            {t("common.done")}
          </button>
        </div>
      </Dialog>
    );
  }

  const typed = form.values.passwordMode === "type";
  return (
    <Dialog title={t("members.createTitle", { team: team.name })} onClose={onClose}>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const f = form.values;
            const r = await authed(() =>
              client.POST("/v1/teams/{id}/members", {
                params: { path: { id: team.id } },
                body: {
                  roleIds: roleList(f.roles),
                  // openapi-typescript types NewMember's if/then (an email when notify) as
                  // an object that takes nothing: the body is the document's all the same.
                  newUser: {
                    username: f.username.trim(),
                    loginAccount: f.loginAccount,
                    ...(f.email.trim() ? { email: f.email.trim() } : {}),
                    ...(f.mobile.trim() ? { mobile: f.mobile.trim() } : {}),
                    password: typed ? { value: f.password } : { generate: true },
                    notify: f.notify === "true",
                    locale: f.locale === "zh-CN" ? "zh-CN" : "en",
                  } as never,
                },
              }),
            );
            if (!r.ok) {
              const under = (n: string) => n.replace(/^newUser\./, "").replace(/^password\..*$/, "password");
              return failRoles(form, r.error, under);
            }
            setMade(r.data);
            done();
          }),
        )}
      >
        <p class="hint">{t("members.createIntro")}</p>
        <FormAlert form={form} />
        <Field form={form} name="username" label={t("users.username")} hint={t("common.usernameHint")} autoComplete="off" />
        <Field form={form} name="loginAccount" label={t("users.loginAccount")} hint={t("common.loginAccountHint")} autoComplete="off" />
        <Field form={form} name="email" label={t("users.email")} type="email" inputMode="email" autoComplete="off" optional={form.values.notify !== "true"} />
        <Field form={form} name="mobile" label={t("users.mobile")} hint={t("users.mobileHint")} autoComplete="off" optional />
        <LocaleField form={form} />
        <ChoiceField
          form={form}
          name="passwordMode"
          legend={t("users.passwordLegend")}
          options={[
            { value: "generate", label: t("users.passwordGenerate") },
            { value: "type", label: t("users.passwordType") },
          ]}
        />
        {typed && <Field form={form} name="password" label={t("members.initialPassword")} type="password" autoComplete="new-password" hint={t("users.passwordHint")} />}
        <CheckField form={form} name="notify" label={t("users.notify")} hint={t("users.notifyHint")} />
        <RolesField form={form} name="roles" legend={t("members.roles")} roles={choices} />
        <div class="actions">
          <Submit busy={form.busy}>{t("members.createSubmit")}</Submit>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
