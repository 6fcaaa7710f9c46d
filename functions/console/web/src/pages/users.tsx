// Users (admins): a paged list with filters for account type, status and team and a
// search (a prefix of username, login account or email), kept in the address so a
// filtered list can be bookmarked and Back works; "New user" creates an account with a
// temporary password, shown once.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { renameFields } from "../api/errors";
import { useForm } from "../form";
import { formatTime, language, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberUser } from "../names";
import { Field, FormAlert, Page, Status, Submit, onSubmit } from "../components/ui";
import { CheckField, ChoiceField, LocaleField, SelectField } from "../components/fields";
import { Dialog } from "../components/dialog";
import { Once } from "../components/copy";
import { ListState, Pager, usePaged } from "../components/paged";
import { useAllTeams } from "../teams";
import * as v from "../validate";

type AccountType = Schemas["AccountType"];
type Status = Schemas["UserStatus"];

const accountTypes: AccountType[] = ["super_admin", "platform_admin", "member"];
const statuses: Status[] = ["active", "frozen"];

function filtersFrom(query: Record<string, string>) {
  return {
    accountType: accountTypes.includes(query.accountType as AccountType) ? query.accountType : "",
    status: statuses.includes(query.status as Status) ? query.status : "",
    teamId: query.teamId ?? "",
    q: (query.q ?? "").trim(),
  };
}

