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
import { Field, FormAlert, Page, Status, Submit, onSubmit } from "../components/ui";
import { TextAreaField } from "../components/fields";
import { Dialog } from "../components/dialog";
import { CopyButton } from "../components/copy";
import { ListState, Pager, usePaged } from "../components/paged";
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
          <div class="field">
            <label for="teams-q">{t("teams.search")}</label>
            <input id="teams-q" type="search" value={typed} maxLength={64} onInput={(e) => setTyped(e.currentTarget.value)} aria-describedby="teams-q-hint" />
            <p id="teams-q-hint" class="hint">
              {t("teams.searchHint")}
            </p>
          </div>
          <button type="submit" class="secondary">
            {t("users.searchSubmit")}
          </button>
        </div>
      </form>
      <ListState paged={paged} empty={q ? t("teams.noneMatch") : admin ? t("teams.none") : t("teams.myNone")}>
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="teams-caption">
          <table class="list">
            <caption id="teams-caption" class="visually-hidden">
              {t("teams.tableCaption", { n: paged.page })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("teams.name")}</th>
                <th scope="col">{t("team.description")}</th>
                {!admin && <th scope="col">{t("team.myRoles")}</th>}
                <th scope="col">{t("team.loginLink")}</th>
                <th scope="col">{t("teams.created")}</th>
              </tr>
            </thead>
            <tbody>
              {paged.items?.map((team) => (
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
              ))}
            </tbody>
          </table>
        </div>
      </ListState>
      <Pager paged={paged} label={t("teams.pages")} />
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
    <Dialog title={t("teams.newTitle")} onClose={onClose}>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const description = form.values.description.trim();
            const r = await authed(() => client.POST("/v1/teams", { body: { name: form.values.name.trim(), ...(description ? { description } : {}) } }));
            if (!r.ok) return form.fail(r.error);
            rememberTeam(r.data);
            route(`/teams/${r.data.id}?created=1`);
          }),
        )}
      >
        <FormAlert form={form} />
        <Field form={form} name="name" label={t("teams.name")} hint={t("teams.nameHint")} autoComplete="off" maxLength={64} />
        <TextAreaField form={form} name="description" label={t("team.description")} hint={t("teams.descriptionHint")} optional maxLength={500} />
        <div class="actions">
          <Submit busy={form.busy}>{t("teams.create")}</Submit>
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
