// A team, read-only (part 1 of the console): its name, description and my roles in it.
// Managing it is part 2.
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { codeWords, type ApiError } from "../api/errors";
import { roleNames, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { Loading, Page } from "../components/ui";

export function TeamPage({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const [team, setTeam] = useState<Schemas["Team"] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setTeam(null);
    setError(null);
    void authed(() => client.GET("/v1/teams/{id}", { params: { path: { id } } })).then((r) => (r.ok ? setTeam(r.data) : setError(r.error)));
  }, [id]);

  if (error) {
    return (
      <Page title={t("team.title")}>
        <div role="alert" class="alert error">
          <p>{error.code === "not_found" || error.code === "invalid_request" || error.code === "forbidden" ? t("team.notFound") : codeWords(error)}</p>
        </div>
        <p>
          <a href="/">{t("team.back")}</a>
        </p>
      </Page>
    );
  }
  if (!team) return <Loading />;
  const mine = me?.teams.find((x) => x.id === team.id);
  return (
    <Page title={team.name}>
      <dl class="facts">
        <dt>{t("team.description")}</dt>
        <dd>{team.description || t("team.noDescription")}</dd>
        <dt>{t("team.myRoles")}</dt>
        <dd>{mine && mine.roles.length ? roleNames(mine.roles) : t("common.none")}</dd>
        <dt>{t("team.loginLink")}</dt>
        <dd>
          <a href={team.loginUrl}>{team.loginUrl}</a>
        </dd>
      </dl>
      <p>
        <a href="/">{t("team.back")}</a>
      </p>
    </Page>
  );
}
