// Users (admins): a paged list with filters for account type, status and team and a
// search (a prefix of username, login account or email), kept in the address so a
// filtered list can be bookmarked and Back works; "New user" creates an account with a
// temporary password, shown once.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { renameFields } from "../api/errors";
import { useForm } from "../form";
import { formatTime, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberUser } from "../names";
import { Page, Status, onSubmit } from "../components/ui";
import { SelectField, accountTypeOptions } from "../components/fields";
import { DoneDialog, FormDialog } from "../components/dialog";
import { Once } from "../components/copy";
import { PagedTable, usePaged } from "../components/paged";
import { FilterSelect, SearchField } from "../components/filters";
import { NewAccountFields, newAccount, newAccountBody, newAccountChecks, newAccountField, type NewAccountField } from "../components/newaccount";
import { useAllTeams } from "../teams";

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
          <SearchField id="users-q" label={t("users.search")} hint={t("users.searchHint")} value={q} onInput={setQ} maxLength={254} />
        </div>
        <div class="filter-row">
          <FilterSelect
            id="users-accountType"
            label={t("users.accountType")}
            value={filters.accountType}
            onChange={(v) => setFilter("accountType", v)}
            any={t("users.all")}
            options={accountTypes.map((a) => ({ value: a, label: t(`home.accountType.${a}`) }))}
          />
          <FilterSelect
            id="users-status"
            label={t("users.status")}
            value={filters.status}
            onChange={(v) => setFilter("status", v)}
            any={t("users.all")}
            options={statuses.map((s) => ({ value: s, label: t(`users.statusWord.${s}`) }))}
          />
          <FilterSelect
            id="users-team"
            label={t("users.team")}
            value={filters.teamId}
            onChange={(v) => setFilter("teamId", v)}
            any={t("users.anyTeam")}
            // A team the address names but the list lacks (deleted, say) is still shown.
            options={[
              ...(filters.teamId && !teams.items.some((x) => x.id === filters.teamId) ? [{ value: filters.teamId, label: filters.teamId }] : []),
              ...teams.items.map((x) => ({ value: x.id, label: x.name })),
            ]}
          />
          {any && (
            <button type="button" class="link" onClick={() => route("/users", true)}>
              {t("users.clearFilters")}
            </button>
          )}
        </div>
      </form>

      <PagedTable
        paged={paged}
        empty={any ? t("users.noneMatch") : t("users.none")}
        pages={t("users.pages")}
        labelledBy="users-caption"
        caption={t("users.tableCaption", { n: paged.page })}
        head={[t("users.username"), t("users.loginAccount"), t("users.email"), t("users.accountType"), t("users.status"), t("users.lastLogin")]}
        row={(u) => (
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
        )}
      />

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
  const form = useForm<NewAccountField | "accountType">("new-user", { ...newAccount(), accountType: "member" }, newAccountChecks());

  if (created) {
    const u = created.user;
    return (
      <DoneDialog
        title={t("users.createdTitle")}
        onClose={onClose}
        cta={
          <a class="cta" href={`/users/${u.id}`}>
            {t("users.openUser")}
          </a>
        }
      >
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
      </DoneDialog>
    );
  }

  return (
    <FormDialog
      title={t("users.newTitle")}
      form={form}
      submit={t("users.create")}
      onClose={onClose}
      send={async () => {
        const f = form.values;
        const r = await authed(() =>
          client.POST("/v1/users", { body: { ...newAccountBody(f), accountType: superAdmin && f.accountType === "platform_admin" ? "platform_admin" : "member" } }),
        );
        if (!r.ok) return form.fail(renameFields(r.error, newAccountField));
        rememberUser(r.data.user);
        setCreated(r.data);
        onCreated();
      }}
    >
      <NewAccountFields form={form} passwordLabel={t("users.password")}>
        {superAdmin ? <SelectField form={form} name="accountType" label={t("users.accountType")} options={accountTypeOptions()} /> : <p class="hint">{t("users.memberOnly")}</p>}
      </NewAccountFields>
    </FormDialog>
  );
}
