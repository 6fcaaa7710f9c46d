// Teams: admins see every team and create new ones; a member sees the teams it belongs
// to. Each row copies the team's sign-in link.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { authed, client } from "../api/client";
import { useForm } from "../form";
import { formatTime, roleNames, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberTeam } from "../names";
import { isAdmin } from "../powers";
import { Field, Page, Status, onSubmit } from "../components/ui";
import { TextAreaField } from "../components/fields";
import { FormDialog } from "../components/dialog";
import { CopyButton } from "../components/copy";
import { PagedTable, usePaged } from "../components/paged";
import { SearchField } from "../components/filters";
import * as v from "../validate";

export function Teams() {
  useLanguage();
  const { me } = useSession();
  const { query, route } = useLocation();
  const admin = isAdmin(me!.user);
  const q = (query.q ?? "").trim();
  const [typed, setTyped] = useState(q);
  useEffect(() => setTyped(q), [q]);
  const [creating, setCreating] = useState(false);

  const paged = usePaged(
    (cursor) =>
      authed(() => client.GET("/v1/teams", { params: { query: { limit: 20, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}) } } })).then((r) => {
        if (r.ok) r.data.items.forEach(rememberTeam);
        return r;
      }),
    q,
  );
  const mine = (id: string) => me!.teams.find((x) => x.id === id);

  return (
    <Page title={admin ? t("teams.title") : t("teams.myTitle")} wide>
      <div class="toolbar">
        <p class="lead">{admin ? t("teams.intro") : t("teams.myIntro")}</p>
        {admin && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            {t("teams.new")}
          </button>
        )}
      </div>
      {query.deleted && <Status message={t("teams.deleted", { name: query.deleted })} />}
      <form class="filters" role="search" aria-label={t("teams.searchLabel")} onSubmit={onSubmit(() => route(typed.trim() ? `/teams?q=${encodeURIComponent(typed.trim())}` : "/teams", true))}>
        <div class="filter-search">
          <SearchField id="teams-q" label={t("teams.search")} hint={t("teams.searchHint")} value={typed} onInput={setTyped} maxLength={64} />
        </div>
      </form>
      <PagedTable
        paged={paged}
        empty={q ? t("teams.noneMatch") : admin ? t("teams.none") : t("teams.myNone")}
        pages={t("teams.pages")}
        labelledBy="teams-caption"
        caption={t("teams.tableCaption", { n: paged.page })}
        head={[t("teams.name"), t("team.description"), !admin && t("team.myRoles"), t("team.loginLink"), t("teams.created")]}
        row={(team) => (
          <tr key={team.id}>
            <td>
              <a href={`/teams/${team.id}`}>{team.name}</a>
            </td>
            <td class="wrap">{team.description || "—"}</td>
            {!admin && <td>{roleNames(mine(team.id)?.roles ?? [])}</td>}
            <td>
              <CopyButton text={team.loginUrl} label={t("teams.copyLink", { name: team.name })} />
            </td>
            <td class="nowrap">
              <time dateTime={team.createdAt}>{formatTime(team.createdAt)}</time>
            </td>
          </tr>
        )}
      />
      {!admin && me!.user.accountType === "member" && (
        <p>
          <a href="/join">{t("home.joinCta")}</a>
        </p>
      )}
      {creating && <NewTeam onClose={() => setCreating(false)} />}
    </Page>
  );
}

function NewTeam({ onClose }: { onClose: () => void }) {
  useLanguage();
  const { route } = useLocation();
  const form = useForm("new-team", { name: "", description: "" }, { name: v.name, description: v.description });
  return (
    <FormDialog
      title={t("teams.newTitle")}
      form={form}
      submit={t("teams.create")}
      onClose={onClose}
      send={async () => {
        const description = form.values.description.trim();
        const r = await authed(() => client.POST("/v1/teams", { body: { name: form.values.name.trim(), ...(description ? { description } : {}) } }));
        if (!r.ok) return form.fail(r.error);
        rememberTeam(r.data);
        route(`/teams/${r.data.id}?created=1`);
      }}
    >
      <Field form={form} name="name" label={t("teams.name")} hint={t("teams.nameHint")} autoComplete="off" maxLength={64} />
      <TextAreaField form={form} name="description" label={t("team.description")} hint={t("teams.descriptionHint")} optional maxLength={500} />
    </FormDialog>
  );
}