export function Users() {
  useLanguage();
  const { query, route } = useLocation();
  const filters = filtersFrom(query);
  const key = JSON.stringify(filters);
  const [creating, setCreating] = useState(false);
  const teams = useAllTeams();

  const paged = usePaged(
    (cursor) =>
      authed(() =>
        client.GET("/v1/users", {
          params: {
            query: {
              limit: 20,
              ...(cursor ? { cursor } : {}),
              ...(filters.accountType ? { accountType: filters.accountType as AccountType } : {}),
              ...(filters.status ? { status: filters.status as Status } : {}),
              ...(filters.teamId ? { teamId: filters.teamId } : {}),
              ...(filters.q ? { q: filters.q } : {}),
            },
          },
        }),
      ).then((r) => {
        if (r.ok) r.data.items.forEach(rememberUser);
        return r;
      }),
    key,
  );

  function setFilter(name: keyof ReturnType<typeof filtersFrom>, value: string) {
    const next = { ...filters, [name]: value };
    const qs = new URLSearchParams(Object.entries(next).filter(([, v]) => v) as [string, string][]).toString();
    route(qs ? `/users?${qs}` : "/users", true);
  }

  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);

  const any = filters.accountType || filters.status || filters.teamId || filters.q;

  return (
    <Page title={t("users.title")} wide>
      <div class="toolbar">
        <p class="lead">{t("users.intro")}</p>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          {t("users.new")}
        </button>
      </div>

      {query.deleted && <Status message={t("users.deleted", { name: query.deleted })} />}
      <form class="filters" role="search" aria-label={t("users.filtersLabel")} onSubmit={onSubmit(() => setFilter("q", q.trim()))}>
        <div class="filter-search">
          <div class="field">
            <label for="users-q">{t("users.search")}</label>
            <input id="users-q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} aria-describedby="users-q-hint" maxLength={254} />
            <p id="users-q-hint" class="hint">
              {t("users.searchHint")}
            </p>
          </div>
          <button type="submit" class="secondary">
            {t("users.searchSubmit")}
          </button>
        </div>
        <div class="filter-row">
          <div class="field">
            <label for="users-accountType">{t("users.accountType")}</label>
            <select id="users-accountType" value={filters.accountType} onChange={(e) => setFilter("accountType", e.currentTarget.value)}>
              <option value="">{t("users.all")}</option>
              {accountTypes.map((a) => (
                <option key={a} value={a}>
                  {t(`home.accountType.${a}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="users-status">{t("users.status")}</label>
            <select id="users-status" value={filters.status} onChange={(e) => setFilter("status", e.currentTarget.value)}>
              <option value="">{t("users.all")}</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {t(`users.statusWord.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="users-team">{t("users.team")}</label>
            <select id="users-team" value={filters.teamId} onChange={(e) => setFilter("teamId", e.currentTarget.value)}>
              <option value="">{t("users.anyTeam")}</option>
              {filters.teamId && !teams.items.some((x) => x.id === filters.teamId) && <option value={filters.teamId}>{filters.teamId}</option>}
              {teams.items.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
          {any && (
            <button type="button" class="link" onClick={() => route("/users", true)}>
              {t("users.clearFilters")}
            </button>
          )}
        </div>
      </form>

      <ListState paged={paged} empty={any ? t("users.noneMatch") : t("users.none")}>
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="users-caption">
          <table class="list">
            <caption id="users-caption" class="visually-hidden">
              {t("users.tableCaption", { n: paged.page })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("users.username")}</th>
                <th scope="col">{t("users.loginAccount")}</th>
                <th scope="col">{t("users.email")}</th>
                <th scope="col">{t("users.accountType")}</th>
                <th scope="col">{t("users.status")}</th>
                <th scope="col">{t("users.lastLogin")}</th>
              </tr>
            </thead>
            <tbody>
              {paged.items?.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={`/users/${u.id}`}>{u.username}</a>
                  </td>
                  <td>{u.loginAccount}</td>
                  <td class="wrap">{u.email ?? "—"}</td>
                  <td>{t(`home.accountType.${u.accountType}`)}</td>
                  <td>
                    <span class={`state ${u.status}`}>{t(`users.statusWord.${u.status}`)}</span>
                  </td>
                  <td>{u.lastLoginAt ? <time dateTime={u.lastLoginAt}>{formatTime(u.lastLoginAt)}</time> : t("users.never")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ListState>
      <Pager paged={paged} label={t("users.pages")} />

      {creating && <NewUser onClose={() => setCreating(false)} onCreated={() => paged.reload()} />}
    </Page>
  );
}

// NewUser is the "New user" dialog: the account, then its temporary password, once.
function NewUser({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  useLanguage();
  const { me } = useSession();
  const superAdmin = me!.user.accountType === "super_admin";
  const [created, setCreated] = useState<Schemas["CreatedUser"] | null>(null);
  const form = useForm(
    "new-user",
    { username: "", loginAccount: "", accountType: "member", email: "", mobile: "", locale: language(), passwordMode: "generate", password: "", notify: "" },
    {
      username: v.username,
      loginAccount: v.loginAccount,
      email: (val, all) => (all.notify === "true" ? v.email(val, all) : v.optional(v.email)(val, all)),
      mobile: v.mobile,
      password: (val, all) => (all.passwordMode === "type" ? v.password("loginAccount")(val, all) : undefined),
    },
  );

  if (created) {
    const u = created.user;
    return (
      <Dialog key="created" title={t("users.createdTitle")} onClose={onClose} noEscape>
        <p>{t("users.createdText", { name: u.username, account: t(`home.accountType.${u.accountType}`) })}</p>
        <Once
          items={[
            { label: t("users.loginAccount"), value: u.loginAccount, copy: t("users.copyLogin"), testId: "created-login" },
            { label: t("users.temporaryPassword"), value: created.temporaryPassword, copy: t("users.copyPassword"), testId: "temporary-password" },
          ]}
        >
          <p>{t("users.temporaryHint")}</p>
          {created.notified && <p class="alert info">{t("users.emailedTo", { email: u.email ?? "" })}</p>}
        </Once>
        <div class="actions">
          <a class="cta" href={`/users/${u.id}`}>
            {t("users.openUser")}
          </a>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.done")}
          </button>
        </div>
      </Dialog>
    );
  }

  const typed = form.values.passwordMode === "type";
  return (
    <Dialog title={t("users.newTitle")} onClose={onClose}>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const f = form.values;
            const r = await authed(() =>
              client.POST("/v1/users", {
                body: {
                  username: f.username.trim(),
                  loginAccount: f.loginAccount,
                  accountType: superAdmin && f.accountType === "platform_admin" ? "platform_admin" : "member",
                  ...(f.email.trim() ? { email: f.email.trim() } : {}),
                  ...(f.mobile.trim() ? { mobile: f.mobile.trim() } : {}),
                  password: typed ? { value: f.password } : { generate: true },
                  notify: f.notify === "true",
                  locale: f.locale === "zh-CN" ? "zh-CN" : "en",
                },
              }),
            );
            if (!r.ok) return form.fail(renameFields(r.error, (n) => (n.startsWith("password") ? "password" : n)));
            rememberUser(r.data.user);
            setCreated(r.data);
            onCreated();
          }),
        )}
      >
        <FormAlert form={form} />
        <Field form={form} name="username" label={t("users.username")} hint={t("common.usernameHint")} autoComplete="off" />
        <Field form={form} name="loginAccount" label={t("users.loginAccount")} hint={t("common.loginAccountHint")} autoComplete="off" />
        {superAdmin ? (
          <SelectField
            form={form}
            name="accountType"
            label={t("users.accountType")}
            options={[
              { value: "member", label: t("home.accountType.member") },
              { value: "platform_admin", label: t("home.accountType.platform_admin") },
            ]}
          />
        ) : (
          <p class="hint">{t("users.memberOnly")}</p>
        )}
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
        {typed && (
          <Field form={form} name="password" label={t("users.password")} type="password" autoComplete="new-password" hint={t("users.passwordHint")} />
        )}
        <CheckField form={form} name="notify" label={t("users.notify")} hint={t("users.notifyHint")} />
        <div class="actions">
          <Submit busy={form.busy}>{t("users.create")}</Submit>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
