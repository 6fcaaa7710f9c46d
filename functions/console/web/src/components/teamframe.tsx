// What a team's three pages share: reading the team, its tabs (Overview, Members,
// Invitations, each shown only to who may use it), and "this team is not yours".
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { codeWords, type ApiError } from "../api/errors";
import { t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { rememberTeam } from "../names";
import { isAdmin, teamMay } from "../powers";
import { Loading, Page } from "./ui";

export type Team = Schemas["Team"];

export function useTeam(id: string) {
  const [team, setTeam] = useState<Team | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = async () => {
    const r = await authed(() => client.GET("/v1/teams/{id}", { params: { path: { id } } }));
    if (r.ok) {
      rememberTeam(r.data);
      setTeam(r.data);
      setError(null);
    } else setError(r.error);
  };
  useEffect(() => {
    setTeam(null);
    setError(null);
    void reload();
  }, [id]);
  return { team, error, reload, setTeam };
}

// TeamGone is the page for a team that cannot be read: missing, or not the caller's
// (the API answers both alike, so as not to reveal which).
export function TeamGone({ error }: { error: ApiError }) {
  useLanguage();
  return (
    <Page title={t("team.title")}>
      <div role="alert" class="alert error">
        <p>{error.code === "not_found" || error.code === "invalid_request" || error.code === "forbidden" ? t("team.notFound") : codeWords(error)}</p>
      </div>
      <p>
        <BackToTeams />
      </p>
    </Page>
  );
}

// BackToTeams leads an admin to every team, a member to its own (or home, with none).
function BackToTeams() {
  useLanguage();
  const { me } = useSession();
  const admin = isAdmin(me?.user);
  return <a href={admin || (me?.teams.length ?? 0) > 0 ? "/teams" : "/"}>{admin ? t("team.backAll") : t("team.back")}</a>;
}

// TeamHead tops a team's pages: the way back, then the team's tabs.
export function TeamHead({ team, current }: { team: Team; current: Tab }) {
  return (
    <>
      <p class="crumbs">
        <BackToTeams />
      </p>
      <TeamTabs team={team} current={current} />
    </>
  );
}

export function TeamLoading({ error }: { error: ApiError | null }) {
  return error ? <TeamGone error={error} /> : <Loading />;
}

type Tab = "overview" | "members" | "invitations";

function TeamTabs({ team, current }: { team: Team; current: Tab }) {
  useLanguage();
  const { me } = useSession();
  const tabs: { key: typeof current; href: string; label: string }[] = [{ key: "overview", href: `/teams/${team.id}`, label: t("team.tabOverview") }];
  if (me && teamMay(me, team.id, "team:read")) tabs.push({ key: "members", href: `/teams/${team.id}/members`, label: t("team.tabMembers") });
  if (me && teamMay(me, team.id, "invitations:manage")) tabs.push({ key: "invitations", href: `/teams/${team.id}/invitations`, label: t("team.tabInvitations") });
  if (tabs.length < 2) return null;
  return (
    <nav aria-label={t("team.tabsLabel", { name: team.name })}>
      <ul class="tabs">
        {tabs.map((x) => (
          <li key={x.key}>
            <a href={x.href} aria-current={x.key === current ? "page" : undefined}>
              {x.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
